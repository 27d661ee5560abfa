use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// Created, never used, past the grace period.
pub struct CredentialNeverUsed;

static META: RuleMeta = RuleMeta {
    code: super::codes::CREDENTIAL_NEVER_USED,
    title: "An active credential has never been used",
    severity: Severity::Medium,
    fires_when: "An active credential of a non-human identity has no last-used date and was created more than `thresholds.grace_days` (default 7) days before the scan date.",
    explanation: "Keys created 'just in case', or at set-up and then replaced by something else, sit unused with full access. CIS asks that no keys be created until they are needed.",
    remediation: "Deactivate and delete the credential. Create credentials only when the workload that needs them is ready, and prefer short-lived credentials.",
    controls: &["OWASP-NHI1", "CIS-AWS-1.10", "CIS-AWS-1.11"],
};

impl Rule for CredentialNeverUsed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let grace = i64::from(ctx.cfg.thresholds.grace_days);
        for (i, c) in ctx.nhi_credentials() {
            if c.last_used.is_some() || !c.last_used_known {
                continue;
            }
            let Some(created) = c.created else { continue };
            let age = ctx.days_since(created);
            if age <= grace {
                continue;
            }
            let ev = vec![
                format!(
                    "{} created {} ({age} days ago; grace period {grace} days)",
                    c.fingerprint,
                    created.format("%Y-%m-%d")
                ),
                "no recorded use".to_string(),
            ];
            let title = format!("{} of {} has never been used", c.fingerprint, i.name);
            ctx.push(out, &META, Draft::credential(c, title, ev));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn respects_grace_period_and_unknown_last_use() {
        let i = machine("a");
        let never = key(&i, 1, 30, None);
        let fresh = key(&i, 2, 3, None);
        let mut unknown = key(&i, 3, 30, None);
        unknown.last_used_known = false;
        let used = key(&i, 4, 30, Some(1));
        let f = run(
            &CredentialNeverUsed,
            vec![i],
            vec![never, fresh, unknown, used],
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].credential
                .as_deref()
                .unwrap()
                .ends_with("access-key-1")
        );
    }
}
