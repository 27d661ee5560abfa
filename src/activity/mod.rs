//! Activity logs: what each identity actually did.
//!
//! `--activity PATH` files and directories are recognised by content, read in parallel, and
//! reduced to per-identity aggregates as they are read (memory grows with the identities and
//! their distinct services and networks, not with the events). Every event is joined to the
//! identity that acted and, where the log names it, the credential: an IAM user by its ARN, a
//! role session by its issuer, a long-term key by its id, a temporary key to the STS call that
//! issued it. Identities that act but that discovery never saw are added as observed-only, so
//! the rules can report them.

pub mod cloudtrail;
pub mod entra_signin;
pub mod github_audit;
pub mod gitlab_audit;
pub mod google_workspace;
pub mod okta_system_log;
pub mod policy;
pub mod slack_audit;
pub mod trail;

/// Where a format's readers put what they read: each event, or the error that made a record
/// unusable.
pub type Events = Vec<Result<Event, String>>;

/// An activity-log format: how to recognise its documents and turn one into events.
pub struct LogFormat {
    /// Its id (`cloudtrail`), used in coverage and sources.
    pub id: &'static str,
    /// What it is, for messages (`CloudTrail`).
    pub name: &'static str,
    /// Whether a parsed document (a whole file, or one line of JSON Lines) is of this format.
    pub recognises: fn(&Value) -> bool,
    /// Its events: each `Ok`, or an error naming the record's position and what is wrong.
    pub events: fn(Value, &str, &mut Events),
    /// A faster reader of a whole file's text, tried first: `true` when it read the file
    /// (its events are in the list), `false` to fall back to the JSON tree.
    pub fast: Option<fn(&str, &str, &mut Events) -> bool>,
}

/// Every format `--activity` reads. Adding one: a file in this directory and one line here.
pub static FORMATS: &[&LogFormat] = &[
    &cloudtrail::FORMAT,
    &github_audit::FORMAT,
    &entra_signin::FORMAT,
    &okta_system_log::FORMAT,
    &google_workspace::FORMAT,
    &slack_audit::FORMAT,
    &gitlab_audit::FORMAT,
];

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::model::{
    ActivitySource, ActivitySummary, AssumedBy, Classification, Coverage, CredentialUse,
    DeniedPeak, Identity, IdentityKind, Inventory, MAX_DISTINCT, Provider, SessionOrigin,
    SessionUse, Source,
};

/// One event, as every log parser produces it.
#[derive(Debug, Clone)]
pub struct Event {
    /// When it happened.
    pub time: DateTime<Utc>,
    /// The log (`cloudtrail`, `github-audit`).
    pub source: &'static str,
    /// The provider whose identities act in this log.
    pub provider: Provider,
    /// Who acted, as the log names it.
    pub actor: Actor,
    /// The inventory id of the identity that acted (as the connectors spell ids), or `None`
    /// for callers that are not identities (AWS services, anonymous users).
    pub identity: Option<String>,
    /// The credential handle it used, matched against the credentials' fingerprints and ids
    /// (`AKIA…` key id, a token id).
    pub credential: Option<String>,
    /// The account, organisation or tenant the event belongs to (the covered window is kept
    /// per source and account).
    pub account: Option<String>,
    /// `service:Action`.
    pub action: String,
    /// What it acted on, when the log says.
    pub target: Option<String>,
    /// The error code, when it failed.
    pub error: Option<String>,
    /// The source address.
    pub source_ip: Option<String>,
    /// The user agent.
    pub user_agent: Option<String>,
    /// An interactive (console) sign-in.
    pub console: bool,
    /// Where it came from: file and record.
    pub origin: String,
    /// Temporary credentials it issued, if any.
    pub issued: Option<Issued>,
}

/// The actor of an event, as the log names it.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// The log's actor type (`IAMUser`, `AssumedRole`, `AWSService`, …).
    pub kind: String,
    /// Its ARN.
    pub arn: Option<String>,
    /// Its principal id.
    pub principal_id: Option<String>,
    /// Its account.
    pub account: Option<String>,
    /// The access key it signed with.
    pub access_key_id: Option<String>,
    /// For a role session, the role.
    pub issuer_arn: Option<String>,
    /// For a role session, the session name.
    pub session_name: Option<String>,
    /// The user name (a web-identity subject for `WebIdentityUser`).
    pub user_name: Option<String>,
    /// The identity provider of a federated caller.
    pub identity_provider: Option<String>,
    /// The AWS service that called on its behalf.
    pub invoked_by: Option<String>,
    /// Whether the session belongs to a workload (instance profile, Lambda, container).
    pub workload: bool,
}

/// Temporary credentials issued by an event.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The new key id (`ASIA…`).
    pub key_id: String,
    /// The role assumed.
    pub role_arn: Option<String>,
    /// The web-identity or SAML subject that asked.
    pub subject: Option<String>,
    /// The identity provider.
    pub provider: Option<String>,
}

