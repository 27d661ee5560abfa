//! GitHub organisation audit log: the web UI's JSON and CSV-free exports (a JSON array, or
//! NDJSON, one event a line), audit-log streaming, and the REST `GET /orgs/{org}/audit-log`
//! response (a JSON array). Field names as GitHub's audit-log documentation gives them:
//! `@timestamp` (milliseconds since the epoch) or `created_at`, `action`, `actor`, `actor_ip`,
//! `user_agent`, `org`, `repo`, `programmatic_access_type`, `token_id`, `hashed_token`.
//!
//! Joins, in the GitHub connector's id spelling: an App's bot (`SLUG[bot]`) to the App's
//! installation `github:ORG/installation/SLUG`; a fine-grained personal access token
//! (`token_id` with `programmatic_access_type` naming one) to
//! `github:ORG/fine-grained-token/ID`. People are not identities the connector reports, so
//! their events are counted as unattributed. The credential handle is `hashed_token`.

use serde_json::Value;

use super::{Actor, Event, LogFormat, owned, scalar, text};
use crate::model::Provider;

/// GitHub audit-log events.
pub static FORMAT: LogFormat = LogFormat {
    id: "github-audit",
    name: "GitHub audit log",
    recognises,
    events,
    fast: None,
};

/// Whether a value is one GitHub audit event: a dotted `action` with a string `actor` (or
/// none) and GitHub's own fields.
fn is_event(v: &Value) -> bool {
    let Some(m) = v.as_object() else {
        return false;
    };
    let dotted = m.get("action").and_then(Value::as_str).is_some_and(|a| {
        a.split_once('.')
            .is_some_and(|(s, n)| !s.is_empty() && !n.is_empty())
    });
    let actor_ok = m.get("actor").is_none_or(Value::is_string);
    let github = [
        "@timestamp",
        "_document_id",
        "org",
        "repo",
        "business",
        "actor_location",
    ]
    .iter()
    .any(|k| m.contains_key(*k));
    dotted && actor_ok && github && !m.contains_key("eventTime") && !m.contains_key("date_create")
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

/// The organisation: `org`, else the owner in `repo` (`ORG/REPO`).
fn org_of(r: &Value) -> Option<String> {
    owned(r, &["org"]).or_else(|| {
        text(r, &["repo"])
            .or_else(|| text(r, &["repository"]))
            .and_then(|x| x.split_once('/'))
            .map(|(o, _)| o.to_string())
    })
}

/// The identity an event's actor joins to, when it is one the GitHub connector reports.
fn identity_of(r: &Value, org: Option<&str>) -> Option<String> {
    let org = org?;
    let actor = text(r, &["actor"]);
    if let Some(slug) = actor.and_then(|a| a.strip_suffix("[bot]")) {
        return Some(format!("github:{org}/installation/{slug}"));
    }
    let access = text(r, &["programmatic_access_type"])
        .unwrap_or("")
        .to_ascii_lowercase();
    if access.contains("fine-grained")
        && let Some(id) = scalar(r, &["token_id"])
    {
        return Some(format!("github:{org}/fine-grained-token/{id}"));
    }
    None
}

fn event(r: &Value, origin: &str) -> Result<Event, String> {
    if !r.is_object() {
        return Err("not a GitHub audit event".into());
    }
    let raw = r
        .get("@timestamp")
        .or_else(|| r.get("created_at"))
        .ok_or("no @timestamp or created_at")?;
    let time = super::time_of(raw).ok_or_else(|| format!("time `{raw}` is not a time"))?;
    let action = text(r, &["action"]).ok_or("no action")?;
    let org = org_of(r);
    let identity = identity_of(r, org.as_deref());
    let actor = Actor {
        kind: match text(r, &["actor"]) {
            Some(a) if a.ends_with("[bot]") => "Bot".into(),
            Some(_) => text(r, &["programmatic_access_type"])
                .unwrap_or("User")
                .to_string(),
            None => "unknown".into(),
        },
        user_name: owned(r, &["actor"]),
        principal_id: scalar(r, &["actor_id"]),
        account: org.clone(),
        access_key_id: scalar(r, &["token_id"]),
        ..Actor::default()
    };
    let target = owned(r, &["repo"])
        .or_else(|| owned(r, &["repository"]))
        .or_else(|| owned(r, &["user"]))
        .or_else(|| owned(r, &["team"]));
    Ok(Event {
        time,
        source: "github-audit",
        provider: Provider::Github,
        identity,
        credential: owned(r, &["hashed_token"]).or_else(|| owned(r, &["deploy_key_fingerprint"])),
        account: org,
        actor,
        action: format!("github:{action}"),
        target,
        error: None,
        source_ip: owned(r, &["actor_ip"]),
        user_agent: owned(r, &["user_agent"]),
        console: false,
        origin: origin.to_string(),
        issued: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Composed from GitHub's documented audit-log fields.
    #[test]
    fn bots_join_their_installation_and_fine_grained_tokens_their_grant() {
        let bot = json!({"@timestamp": 1_700_000_000_000_i64, "action": "git.push",
            "actor": "deploy-app[bot]", "org": "acme", "repo": "acme/api",
            "hashed_token": "abc=", "actor_ip": "192.0.2.1"});
        let e = event(&bot, "f").unwrap();
        assert_eq!(
            e.identity.as_deref(),
            Some("github:acme/installation/deploy-app")
        );
        assert_eq!(e.credential.as_deref(), Some("abc="));
        assert_eq!(e.action, "github:git.push");
        let pat = json!({"created_at": "2025-10-15 18:45:47.048000000", "action": "repo.create",
            "actor": "alice", "repo": "acme/x",
            "programmatic_access_type": "Fine-grained personal access token", "token_id": 42});
        let e = event(&pat, "f").unwrap();
        assert_eq!(
            e.identity.as_deref(),
            Some("github:acme/fine-grained-token/42")
        );
        let human = json!({"created_at": 1_700_000_000_000_i64, "action": "repo.create", "actor": "alice", "org": "acme"});
        assert!(event(&human, "f").unwrap().identity.is_none());
        assert!(recognises(&json!([bot, pat])));
        assert!(!recognises(
            &json!({"action": "user_login", "date_create": 1, "actor": {}})
        ));
        let bad = json!({"@timestamp": "soon", "action": "repo.create", "org": "acme"});
        let mut out = Vec::new();
        events(json!([bad]), "a.json", &mut out);
        assert!(out[0].as_ref().unwrap_err().starts_with("a.json [0]: time"));
    }
}
