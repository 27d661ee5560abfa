use std::collections::BTreeSet;

use super::{Ctx, Draft, Rule, RuleMeta, leaks};
use crate::model::{Finding, Severity};

/// One credential in several places.
pub struct CredentialReused;

static META: RuleMeta = RuleMeta {
    code: super::codes::CREDENTIAL_REUSED,
    title: "The same credential is found in several places",
    severity: Severity::High,
    fires_when: "One credential (the same fingerprint) is found in several repositories or several files.",
    explanation: "A credential shared between services, environments or teams cannot be rotated without breaking all of them, cannot be attributed to one workload, and a leak of any copy exposes every use.",
    remediation: "Give each workload and environment its own credential, with its own owner; rotate the shared one once every user has moved.",
    controls: &["OWASP-NHI8", "OWASP-NHI9"],
};

impl Rule for CredentialReused {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for leak in &ctx.inv.leaks {
            let places: BTreeSet<(&str, &str)> = leak
                .locations
                .iter()
                .map(|l| (l.repository.as_str(), l.path.as_str()))
                .collect();
            if places.len() < 2 {
                continue;
            }
            let repos: BTreeSet<&str> = places.iter().map(|(r, _)| *r).collect();
            let title = format!(
                "{} (`{}`) is in {} files across {} repositor{}",
                leak.name,
                leak.preview,
                places.len(),
                repos.len(),
                if repos.len() == 1 { "y" } else { "ies" }
            );
            let mut d =
                Draft::identity_id(&leak.id, title, leaks::evidence(leak)).key(leak.id.clone());
            if leak.fixture.is_some() {
                d = d.severity(Severity::Low);
            }
            d.allowed = leaks::allowed(leak);
            ctx.push(out, &META, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_several_files_only() {
        let once = leak("a", "x.env", None);
        let mut twice = leak("b", "x.env", None);
        let mut other = twice.locations[0].clone();
        other.path = "deploy/y.env".into();
        twice.locations.push(other);
        let f = run_leaks(&CredentialReused, vec![once, twice], vec![]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].identity, "leak:b");
    }
}