/// The identity id an actor joins to, or `None` for AWS services and other non-identities.
pub fn identity_of(a: &Actor) -> Option<String> {
    let arn = match a.kind.as_str() {
        "IAMUser" | "Root" => a.arn.as_deref()?,
        "AssumedRole" | "FederatedUser" => a.issuer_arn.as_deref().or(a.arn.as_deref())?,
        _ => return None,
    };
    let account = crate::connector::aws::account_of_arn(arn)
        .map(str::to_string)
        .or_else(|| a.account.clone())?;
    if a.kind == "Root" {
        return Some(format!("aws:iam::{account}:root"));
    }
    Some(crate::connector::aws::identity_id(&account, arn))
}

/// The non-empty string at `path` in `v`.
pub fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().filter(|s| !s.is_empty())
}

/// [`text`], owned.
pub fn owned(v: &Value, path: &[&str]) -> Option<String> {
    text(v, path).map(str::to_string)
}

/// A scalar at `path` as text: a string, or a number printed (ids logs give as numbers).
pub fn scalar(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    match cur {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The value at `path`, each key matched in any letter case when not found as spelt
/// (exports lower-case keys: `tenantid`, `debugcontext`).
pub fn get_ci<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for key in path {
        cur = match cur.get(key) {
            Some(x) => x,
            None => cur
                .as_object()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, x)| x)?,
        };
    }
    Some(cur)
}

