//! `nhi trail ID`: one identity's timeline across the activity logs, with its chains drawn —
//! a web-identity subject → `AssumeRoleWithWebIdentity` → the calls made with that session's
//! key; a user → `AssumeRole` → the role session's calls.
//!
//! The logs are read twice, streaming: once for the sessions every STS call issued, once for
//! the events that belong to this identity or to the sessions it issued or was issued. Only
//! those events are kept.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Event, client_of, collect_files, file_events};

/// One event of a trail.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrailEvent {
    /// When.
    pub time: DateTime<Utc>,
    /// The log.
    pub source: String,
    /// Who acted, as the log names it (an identity id, a federated subject).
    pub actor: String,
    /// `service:Action`.
    pub action: String,
    /// What it acted on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The error code, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The source address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// The client family of its user agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The credential it used (key id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// The session key it issued, if it is an STS call that issued one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<String>,
    /// Where it came from (file and record).
    pub origin: String,
}

/// A chain: who started a session, and what the session did.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Chain {
    /// The session key.
    pub key: String,
    /// Who started it (a subject with its provider, an identity id, an AWS service).
    pub started_by: String,
    /// The STS call that started it.
    pub via: String,
    /// The role assumed.
    pub role: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// The calls made with the session (count), and the distinct actions, in order of first use.
    pub calls: u64,
    /// Distinct actions made with the session, in order of first use.
    pub actions: Vec<String>,
}

/// One identity's trail.
#[derive(Debug, Clone, Serialize)]
pub struct Trail {
    /// The identity id.
    pub identity: String,
    /// Its events, oldest first.
    pub events: Vec<TrailEvent>,
    /// The sessions it was issued or issued, with what each did.
    pub chains: Vec<Chain>,
    /// Files read.
    pub files: u64,
    /// Files or records that could not be used.
    pub gaps: Vec<String>,
}

#[derive(Debug, Clone)]
struct Issue {
    by: String,
    by_identity: Option<String>,
    via: String,
    role: Option<String>,
    at: DateTime<Utc>,
}

fn role_id(e: &Event, role_arn: &str) -> String {
    let account = crate::connector::aws::account_of_arn(role_arn)
        .map(str::to_string)
        .or_else(|| e.account.clone())
        .unwrap_or_default();
    crate::connector::aws::identity_id(&account, role_arn)
}

fn actor_name(e: &Event) -> String {
    e.identity
        .clone()
        .unwrap_or_else(|| match (&e.actor.user_name, &e.actor.identity_provider) {
            (Some(u), Some(p)) => format!("{u} (via {p})"),
            (Some(u), None) => u.clone(),
            _ => e
                .actor
                .invoked_by
                .clone()
                .or_else(|| e.source_ip.clone())
                .unwrap_or_else(|| e.actor.kind.clone()),
        })
}

/// Reads every file in parallel, calling `f` on each event.
fn each_event(files: &[(PathBuf, bool)], gaps: &Mutex<Vec<String>>, f: &(dyn Fn(Event) + Sync)) {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(files.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let ix = next.fetch_add(1, Ordering::Relaxed);
                    let Some((path, _)) = files.get(ix) else {
                        break;
                    };
                    let name = path.display().to_string();
                    match crate::input::read_bounded(path, crate::input::MAX_INPUT)
                        .and_then(|b| file_events(&name, b))
                    {
                        Ok(Some((_, events))) => {
                            for e in events {
                                match e {
                                    Ok(e) => f(e),
                                    Err(e) => {
                                        gaps.lock().unwrap_or_else(|p| p.into_inner()).push(e)
                                    }
                                }
                            }
                        }
                        Ok(None) => gaps
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(format!("{name}: not an activity log, skipped")),
                        Err(e) => gaps.lock().unwrap_or_else(|p| p.into_inner()).push(e),
                    }
                }
            });
        }
    });
}

