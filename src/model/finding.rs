use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How bad a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// All severities, worst first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}` (expected critical, high, medium, low or info)"
            )),
        }
    }
}

/// Where a finding stands relative to suppressions and a baseline.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum FindingState {
    /// Not in the baseline (or no baseline given).
    New,
    /// Already in the baseline.
    Known,
    /// Suppressed by configuration.
    Suppressed,
}

/// A governance defect of an identity or credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The rule code (`credential-unrotated`).
    pub rule: String,
    /// Severity after configuration overrides.
    pub severity: Severity,
    /// The identity's id.
    pub identity: String,
    /// The credential's id, when the defect is about one credential.
    pub credential: Option<String>,
    /// One line saying what is wrong.
    pub title: String,
    /// The facts that show it, one per line.
    pub evidence: Vec<String>,
    /// How to fix it.
    pub remediation: String,
    /// Controls it breaks (OWASP NHI Top 10, CIS AWS Foundations, NIST CSF 2.0).
    pub controls: Vec<String>,
    /// Stable id of this defect across runs (rule, identity, credential, detail).
    pub fingerprint: String,
    /// New, known (baseline) or suppressed.
    pub state: FindingState,
    /// The suppression that accepted this finding, when `state` is `suppressed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<SuppressionNote>,
}

/// Why a finding is suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SuppressionNote {
    /// The reason given.
    pub reason: String,
    /// Who accepted the finding.
    pub owner: String,
    /// Until when (YYYY-MM-DD).
    pub expires: String,
}