/// [`get_ci`] as a non-empty string, owned.
pub fn text_ci(v: &Value, path: &[&str]) -> Option<String> {
    get_ci(v, path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A time given as a provider timestamp string or as milliseconds since the epoch.
pub fn time_of(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::String(s) => crate::time::parse_time(s),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .and_then(DateTime::from_timestamp_millis),
        _ => None,
    }
}

/// The account segment of a SaaS identity id when the log does not name the connector's
/// account (`okta:unknown:app/0oa…`): [`apply`] joins such an id to the one inventory
/// identity with the same connector, kind and local id.
pub const UNKNOWN_ACCOUNT: &str = "unknown";

/// Whether an error code means the call was denied.
pub fn is_denied(code: &str) -> bool {
    let c = code.to_ascii_lowercase();
    c.contains("accessdenied") || c.contains("unauthorized") || c == "forbidden"
}

/// The client family of a user agent: `aws-sdk-go-v2`, `amazon-ssm-agent`, `console`, …
pub fn client_of(ua: &str) -> String {
    let l = ua.to_ascii_lowercase();
    for (needle, family) in [
        ("amazon-ssm-agent", "amazon-ssm-agent"),
        ("signin.amazonaws.com", "console"),
        ("console.amazonaws.com", "console"),
        ("console.ec2.amazonaws.com", "console"),
        ("mozilla/", "browser"),
        ("terraform", "terraform"),
        ("aws-cli/", "aws-cli"),
        ("boto3/", "boto3"),
    ] {
        if l.contains(needle) {
            return family.to_string();
        }
    }
    let first = l.split([' ', '(']).next().unwrap_or(&l);
    first
        .split_once('/')
        .map_or(first, |(name, _)| name)
        .trim_matches(['[', ']'])
        .to_string()
}

/// Whether a client is interactive: a browser, the console, or a desktop CLI.
pub fn is_interactive(client: &str) -> bool {
    matches!(client, "browser" | "console" | "aws-cli")
}

#[derive(Debug, Clone, Default)]
struct SessionAgg {
    name: Option<String>,
    workload: bool,
    /// Network → client → use.
    origins: BTreeMap<String, BTreeMap<String, SessionOrigin>>,
}

/// What the logs say about one identity, while reading.
#[derive(Debug, Clone, Default)]
struct Agg {
    provider: Option<Provider>,
    per_source: BTreeMap<&'static str, (DateTime<Utc>, DateTime<Utc>, u64)>,
    kind: String,
    arn: Option<String>,
    account: Option<String>,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    events: u64,
    // Hash maps while reading (hot, order-free); sorted when the summary is built.
    services: HashMap<String, u64>,
    actions: HashMap<String, u64>,
    denied_actions: HashMap<String, u64>,
    resources: HashMap<String, std::collections::BTreeSet<String>>,
    networks: HashMap<String, u64>,
    agents: HashMap<String, u64>,
    keys: HashMap<String, CredentialUse>,
    denied: u64,
    denied_minutes: BTreeMap<i64, u64>,
    console: u64,
    sessions: BTreeMap<String, SessionAgg>,
    assumed_by: BTreeMap<String, AssumedBy>,
}

fn merge_assumed(m: &mut BTreeMap<String, AssumedBy>, k: String, a: AssumedBy) {
    match m.get_mut(&k) {
        Some(x) => {
            if (a.last, &a.example) > (x.last, &x.example) {
                x.example = a.example;
            }
            x.last = x.last.max(a.last);
            x.count += a.count;
        }
        None => {
            m.insert(k, a);
        }
    }
}

/// Adds to a count without allocating the key when it is already there.
fn bump(m: &mut HashMap<String, u64>, k: &str, n: u64) {
    match m.get_mut(k) {
        Some(v) => *v += n,
        None => {
            m.insert(k.to_string(), n);
        }
    }
}

/// The most workload sessions kept per identity (the smallest keys, so that the choice does
/// not depend on the order files are read in).
const MAX_SESSIONS: usize = 1_000;

fn min_t(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_t(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

fn merge_use(into: &mut CredentialUse, other: &CredentialUse) {
    into.first_used = into.first_used.min(other.first_used);
    into.last_used = into.last_used.max(other.last_used);
    into.events += other.events;
}

fn merge_origin(into: &mut SessionOrigin, o: SessionOrigin) {
    if (o.first, &o.example) < (into.first, &into.example) {
        into.example = o.example;
    }
    into.first = into.first.min(o.first);
    into.last = into.last.max(o.last);
    into.events += o.events;
}

impl Agg {
    fn add(&mut self, e: &Event) {
        self.provider.get_or_insert(e.provider);
        let p = self
            .per_source
            .entry(e.source)
            .or_insert((e.time, e.time, 0));
        p.0 = p.0.min(e.time);
        p.1 = p.1.max(e.time);
        p.2 += 1;
        if self.kind.is_empty() {
            self.kind = e.actor.kind.clone();
        }
        let arn = e.actor.issuer_arn.clone().or_else(|| e.actor.arn.clone());
        if self.arn.is_none() {
            self.arn = arn;
        }
        if self.account.is_none() {
            self.account = e.account.clone();
        }
        self.first = min_t(self.first, Some(e.time));
        self.last = max_t(self.last, Some(e.time));
        self.events += 1;
        let service = e.action.split_once(':').map_or("", |(s, _)| s);
        let denied = e.error.as_deref().is_some_and(is_denied);
        if denied {
            bump(&mut self.denied_actions, &e.action, 1);
        } else {
            bump(&mut self.services, service, 1);
            bump(&mut self.actions, &e.action, 1);
            let r = self.resources.entry(e.action.clone()).or_default();
            match e.target.as_deref().filter(|t| t.starts_with("arn:")) {
                Some(arn) if r.len() < 20 => {
                    r.insert(arn.to_string());
                }
                _ => {
                    r.insert("*".to_string());
                }
            }
        }
        let network = e.source_ip.as_deref().unwrap_or("unknown");
        bump(&mut self.networks, network, 1);
        let ua = e.user_agent.as_deref().unwrap_or("unknown");
        bump(&mut self.agents, ua, 1);
        if e.console {
            self.console += 1;
        }
        if denied {
            self.denied += 1;
            *self
                .denied_minutes
                .entry(e.time.timestamp().div_euclid(60))
                .or_default() += 1;
        }
        let Some(key) = &e.credential else {
            return;
        };
        if !key.starts_with("ASIA") {
            // A long-term credential: its use.
            match self.keys.get_mut(key.as_str()) {
                Some(x) => {
                    x.first_used = x.first_used.min(e.time);
                    x.last_used = x.last_used.max(e.time);
                    x.events += 1;
                }
                None => {
                    self.keys.insert(
                        key.clone(),
                        CredentialUse {
                            first_used: e.time,
                            last_used: e.time,
                            events: 1,
                        },
                    );
                }
            }
            return;
        }
        // A temporary session: its origins are kept for workloads, whose credentials must
        // only ever be used by the workload itself.
        if !e.actor.workload {
            return;
        }
        if !self.sessions.contains_key(key.as_str()) {
            if self.sessions.len() >= MAX_SESSIONS {
                match self.sessions.last_key_value() {
                    Some((last, _)) if key < last => {
                        let last = last.clone();
                        self.sessions.remove(&last);
                    }
                    _ => return,
                }
            }
            self.sessions.insert(key.clone(), SessionAgg::default());
        }
        let Some(s) = self.sessions.get_mut(key.as_str()) else {
            return;
        };
        if s.name.is_none() {
            s.name = e.actor.session_name.clone();
        }
        s.workload = true;
        let client = client_of(ua);
        let by_client = match s.origins.get_mut(network) {
            Some(m) => m,
            None => s.origins.entry(network.to_string()).or_default(),
        };
        match by_client.get_mut(client.as_str()) {
            Some(o) => {
                // The example is the earliest event (the smallest, among equals).
                let example = || format!("{} {} at {}", e.action, e.origin, e.time.to_rfc3339());
                if e.time < o.first || (e.time == o.first && example() < o.example) {
                    o.example = example();
                }
                o.first = o.first.min(e.time);
                o.last = o.last.max(e.time);
                o.events += 1;
            }
            None => {
                by_client.insert(
                    client.clone(),
                    SessionOrigin {
                        network: network.to_string(),
                        client,
                        events: 1,
                        first: e.time,
                        last: e.time,
                        example: format!("{} {} at {}", e.action, e.origin, e.time.to_rfc3339()),
                    },
                );
            }
        }
    }

    fn merge(&mut self, o: Agg) {
        if self.provider.is_none() {
            self.provider = o.provider;
        }
        for (k, (f, l, n)) in o.per_source {
            let p = self.per_source.entry(k).or_insert((f, l, 0));
            p.0 = p.0.min(f);
            p.1 = p.1.max(l);
            p.2 += n;
        }
        if self.kind.is_empty() {
            self.kind = o.kind;
        }
        if self.arn.is_none() {
            self.arn = o.arn;
        }
        if self.account.is_none() {
            self.account = o.account;
        }
        self.first = min_t(self.first, o.first);
        self.last = max_t(self.last, o.last);
        self.events += o.events;
        for (k, v) in o.resources {
            let r = self.resources.entry(k).or_default();
            for x in v {
                if r.len() < 20 || x == "*" {
                    r.insert(x);
                } else {
                    r.insert("*".to_string());
                }
            }
        }
        for (m, n) in [
            (&mut self.services, o.services),
            (&mut self.actions, o.actions),
            (&mut self.denied_actions, o.denied_actions),
            (&mut self.networks, o.networks),
            (&mut self.agents, o.agents),
        ] {
            for (k, v) in n {
                bump(m, &k, v);
            }
        }
        for (k, u) in o.keys {
            match self.keys.get_mut(&k) {
                Some(x) => merge_use(x, &u),
                None => {
                    self.keys.insert(k, u);
                }
            }
        }
        self.denied += o.denied;
        for (k, v) in o.denied_minutes {
            *self.denied_minutes.entry(k).or_default() += v;
        }
        self.console += o.console;
        while self.sessions.len() > MAX_SESSIONS {
            self.sessions.pop_last();
        }
        for (k, a) in o.assumed_by {
            merge_assumed(&mut self.assumed_by, k, a);
        }
        for (k, s) in o.sessions {
            if self.sessions.len() >= MAX_SESSIONS
                && !self.sessions.contains_key(&k)
                && self
                    .sessions
                    .last_key_value()
                    .is_some_and(|(last, _)| &k > last)
            {
                continue;
            }
            let mine = self.sessions.entry(k).or_default();
            if mine.name.is_none() {
                mine.name = s.name;
            }
            mine.workload |= s.workload;
            for (net, clients) in s.origins {
                let m = mine.origins.entry(net).or_default();
                for (c, ov) in clients {
                    match m.get_mut(&c) {
                        Some(x) => merge_origin(x, ov),
                        None => {
                            m.insert(c, ov);
                        }
                    }
                }
            }
        }
    }
}

/// Who started a temporary session.
#[derive(Debug, Clone)]
struct IssuedBy {
    by: String,
    at: DateTime<Utc>,
}

/// Everything read from the activity logs, reduced.
#[derive(Debug, Default)]
pub struct Activity {
    aggs: HashMap<String, Agg>,
    issued: BTreeMap<String, IssuedBy>,
    windows: BTreeMap<(String, String), (DateTime<Utc>, DateTime<Utc>)>,
    files: BTreeMap<String, u64>,
    events: u64,
    /// Events of AWS services and other callers that are not identities.
    unattributed: u64,
    /// Unusable files and records, each with its position.
    gaps: Vec<String>,
    skipped_records: u64,
    locations: Vec<String>,
}

impl Activity {
    fn add(&mut self, e: &Event) {
        self.events += 1;
        let account = e.account.clone().unwrap_or_else(|| "unknown".to_string());
        let w = self
            .windows
            .entry((e.source.to_string(), account))
            .or_insert((e.time, e.time));
        w.0 = w.0.min(e.time);
        w.1 = w.1.max(e.time);
        if let Some(i) = &e.issued {
            let by = e
                .identity
                .clone()
                .or_else(|| {
                    e.actor
                        .user_name
                        .as_ref()
                        .map(|s| match &e.actor.identity_provider {
                            Some(p) => format!("{s} (via {p})"),
                            None => s.clone(),
                        })
                })
                .or_else(|| e.actor.invoked_by.clone())
                .or_else(|| e.source_ip.clone())
                .unwrap_or_else(|| e.actor.kind.clone());
            // The role assumed records who assumed it (not as one of its own events).
            if let Some(role) = i.role_arn.as_deref().filter(|r| r.contains(":role/")) {
                let account = crate::connector::aws::account_of_arn(role)
                    .map(str::to_string)
                    .or_else(|| e.account.clone())
                    .unwrap_or_default();
                // `arn:aws:sts::A:assumed-role/R/S` names the role too; the request's roleArn
                // is `arn:aws:iam::A:role/R`.
                let role_id = crate::connector::aws::identity_id(&account, role);
                let via = e
                    .action
                    .split_once(':')
                    .map_or(e.action.as_str(), |(_, a)| a);
                let key = match &i.subject {
                    Some(s) if e.identity.is_none() => s.clone(),
                    _ => by.clone(),
                };
                let agg = self.aggs.entry(role_id).or_default();
                agg.provider.get_or_insert(e.provider);
                if agg.account.is_none() {
                    agg.account = Some(account);
                }
                if agg.kind.is_empty() {
                    agg.kind = "Role".into();
                }
                merge_assumed(
                    &mut agg.assumed_by,
                    key,
                    AssumedBy {
                        via: via.to_string(),
                        subject: i.subject.clone().filter(|_| e.identity.is_none()),
                        provider: i.provider.clone(),
                        count: 1,
                        last: e.time,
                        example: format!("{} at {}", e.origin, e.time.to_rfc3339()),
                    },
                );
            }
            let entry = IssuedBy { by, at: e.time };
            match self.issued.get(&i.key_id) {
                Some(x) if (x.at, &x.by) <= (entry.at, &entry.by) => {}
                _ => {
                    self.issued.insert(i.key_id.clone(), entry);
                }
            }
        }
        match &e.identity {
            Some(id) => self.aggs.entry(id.clone()).or_default().add(e),
            None => self.unattributed += 1,
        }
    }

    fn merge(&mut self, o: Activity) {
        for (k, a) in o.aggs {
            match self.aggs.get_mut(&k) {
                Some(x) => x.merge(a),
                None => {
                    self.aggs.insert(k, a);
                }
            }
        }
        for (k, i) in o.issued {
            match self.issued.get(&k) {
                Some(x) if (x.at, &x.by) <= (i.at, &i.by) => {}
                _ => {
                    self.issued.insert(k, i);
                }
            }
        }
        for (k, (f, t)) in o.windows {
            let w = self.windows.entry(k).or_insert((f, t));
            w.0 = w.0.min(f);
            w.1 = w.1.max(t);
        }
        for (k, v) in o.files {
            *self.files.entry(k).or_default() += v;
        }
        self.events += o.events;
        self.unattributed += o.unattributed;
        self.gaps.extend(o.gaps);
        self.skipped_records += o.skipped_records;
    }

    /// Events read.
    pub fn events(&self) -> u64 {
        self.events
    }
}

/// What a file turned out to hold.
enum Read {
    /// Events of this log kind.
    Log(&'static str),
    /// Not an activity log.
    Unknown,
}

/// Decompresses gzip (by its magic bytes), within the input bound.
fn decompress(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    use std::io::Read as _;
    let mut out = Vec::new();
    let mut d = flate2::read::MultiGzDecoder::new(bytes.as_slice())
        .take(crate::input::MAX_INPUT.saturating_add(1));
    d.read_to_end(&mut out).map_err(|e| {
        format!(
            "{name}: damaged gzip after {} decompressed byte(s): {e}",
            out.len()
        )
    })?;
    if out.len() as u64 > crate::input::MAX_INPUT {
        return Err(format!(
            "{name}: decompresses to more than the {} MiB an input file may be",
            crate::input::MAX_INPUT >> 20
        ));
    }
    Ok(out)
}

/// A file's format and its events (each, or the error that made a record unusable).
pub type FileEvents = (&'static LogFormat, Vec<Result<Event, String>>);

/// The events of one file's bytes, and the format that read them; `None` when the file is
/// not an activity log. An unusable file is an error naming it and the position; a malformed
/// line or record is an `Err` among the events.
pub fn file_events(name: &str, bytes: Vec<u8>) -> Result<Option<FileEvents>, String> {
    let bytes = decompress(name, bytes)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = 1 + bytes
            .iter()
            .take(e.valid_up_to())
            .filter(|b| **b == b'\n')
            .count();
        format!("{name}:{line}: not UTF-8 text, not an activity log")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(format!("{name}: empty file, not an activity log"));
    }
    let mut events = Vec::new();
    for f in FORMATS {
        if let Some(fast) = f.fast
            && fast(text, name, &mut events)
        {
            return Ok(Some((f, events)));
        }
    }
    // One JSON document, or JSON Lines.
    let docs: Vec<(Value, String)> = match serde_json::from_str::<Value>(text) {
        Ok(v) => vec![(v, name.to_string())],
        Err(whole) => {
            let mut docs = Vec::new();
            for (ix, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Value>(line) {
                    Ok(v) => docs.push((v, format!("{name}:{}", ix + 1))),
                    Err(_) if docs.is_empty() => {
                        // Neither JSON nor JSON Lines: name the position of the first error.
                        return Err(format!(
                            "{name}:{}:{}: not JSON or JSON Lines ({whole})",
                            whole.line(),
                            whole.column()
                        ));
                    }
                    Err(e) => events.push(Err(format!(
                        "{name}:{}:{}: malformed line skipped ({e})",
                        ix + 1,
                        e.column()
                    ))),
                }
            }
            docs
        }
    };
    let Some(format) = FORMATS
        .iter()
        .find(|f| docs.iter().any(|(d, _)| (f.recognises)(d)))
    else {
        return Ok(None);
    };
    for (d, origin) in docs {
        (format.events)(d, &origin, &mut events);
    }
    Ok(Some((format, events)))
}

/// Parses one file's bytes into `act`.
fn read_bytes(name: &str, bytes: Vec<u8>, act: &mut Activity) -> Result<Read, String> {
    let Some((format, events)) = file_events(name, bytes)? else {
        return Ok(Read::Unknown);
    };
    let mut errors = Vec::new();
    for e in events {
        match e {
            Ok(e) => act.add(&e),
            Err(e) => errors.push(e),
        }
    }
    act.skipped_records += errors.len() as u64;
    for e in errors
        .into_iter()
        .take(20usize.saturating_sub(act.gaps.len()))
    {
        act.gaps.push(e);
    }
    Ok(Read::Log(format.id))
}

/// Parses one file's bytes (gzip or text) on its own; `name` is used in errors. A file that
/// is not an activity log is an error too.
pub fn read_one(name: &str, bytes: Vec<u8>) -> Result<Activity, String> {
    let mut act = Activity::default();
    match read_bytes(name, bytes, &mut act)? {
        Read::Log(kind) => {
            *act.files.entry(kind.to_string()).or_default() += 1;
            Ok(act)
        }
        Read::Unknown => Err(format!("{name}: not an activity log")),
    }
}

/// Every file under the paths, sorted, each with whether the user named it.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, bool)>, String> {
    let mut files = Vec::new();
    for p in paths {
        collect(p, true, &mut files)?;
    }
    Ok(files)
}

fn collect(p: &Path, named: bool, out: &mut Vec<(PathBuf, bool)>) -> Result<(), String> {
    let meta = std::fs::metadata(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
    if meta.is_file() {
        out.push((p.to_path_buf(), named));
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
        .map_err(|e| format!("{}: cannot list directory: {e}", p.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|e| {
            !e.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    for e in entries {
        collect(&e, false, out)?;
    }
    Ok(())
}

/// Reads every `--activity` path, in parallel. A file the user named that is unusable is an
/// error (exit 2); one found in a directory is a gap (exit 3) and the others are still read.
pub fn read_paths(paths: &[PathBuf]) -> Result<Activity, String> {
    let mut files = Vec::new();
    for p in paths {
        collect(p, true, &mut files)?;
    }
    let next = AtomicUsize::new(0);
    let fatal: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(files.len().max(1));
    let parts: Vec<Activity> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut act = Activity::default();
                    loop {
                        let ix = next.fetch_add(1, Ordering::Relaxed);
                        let Some((path, named)) = files.get(ix) else {
                            break;
                        };
                        let name = path.display().to_string();
                        let res = crate::input::read_bounded(path, crate::input::MAX_INPUT)
                            .and_then(|b| read_bytes(&name, b, &mut act));
                        match res {
                            Ok(Read::Log(kind)) => {
                                *act.files.entry(kind.to_string()).or_default() += 1
                            }
                            Ok(Read::Unknown) if *named => {
                                fatal.lock().unwrap_or_else(|p| p.into_inner()).push((
                                    ix,
                                    format!(
                                        "{name}: not an activity log this version reads ({})",
                                        FORMATS
                                            .iter()
                                            .map(|f| f.name)
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    ),
                                ))
                            }
                            Ok(Read::Unknown) => act
                                .gaps
                                .push(format!("{name}: not an activity log, skipped")),
                            Err(e) if *named => fatal
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push((ix, e)),
                            Err(e) => act.gaps.push(e),
                        }
                    }
                    act
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    let mut a = Activity::default();
                    a.gaps.push(
                        "a reading thread panicked (a defect in nhi): some files were not read"
                            .into(),
                    );
                    a
                })
            })
            .collect()
    });
    let mut fatal = fatal.into_inner().unwrap_or_else(|p| p.into_inner());
    fatal.sort();
    if let Some((_, e)) = fatal.into_iter().next() {
        return Err(e);
    }
    let mut act = Activity::default();
    for p in parts {
        act.merge(p);
    }
    act.gaps.sort();
    act.locations = paths.iter().map(|p| p.display().to_string()).collect();
    Ok(act)
}

fn capped(m: HashMap<String, u64>) -> BTreeMap<String, u64> {
    if m.len() <= MAX_DISTINCT {
        return m.into_iter().collect();
    }
    let mut by_count: Vec<(String, u64)> = m.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out = BTreeMap::new();
    let mut other = 0;
    for (ix, (k, v)) in by_count.into_iter().enumerate() {
        if ix < MAX_DISTINCT {
            out.insert(k, v);
        } else {
            other += v;
        }
    }
    out.insert("other".to_string(), other);
    out
}

/// The five-minute window with the most denied calls.
fn denied_peak(minutes: &BTreeMap<i64, u64>) -> Option<DeniedPeak> {
    let mut best: Option<(i64, u64)> = None;
    for &start in minutes.keys() {
        let n: u64 = minutes.range(start..start + 5).map(|(_, v)| *v).sum();
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((start, n));
        }
    }
    best.and_then(|(m, n)| {
        DateTime::from_timestamp(m.saturating_mul(60), 0).map(|from| DeniedPeak { from, denied: n })
    })
}

fn kind_of(actor_kind: &str, id: &str) -> IdentityKind {
    if actor_kind == "Root" || id.ends_with(":root") {
        IdentityKind::Root
    } else if id.contains(":role/") {
        IdentityKind::Role
    } else {
        IdentityKind::User
    }
}

/// The inventory id a logged SaaS identity id (`CONNECTOR:ACCOUNT:KIND/LOCAL`) stands for:
/// itself when discovery has it, else the one identity of the same connector, kind and local
/// id in another spelling of the account (a tenant's domain where the log gives its GUID, or
/// an account the log does not name, [`UNKNOWN_ACCOUNT`]).
fn resolve(inv: &Inventory, id: String, provider: Option<Provider>) -> String {
    if provider != Some(Provider::Saas) || inv.identities.iter().any(|i| i.id == id) {
        return id;
    }
    let mut parts = id.splitn(3, ':');
    let (Some(connector), Some(_), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return id;
    };
    let mut same = inv.identities.iter().filter(|i| {
        let mut p = i.id.splitn(3, ':');
        p.next() == Some(connector) && p.next().is_some() && p.next() == Some(rest)
    });
    match (same.next(), same.next()) {
        (Some(one), None) => one.id.clone(),
        _ => id,
    }
}

/// Joins the activity to the inventory: each identity gets its summary (added as
/// observed-only when discovery never saw it), `last_used` moves forward where the events are
/// newer, credentials get their last use, and coverage records what was read and the window.
pub fn apply(inv: &mut Inventory, act: Activity) {
    let windows = act.windows.clone();
    let mut added = Vec::new();
    // Sorted, so that identities seen only in the logs are added in a stable order.
    let mut aggs: Vec<(String, Agg)> = act.aggs.into_iter().collect();
    aggs.sort_by(|a, b| a.0.cmp(&b.0));
    for (id, agg) in aggs {
        let last = agg.last;
        let account = agg.account.clone().unwrap_or_default();
        let sources: Vec<ActivitySource> = agg
            .per_source
            .iter()
            .map(|(src, (f, l, n))| {
                let (from, to) = windows
                    .get(&(src.to_string(), account.clone()))
                    .copied()
                    .unwrap_or((*f, *l));
                ActivitySource {
                    source: src.to_string(),
                    first_seen: Some(*f),
                    last_seen: Some(*l),
                    events: *n,
                    window_from: from,
                    window_to: to,
                }
            })
            .collect();
        let mut agg = agg;
        while agg.sessions.len() > MAX_SESSIONS {
            agg.sessions.pop_last();
        }
        let sessions: Vec<SessionUse> = agg
            .sessions
            .into_iter()
            .map(|(key, s)| {
                let issued = act.issued.get(&key);
                SessionUse {
                    key,
                    session_name: s.name,
                    workload: s.workload,
                    issued_by: issued.map(|i| i.by.clone()),
                    issued_at: issued.map(|i| i.at),
                    used_from: s
                        .origins
                        .into_values()
                        .flat_map(|m| m.into_values())
                        .collect(),
                }
            })
            .collect();
        let summary = ActivitySummary {
            sources,
            services: agg.services.into_iter().collect(),
            actions: agg.actions.into_iter().collect(),
            denied_actions: agg.denied_actions.into_iter().collect(),
            resources: agg
                .resources
                .into_iter()
                .map(|(k, v)| {
                    let v: Vec<String> = if v.contains("*") {
                        vec!["*".to_string()]
                    } else {
                        v.into_iter().collect()
                    };
                    (k, v)
                })
                .collect(),
            networks: capped(agg.networks),
            user_agents: capped(agg.agents),
            credentials: agg
                .keys
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            denied: agg.denied,
            denied_peak: denied_peak(&agg.denied_minutes),
            console_sign_ins: agg.console,
            assumed_by: agg.assumed_by,
            sessions,
        };
        let id = resolve(inv, id, agg.provider);
        let ix = match inv.identities.iter().position(|i| i.id == id) {
            Some(ix) => ix,
            None => {
                let name = id.rsplit(['/', ':']).next().unwrap_or(&id).to_string();
                let kind = kind_of(&agg.kind, &id);
                let provider = agg.provider.unwrap_or(Provider::Aws);
                let mut i = Identity::new(id.clone(), provider, kind, name);
                i.account = Some(account.clone());
                i.native_id = agg.arn.clone();
                let src = agg.per_source.keys().next().copied().unwrap_or("activity");
                i.source = Some(format!("activity:{src}:{account}"));
                i.classification = if kind == IdentityKind::Role {
                    Classification::Machine
                } else {
                    Classification::Unknown
                };
                i.classification_reason = "seen only in activity logs".into();
                i.attributes
                    .insert("observed_only".into(), serde_json::json!(true));
                inv.identities.push(i);
                added.push(id.clone());
                inv.identities.len() - 1
            }
        };
        let Some(i) = inv.identities.get_mut(ix) else {
            continue;
        };
        i.last_used = max_t(i.last_used, last);
        i.activity = Some(summary);
        for c in inv.credentials.iter_mut().filter(|c| c.identity == id) {
            // A declarative connector's fingerprint is `KIND HANDLE`; logs name the handle.
            let handle = c.fingerprint.split_once(' ').map(|(_, h)| h);
            if let Some(u) = agg
                .keys
                .get(&c.fingerprint)
                .or_else(|| agg.keys.get(&c.id))
                .or_else(|| handle.and_then(|h| agg.keys.get(h)))
            {
                c.last_used = max_t(c.last_used, Some(u.last_used));
                c.last_used_known = true;
            }
        }
    }
    // Identities of a covered account that did nothing in the window: an empty summary with
    // the window, so that the rules on the absence of activity can judge them.
    for i in inv.identities.iter_mut().filter(|i| i.activity.is_none()) {
        let Some(account) = i.account.clone() else {
            continue;
        };
        let sources: Vec<ActivitySource> = FORMATS
            .iter()
            .filter_map(|f| {
                windows
                    .get(&(f.id.to_string(), account.clone()))
                    .map(|(from, to)| ActivitySource {
                        source: f.id.to_string(),
                        first_seen: None,
                        last_seen: None,
                        events: 0,
                        window_from: *from,
                        window_to: *to,
                    })
            })
            .filter(|_| i.provider == Provider::Aws)
            .collect();
        if !sources.is_empty() {
            i.activity = Some(ActivitySummary {
                sources,
                ..Default::default()
            });
        }
    }
    let mut by_account: BTreeMap<(String, String), Coverage> = BTreeMap::new();
    for ((source, account), (from, to)) in &windows {
        let cov = by_account
            .entry((source.clone(), account.clone()))
            .or_insert_with(|| Coverage::new(format!("activity:{source}:{account}")));
        cov.read.push(format!(
            "{source}: events from {} to {} ({:.1} days)",
            from.to_rfc3339(),
            to.to_rfc3339(),
            (*to - *from).num_seconds().max(0) as f64 / 86_400.0
        ));
    }
    let mut summary = Coverage::new("activity");
    summary.read.push(format!(
        "{} event(s) from {} file(s); {} by callers that are not identities (AWS services, people); {} identit{} seen only in the logs",
        act.events,
        act.files.values().sum::<u64>(),
        act.unattributed,
        added.len(),
        if added.len() == 1 { "y" } else { "ies" }
    ));
    if act.skipped_records > 0 || !act.gaps.is_empty() {
        let shown: Vec<&str> = act.gaps.iter().take(5).map(String::as_str).collect();
        summary.gap(
            format!(
                "{} unusable record(s) or file(s)",
                act.skipped_records.max(act.gaps.len() as u64)
            ),
            shown.join("; "),
            &[
                crate::rules::codes::UNKNOWN_ACTOR,
                crate::rules::codes::CREDENTIAL_USED_OFF_WORKLOAD,
            ],
        );
    }
    inv.coverage.push(summary);
    for c in by_account.values() {
        inv.sources.push(Source {
            id: c.source.clone(),
            connector: "activity".into(),
            locations: act.locations.clone(),
        });
    }
    inv.coverage.extend(by_account.into_values());
    inv.sources.push(Source {
        id: "activity".into(),
        connector: "activity".into(),
        locations: act.locations,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Credential, CredentialKind};

    // An Okta System Log event composed from the documented LogEvent fields: the log does not
    // name the org, so the token joins the one discovered token with that id, and its
    // credential (fingerprint `token ID`) gets its last use.
    #[test]
    fn saas_ids_join_across_account_spellings_and_handles_match_fingerprints() {
        let id = "okta:example.okta.com:access-token/00Tabc";
        let mut inv = Inventory::default();
        inv.identities.push(Identity::new(
            id.into(),
            Provider::Saas,
            IdentityKind::AccessToken,
            "ci token".into(),
        ));
        inv.credentials.push(Credential {
            id: format!("{id}#token-00Tabc"),
            identity: id.into(),
            kind: CredentialKind::Token,
            fingerprint: "token 00Tabc".into(),
            active: true,
            created: None,
            last_used: None,
            last_used_service: None,
            last_used_region: None,
            expires: None,
            last_used_known: false,
        });
        let line = r#"{"published": "2024-05-02T18:46:21Z", "eventType": "user.lifecycle.create",
            "actor": {"id": "00u1", "type": "User"}, "uuid": "u1",
            "transaction": {"detail": {"requestApiTokenId": "00Tabc"}}}"#;
        let act = read_one("okta.json", line.as_bytes().to_vec()).unwrap();
        apply(&mut inv, act);
        assert_eq!(inv.identities.len(), 1, "joined, not observed-only");
        let i = inv.identities.first().unwrap();
        assert_eq!(
            i.activity.as_ref().unwrap().sources.first().unwrap().events,
            1
        );
        let c = inv.credentials.first().unwrap();
        assert!(c.last_used_known && c.last_used.is_some());
    }
}
