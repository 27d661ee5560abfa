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
}
