use super::{Ctx, Draft, Rule, RuleMeta, leaks};
use crate::model::{Finding, Severity};

/// A leaked credential that opens a live identity.
pub struct SecretLeakedLive;

static META: RuleMeta = RuleMeta {
    code: super::codes::SECRET_LEAKED_LIVE,
    title: "A credential committed to a repository opens a live identity",
    severity: Severity::Critical,
    fires_when: "A credential found in a repository matches a credential of the inventory (an AWS access key id, a GitHub token's last eight characters): the leak is tied to the identity it opens, its owner, its privileges and its blast radius. High when the matched credential is no longer active.",
    explanation: "This is not a candidate secret: it is a working key to a known identity. Whoever reads the repository can act as that identity with all its permissions, and its owner can be told which identity to rotate.",
    remediation: "Deactivate the credential now (for AWS: `aws iam update-access-key --status Inactive`), check the identity's activity since the commit (CloudTrail for AWS), create a replacement and deploy it from a secret manager, then delete the leaked one. Better: replace the static key with short-lived credentials.",
    controls: &["OWASP-NHI2", "OWASP-NHI7", "NIST-CSF-PR.AA-01"],
};

impl Rule for SecretLeakedLive {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for leak in ctx.inv.leaks.iter().filter(|l| !l.live.is_empty()) {
            for cred_id in &leak.live {
                let Some(cred) = ctx.inv.credentials.iter().find(|c| &c.id == cred_id) else {
                    continue;
                };
                let Some(i) = ctx.inv.identity(&cred.identity) else {
                    continue;
                };
                let mut ev = leaks::evidence(leak);
                ev.push(format!(
                    "matches {} of {} ({})",
                    cred.fingerprint,
                    i.id,
                    if cred.active { "active" } else { "inactive" }
                ));
                ev.push(format!(
                    "owner: {}",
                    i.owner
                        .value
                        .as_deref()
                        .map_or("unknown".to_string(), |o| format!(
                            "{o} (from {})",
                            i.owner.source
                        ))
                ));
                ev.push(format!(
                    "privileges: {}",
                    format!("{:?}", i.privileges.level).to_lowercase()
                ));
                ev.extend(i.privileges.basis.iter().take(3).cloned());
                if let Some(b) = &i.blast_radius {
                    ev.push(format!(
                        "blast radius before this leak: {} ({})",
                        b.score,
                        b.reach.join("; ")
                    ));
                }
                let title = format!(
                    "{} of {} is committed in {}",
                    cred.fingerprint,
                    i.name,
                    leak.locations.first().map_or("", |l| l.repository.as_str())
                );
                let mut d = Draft::credential(cred, title, ev).key(leak.id.clone());
                if !cred.active {
                    d = d.severity(Severity::High);
                }
                d.allowed = leaks::allowed(leak);
                ctx.push(out, &META, d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn ties_the_leak_to_the_identity() {
        let mut i = machine("deploy");
        i.owner = crate::model::Attribution::from("alice", "tag:owner");
        attach(
            &mut i,
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        );
        let mut k = key(&i, 1, 10, Some(1));
        k.fingerprint = "AKIAQYLPMN5HHHFPZAM2".into();
        let mut l = leak("aws", "deploy.sh", None);
        l.live = vec![k.id.clone()];
        let f = run_leaks(
            &SecretLeakedLive,
            vec![l.clone()],
            vec![(i.clone(), vec![k.clone()])],
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[0].identity, i.id);
        assert!(f[0].evidence.iter().any(|e| e.contains("owner: alice")));
        assert!(
            f[0].evidence
                .iter()
                .any(|e| e.contains("privileges: admin"))
        );
        k.active = false;
        let f = run_leaks(&SecretLeakedLive, vec![l], vec![(i, vec![k])]);
        assert_eq!(f[0].severity, Severity::High);
    }

    #[test]
    fn does_not_fire_for_a_leak_without_a_live_match() {
        let i = machine("deploy");
        let k = key(&i, 1, 10, Some(1));
        let mut matched = leak("aws", "deploy.sh", None);
        matched.live = vec![k.id.clone()];
        let unmatched = leak("ghp", "src/config.rs", None);
        let f = run_leaks(
            &SecretLeakedLive,
            vec![matched, unmatched],
            vec![(i, vec![k.clone()])],
        );
        assert_eq!(fired_credentials(&f), [k.id.as_str()]);
        assert_eq!(f[0].title, "access-key-1 of deploy is committed in .");
    }

    #[test]
    fn fires_once_for_each_matched_credential_and_no_other() {
        let i = machine("deploy");
        let (k1, k2, k3) = (
            key(&i, 1, 10, Some(1)),
            key(&i, 2, 10, Some(1)),
            key(&i, 3, 10, Some(1)),
        );
        let mut l = leak("aws", "deploy.sh", None);
        l.live = vec![k1.id.clone(), k3.id.clone()];
        let f = run_leaks(
            &SecretLeakedLive,
            vec![l],
            vec![(i, vec![k1.clone(), k2, k3.clone()])],
        );
        assert_eq!(fired_credentials(&f), [k1.id.as_str(), k3.id.as_str()]);
    }

    #[test]
    fn does_not_fire_when_the_matched_credential_is_not_in_the_inventory() {
        let i = machine("deploy");
        let k = key(&i, 1, 10, Some(1));
        let mut l = leak("aws", "deploy.sh", None);
        l.live = vec![
            "aws:iam::123456789012:user/gone#access-key-1".into(),
            k.id.clone(),
        ];
        let f = run_leaks(&SecretLeakedLive, vec![l], vec![(i, vec![k.clone()])]);
        assert_eq!(fired_credentials(&f), [k.id.as_str()]);
    }

    #[test]
    fn does_not_fire_when_the_credential_has_no_identity_in_the_inventory() {
        let (i, gone) = (machine("deploy"), machine("gone"));
        let (k, orphan) = (key(&i, 1, 10, Some(1)), key(&gone, 1, 10, Some(1)));
        let mut l = leak("aws", "deploy.sh", None);
        l.live = vec![orphan.id.clone(), k.id.clone()];
        let f = run_leaks(
            &SecretLeakedLive,
            vec![l],
            vec![(i, vec![k.clone(), orphan])],
        );
        assert_eq!(fired_credentials(&f), [k.id.as_str()]);
    }

    #[test]
    fn an_inactive_match_still_fires_as_high() {
        let i = machine("deploy");
        let active = key(&i, 1, 10, Some(1));
        let mut inactive = key(&i, 2, 10, Some(1));
        inactive.active = false;
        let mut l = leak("aws", "deploy.sh", None);
        l.live = vec![active.id.clone(), inactive.id.clone()];
        let f = run_leaks(
            &SecretLeakedLive,
            vec![l],
            vec![(i.clone(), vec![active.clone(), inactive.clone()])],
        );
        assert_eq!(
            fired_credentials(&f),
            [active.id.as_str(), inactive.id.as_str()]
        );
        assert_eq!(
            f.iter().map(|f| f.severity).collect::<Vec<_>>(),
            [Severity::Critical, Severity::High]
        );
        let want = format!("matches access-key-2 of {} (inactive)", i.id);
        assert!(f[1].evidence.contains(&want), "{:?}", f[1].evidence);
    }

    #[test]
    fn an_allowed_leak_is_suppressed_with_its_reason() {
        let i = machine("deploy");
        let (k1, k2) = (key(&i, 1, 10, Some(1)), key(&i, 2, 10, Some(1)));
        let mut allowed = leak("aws", "deploy.sh", Some("nhi:allow: rotated"));
        allowed.live = vec![k1.id.clone()];
        let mut open = leak("aws2", "deploy.sh", None);
        open.live = vec![k2.id.clone()];
        let f = run_leaks(
            &SecretLeakedLive,
            vec![allowed, open],
            vec![(i, vec![k1.clone(), k2.clone()])],
        );
        assert_eq!(fired_credentials(&f), [k1.id.as_str(), k2.id.as_str()]);
        assert_eq!(f[0].state, crate::model::FindingState::Suppressed);
        assert_eq!(
            f[0].suppression.as_ref().map(|s| s.reason.as_str()),
            Some("nhi:allow: rotated")
        );
        assert_eq!(f[1].state, crate::model::FindingState::New);
    }
}
