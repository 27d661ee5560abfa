use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// A credential that lives too long.
pub struct CredentialLifetimeExcessive;

static META: RuleMeta = RuleMeta {
    code: super::codes::CREDENTIAL_LIFETIME_EXCESSIVE,
    title: "A credential's lifetime exceeds the maximum",
    severity: Severity::Medium,
    fires_when: "A credential's expiry is more than `thresholds.max_lifetime_days` (default 365) after its creation.",
    explanation: "An expiry years away is barely better than none: the credential outlives the people and projects that created it.",
    remediation: "Recreate it with a lifetime within the policy and rotate it before it expires.",
    controls: &["OWASP-NHI7"],
};

impl Rule for CredentialLifetimeExcessive {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let max = i64::from(ctx.cfg.thresholds.max_lifetime_days);
        for (i, c) in ctx.nhi_credentials() {
            let (Some(created), Some(expires)) = (c.created, c.expires) else {
                continue;
            };
            let days = (expires - created).num_days();
            if days <= max {
                continue;
            }
            let ev = vec![format!(
                "{} created {} expires {} ({days} days; maximum {max})",
                c.fingerprint,
                created.format("%Y-%m-%d"),
                expires.format("%Y-%m-%d")
            )];
            ctx.push(
                out,
                &META,
                Draft::credential(
                    c,
                    format!("{} of {} lives {days} days", c.fingerprint, i.name),
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
    fn fires_beyond_the_maximum() {
        let a = machine("a");
        let mut long = key(&a, 1, 10, Some(1));
        long.expires = days_ago(-400);
        let mut short = key(&a, 2, 10, Some(1));
        short.expires = days_ago(-80);
        assert_eq!(
            run(&CredentialLifetimeExcessive, vec![a], vec![long, short]).len(),
            1
        );
    }
}
