use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// An old active credential.
pub struct CredentialUnrotated;

static META: RuleMeta = RuleMeta {
    code: super::codes::CREDENTIAL_UNROTATED,
    title: "An active credential has not been rotated within the rotation period",
    severity: Severity::Medium,
    fires_when: "An active credential of a non-human identity was created (or last rotated) more than `thresholds.rotation_days` (default 90) days before the scan date.",
    explanation: "The longer a static credential lives, the more copies of it exist: in CI variables, laptops, logs, backups and old commits. Regular rotation bounds how long a leaked copy stays useful.",
    remediation: "Create a new credential, deploy it where the old one is used, confirm the old one is no longer used (its last-used date stops moving), then deactivate and delete the old one. Better: replace the static key with short-lived credentials (an IAM role, OIDC federation from CI).",
    controls: &["OWASP-NHI7", "CIS-AWS-1.13", "NIST-CSF-PR.AA-01"],
};

impl Rule for CredentialUnrotated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let limit = i64::from(ctx.cfg.thresholds.rotation_days);
        for (i, c) in ctx.nhi_credentials() {
            let Some(created) = c.created else { continue };
            let age = ctx.days_since(created);
            if age <= limit {
                continue;
            }
            let ev = vec![format!(
                "{} created or last rotated {} ({age} days ago; limit {limit})",
                c.fingerprint,
                created.format("%Y-%m-%d")
            )];
            let title = format!("{} of {} is {age} days old", c.fingerprint, i.name);
            ctx.push(out, &META, Draft::credential(c, title, ev));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_past_the_threshold_only() {
        let i = machine("a");
        let old = key(&i, 1, 200, Some(1));
        let young = key(&i, 2, 30, Some(1));
        let f = run(&CredentialUnrotated, vec![i.clone()], vec![old, young]);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].credential
                .as_deref()
                .unwrap()
                .ends_with("access-key-1")
        );
        let f = run_with(
            &CredentialUnrotated,
            vec![i.clone()],
            vec![key(&i, 1, 200, None)],
            &cfg("thresholds: { rotation_days: 365 }"),
        );
        assert!(f.is_empty());
    }
}
