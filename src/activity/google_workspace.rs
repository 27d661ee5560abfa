//! Google Workspace Reports API (Admin SDK `activities.list`): a response page
//! (`{"kind":"admin#reports#activities","items":[…]}`), a list of activities, one activity a
//! line, and the flattened one-event-per-record shape log pipelines write (the activity's
//! single event's `name`, `type` and `parameters` — as a `{name: value}` map — beside `id` and
//! `actor`). Field names as the Reports API documents them: `id.time`, `id.applicationName`
//! (`token`, `login`, `admin`, …), `actor{email,profileId,callerType,key}`, `ipAddress`,
//! `events[]{type,name,parameters[]{name,value,multiValue,boolValue,intValue}}`.
//!
//! Joins: a `token` event (an OAuth grant authorised, revoked or used) to the Google Workspace
//! connector's `google-workspace:DOMAIN:oauth-grant/PROFILE-ID:CLIENT-ID` — the user's
//! profile id with the event's `client_id` parameter (the domain from the actor's e-mail; an
//! id in another spelling of the domain joins the one grant with that user and client).
//! Other events are people's: unattributed, `login_success` counted as a console sign-in.

use serde_json::Value;

use super::{Actor, Event, LogFormat, UNKNOWN_ACCOUNT, owned, text};
use crate::model::Provider;

/// Google Workspace Reports API activities.
pub static FORMAT: LogFormat = LogFormat {
    id: "google-workspace",
    name: "Google Workspace Reports API",
    recognises,
    events,
    fast: None,
};

/// An activity: an `id` object naming its `applicationName`, with events (listed, or one
/// flattened) or the activity `kind`.
fn is_activity(v: &Value) -> bool {
    text(v, &["id", "applicationName"]).is_some()
        && (v.get("events").is_some_and(Value::is_array)
            || v.get("name").is_some_and(Value::is_string)
            || text(v, &["kind"]) == Some("admin#reports#activity"))
}

fn recognises(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty() && a.iter().all(is_activity),
        v => {
            text(v, &["kind"]) == Some("admin#reports#activities")
                && v.get("items").is_none_or(Value::is_array)
                || is_activity(v)
        }
    }
}

fn events(doc: Value, origin: &str, out: &mut Vec<Result<Event, String>>) {
    let items = match &doc {
        Value::Array(a) => Some(("", a)),
        v if text(v, &["kind"]) == Some("admin#reports#activities") => {
            match v.get("items").and_then(Value::as_array) {
                Some(a) => Some(("items", a)),
                None => return, // An empty page.
            }
        }
        _ => None,
    };
    match items {
        Some((key, a)) => {
            for (ix, r) in a.iter().enumerate() {
                activity(r, &format!("{origin} {key}[{ix}]"), out);
            }
        }
        None => activity(&doc, origin, out),
    }
}

