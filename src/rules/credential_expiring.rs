use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// A credential about to expire.
pub struct CredentialExpiring;

static META: RuleMeta = RuleMeta {
    code: super::codes::CREDENTIAL_EXPIRING,
    title: "A credential expires soon",
    severity: Severity::Low,
    fires_when: "An active credential expires within `thresholds.expiring_days` (default 30) of the scan date.",
    explanation: "Expiring credentials cause outages when nobody renews them in time; the owner should be told before it happens.",
    remediation: "Ask the owner to rotate it now: create the replacement, deploy it, then let the old one expire.",
    controls: &["OWASP-NHI7"],
};

impl Rule for CredentialExpiring {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let window = i64::from(ctx.cfg.thresholds.expiring_days);
        for (i, c) in ctx.nhi_credentials() {
            let Some(expires) = c.expires else { continue };
            let left = (expires - ctx.now).num_days();
            if expires <= ctx.now || left > window {
                continue;
            }
            let ev = vec![format!(
                "{} expires {} (in {left} days)",
                c.fingerprint,
                expires.format("%Y-%m-%d")
            )];
            ctx.push(
                out,
                &META,
                Draft::credential(
                    c,
                    format!("{} of {} expires in {left} days", c.fingerprint, i.name),
                    ev,
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_within_the_window() {
        let a = machine("a");
        let mut soon = key(&a, 1, 10, Some(1));
        soon.expires = days_ago(-10);
        let mut later = key(&a, 2, 10, Some(1));
        later.expires = days_ago(-100);
        let mut past = key(&a, 3, 10, Some(1));
        past.expires = days_ago(5);
        assert_eq!(
            run(&CredentialExpiring, vec![a], vec![soon, later, past]).len(),
            1
        );
    }
}
