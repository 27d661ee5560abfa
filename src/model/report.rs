use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Coverage, Credential, Finding, Identity, Leak, Severity};

/// The version of the report's JSON contract. A breaking change bumps the major number.
pub const SCHEMA_VERSION: &str = "1.0";

/// The tool that wrote a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    /// Always `nhi-audit`.
    pub name: String,
    /// The tool's version.
    pub version: String,
}

/// A source that was read: a connector and what it read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Source {
    /// Stable id, e.g. `aws-evidence:123456789012`.
    pub id: String,
    /// The connector that read it (`aws-evidence`).
    pub connector: String,
    /// The files or endpoints read.
    pub locations: Vec<String>,
}

/// Counts for a quick look.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Number of identities.
    pub identities: usize,
    /// Number of non-human identities (machine or mixed).
    pub non_human_identities: usize,
    /// Number of credentials.
    pub credentials: usize,
    /// Number of findings (all states).
    pub findings: usize,
    /// Findings per severity (all five keys always present).
    pub by_severity: BTreeMap<String, usize>,
    /// Findings per rule code.
    pub by_rule: BTreeMap<String, usize>,
    /// Findings per provider.
    pub by_provider: BTreeMap<String, usize>,
    /// Whether any source was read only partially.
    pub partial: bool,
    /// The ten identities with the largest blast radius, largest first.
    pub largest_blast_radius: Vec<BlastEntry>,
}

/// An identity and its blast-radius score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BlastEntry {
    /// The identity's id.
    pub identity: String,
    /// Its score.
    pub score: u32,
}

/// The result of a scan: the public JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// Version of this contract.
    pub schema_version: String,
    /// The tool that wrote it.
    pub tool: Tool,
    /// The scan clock every age rule used.
    pub as_of: DateTime<Utc>,
    /// The sources read.
    pub sources: Vec<Source>,
    /// What each source could and could not read.
    pub coverage: Vec<Coverage>,
    /// Every identity, sorted by id.
    pub identities: Vec<Identity>,
    /// Every credential, sorted by id.
    pub credentials: Vec<Credential>,
    /// Credentials found in repositories (values never included), sorted by id.
    #[serde(default)]
    pub leaks: Vec<Leak>,
    /// Every finding, worst first, then by identity and rule.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
}

impl Report {
    /// Whether any source was read only partially or failed.
    pub fn is_partial(&self) -> bool {
        self.summary.partial
    }

    /// Unsuppressed findings at or above a severity.
    pub fn failing(&self, threshold: Severity) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| f.severity >= threshold && f.state != super::FindingState::Suppressed)
    }

    /// Marks each finding `known` when a finding with the same fingerprint is in the baseline
    /// (an earlier report), `new` otherwise. Suppressed findings stay suppressed.
    pub fn apply_baseline(&mut self, baseline: &Report) {
        let known: std::collections::BTreeSet<&str> = baseline
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        for f in &mut self.findings {
            if f.state != super::FindingState::Suppressed {
                f.state = if known.contains(f.fingerprint.as_str()) {
                    super::FindingState::Known
                } else {
                    super::FindingState::New
                };
            }
        }
    }

    /// Computes the summary from the lists.
    pub fn summarize(&mut self) {
        let mut s = Summary {
            identities: self.identities.len(),
            non_human_identities: self
                .identities
                .iter()
                .filter(|i| i.classification.is_nhi())
                .count(),
            credentials: self.credentials.len(),
            findings: self.findings.len(),
            partial: self
                .coverage
                .iter()
                .any(|c| c.status != super::CoverageStatus::Complete),
            ..Summary::default()
        };
        for sev in Severity::ALL {
            s.by_severity.insert(sev.to_string(), 0);
        }
        let provider_of: BTreeMap<&str, &str> = self
            .identities
            .iter()
            .map(|i| (i.id.as_str(), i.provider.as_str()))
            .collect();
        let mut blast: Vec<BlastEntry> = self
            .identities
            .iter()
            .filter_map(|i| {
                i.blast_radius.as_ref().map(|b| BlastEntry {
                    identity: i.id.clone(),
                    score: b.score,
                })
            })
            .collect();
        blast.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.identity.cmp(&b.identity))
        });
        blast.truncate(10);
        s.largest_blast_radius = blast;
        for f in &self.findings {
            *s.by_severity.entry(f.severity.to_string()).or_default() += 1;
            *s.by_rule.entry(f.rule.clone()).or_default() += 1;
            let p = provider_of
                .get(f.identity.as_str())
                .copied()
                .unwrap_or("unknown");
            *s.by_provider.entry(p.to_string()).or_default() += 1;
        }
        self.summary = s;
    }
}
