use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// A credential that never expires though it could.
pub struct CredentialNoExpiry;

static META: RuleMeta = RuleMeta {
    code: super::codes::CREDENTIAL_NO_EXPIRY,
    title: "A credential that supports an expiry has none",
    severity: Severity::Medium,
    fires_when: "An active credential whose type supports an expiry date (fine-grained and SAML-authorised GitHub tokens, GitLab tokens, Entra secrets) has none.",
    explanation: "A credential without an end date keeps working after its purpose, owner or project has gone; an expiry forces a decision before that happens.",
    remediation: "Recreate the credential with an expiry (at most a year; 90 days for tokens used by automation) and set a reminder, or replace it with short-lived credentials.",
    controls: &["OWASP-NHI7"],
};

impl Rule for CredentialNoExpiry {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for (i, c) in ctx.nhi_credentials() {
            if c.expires.is_some() || i.flag("expiry_supported") != Some(true) {
                continue;
            }
            let ev = vec![format!(
                "{} of {} has no expiry date",
                c.fingerprint, i.name
            )];
            ctx.push(
                out,
                &META,
                Draft::credential(
                    c,
                    format!("{} of {} never expires", c.fingerprint, i.name),
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
    fn fires_only_where_expiry_is_supported() {
        let mut a = machine("a");
        a.attributes
            .insert("expiry_supported".into(), serde_json::json!(true));
        let b = machine("b");
        let (ka, kb) = (key(&a, 1, 10, Some(1)), key(&b, 1, 10, Some(1)));
        let mut kc = key(&a, 2, 10, Some(1));
        kc.expires = days_ago(-30);
        assert_eq!(
            run(&CredentialNoExpiry, vec![a, b], vec![ka, kb, kc]).len(),
            1
        );
    }
}
