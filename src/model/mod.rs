//! The data model every connector fills and every renderer reads.
//!
//! Connectors produce an [`Inventory`] (identities, credentials, coverage); the pipeline
//! attributes, evaluates and wraps the result in a [`Report`], whose JSON form is a public
//! contract with a published schema (`docs/report.schema.json`).

mod activity;
mod coverage;
mod credential;
mod finding;
mod identity;
mod leak;
mod report;

pub use activity::{
    ActivitySource, ActivitySummary, AssumedBy, CredentialUse, DeniedPeak, MAX_DISTINCT,
    SessionOrigin, SessionUse,
};
pub use coverage::{Coverage, CoverageStatus, Gap};
pub use credential::{Credential, CredentialKind};
pub use finding::{Finding, FindingState, Severity, SuppressionNote};
pub use identity::{
    AiAgentEvidence, Attribution, BlastRadius, BlastTerm, Classification, ConsoleAccess, Identity,
    IdentityKind, PolicyAttachment, PrivilegeLevel, Privileges, Provider,
};
pub use leak::{Leak, LeakLocation};
pub use report::{BlastEntry, Report, SCHEMA_VERSION, Source, Summary, Tool};

/// What discovery produced: the raw material of the rules.
#[derive(Debug, Default, Clone)]
pub struct Inventory {
    /// Every identity found, by any connector.
    pub identities: Vec<Identity>,
    /// Every credential found, each pointing at its identity's id.
    pub credentials: Vec<Credential>,
    /// One coverage record per source read.
    pub coverage: Vec<Coverage>,
    /// The sources that were read.
    pub sources: Vec<Source>,
    /// Credentials found in repositories.
    pub leaks: Vec<Leak>,
}

impl Inventory {
    /// Adds another connector's fragment to this inventory.
    pub fn merge(&mut self, other: Inventory) {
        self.identities.extend(other.identities);
        self.credentials.extend(other.credentials);
        self.coverage.extend(other.coverage);
        self.sources.extend(other.sources);
        self.leaks.extend(other.leaks);
    }

    /// Sorts every list by its stable key, so output never depends on discovery order.
    pub fn sort(&mut self) {
        self.identities.sort_by(|a, b| a.id.cmp(&b.id));
        self.identities.dedup_by(|a, b| a.id == b.id);
        self.credentials.sort_by(|a, b| a.id.cmp(&b.id));
        self.credentials.dedup_by(|a, b| a.id == b.id);
        self.coverage.sort_by(|a, b| a.source.cmp(&b.source));
        self.sources.sort_by(|a, b| a.id.cmp(&b.id));
        self.sources.dedup_by(|a, b| a.id == b.id);
        self.leaks.sort_by(|a, b| a.id.cmp(&b.id));
        // The same secret found by several sources: one leak, every location.
        let mut merged: Vec<Leak> = Vec::with_capacity(self.leaks.len());
        for l in std::mem::take(&mut self.leaks) {
            match merged.last_mut() {
                Some(m) if m.id == l.id => m.locations.extend(l.locations),
                _ => merged.push(l),
            }
        }
        for m in &mut merged {
            m.locations.sort();
            m.locations.dedup();
        }
        self.leaks = merged;
    }

    /// The identity with this id, if any.
    pub fn identity(&self, id: &str) -> Option<&Identity> {
        self.identities
            .binary_search_by(|i| i.id.as_str().cmp(id))
            .ok()
            .and_then(|ix| self.identities.get(ix))
            .or_else(|| self.identities.iter().find(|i| i.id == id))
    }

    /// The credentials that belong to an identity.
    pub fn credentials_of<'a>(&'a self, identity: &'a str) -> impl Iterator<Item = &'a Credential> {
        self.credentials
            .iter()
            .filter(move |c| c.identity == identity)
    }
}
