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
    use chrono::Duration;

    fn in_days(d: i64) -> chrono::DateTime<chrono::Utc> {
        now() + Duration::days(d)
    }

    #[test]
    fn fires_only_for_the_credential_expiring_within_the_window() {
        let a = machine("a");
        let soon = expires_at(key(&a, 1, 10, Some(1)), in_days(10));
        let later = expires_at(key(&a, 2, 10, Some(1)), in_days(100));
        let past = expires_at(key(&a, 3, 10, Some(1)), in_days(-5));
        let never = key(&a, 4, 10, Some(1));
        let f = run(
            &CredentialExpiring,
            vec![a],
            vec![soon.clone(), later, past, never],
        );
        assert_eq!(fired_credentials(&f), [soon.id.as_str()]);
        assert_eq!(f[0].title, "access-key-1 of a expires in 10 days");
    }

    #[test]
    fn fires_exactly_at_the_window_not_a_day_beyond() {
        let a = machine("a");
        let at = expires_at(key(&a, 1, 10, Some(1)), in_days(30));
        let beyond = expires_at(key(&a, 2, 10, Some(1)), in_days(31));
        let f = run(&CredentialExpiring, vec![a], vec![at.clone(), beyond]);
        assert_eq!(fired_credentials(&f), [at.id.as_str()]);
    }

    #[test]
    fn does_not_fire_once_the_credential_has_expired() {
        let a = machine("a");
        let hours_left = expires_at(key(&a, 1, 10, Some(1)), now() + Duration::hours(1));
        let second_ago = expires_at(key(&a, 2, 10, Some(1)), now() - Duration::seconds(1));
        let f = run(
            &CredentialExpiring,
            vec![a],
            vec![hours_left.clone(), second_ago],
        );
        assert_eq!(fired_credentials(&f), [hours_left.id.as_str()]);
        assert!(f[0].title.ends_with("expires in 0 days"), "{}", f[0].title);
    }

    #[test]
    fn window_follows_thresholds_expiring_days() {
        let a = machine("a");
        let at = expires_at(key(&a, 1, 10, Some(1)), in_days(7));
        let beyond = expires_at(key(&a, 2, 10, Some(1)), in_days(8));
        let f = run_with(
            &CredentialExpiring,
            vec![a],
            vec![at.clone(), beyond],
            &cfg("thresholds: { expiring_days: 7 }"),
        );
        assert_eq!(fired_credentials(&f), [at.id.as_str()]);
    }

    #[test]
    fn does_not_fire_for_inactive_credentials_or_human_identities() {
        let (m, h) = (machine("m"), human("h"));
        let live = expires_at(key(&m, 1, 10, Some(1)), in_days(10));
        let mut inactive = expires_at(key(&m, 2, 10, Some(1)), in_days(10));
        inactive.active = false;
        let of_human = expires_at(key(&h, 1, 10, Some(1)), in_days(10));
        let f = run(
            &CredentialExpiring,
            vec![m, h],
            vec![live.clone(), inactive, of_human],
        );
        assert_eq!(fired_credentials(&f), [live.id.as_str()]);
    }
}
