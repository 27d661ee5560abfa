//! Okta System Log: `GET /api/v1/logs` responses (a JSON array of LogEvent), one event a line
//! (NDJSON, as log shippers and Event Hooks deliver them), or one event. Field names as
//! Okta's LogEvent schema documents them: `published`, `eventType`, `actor{id,type,
//! alternateId,displayName}`, `client{ipAddress,userAgent{rawUserAgent}}`,
//! `outcome{result,reason}`, `target[]`, `transaction{detail{requestApiTokenId}}`,
//! `debugContext.debugData`.
//!
//! Joins, in the Okta connector's id spelling (`okta:DOMAIN:KIND/ID`; the log does not name
//! the org's domain, so the id is joined to the one inventory identity with that kind and id):
//! a request made with an API token (`transaction.detail.requestApiTokenId`, or
//! `debugContext.debugData.requestApiTokenId`) to `access-token/00T…`, credential the token
//! id; an OAuth client acting for itself (`actor.type` `PublicClientApp` or `Client`) to
//! `app/CLIENT-ID`. People are not identities the connector reports: unattributed.

use serde_json::Value;

use super::{Actor, Event, LogFormat, UNKNOWN_ACCOUNT, get_ci, text_ci};
use crate::model::Provider;

/// Okta System Log events.
pub static FORMAT: LogFormat = LogFormat {
    id: "okta-system-log",
    name: "Okta System Log",
    recognises,
    events,
    fast: None,
};

/// A LogEvent: `published`, an `actor` object with a `type`, and one of Okta's own fields.
fn is_event(v: &Value) -> bool {
    v.is_object()
        && get_ci(v, &["published"]).is_some()
        && get_ci(v, &["actor", "type"]).is_some()
        && [
            "eventType",
            "legacyEventType",
            "uuid",
            "outcome",
            "transaction",
        ]
        .iter()
        .any(|k| get_ci(v, &[k]).is_some())
}

fn recognises(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty() && a.iter().all(is_event),
        v => is_event(v),
    }
}

fn events(doc: Value, origin: &str, out: &mut Vec<Result<Event, String>>) {
    match doc {
        Value::Array(a) => {
            for (ix, r) in a.iter().enumerate() {
                let at = format!("{origin} [{ix}]");
                out.push(event(r, &at).map_err(|e| format!("{at}: {e}")));
            }
        }
        r => out.push(event(&r, origin).map_err(|e| format!("{origin}: {e}"))),
    }
}

fn event(r: &Value, origin: &str) -> Result<Event, String> {
    if !r.is_object() {
        return Err("not an Okta LogEvent".into());
    }
    let raw = get_ci(r, &["published"]).ok_or("no published")?;
    let time = super::time_of(raw).ok_or_else(|| format!("published `{raw}` is not a time"))?;
    let event_type = text_ci(r, &["eventType"])
        .or_else(|| text_ci(r, &["legacyEventType"]))
        .unwrap_or_else(|| "unknown".into());
    let kind = text_ci(r, &["actor", "type"]).unwrap_or_default();
    let actor_id = text_ci(r, &["actor", "id"]);
    let token = text_ci(r, &["transaction", "detail", "requestApiTokenId"])
        .or_else(|| text_ci(r, &["debugContext", "debugData", "requestApiTokenId"]));
    let identity = match (&token, kind.as_str(), &actor_id) {
        (Some(t), _, _) => Some(format!("okta:{UNKNOWN_ACCOUNT}:access-token/{t}")),
        (None, "PublicClientApp" | "Client", Some(id)) => {
            Some(format!("okta:{UNKNOWN_ACCOUNT}:app/{id}"))
        }
        _ => None,
    };
    let result = text_ci(r, &["outcome", "result"]);
    let error = match result.as_deref() {
        Some("FAILURE" | "DENY") => text_ci(r, &["outcome", "reason"]).or(result.clone()),
        _ => None,
    };
    let target = get_ci(r, &["target"])
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(|t| text_ci(t, &["alternateId"]).or_else(|| text_ci(t, &["id"])));
    let actor = Actor {
        kind: kind.clone(),
        principal_id: actor_id,
        user_name: text_ci(r, &["actor", "alternateId"])
            .or_else(|| text_ci(r, &["actor", "displayName"])),
        access_key_id: token.clone(),
        ..Actor::default()
    };
    let console = token.is_none() && kind == "User" && event_type == "user.session.start";
    Ok(Event {
        time,
        source: "okta-system-log",
        provider: Provider::Saas,
        identity,
        credential: token,
        account: None,
        actor,
        action: format!("okta:{event_type}"),
        target,
        error,
        source_ip: text_ci(r, &["client", "ipAddress"]),
        user_agent: text_ci(r, &["client", "userAgent", "rawUserAgent"]),
        console,
        origin: origin.to_string(),
        issued: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Composed from Okta's documented LogEvent fields.
    #[test]
    fn api_token_requests_join_the_token_and_client_apps_the_app() {
        let tok = json!({"published": "2024-05-02T18:46:21.121Z", "eventType": "user.lifecycle.create",
            "actor": {"id": "00u1", "type": "User", "alternateId": "admin@example.com"},
            "client": {"ipAddress": "192.0.2.3", "userAgent": {"rawUserAgent": "okta-sdk-go/2"}},
            "outcome": {"result": "SUCCESS"}, "transaction": {"detail": {"requestApiTokenId": "00Tabc"}}});
        let e = event(&tok, "f").unwrap();
        assert_eq!(
            e.identity.as_deref(),
            Some("okta:unknown:access-token/00Tabc")
        );
        assert_eq!(e.credential.as_deref(), Some("00Tabc"));
        assert_eq!(e.user_agent.as_deref(), Some("okta-sdk-go/2"));
        let app = json!({"published": "2024-05-02T18:46:21Z", "eventType": "app.oauth2.as.token.grant.access_token",
            "actor": {"id": "0oa9", "type": "PublicClientApp"}, "outcome": {"result": "FAILURE", "reason": "bad secret"}});
        let e = event(&app, "f").unwrap();
        assert_eq!(e.identity.as_deref(), Some("okta:unknown:app/0oa9"));
        assert_eq!(e.error.as_deref(), Some("bad secret"));
        assert!(recognises(&json!([tok, app])));
        let mut out = Vec::new();
        events(
            json!([{"published": "never", "actor": {"type": "User"}, "uuid": "u"}]),
            "l.json",
            &mut out,
        );
        assert!(
            out[0]
                .as_ref()
                .unwrap_err()
                .starts_with("l.json [0]: published")
        );
    }
}
