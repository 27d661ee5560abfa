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
            let Some(expires) = c.expires.filter(|e| *e < ctx.now) else {
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

    #[test]
    fn fires_after_expiry() {
        let a = machine("a");
        let mut past = key(&a, 1, 10, Some(1));
        past.expires = days_ago(5);
        let mut future = key(&a, 2, 10, Some(1));
        future.expires = days_ago(-5);
        assert_eq!(
            run(&CredentialExpired, vec![a], vec![past, future]).len(),
            1
        );
    }
}
