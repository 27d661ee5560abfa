//! Slack Audit Logs API (`GET https://api.slack.com/audit/v1/logs`): a response page
//! (`{"entries":[…],"response_metadata":…}`), a list of entries, or one entry a line. Field
//! names as the Audit Logs API documents them: `date_create` (seconds since the epoch),
//! `action`, `actor{type,user|app|bot}`, `entity{type,…}`, `context{location{type,id},ua,
//! ip_address}`.
//!
//! Joins: an entry whose actor is an app (`actor.type` `app` or `bot`, with `actor.app.id` or
//! `actor.bot.app_id`) to the Slack connector's `slack:ACCOUNT:app/APP_ID` (the account from
//! the context's enterprise or workspace id; another spelling joins the one app with that id).
//! Slack audits app lifecycle (installs, scope changes, token rotation), performed by people:
//! those entries are the people's, counted, not joined, with the app as their target.

use serde_json::Value;

use super::{Actor, Event, LogFormat, UNKNOWN_ACCOUNT, owned, text};
use crate::model::Provider;

/// Slack audit-log entries.
pub static FORMAT: LogFormat = LogFormat {
    id: "slack-audit",
    name: "Slack audit logs",
    recognises,
    events,
    fast: None,
};

/// An entry: `date_create`, an `action`, and an `actor` object with a `type`.
fn is_entry(v: &Value) -> bool {
    v.get("date_create").is_some()
        && v.get("action").is_some_and(Value::is_string)
        && v.get("actor").and_then(|a| a.get("type")).is_some()
}

fn recognises(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty() && a.iter().all(is_entry),
        v => {
            v.get("entries")
                .and_then(Value::as_array)
                .is_some_and(|e| e.iter().any(is_entry))
                || is_entry(v)
        }
    }
}

fn events(doc: Value, origin: &str, out: &mut Vec<Result<Event, String>>) {
    let list = match &doc {
        Value::Array(a) => Some(("", a)),
        v => v
            .get("entries")
            .and_then(Value::as_array)
            .map(|a| ("entries", a)),
    };
    match list {
        Some((key, a)) => {
            for (ix, r) in a.iter().enumerate() {
                let at = format!("{origin} {key}[{ix}]");
                out.push(event(r, &at).map_err(|e| format!("{at}: {e}")));
            }
        }
        None => out.push(event(&doc, origin).map_err(|e| format!("{origin}: {e}"))),
    }
}

fn event(r: &Value, origin: &str) -> Result<Event, String> {
    if !r.is_object() {
        return Err("not a Slack audit entry".into());
    }
    let raw = r.get("date_create").ok_or("no date_create")?;
    // Seconds since the epoch as the API gives it, or a timestamp string.
    let time = match raw {
        Value::Number(n) => n
            .as_i64()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0)),
        other => super::time_of(other),
    }
    .ok_or_else(|| format!("date_create `{raw}` is not a time"))?;
    let action = text(r, &["action"]).ok_or("no action")?;
    let kind = text(r, &["actor", "type"]).unwrap_or("unknown");
    let account =
        owned(r, &["context", "location", "id"]).or_else(|| owned(r, &["actor", "user", "team"]));
    let app_id = match kind {
        "app" => owned(r, &["actor", "app", "id"]),
        "bot" => {
            owned(r, &["actor", "bot", "app_id"]).or_else(|| owned(r, &["actor", "app", "id"]))
        }
        _ => None,
    };
    let identity = app_id.map(|id| {
        format!(
            "slack:{}:app/{id}",
            account.as_deref().unwrap_or(UNKNOWN_ACCOUNT)
        )
    });
    let entity_type = text(r, &["entity", "type"]).unwrap_or("");
    let target = r
        .get("entity")
        .and_then(|e| e.get(entity_type))
        .and_then(|x| owned(x, &["name"]).or_else(|| owned(x, &["id"])));
    let actor = Actor {
        kind: kind.to_string(),
        principal_id: owned(r, &["actor", "user", "id"])
            .or_else(|| owned(r, &["actor", "app", "id"]))
            .or_else(|| owned(r, &["actor", "bot", "id"])),
        user_name: owned(r, &["actor", "user", "email"])
            .or_else(|| owned(r, &["actor", "user", "name"]))
            .or_else(|| owned(r, &["actor", "app", "name"])),
        account: account.clone(),
        ..Actor::default()
    };
    Ok(Event {
        time,
        source: "slack-audit",
        provider: Provider::Saas,
        identity,
        credential: None,
        account,
        actor,
        action: format!("slack:{action}"),
        target,
        error: None,
        source_ip: owned(r, &["context", "ip_address"]),
        user_agent: owned(r, &["context", "ua"]),
        console: kind == "user" && action == "user_login",
        origin: origin.to_string(),
        issued: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Composed from the Audit Logs API's documented entry fields.
    #[test]
    fn app_actors_join_their_app_and_people_are_unattributed() {
        let page = json!({"entries": [
            {"date_create": 1_700_000_000, "action": "file_downloaded",
             "actor": {"type": "app", "app": {"id": "A0123", "name": "exporter"}},
             "entity": {"type": "file", "file": {"id": "F1", "name": "q3.xlsx"}},
             "context": {"location": {"type": "enterprise", "id": "E1"}, "ip_address": "192.0.2.5", "ua": "python-slack-sdk"}},
            {"date_create": 1_700_000_060, "action": "user_login",
             "actor": {"type": "user", "user": {"id": "W1", "email": "a@example.com"}}},
            {"date_create": "someday", "action": "user_login", "actor": {"type": "user"}}
        ]});
        assert!(recognises(&page));
        let mut out = Vec::new();
        events(page, "s.json", &mut out);
        let app = out[0].as_ref().unwrap();
        assert_eq!(app.identity.as_deref(), Some("slack:E1:app/A0123"));
        assert_eq!(app.target.as_deref(), Some("q3.xlsx"));
        let user = out[1].as_ref().unwrap();
        assert!(user.identity.is_none() && user.console);
        assert!(
            out[2]
                .as_ref()
                .unwrap_err()
                .starts_with("s.json entries[2]: date_create")
        );
    }
}
