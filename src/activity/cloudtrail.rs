//! AWS CloudTrail: the S3 delivery format (gzip JSON `{"Records":[…]}` under
//! `AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`), plain JSON (one record, a list, or
//! `{"Records":[…]}`), JSON Lines, and `aws cloudtrail lookup-events` output (each event's
//! `CloudTrailEvent` is a JSON string). Field names as the CloudTrail record contents
//! reference documents them (`userIdentity`, `eventTime`, `eventSource`, `eventName`, …).

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{Actor, Event, Issued, LogFormat};
use crate::model::Provider;

/// CloudTrail, in every delivered shape.
pub static FORMAT: LogFormat = LogFormat {
    id: "cloudtrail",
    name: "CloudTrail",
    recognises,
    events,
    fast: Some(fast),
};

/// The events of one document.
fn events(doc: Value, origin: &str, out: &mut Vec<Result<Event, String>>) {
    let mut recs = Vec::new();
    let mut errors = Vec::new();
    records(doc, origin, &mut recs, &mut errors);
    out.extend(errors.into_iter().map(Err));
    for (r, at) in recs {
        if !is_record(&r) {
            // Digest files and other objects delivered beside the logs.
            continue;
        }
        out.push(event(&r, &at).map_err(|e| format!("{at}: {e}")));
    }
}

/// Whether a JSON value is a CloudTrail record.
pub fn is_record(v: &Value) -> bool {
    v.get("eventTime").is_some() && (v.get("eventName").is_some() || v.get("eventSource").is_some())
}

/// Whether a parsed document holds CloudTrail events (used to recognise a file by content).
pub fn recognises(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            m.get("Records")
                .and_then(Value::as_array)
                .is_some_and(|r| r.is_empty() || r.iter().any(is_record))
                || m.get("Events")
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.iter().any(|x| x.get("CloudTrailEvent").is_some()))
                || is_record(v)
        }
        Value::Array(a) => !a.is_empty() && a.iter().all(is_record),
        _ => false,
    }
}

/// The records of one parsed document: `(record, where)`. A lookup-events event whose
/// `CloudTrailEvent` string does not parse is an error naming its position.
pub fn records(v: Value, origin: &str, out: &mut Vec<(Value, String)>, errors: &mut Vec<String>) {
    match v {
        Value::Object(mut m) => {
            if let Some(Value::Array(recs)) = m.remove("Records") {
                for (ix, r) in recs.into_iter().enumerate() {
                    out.push((r, format!("{origin} Records[{ix}]")));
                }
            } else if let Some(Value::Array(events)) = m.remove("Events") {
                for (ix, e) in events.into_iter().enumerate() {
                    let at = format!("{origin} Events[{ix}]");
                    match e.get("CloudTrailEvent") {
                        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                            Ok(r) => out.push((r, at)),
                            Err(err) => errors.push(format!(
                                "{at}: CloudTrailEvent is not a JSON record ({err})"
                            )),
                        },
                        Some(r @ Value::Object(_)) => out.push((r.clone(), at)),
                        _ => errors.push(format!("{at}: no CloudTrailEvent")),
                    }
                }
            } else {
                out.push((Value::Object(m), origin.to_string()));
            }
        }
        Value::Array(a) => {
            for (ix, r) in a.into_iter().enumerate() {
                out.push((r, format!("{origin} [{ix}]")));
            }
        }
        _ => errors.push(format!("{origin}: not a CloudTrail record")),
    }
}

/// The service prefix of an event source: `iam.amazonaws.com` → `iam`.
pub fn service_of(event_source: &str) -> String {
    event_source
        .split_once('.')
        .map_or(event_source, |(s, _)| s)
        .to_ascii_lowercase()
}

