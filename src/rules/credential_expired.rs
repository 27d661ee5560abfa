use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// An expired credential still registered.
pub struct CredentialExpired;

static META: RuleMeta = RuleMeta {
    code: super::codes::CREDENTIAL_EXPIRED,
    title: "An expired credential is still registered",
    severity: Severity::Low,
    fires_when: "A credential's expiry date has passed and it is still listed by the provider.",
    explanation: "Expired credentials clutter the inventory and hide the live ones; the integrations that used them are either broken or were moved to another credential nobody recorded.",
    remediation: "Delete the expired credential; if something still needs access, find out what and give it a credential with an owner.",
    controls: &["OWASP-NHI1"],
};

impl Rule for CredentialExpired {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for c in &ctx.inv.credentials {
            let Some(expires) = c.expires.filter(|e| *e <= ctx.now) else {
                continue;
            };
            let Some(i) = ctx
                .inv
                .identity(&c.identity)
                .filter(|i| i.classification.is_nhi())
            else {
                continue;
            };
            let ev = vec![format!(
                "{} expired {}",
                c.fingerprint,
                expires.format("%Y-%m-%d")
            )];
            ctx.push(
                out,
                &META,
                Draft::credential(
                    c,
                    format!(
                        "{} of {} expired on {}",
                        c.fingerprint,
                        i.name,
                        expires.format("%Y-%m-%d")
                    ),
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

    #[test]
    fn fires_only_for_the_credential_whose_expiry_has_passed() {
        let a = machine("a");
        let past = expires_at(key(&a, 1, 10, Some(1)), now() - Duration::days(5));
        let future = expires_at(key(&a, 2, 10, Some(1)), now() + Duration::days(5));
        let never = key(&a, 3, 10, Some(1));
        let f = run(
            &CredentialExpired,
            vec![a],
            vec![past.clone(), future, never],
        );
        assert_eq!(fired_credentials(&f), [past.id.as_str()]);
        assert_eq!(f[0].title, "access-key-1 of a expired on 2026-11-10");
    }

    #[test]
    fn fires_one_second_after_expiry_not_one_second_before() {
        let a = machine("a");
        let just_expired = expires_at(key(&a, 1, 10, Some(1)), now() - Duration::seconds(1));
        let about_to = expires_at(key(&a, 2, 10, Some(1)), now() + Duration::seconds(1));
        let f = run(
            &CredentialExpired,
            vec![a],
            vec![just_expired.clone(), about_to],
        );
        assert_eq!(fired_credentials(&f), [just_expired.id.as_str()]);
    }

    /// Regression: an expiry at exactly the scan clock (a bare date with `--as-of` that date,
    /// both midnight UTC) fell in neither credential-expired nor credential-expiring.
    #[test]
    fn regression_an_expiry_at_the_scan_instant_is_expired() {
        let a = machine("a");
        let at = expires_at(key(&a, 1, 10, Some(1)), now());
        let f = run(&CredentialExpired, vec![a.clone()], vec![at.clone()]);
        assert_eq!(fired_credentials(&f), [at.id.as_str()]);
        let f = run(
            &crate::rules::credential_expiring::CredentialExpiring,
            vec![a],
            vec![at],
        );
        assert!(f.is_empty(), "expired, so not expiring");
    }

    #[test]
    fn fires_for_an_inactive_expired_credential_still_registered() {
        let a = machine("a");
        let mut inactive = expires_at(key(&a, 1, 10, Some(1)), now() - Duration::days(5));
        inactive.active = false;
        let future = expires_at(key(&a, 2, 10, Some(1)), now() + Duration::days(5));
        let f = run(&CredentialExpired, vec![a], vec![inactive.clone(), future]);
        assert_eq!(fired_credentials(&f), [inactive.id.as_str()]);
    }

    #[test]
    fn does_not_fire_for_a_human_identity() {
        let (m, h) = (machine("m"), human("h"));
        let km = expires_at(key(&m, 1, 10, Some(1)), now() - Duration::days(5));
        let kh = expires_at(key(&h, 1, 10, Some(1)), now() - Duration::days(5));
        let f = run(&CredentialExpired, vec![m, h], vec![km.clone(), kh]);
        assert_eq!(fired_credentials(&f), [km.id.as_str()]);
    }

    #[test]
    fn does_not_fire_when_the_identity_is_not_in_the_inventory() {
        let (m, gone) = (machine("m"), machine("gone"));
        let km = expires_at(key(&m, 1, 10, Some(1)), now() - Duration::days(5));
        let orphan = expires_at(key(&gone, 1, 10, Some(1)), now() - Duration::days(5));
        let f = run(&CredentialExpired, vec![m], vec![km.clone(), orphan]);
        assert_eq!(fired_credentials(&f), [km.id.as_str()]);
    }
}
