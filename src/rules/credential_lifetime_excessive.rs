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
    use chrono::Duration;

    fn in_days(d: i64) -> chrono::DateTime<chrono::Utc> {
        now() + Duration::days(d)
    }

    #[test]
    fn fires_only_for_the_credential_beyond_the_maximum() {
        let a = machine("a");
        let long = expires_at(key(&a, 1, 10, Some(1)), in_days(400));
        let short = expires_at(key(&a, 2, 10, Some(1)), in_days(80));
        let never = key(&a, 3, 10, Some(1));
        let f = run(
            &CredentialLifetimeExcessive,
            vec![a],
            vec![long.clone(), short, never],
        );
        assert_eq!(fired_credentials(&f), [long.id.as_str()]);
        assert_eq!(f[0].title, "access-key-1 of a lives 410 days");
        assert!(f[0].evidence[0].contains("(410 days; maximum 365)"));
    }

    #[test]
    fn fires_one_day_over_the_maximum_not_at_it() {
        let a = machine("a");
        let at_max = expires_at(key(&a, 1, 0, Some(0)), in_days(365));
        let over = expires_at(key(&a, 2, 0, Some(0)), in_days(366));
        let f = run(
            &CredentialLifetimeExcessive,
            vec![a],
            vec![at_max, over.clone()],
        );
        assert_eq!(fired_credentials(&f), [over.id.as_str()]);
    }

    #[test]
    fn does_not_decide_without_a_creation_date() {
        let a = machine("a");
        let known = expires_at(key(&a, 1, 10, Some(1)), in_days(1000));
        let mut unknown = expires_at(key(&a, 2, 10, Some(1)), in_days(1000));
        unknown.created = None;
        let f = run(
            &CredentialLifetimeExcessive,
            vec![a],
            vec![known.clone(), unknown],
        );
        assert_eq!(fired_credentials(&f), [known.id.as_str()]);
    }

    #[test]
    fn maximum_follows_thresholds_max_lifetime_days() {
        let a = machine("a");
        let at_max = expires_at(key(&a, 1, 0, Some(0)), in_days(90));
        let over = expires_at(key(&a, 2, 0, Some(0)), in_days(91));
        let f = run_with(
            &CredentialLifetimeExcessive,
            vec![a],
            vec![at_max, over.clone()],
            &cfg("thresholds: { max_lifetime_days: 90 }"),
        );
        assert_eq!(fired_credentials(&f), [over.id.as_str()]);
    }

    #[test]
    fn does_not_fire_for_inactive_credentials_or_human_identities() {
        let (m, h) = (machine("m"), human("h"));
        let live = expires_at(key(&m, 1, 10, Some(1)), in_days(400));
        let mut inactive = expires_at(key(&m, 2, 10, Some(1)), in_days(400));
        inactive.active = false;
        let of_human = expires_at(key(&h, 1, 10, Some(1)), in_days(400));
        let f = run(
            &CredentialLifetimeExcessive,
            vec![m, h],
            vec![live.clone(), inactive, of_human],
        );
        assert_eq!(fired_credentials(&f), [live.id.as_str()]);
    }
}