/// A string field read leniently: a JSON string (borrowed where the text allows), anything
/// else (a number, an object, null) as absent. A record whose `requestParameters.name` is an
/// object is still a record.
#[derive(Debug, Default)]
struct S<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for S<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = S<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<S<'de>, E> {
                Ok(S(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<S<'de>, E> {
                Ok(S(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E>(self, v: String) -> Result<S<'de>, E> {
                Ok(S(Some(Cow::Owned(v))))
            }
            fn visit_bool<E>(self, _: bool) -> Result<S<'de>, E> {
                Ok(S(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<S<'de>, E> {
                Ok(S(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<S<'de>, E> {
                Ok(S(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<S<'de>, E> {
                Ok(S(None))
            }
            fn visit_unit<E>(self) -> Result<S<'de>, E> {
                Ok(S(None))
            }
            fn visit_none<E>(self) -> Result<S<'de>, E> {
                Ok(S(None))
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<S<'de>, D::Error> {
                S::deserialize(d)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<S<'de>, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(S(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<S<'de>, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(S(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl S<'_> {
    fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }
    fn owned(&self) -> Option<String> {
        self.get().map(str::to_string)
    }
}

/// An object read leniently: a JSON object into `T`, anything else as absent.
#[derive(Debug)]
struct Obj<T>(Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // An object is read as T; null as absent; other shapes fail the record (and the file
        // takes the slower, fully lenient path).
        Option::<T>::deserialize(d).map(Obj)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Issuer<'a> {
    #[serde(borrow)]
    arn: S<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WebId<'a> {
    #[serde(borrow, rename = "federatedProvider")]
    federated_provider: S<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SessionContext<'a> {
    #[serde(borrow, rename = "sessionIssuer")]
    session_issuer: Obj<Issuer<'a>>,
    #[serde(borrow, rename = "webIdFederationData")]
    web: Obj<WebId<'a>>,
    #[serde(rename = "ec2RoleDelivery")]
    ec2_role_delivery: Option<serde::de::IgnoredAny>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UserIdentity<'a> {
    #[serde(borrow, rename = "type")]
    kind: S<'a>,
    #[serde(borrow)]
    arn: S<'a>,
    #[serde(borrow, rename = "principalId")]
    principal_id: S<'a>,
    #[serde(borrow, rename = "accountId")]
    account_id: S<'a>,
    #[serde(borrow, rename = "accessKeyId")]
    access_key_id: S<'a>,
    #[serde(borrow, rename = "userName")]
    user_name: S<'a>,
    #[serde(borrow, rename = "identityProvider")]
    identity_provider: S<'a>,
    #[serde(borrow, rename = "invokedBy")]
    invoked_by: S<'a>,
    #[serde(borrow, rename = "sessionContext")]
    session_context: Obj<SessionContext<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Params<'a> {
    #[serde(borrow, rename = "roleArn")]
    role_arn: S<'a>,
    #[serde(borrow, rename = "userName")]
    user_name: S<'a>,
    #[serde(borrow, rename = "roleName")]
    role_name: S<'a>,
    #[serde(borrow, rename = "bucketName")]
    bucket_name: S<'a>,
    #[serde(borrow, rename = "functionName")]
    function_name: S<'a>,
    #[serde(borrow, rename = "instanceId")]
    instance_id: S<'a>,
    #[serde(borrow, rename = "policyArn")]
    policy_arn: S<'a>,
    #[serde(borrow, rename = "secretId")]
    secret_id: S<'a>,
    #[serde(borrow)]
    name: S<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Creds<'a> {
    #[serde(borrow, rename = "accessKeyId")]
    access_key_id: S<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Response<'a> {
    #[serde(borrow)]
    credentials: Obj<Creds<'a>>,
    #[serde(borrow, rename = "assumedRoleUser")]
    assumed_role_user: Obj<Issuer<'a>>,
    #[serde(borrow, rename = "subjectFromWebIdentityToken")]
    subject_from_web_identity_token: S<'a>,
    #[serde(borrow)]
    subject: S<'a>,
    #[serde(borrow)]
    provider: S<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Resource<'a> {
    #[serde(borrow, rename = "ARN")]
    arn: S<'a>,
}

/// The fields of a CloudTrail record that `nhi` reads (the CloudTrail record contents
/// reference); the others are skipped without being built.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Record<'a> {
    #[serde(borrow, rename = "eventTime")]
    event_time: S<'a>,
    #[serde(borrow, rename = "eventSource")]
    event_source: S<'a>,
    #[serde(borrow, rename = "eventName")]
    event_name: S<'a>,
    #[serde(borrow, rename = "eventType")]
    event_type: S<'a>,
    #[serde(borrow, rename = "userIdentity")]
    user_identity: Obj<UserIdentity<'a>>,
    #[serde(borrow, rename = "userAgent")]
    user_agent: S<'a>,
    #[serde(borrow, rename = "sourceIPAddress")]
    source_ip: S<'a>,
    #[serde(borrow, rename = "errorCode")]
    error_code: S<'a>,
    #[serde(borrow, rename = "recipientAccountId")]
    recipient_account_id: S<'a>,
    #[serde(borrow)]
    resources: Option<Vec<Resource<'a>>>,
    #[serde(borrow, rename = "requestParameters")]
    request_parameters: Obj<Params<'a>>,
    #[serde(borrow, rename = "responseElements")]
    response_elements: Obj<Response<'a>>,
}

/// Reads `{"Records":[…]}` one record at a time, handing each to a closure, so that a file's
/// records are never all held at once.
struct Delivered<'f, F>(&'f mut F, bool);

impl<'de, F: FnMut(Record<'de>)> serde::de::Visitor<'de> for Delivered<'_, F> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object with Records")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut m: A) -> Result<bool, A::Error> {
        while let Some(k) = m.next_key::<Cow<'de, str>>()? {
            if k == "Records" {
                m.next_value_seed(RecordList(&mut *self.0))?;
                self.1 = true;
            } else {
                m.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(self.1)
    }
}

struct RecordList<'f, F>(&'f mut F);

impl<'de, F: FnMut(Record<'de>)> serde::de::DeserializeSeed<'de> for RecordList<'_, F> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Record<'de>)> serde::de::Visitor<'de> for RecordList<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        while let Some(r) = a.next_element::<Record<'de>>()? {
            (self.0)(r);
        }
        Ok(())
    }
}

