use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a leaked credential was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct LeakLocation {
    /// The repository (the path given to `--repo`).
    pub repository: String,
    /// The file, relative to the repository.
    pub path: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column (in bytes).
    pub column: u64,
    /// The commit that introduced it (history scans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// That commit's author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// That commit's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime<Utc>>,
    /// Whether the secret is still in the working tree (or at HEAD, for history scans).
    pub at_head: bool,
    /// Why it is allowed (an `nhi:allow` comment on the line, or an allow entry in nhi.yaml).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<String>,
}

/// A credential found in a repository. Never holds the value: only a keyed fingerprint, a
/// short preview and, where the format has one, a non-secret handle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Leak {
    /// Stable id: `leak:` and the fingerprint.
    pub id: String,
    /// The detection rule (`github-pat-classic`).
    pub rule: String,
    /// What it is (`GitHub personal access token (classic)`).
    pub name: String,
    /// The provider it belongs to.
    pub provider: String,
    /// The credential kind (`token`, `access-key`, `private-key`, …).
    pub kind: String,
    /// Keyed hash of the value: the same secret has the same fingerprint everywhere.
    pub fingerprint: String,
    /// A few leading characters.
    pub preview: String,
    /// A non-secret handle for matching to a live credential (`aws-key-id:AKIA…`,
    /// `github-last8:…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// A checksum or structure validator confirmed the format.
    pub validated: bool,
    /// Why it looks like a test fixture, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixture: Option<String>,
    /// Every place it was found, first introduced first.
    pub locations: Vec<LeakLocation>,
    /// Ids of live credentials it matches (filled by correlation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub live: Vec<String>,
}
