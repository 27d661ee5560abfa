//! GitLab audit events: `GET /audit_events`, `/groups/:id/audit_events` and
//! `/projects/:id/audit_events` responses (a JSON array), one event a line (streaming
//! destinations, exports), or one event. Field names as GitLab's audit-events API documents
//! them: `created_at`, `author_id`, `entity_id`, `entity_type`, `event_type`,
//! `details{author_name,author_class,target_type,target_details,ip_address,entity_path,
//! custom_message|add|change}` (newer events repeat `ip_address`, `author_name`, `target_*`
//! at the top level).
//!
//! Nothing is joined: the GitLab connector's identities are tokens (`gitlab:GROUP:
//! access-token/TOKEN_ID`), while an audit event names its author by user id (a group or
//! project token's bot user), so events are counted, with the window per top-level group.

use serde_json::Value;

use super::{Actor, Event, LogFormat, owned, scalar, text};
use crate::model::Provider;

/// GitLab audit events.
pub static FORMAT: LogFormat = LogFormat {
    id: "gitlab-audit",
    name: "GitLab audit events",
    recognises,
    events,
    fast: None,
};

/// An audit event: `author_id`, `entity_type`, `created_at` and `details`.
fn is_event(v: &Value) -> bool {
    v.get("author_id").is_some()
        && v.get("entity_type").is_some_and(Value::is_string)
        && v.get("created_at").is_some()
        && v.get("details").is_some_and(Value::is_object)
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

/// A field of the event, or of its `details`.
fn field(r: &Value, key: &str) -> Option<String> {
    owned(r, &[key]).or_else(|| owned(r, &["details", key]))
}

fn event(r: &Value, origin: &str) -> Result<Event, String> {
    if !r.is_object() {
        return Err("not a GitLab audit event".into());
    }
    let raw = r.get("created_at").ok_or("no created_at")?;
    let time = super::time_of(raw).ok_or_else(|| format!("created_at `{raw}` is not a time"))?;
    let what = owned(r, &["event_type"])
        .or_else(|| {
            text(r, &["details", "custom_message"])
                .or_else(|| text(r, &["details", "add"]).map(|_| "add"))
                .or_else(|| text(r, &["details", "change"]).map(|_| "change"))
                .or_else(|| text(r, &["details", "remove"]).map(|_| "remove"))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "unknown".into());
    let entity = text(r, &["entity_type"]).unwrap_or("unknown");
    // The top-level group (or the instance) the event belongs to.
    let account = field(r, "entity_path").map(|p| match p.split_once('/') {
        Some((top, _)) => top.to_string(),
        None => p,
    });
    let actor = Actor {
        kind: field(r, "author_class").unwrap_or_else(|| "User".into()),
        principal_id: scalar(r, &["author_id"]),
        user_name: field(r, "author_name"),
        account: account.clone(),
        ..Actor::default()
    };
    Ok(Event {
        time,
        source: "gitlab-audit",
        provider: Provider::Saas,
        identity: None,
        credential: None,
        account,
        actor,
        action: format!("gitlab:{entity}.{what}"),
        target: field(r, "target_details").or_else(|| field(r, "entity_path")),
        error: None,
        source_ip: field(r, "ip_address"),
        user_agent: None,
        console: false,
        origin: origin.to_string(),
        issued: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Composed from GitLab's documented audit-event fields.
    #[test]
    fn audit_events_are_read_and_bad_times_name_the_position() {
        let doc = json!([
            {"id": 1, "author_id": 7, "entity_id": 6, "entity_type": "Project",
             "details": {"custom_message": "Project archived", "author_name": "ci bot",
                "ip_address": "192.0.2.3", "entity_path": "acme/api", "target_details": "acme/api"},
             "created_at": "2026-11-01T10:00:00.000Z"},
            {"id": 2, "author_id": 7, "entity_type": "Group", "details": {}, "created_at": "soon"}
        ]);
        assert!(recognises(&doc));
        let mut out = Vec::new();
        events(doc, "g.json", &mut out);
        let e = out[0].as_ref().unwrap();
        assert_eq!(e.account.as_deref(), Some("acme"));
        assert_eq!(e.action, "gitlab:Project.Project archived");
        assert!(e.identity.is_none());
        assert!(
            out[1]
                .as_ref()
                .unwrap_err()
                .starts_with("g.json [1]: created_at")
        );
    }
}