/// The fast path for the S3 delivery's `{"Records":[…]}`: each record deserialised straight
/// into [`Record`], borrowing from the text, without building a JSON tree. `false` when the
/// text is another shape (or a record has an unusual one): the caller takes the general path.
pub fn fast(text: &str, origin: &str, out: &mut Vec<Result<Event, String>>) -> bool {
    if !text.trim_start().starts_with('{') || !text.contains("\"Records\"") {
        return false;
    }
    let start = out.len();
    let mut ix = 0usize;
    let mut each = |r: Record<'_>| {
        let at = ix;
        ix += 1;
        if r.event_time.get().is_none()
            || (r.event_name.get().is_none() && r.event_source.get().is_none())
        {
            return;
        }
        let at = format!("{origin} Records[{at}]");
        out.push(event_of(&r, &at).map_err(|e| format!("{at}: {e}")));
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let read = serde::Deserializer::deserialize_map(&mut de, Delivered(&mut each, false))
        .and_then(|ok| de.end().map(|()| ok));
    match read {
        Ok(true) => true,
        _ => {
            // Not this shape after all: forget what was read, the general path reads it all.
            out.truncate(start);
            false
        }
    }
}

/// Turns one record (a JSON value) into an event; an error names what is missing or malformed.
pub fn event(r: &Value, origin: &str) -> Result<Event, String> {
    let rec = Record::deserialize(r).map_err(|e| format!("not a CloudTrail record ({e})"))?;
    event_of(&rec, origin)
}

fn event_of(r: &Record<'_>, origin: &str) -> Result<Event, String> {
    let raw_time = r.event_time.get().ok_or("no eventTime")?;
    let time: DateTime<Utc> = crate::time::parse_time(raw_time)
        .ok_or_else(|| format!("eventTime `{raw_time}` is not a time"))?;
    let source = r.event_source.get().unwrap_or("unknown");
    let name = r.event_name.get().unwrap_or("unknown");
    let empty = UserIdentity::default();
    let u = r.user_identity.0.as_ref().unwrap_or(&empty);
    let kind = u.kind.get().unwrap_or("").to_string();
    let session_name = match kind.as_str() {
        "AssumedRole" => u
            .arn
            .get()
            .and_then(|a| a.rsplit_once('/'))
            .map(|(_, s)| s.to_string())
            .or_else(|| {
                u.principal_id
                    .get()
                    .and_then(|p| p.split_once(':'))
                    .map(|(_, s)| s.to_string())
            }),
        _ => None,
    };
    let ctx = u.session_context.0.as_ref();
    let ec2_delivery = ctx.is_some_and(|c| c.ec2_role_delivery.is_some());
    let user_agent = r.user_agent.owned();
    let workload = ec2_delivery
        || session_name.as_deref().is_some_and(is_instance_id)
        || user_agent
            .as_deref()
            .is_some_and(|ua| ua.contains("exec-env/AWS_Lambda") || ua.contains("AWS_ECS_"));
    let web = ctx
        .and_then(|c| c.web.0.as_ref())
        .and_then(|w| w.federated_provider.owned());
    let actor = Actor {
        kind,
        arn: u.arn.owned(),
        principal_id: u.principal_id.owned(),
        account: u
            .account_id
            .owned()
            .or_else(|| r.recipient_account_id.owned()),
        access_key_id: u.access_key_id.owned(),
        issuer_arn: ctx
            .and_then(|c| c.session_issuer.0.as_ref())
            .and_then(|i| i.arn.owned()),
        session_name,
        user_name: u.user_name.owned(),
        identity_provider: u.identity_provider.owned().or(web),
        invoked_by: u.invoked_by.owned(),
        workload,
    };
    let issued = issued(r, u, name);
    let console = r.event_type.get() == Some("AwsConsoleSignIn");
    let identity = super::identity_of(&actor);
    let account = identity
        .as_deref()
        .and_then(|id| id.split(':').nth(3))
        .map(str::to_string)
        .or_else(|| actor.account.clone());
    Ok(Event {
        time,
        source: "cloudtrail",
        provider: Provider::Aws,
        identity,
        credential: actor.access_key_id.clone(),
        account,
        actor,
        action: format!("{}:{name}", service_of(source)),
        target: target(r),
        error: r.error_code.owned(),
        source_ip: r.source_ip.owned(),
        user_agent,
        console,
        origin: origin.to_string(),
        issued,
    })
}

