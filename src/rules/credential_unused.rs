use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// Active but not used for a long time.
pub struct CredentialUnused;

static META: RuleMeta = RuleMeta {
    code: super::codes::CREDENTIAL_UNUSED,
    title: "An active credential has not been used within the unused period",
    severity: Severity::Medium,
    fires_when: "An active credential of a non-human identity was last used more than `thresholds.unused_days` (default 45) days before the scan date.",
    explanation: "A credential nobody uses is pure risk: it grants access that serves no purpose, and its abuse would stand out to nobody because nobody is watching it.",
    remediation: "Deactivate the credential now; delete it after a waiting period if nothing breaks. If the identity has no other use, remove the identity too.",
    controls: &["OWASP-NHI1", "CIS-AWS-1.11"],
};

impl Rule for CredentialUnused {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let limit = i64::from(ctx.cfg.thresholds.unused_days);
        for (i, c) in ctx.nhi_credentials() {
            let Some(used) = c.last_used else { continue };
            let idle = ctx.days_since(used);
            if idle <= limit {
                continue;
            }
            let mut ev = vec![format!(
                "{} last used {} ({idle} days ago; limit {limit})",
                c.fingerprint,
                used.format("%Y-%m-%d")
            )];
            if let Some(s) = &c.last_used_service {
                ev.push(format!("last used with {s}"));
            }
            let title = format!("{} of {} unused for {idle} days", c.fingerprint, i.name);
            ctx.push(out, &META, Draft::credential(c, title, ev));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_idle_keys_only() {
        let i = machine("a");
        let idle = key(&i, 1, 300, Some(100));
        let busy = key(&i, 2, 300, Some(2));
        let never = key(&i, 3, 300, None);
        let f = run(&CredentialUnused, vec![i], vec![idle, busy, never]);
        assert_eq!(f.len(), 1);
        assert!(f[0].title.contains("100 days"));
    }
}
