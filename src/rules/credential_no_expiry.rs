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
    use crate::model::Identity;
    use crate::rules::test_support::*;

    fn expiry_supported(mut i: Identity, supported: bool) -> Identity {
        i.attributes
            .insert("expiry_supported".into(), serde_json::json!(supported));
        i
    }

    #[test]
    fn fires_only_where_expiry_is_supported_and_missing() {
        let a = expiry_supported(machine("a"), true);
        let unsupported = expiry_supported(machine("b"), false);
        let unknown = machine("c");
        let none = key(&a, 1, 10, Some(1));
        let dated = expires_at(key(&a, 2, 10, Some(1)), now() + chrono::Duration::days(30));
        let (kb, kc) = (
            key(&unsupported, 1, 10, Some(1)),
            key(&unknown, 1, 10, Some(1)),
        );
        let f = run(
            &CredentialNoExpiry,
            vec![a, unsupported, unknown],
            vec![none.clone(), dated, kb, kc],
        );
        assert_eq!(fired_credentials(&f), [none.id.as_str()]);
        assert_eq!(f[0].title, "access-key-1 of a never expires");
    }

    #[test]
    fn does_not_fire_for_inactive_credentials_or_human_identities() {
        let m = expiry_supported(machine("m"), true);
        let h = expiry_supported(human("h"), true);
        let live = key(&m, 1, 10, Some(1));
        let mut inactive = key(&m, 2, 10, Some(1));
        inactive.active = false;
        let of_human = key(&h, 1, 10, Some(1));
        let f = run(
            &CredentialNoExpiry,
            vec![m, h],
            vec![live.clone(), inactive, of_human],
        );
        assert_eq!(fired_credentials(&f), [live.id.as_str()]);
    }
}