/// A parameter's value: `value`, `multiValue` joined, or a boolean or number.
fn param_value(p: &Value) -> Option<String> {
    for key in ["value", "intValue", "boolValue"] {
        match p.get(key) {
            Some(Value::String(s)) => return Some(s.clone()),
            Some(Value::Number(n)) => return Some(n.to_string()),
            Some(Value::Bool(b)) => return Some(b.to_string()),
            _ => {}
        }
    }
    let multi = p.get("multiValue").and_then(Value::as_array)?;
    Some(
        multi
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// A named parameter of an event, in the API's list shape or the flattened map shape.
fn param(e: &Value, name: &str) -> Option<String> {
    match e.get("parameters")? {
        Value::Array(ps) => ps
            .iter()
            .find(|p| text(p, &["name"]) == Some(name))
            .and_then(param_value),
        Value::Object(m) => match m.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Array(a) => Some(
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Value::Null => None,
            other => Some(other.to_string()),
        },
        _ => None,
    }
}

fn activity(r: &Value, at: &str, out: &mut Vec<Result<Event, String>>) {
    match r.get("events").and_then(Value::as_array) {
        Some(list) => {
            for (ix, e) in list.iter().enumerate() {
                let at = format!("{at} events[{ix}]");
                out.push(event(r, e, &at).map_err(|x| format!("{at}: {x}")));
            }
        }
        None => out.push(event(r, r, at).map_err(|x| format!("{at}: {x}"))),
    }
}

/// One event `e` of activity `r` (the same value in the flattened shape).
fn event(r: &Value, e: &Value, origin: &str) -> Result<Event, String> {
    let raw = r
        .get("id")
        .and_then(|i| i.get("time"))
        .ok_or("no id.time")?;
    let time = super::time_of(raw).ok_or_else(|| format!("id.time `{raw}` is not a time"))?;
    let app = text(r, &["id", "applicationName"]).unwrap_or("unknown");
    let name = text(e, &["name"]).unwrap_or("unknown");
    let email = owned(r, &["actor", "email"]);
    let domain = email
        .as_deref()
        .and_then(|m| m.rsplit_once('@'))
        .map(|(_, d)| d.to_ascii_lowercase())
        .or_else(|| owned(r, &["id", "customerId"]));
    let client = param(e, "client_id");
    let profile = owned(r, &["actor", "profileId"]);
    let identity = match (app, &profile, &client) {
        ("token", Some(p), Some(c)) => Some(format!(
            "google-workspace:{}:oauth-grant/{p}:{c}",
            domain.as_deref().unwrap_or(UNKNOWN_ACCOUNT)
        )),
        _ => None,
    };
    let actor = Actor {
        kind: owned(r, &["actor", "callerType"]).unwrap_or_else(|| "USER".into()),
        principal_id: profile,
        user_name: email,
        access_key_id: owned(r, &["actor", "key"]),
        ..Actor::default()
    };
    let target = param(e, "app_name")
        .or_else(|| param(e, "doc_title"))
        .or_else(|| param(e, "affected_email_address"))
        .or_else(|| param(e, "USER_EMAIL"));
    let error = (name == "login_failure").then(|| name.to_string());
    Ok(Event {
        time,
        source: "google-workspace",
        provider: Provider::Saas,
        identity,
        credential: None,
        account: domain,
        actor,
        action: format!("google:{app}.{name}"),
        target,
        error,
        source_ip: owned(r, &["ipAddress"]),
        user_agent: None,
        console: app == "login" && name == "login_success",
        origin: origin.to_string(),
        issued: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Composed from the Reports API's documented activity fields.
    #[test]
    fn token_events_join_the_users_grant_of_that_client() {
        let page = json!({"kind": "admin#reports#activities", "items": [{
            "id": {"time": "2024-01-15T10:30:00.000Z", "applicationName": "token", "customerId": "C1"},
            "actor": {"email": "ann@example.com", "profileId": "1001"}, "ipAddress": "192.0.2.4",
            "events": [{"type": "auth", "name": "authorize", "parameters": [
                {"name": "client_id", "value": "42.apps.googleusercontent.com"},
                {"name": "app_name", "value": "Reporter"},
                {"name": "scope", "multiValue": ["https://www.googleapis.com/auth/drive"]}]}]
        }, {"id": {"time": "noon", "applicationName": "login"}, "events": [{"name": "login_success"}]}]});
        assert!(recognises(&page));
        let mut out = Vec::new();
        events(page, "g.json", &mut out);
        let e = out[0].as_ref().unwrap();
        assert_eq!(
            e.identity.as_deref(),
            Some("google-workspace:example.com:oauth-grant/1001:42.apps.googleusercontent.com")
        );
        assert_eq!(e.action, "google:token.authorize");
        assert_eq!(e.target.as_deref(), Some("Reporter"));
        assert!(
            out[1]
                .as_ref()
                .unwrap_err()
                .starts_with("g.json items[1] events[0]: id.time")
        );
    }
}
