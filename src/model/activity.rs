//! What an identity was seen doing in activity logs: a per-identity summary, reduced from the
//! events as they are read (the events themselves are not kept in the report).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The most distinct values kept per map (networks, user agents); the rest are counted.
pub const MAX_DISTINCT: usize = 100;

/// An identity's activity across the logs read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ActivitySummary {
    /// Per log source (`cloudtrail`, …): when it was first and last seen, and the window read.
    pub sources: Vec<ActivitySource>,
    /// Events per service (`s3`, `iam`, …).
    pub services: BTreeMap<String, u64>,
    /// Calls per action (`iam:CreateUser`), denied calls left out.
    pub actions: BTreeMap<String, u64>,
    /// Denied calls per action.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub denied_actions: BTreeMap<String, u64>,
    /// Per action, the resource ARNs its calls named (at most twenty; `*` when a call named
    /// none or there were more), for least-privilege policies.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub resources: BTreeMap<String, Vec<String>>,
    /// Events per source address (at most [`MAX_DISTINCT`]; the rest under `other`).
    pub networks: BTreeMap<String, u64>,
    /// Events per user agent (at most [`MAX_DISTINCT`]; the rest under `other`).
    pub user_agents: BTreeMap<String, u64>,
    /// Use per credential, by its key id or handle.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub credentials: BTreeMap<String, CredentialUse>,
    /// Calls that failed with an access-denied error.
    pub denied: u64,
    /// The most denied calls within any five minutes, and when that window began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denied_peak: Option<DeniedPeak>,
    /// Console (interactive) sign-ins.
    pub console_sign_ins: u64,
    /// For a role: who assumed it, as the issuing STS calls name them (the calling identity's
    /// id, or a federated subject with its provider), with counts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub assumed_by: BTreeMap<String, AssumedBy>,
    /// Temporary sessions of this identity (a role's sessions, a user's session tokens):
    /// who or what started each, and the networks and clients that used it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<SessionUse>,
}

/// One log source's view of an identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ActivitySource {
    /// The log (`cloudtrail`).
    pub source: String,
    /// Its first event (none: the log covers the identity's account, and it did nothing).
    pub first_seen: Option<DateTime<Utc>>,
    /// Its last event.
    pub last_seen: Option<DateTime<Utc>>,
    /// Events.
    pub events: u64,
    /// The start of the window the log covers for this identity's account (its first event
    /// of any identity): absence of activity is judged only over the window.
    pub window_from: DateTime<Utc>,
    /// The end of that window (its last event of any identity).
    pub window_to: DateTime<Utc>,
}

impl ActivitySource {
    /// The covered window in days.
    pub fn window_days(&self) -> f64 {
        (self.window_to - self.window_from).num_seconds().max(0) as f64 / 86_400.0
    }
}

/// Use of one credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CredentialUse {
    /// First use in the window.
    pub first_used: DateTime<Utc>,
    /// Last use in the window.
    pub last_used: DateTime<Utc>,
    /// Events.
    pub events: u64,
}

/// The densest burst of denied calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeniedPeak {
    /// Start of the five-minute window.
    pub from: DateTime<Utc>,
    /// Denied calls in it.
    pub denied: u64,
}

/// One temporary session (an `ASIA…` key) and where it was used from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SessionUse {
    /// The session's access key id.
    pub key: String,
    /// The role session name (`i-0abc…` for an instance profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
    /// Whether the session belongs to a workload (instance profile, Lambda, container or pod).
    pub workload: bool,
    /// Who started it (`AssumeRole` caller, a web-identity subject), when the log shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_by: Option<String>,
    /// When it was issued, when the log shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<DateTime<Utc>>,
    /// Where it was used: each distinct source address and client.
    pub used_from: Vec<SessionOrigin>,
}

/// A source address and client that used a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SessionOrigin {
    /// The source address (or the AWS service that called on the session's behalf).
    pub network: String,
    /// The client family (`aws-sdk-go-v2`, `amazon-ssm-agent`, `console`).
    pub client: String,
    /// Events.
    pub events: u64,
    /// First event.
    pub first: DateTime<Utc>,
    /// Last event.
    pub last: DateTime<Utc>,
    /// One event that came from here (file and record), for the evidence.
    pub example: String,
}

/// Who assumed a role, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AssumedBy {
    /// The STS call (`AssumeRoleWithWebIdentity`).
    pub via: String,
    /// A web-identity or SAML subject (`repo:acme/api:ref:refs/heads/main`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The identity provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Times.
    pub count: u64,
    /// The last time.
    pub last: DateTime<Utc>,
    /// One issuing event (file and record), for the evidence.
    pub example: String,
}