/// `i-` followed by hex digits: an EC2 instance id (an instance profile's session name).
fn is_instance_id(s: &str) -> bool {
    s.strip_prefix("i-")
        .is_some_and(|h| h.len() >= 8 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The resource an event acted on, when the record names one.
fn target(r: &Record<'_>) -> Option<String> {
    if let Some(arn) = r
        .resources
        .as_ref()
        .and_then(|a| a.first())
        .and_then(|x| x.arn.get())
    {
        return Some(arn.to_string());
    }
    let p = r.request_parameters.0.as_ref()?;
    [
        &p.role_arn,
        &p.user_name,
        &p.role_name,
        &p.bucket_name,
        &p.function_name,
        &p.instance_id,
        &p.policy_arn,
        &p.secret_id,
        &p.name,
    ]
    .into_iter()
    .find_map(|v| v.owned())
}

/// Temporary credentials an STS call issued (`AssumeRole*`, `GetSessionToken`,
/// `GetFederationToken`), from its response.
fn issued(r: &Record<'_>, u: &UserIdentity<'_>, name: &str) -> Option<Issued> {
    if !matches!(
        name,
        "AssumeRole"
            | "AssumeRoleWithWebIdentity"
            | "AssumeRoleWithSAML"
            | "GetSessionToken"
            | "GetFederationToken"
    ) {
        return None;
    }
    let resp = r.response_elements.0.as_ref()?;
    let key_id = resp.credentials.0.as_ref()?.access_key_id.owned()?;
    Some(Issued {
        key_id,
        role_arn: r
            .request_parameters
            .0
            .as_ref()
            .and_then(|q| q.role_arn.owned())
            .or_else(|| {
                resp.assumed_role_user
                    .0
                    .as_ref()
                    .and_then(|a| a.arn.owned())
            }),
        subject: resp
            .subject_from_web_identity_token
            .owned()
            .or_else(|| resp.subject.owned())
            .or_else(|| u.user_name.owned()),
        provider: resp
            .provider
            .owned()
            .or_else(|| u.identity_provider.owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_instance_profile_session_is_a_workload() {
        let r = json!({
            "eventTime": "2023-07-10T11:57:22Z", "eventSource": "sts.amazonaws.com",
            "eventName": "GetCallerIdentity", "sourceIPAddress": "192.0.2.20",
            "userAgent": "aws-sdk-go-v2/1.17.0",
            "userIdentity": {"type": "AssumedRole", "accessKeyId": "ASIAEXAMPLEKEY00001",
                "arn": "arn:aws:sts::111122223333:assumed-role/app-role/i-0dbc91f429e48eeed",
                "accountId": "111122223333",
                "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::111122223333:role/app-role"}}}
        });
        let e = event(&r, "f").unwrap();
        assert!(e.actor.workload);
        assert_eq!(e.action, "sts:GetCallerIdentity");
        assert_eq!(e.actor.session_name.as_deref(), Some("i-0dbc91f429e48eeed"));
        assert!(event(&json!({"eventTime": "yesterday", "eventName": "x"}), "f").is_err());
    }
}
