//! AWS CloudTrail: the S3 delivery format (gzip JSON `{"Records":[…]}` under
//! `AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`), plain JSON (one record, a list, or
//! `{"Records":[…]}`), JSON Lines, and `aws cloudtrail lookup-events` output (each event's
//! `CloudTrailEvent` is a JSON string). Field names as the CloudTrail record contents
//! reference documents them (`userIdentity`, `eventTime`, `eventSource`, `eventName`, …).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Actor, Event, Issued, LogFormat};
use crate::model::Provider;

/// CloudTrail, in every delivered shape.
pub static FORMAT: LogFormat = LogFormat {
    id: "cloudtrail",
    name: "CloudTrail",
    recognises,
    events,
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

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().filter(|s| !s.is_empty())
}

fn owned(v: &Value, path: &[&str]) -> Option<String> {
    text(v, path).map(str::to_string)
}

/// The service prefix of an event source: `iam.amazonaws.com` → `iam`.
pub fn service_of(event_source: &str) -> String {
    event_source
        .split_once('.')
        .map_or(event_source, |(s, _)| s)
        .to_ascii_lowercase()
}

/// Turns one record into an event; an error names the field that is missing or malformed.
pub fn event(r: &Value, origin: &str) -> Result<Event, String> {
    let raw_time = text(r, &["eventTime"]).ok_or("no eventTime")?;
    let time: DateTime<Utc> = crate::time::parse_time(raw_time)
        .ok_or_else(|| format!("eventTime `{raw_time}` is not a time"))?;
    let source = text(r, &["eventSource"]).unwrap_or("unknown");
    let name = text(r, &["eventName"]).unwrap_or("unknown");
    let u = r.get("userIdentity").unwrap_or(&Value::Null);
    let kind = text(u, &["type"]).unwrap_or("").to_string();
    let session_name = match kind.as_str() {
        "AssumedRole" => text(u, &["arn"])
            .and_then(|a| a.rsplit_once('/'))
            .map(|(_, s)| s.to_string())
            .or_else(|| {
                text(u, &["principalId"])
                    .and_then(|p| p.split_once(':'))
                    .map(|(_, s)| s.to_string())
            }),
        _ => None,
    };
    let ec2_delivery = u
        .get("sessionContext")
        .and_then(|c| c.get("ec2RoleDelivery"))
        .is_some();
    let user_agent = owned(r, &["userAgent"]);
    let workload = ec2_delivery
        || session_name.as_deref().is_some_and(is_instance_id)
        || user_agent
            .as_deref()
            .is_some_and(|ua| ua.contains("exec-env/AWS_Lambda") || ua.contains("AWS_ECS_"));
    let web = u
        .get("sessionContext")
        .and_then(|c| c.get("webIdFederationData"))
        .and_then(|w| text(w, &["federatedProvider"]).map(str::to_string));
    let actor = Actor {
        kind,
        arn: owned(u, &["arn"]),
        principal_id: owned(u, &["principalId"]),
        account: owned(u, &["accountId"]).or_else(|| owned(r, &["recipientAccountId"])),
        access_key_id: owned(u, &["accessKeyId"]),
        issuer_arn: owned(u, &["sessionContext", "sessionIssuer", "arn"]),
        session_name,
        user_name: owned(u, &["userName"]),
        identity_provider: owned(u, &["identityProvider"]).or(web),
        invoked_by: owned(u, &["invokedBy"]),
        workload,
    };
    let error = owned(r, &["errorCode"]);
    let issued = issued(r, name);
    let console = text(r, &["eventType"]) == Some("AwsConsoleSignIn");
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
        error,
        source_ip: owned(r, &["sourceIPAddress"]),
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
fn target(r: &Value) -> Option<String> {
    if let Some(arn) = r
        .get("resources")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|x| text(x, &["ARN"]))
    {
        return Some(arn.to_string());
    }
    let p = r.get("requestParameters")?;
    for key in [
        "roleArn",
        "userName",
        "roleName",
        "bucketName",
        "functionName",
        "instanceId",
        "policyArn",
        "secretId",
        "name",
    ] {
        if let Some(v) = text(p, &[key]) {
            return Some(v.to_string());
        }
    }
    None
}

/// Temporary credentials an STS call issued (`AssumeRole*`, `GetSessionToken`,
/// `GetFederationToken`), from its response.
fn issued(r: &Value, name: &str) -> Option<Issued> {
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
    let resp = r.get("responseElements")?;
    let key_id = text(resp, &["credentials", "accessKeyId"])?.to_string();
    let req = r.get("requestParameters");
    Some(Issued {
        key_id,
        role_arn: req
            .and_then(|q| text(q, &["roleArn"]))
            .map(str::to_string)
            .or_else(|| owned(resp, &["assumedRoleUser", "arn"])),
        subject: owned(resp, &["subjectFromWebIdentityToken"])
            .or_else(|| owned(resp, &["subject"]))
            .or_else(|| text(r, &["userIdentity", "userName"]).map(str::to_string)),
        provider: owned(resp, &["provider"])
            .or_else(|| text(r, &["userIdentity", "identityProvider"]).map(str::to_string)),
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
