use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How completely a source was read.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum CoverageStatus {
    /// Everything the rules need was read.
    Complete,
    /// Some data is missing; the gaps say what.
    Partial,
    /// Nothing could be read.
    Failed,
}

impl CoverageStatus {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::Complete => "complete",
            CoverageStatus::Partial => "partial",
            CoverageStatus::Failed => "failed",
        }
    }
}

/// One thing a source could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Gap {
    /// What is missing (e.g. `credential report for account 123456789012`).
    pub what: String,
    /// Why it is missing, and what it costs.
    pub reason: String,
    /// Rule codes that could not be evaluated because of it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules_affected: Vec<String>,
}

/// What one source could and could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Coverage {
    /// The source id (matches `sources[].id`).
    pub source: String,
    /// Complete, partial or failed.
    pub status: CoverageStatus,
    /// What was read (e.g. `authorization details`, `credential report`).
    pub read: Vec<String>,
    /// What could not be read, and why.
    pub gaps: Vec<Gap>,
}

impl Coverage {
    /// A coverage record with nothing read yet.
    pub fn new(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            status: CoverageStatus::Complete,
            read: Vec::new(),
            gaps: Vec::new(),
        }
    }

    /// A source that could not be read at all, and why.
    pub fn failed(source: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            status: CoverageStatus::Failed,
            read: Vec::new(),
            gaps: vec![Gap {
                what: "everything".into(),
                reason: reason.into(),
                rules_affected: Vec::new(),
            }],
        }
    }

    /// Records a gap and downgrades the status to partial (unless it already failed).
    pub fn gap(&mut self, what: impl Into<String>, reason: impl Into<String>, rules: &[&str]) {
        if self.status == CoverageStatus::Complete {
            self.status = CoverageStatus::Partial;
        }
        self.gaps.push(Gap {
            what: what.into(),
            reason: reason.into(),
            rules_affected: rules.iter().map(|r| r.to_string()).collect(),
        });
    }
}
