//! `nhi diff`: what changed between two reports. A cron job compares today's scan with
//! yesterday's: identities added and removed (offboarded), owners changed, credentials
//! rotated, findings new and resolved.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Attribution, Finding, FindingState, Identity, Report, Severity};

/// An identity, briefly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IdentityRef {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its owner, if known.
    pub owner: Option<String>,
}

/// An owner that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OwnerChange {
    /// The identity's id.
    pub identity: String,
    /// Before.
    pub old: Attribution,
    /// After.
    pub new: Attribution,
}

/// A credential that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CredentialChange {
    /// The credential's id.
    pub credential: String,
    /// Its identity.
    pub identity: String,
    /// Created before (null when it did not exist).
    pub old_created: Option<DateTime<Utc>>,
    /// Created after (null when it no longer exists).
    pub new_created: Option<DateTime<Utc>>,
}

/// The difference between two reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Diff {
    /// The old report's scan clock.
    pub old_as_of: DateTime<Utc>,
    /// The new report's scan clock.
    pub new_as_of: DateTime<Utc>,
    /// Identities only in the new report.
    pub identities_added: Vec<IdentityRef>,
    /// Identities only in the old report (offboarded).
    pub identities_removed: Vec<IdentityRef>,
    /// Identities whose owner changed.
    pub owners_changed: Vec<OwnerChange>,
    /// Credentials re-created in place (same slot or id, new creation date).
    pub credentials_rotated: Vec<CredentialChange>,
    /// Credentials only in the new report.
    pub credentials_added: Vec<CredentialChange>,
    /// Credentials only in the old report.
    pub credentials_removed: Vec<CredentialChange>,
    /// Findings only in the new report (by fingerprint), worst first.
    pub findings_new: Vec<Finding>,
    /// Findings only in the old report, worst first.
    pub findings_resolved: Vec<Finding>,
}

fn iref(i: &Identity) -> IdentityRef {
    IdentityRef {
        id: i.id.clone(),
        name: i.name.clone(),
        owner: i.owner.value.clone(),
    }
}

/// Compares two reports.
pub fn diff(old: &Report, new: &Report) -> Diff {
    let oi: BTreeMap<&str, &Identity> = old.identities.iter().map(|i| (i.id.as_str(), i)).collect();
    let ni: BTreeMap<&str, &Identity> = new.identities.iter().map(|i| (i.id.as_str(), i)).collect();
    let identities_added = new
        .identities
        .iter()
        .filter(|i| !oi.contains_key(i.id.as_str()))
        .map(iref)
        .collect();
    let identities_removed = old
        .identities
        .iter()
        .filter(|i| !ni.contains_key(i.id.as_str()))
        .map(iref)
        .collect();
    let owners_changed = new
        .identities
        .iter()
        .filter_map(|n| {
            let o = oi.get(n.id.as_str())?;
            (o.owner.value != n.owner.value).then(|| OwnerChange {
                identity: n.id.clone(),
                old: o.owner.clone(),
                new: n.owner.clone(),
            })
        })
        .collect();

    let oc: BTreeMap<&str, _> = old.credentials.iter().map(|c| (c.id.as_str(), c)).collect();
    let nc: BTreeMap<&str, _> = new.credentials.iter().map(|c| (c.id.as_str(), c)).collect();
    let change = |id: &str, identity: &str, o: Option<DateTime<Utc>>, n: Option<DateTime<Utc>>| {
        CredentialChange {
            credential: id.to_string(),
            identity: identity.to_string(),
            old_created: o,
            new_created: n,
        }
    };
    let mut credentials_rotated = Vec::new();
    let mut credentials_added = Vec::new();
    for n in &new.credentials {
        match oc.get(n.id.as_str()) {
            Some(o) if o.created != n.created => {
                credentials_rotated.push(change(&n.id, &n.identity, o.created, n.created));
            }
            Some(_) => {}
            None => credentials_added.push(change(&n.id, &n.identity, None, n.created)),
        }
    }
    let credentials_removed = old
        .credentials
        .iter()
        .filter(|o| !nc.contains_key(o.id.as_str()))
        .map(|o| change(&o.id, &o.identity, o.created, None))
        .collect();

    let of: BTreeMap<&str, &Finding> = old
        .findings
        .iter()
        .map(|f| (f.fingerprint.as_str(), f))
        .collect();
    let nf: BTreeMap<&str, &Finding> = new
        .findings
        .iter()
        .map(|f| (f.fingerprint.as_str(), f))
        .collect();
    let findings_new = new
        .findings
        .iter()
        .filter(|f| !of.contains_key(f.fingerprint.as_str()))
        .cloned()
        .collect();
    let findings_resolved = old
        .findings
        .iter()
        .filter(|f| !nf.contains_key(f.fingerprint.as_str()))
        .cloned()
        .collect();
    Diff {
        old_as_of: old.as_of,
        new_as_of: new.as_of,
        identities_added,
        identities_removed,
        owners_changed,
        credentials_rotated,
        credentials_added,
        credentials_removed,
        findings_new,
        findings_resolved,
    }
}

impl Diff {
    /// New, unsuppressed findings at or above a severity.
    pub fn failing(&self, threshold: Severity) -> usize {
        self.findings_new
            .iter()
            .filter(|f| f.severity >= threshold && f.state != FindingState::Suppressed)
            .count()
    }
}