/// Builds the trail of `id` from the logs at `paths`, between `since` and `until`.
pub fn trail(
    paths: &[PathBuf],
    id: &str,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<Trail, String> {
    let files = collect_files(paths)?;
    let gaps = Mutex::new(Vec::new());
    // Pass 1: every session any STS call issued.
    let issued: Mutex<BTreeMap<String, Issue>> = Mutex::new(BTreeMap::new());
    each_event(&files, &gaps, &|e: Event| {
        if let Some(i) = &e.issued {
            let issue = Issue {
                by: actor_name(&e),
                by_identity: e.identity.clone(),
                via: e
                    .action
                    .split_once(':')
                    .map_or(e.action.clone(), |(_, a)| a.to_string()),
                role: i.role_arn.as_deref().map(|r| role_id(&e, r)),
                at: e.time,
            };
            let mut m = issued.lock().unwrap_or_else(|p| p.into_inner());
            match m.get(&i.key_id) {
                Some(x) if (x.at, &x.by) <= (issue.at, &issue.by) => {}
                _ => {
                    m.insert(i.key_id.clone(), issue);
                }
            }
        }
    });
    let issued = issued.into_inner().unwrap_or_else(|p| p.into_inner());
    // The sessions that belong to this trail: issued to it, or issued by it.
    let keys: BTreeSet<&String> = issued
        .iter()
        .filter(|(_, i)| i.role.as_deref() == Some(id) || i.by_identity.as_deref() == Some(id))
        .map(|(k, _)| k)
        .collect();
    // Pass 2: the events of the identity and of those sessions.
    let kept: Mutex<Vec<TrailEvent>> = Mutex::new(Vec::new());
    let in_window = |t: DateTime<Utc>| since.is_none_or(|s| t >= s) && until.is_none_or(|u| t <= u);
    each_event(&files, &Mutex::new(Vec::new()), &|e: Event| {
        if !in_window(e.time) {
            return;
        }
        let issues_here = e.issued.as_ref().is_some_and(|i| keys.contains(&i.key_id));
        let mine = e.identity.as_deref() == Some(id)
            || e.credential.as_ref().is_some_and(|k| keys.contains(k))
            || issues_here;
        if !mine {
            return;
        }
        let t = TrailEvent {
            time: e.time,
            source: e.source.to_string(),
            actor: actor_name(&e),
            action: e.action.clone(),
            target: e.target.clone(),
            error: e.error.clone(),
            source_ip: e.source_ip.clone(),
            client: e.user_agent.as_deref().map(client_of),
            credential: e.credential.clone(),
            issued: e.issued.as_ref().map(|i| i.key_id.clone()),
            origin: e.origin.clone(),
        };
        kept.lock().unwrap_or_else(|p| p.into_inner()).push(t);
    });
    let mut events = kept.into_inner().unwrap_or_else(|p| p.into_inner());
    events.sort();
    events.dedup();
    let mut chains = Vec::new();
    for key in keys {
        let Some(i) = issued.get(key) else { continue };
        let mut actions: Vec<String> = Vec::new();
        let mut calls = 0;
        for e in events.iter().filter(|e| e.credential.as_ref() == Some(key)) {
            calls += 1;
            if !actions.contains(&e.action) {
                actions.push(e.action.clone());
            }
        }
        chains.push(Chain {
            key: key.clone(),
            started_by: i.by.clone(),
            via: i.via.clone(),
            role: i.role.clone(),
            at: i.at,
            calls,
            actions,
        });
    }
    chains.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.key.cmp(&b.key)));
    let mut gaps = gaps.into_inner().unwrap_or_else(|p| p.into_inner());
    gaps.sort();
    gaps.dedup();
    Ok(Trail {
        identity: id.to_string(),
        events,
        chains,
        files: files.len() as u64,
        gaps,
    })
}

/// The trail as text for a terminal (or, with `markdown`, as Markdown).
pub fn render(t: &Trail, markdown: bool) -> String {
    use crate::report::escape;
    let esc = |s: &str| {
        if markdown {
            escape::markdown(s)
        } else {
            escape::terminal(s)
        }
    };
    let mut out = String::new();
    if markdown {
        out.push_str(&format!("# Trail of {}\n\n", esc(&t.identity)));
    } else {
        out.push_str(&format!("Trail of {}\n\n", esc(&t.identity)));
    }
    if !t.chains.is_empty() {
        out.push_str(if markdown {
            "## Chains\n\n"
        } else {
            "Chains\n"
        });
        for c in &t.chains {
            out.push_str(&format!(
                "{}{} --{}--> {} (session {}, {}) → {} call(s){}\n",
                if markdown { "- " } else { "  " },
                esc(&c.started_by),
                esc(&c.via),
                esc(c.role.as_deref().unwrap_or("?")),
                esc(&c.key),
                c.at.to_rfc3339(),
                c.calls,
                if c.actions.is_empty() {
                    String::new()
                } else {
                    format!(": {}", esc(&c.actions.join(", ")))
                }
            ));
        }
        out.push('\n');
    }
    out.push_str(if markdown {
        "## Events\n\n"
    } else {
        "Events\n"
    });
    for e in &t.events {
        let mut line = format!(
            "{} {} {} by {}",
            e.time.to_rfc3339(),
            esc(&e.source),
            esc(&e.action),
            esc(&e.actor)
        );
        if let Some(x) = &e.target {
            line.push_str(&format!(" on {}", esc(x)));
        }
        if let Some(x) = &e.error {
            line.push_str(&format!(" DENIED/FAILED {}", esc(x)));
        }
        if let Some(x) = &e.source_ip {
            line.push_str(&format!(" from {}", esc(x)));
        }
        if let Some(x) = &e.client {
            line.push_str(&format!(" with {}", esc(x)));
        }
        if let Some(x) = &e.credential {
            line.push_str(&format!(" [{}]", esc(x)));
        }
        if let Some(x) = &e.issued {
            line.push_str(&format!(" → issued {}", esc(x)));
        }
        out.push_str(if markdown { "- " } else { "  " });
        out.push_str(&line);
        out.push('\n');
    }
    if t.events.is_empty() {
        out.push_str("  (no events for this identity in the logs read)\n");
    }
    if !t.gaps.is_empty() {
        out.push_str(&format!(
            "\n{} file(s) or record(s) could not be used, e.g. {}\n",
            t.gaps.len(),
            esc(t.gaps.first().map_or("", String::as_str))
        ));
    }
    out
}

/// A least-privilege policy of the actions the trail's own calls used: denied calls left out,
/// resources narrowed to the ARNs named when every call of an action named one.
pub fn policy(t: &Trail) -> serde_json::Value {
    let mut by_action: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for e in t
        .events
        .iter()
        .filter(|e| e.issued.is_none() || e.actor == t.identity)
        .filter(|e| !e.error.as_deref().is_some_and(super::is_denied))
        .filter(|e| e.actor == t.identity || e.credential.is_some())
    {
        let r = by_action.entry(e.action.as_str()).or_default();
        match e.target.as_deref().filter(|x| x.starts_with("arn:")) {
            Some(arn) => r.insert(arn.to_string()),
            None => r.insert("*".to_string()),
        };
    }
    let lists: Vec<(&str, Vec<String>)> = by_action
        .into_iter()
        .map(|(a, r)| (a, r.into_iter().collect()))
        .collect();
    super::policy::from_actions(lists.iter().map(|(a, r)| (*a, Some(r.as_slice()))))
}
