use super::{Ctx, Draft, Rule, RuleMeta, leaks};
use crate::model::{Finding, Severity};

/// A credential in a repository.
pub struct SecretLeaked;

static META: RuleMeta = RuleMeta {
    code: super::codes::SECRET_LEAKED,
    title: "A credential is committed to a repository",
    severity: Severity::High,
    fires_when: "The repository scanner finds a credential (working tree or history) that matches no live credential of the scan. Low when it demonstrably looks like a test fixture (the value says example, dummy, fake, test…, or it lives under a test/, fixtures/, examples/ directory): the heuristic is shown in the evidence.",
    explanation: "Anything committed is copied to every clone, fork, CI cache and backup, and stays in the history after it is deleted from the tree. Automated scanners harvest public repositories within minutes of a push.",
    remediation: "Revoke or rotate the credential at its provider first (deleting the file does not help: the history keeps it), then remove it from the code and load it from a secret manager or the environment. If it is a test fixture, mark the line `nhi:allow <reason>` or add an allow entry to nhi.yaml.",
    controls: &["OWASP-NHI2", "NIST-CSF-PR.AA-01"],
};

impl Rule for SecretLeaked {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for leak in ctx.inv.leaks.iter().filter(|l| l.live.is_empty()) {
            let repo = leak.locations.first().map_or("", |l| l.repository.as_str());
            let title = format!("{} (`{}`) committed in {repo}", leak.name, leak.preview);
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
    fn fires_high_or_low_for_fixtures_and_allows() {
        let real = leak("ghp", "src/config.rs", None);
        let mut fixture = leak("ghp2", "tests/data.rs", None);
        fixture.fixture = Some("it is under a `tests/` directory".into());
        let allowed = leak("ghp3", "src/x.rs", Some("nhi:allow: revoked"));
        let f = run_leaks(&SecretLeaked, vec![real, fixture, allowed], vec![]);
        assert_eq!(f.len(), 3);
        let sev: Vec<_> = f
            .iter()
            .map(|f| (f.identity.clone(), f.severity, f.state))
            .collect();
        assert!(sev.contains(&(
            "leak:ghp".into(),
            Severity::High,
            crate::model::FindingState::New
        )));
        assert!(sev.contains(&(
            "leak:ghp2".into(),
            Severity::Low,
            crate::model::FindingState::New
        )));
        assert!(sev.contains(&(
            "leak:ghp3".into(),
            Severity::High,
            crate::model::FindingState::Suppressed
        )));
    }

    #[test]
    fn does_not_fire_for_a_leak_matched_to_a_live_credential() {
        let unmatched = leak("ghp", "src/config.rs", None);
        let mut matched = leak("aws", "deploy.sh", None);
        matched.live = vec!["aws:iam::123456789012:user/deploy#access-key-1".into()];
        let f = run_leaks(&SecretLeaked, vec![unmatched, matched], vec![]);
        assert_eq!(fired_identities(&f), ["leak:ghp"]);
        assert_eq!(f[0].credential, None);
        assert!(
            f[0].title
                .starts_with("GitHub personal access token (classic)")
        );
    }

    #[test]
    fn fires_for_a_leak_removed_from_head_that_stays_in_the_history() {
        let mut gone = leak("ghp", "src/config.rs", None);
        gone.locations[0].at_head = false;
        gone.locations[0].commit = Some("0123456789abcdef".into());
        let mut matched = leak("aws", "deploy.sh", None);
        matched.live = vec!["aws:iam::123456789012:user/deploy#access-key-1".into()];
        let f = run_leaks(&SecretLeaked, vec![gone, matched], vec![]);
        assert_eq!(fired_identities(&f), ["leak:ghp"]);
        assert_eq!(f[0].state, crate::model::FindingState::New);
        let want = ".: src/config.rs:3:9, introduced in 0123456789ab; \
                    removed since, but in the history";
        assert!(
            f[0].evidence.iter().any(|e| e == want),
            "{:?}",
            f[0].evidence
        );
    }

    #[test]
    fn is_suppressed_only_when_every_place_is_allowed() {
        let mut partly = leak("ghp", "src/a.rs", Some("nhi:allow: revoked"));
        partly
            .locations
            .extend(leak("ghp", "src/b.rs", None).locations);
        let mut fully = leak("ghp2", "src/a.rs", Some("nhi:allow: revoked"));
        fully
            .locations
            .extend(leak("ghp2", "src/b.rs", Some("allow entry: fixture")).locations);
        let f = run_leaks(&SecretLeaked, vec![partly, fully], vec![]);
        assert_eq!(fired_identities(&f), ["leak:ghp", "leak:ghp2"]);
        assert_eq!(f[0].state, crate::model::FindingState::New);
        assert_eq!(f[0].suppression, None);
        assert_eq!(f[1].state, crate::model::FindingState::Suppressed);
        assert_eq!(
            f[1].suppression.as_ref().map(|s| s.reason.as_str()),
            Some("nhi:allow: revoked; allow entry: fixture")
        );
    }
}
