use std::collections::BTreeSet;

use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};
use crate::policy::Effect;

/// A role trusted by an account nobody vouched for.
pub struct CrossAccountTrustUnknown;

static META: RuleMeta = RuleMeta {
    code: super::codes::CROSS_ACCOUNT_TRUST_UNKNOWN,
    title: "The role trusts an AWS account that is not known",
    severity: Severity::High,
    fires_when: "A trust policy lets principals of another AWS account assume the role, and that account is neither in `known_accounts` of nhi.yaml nor one of the accounts scanned in the same run.",
    explanation: "Every trusted account is a third party with a key to yours. Vendor integrations are often granted and forgotten; an account nobody recognises may belong to a former vendor, a personal account, or an attacker who added it.",
    remediation: "Identify the account. If it belongs to a vendor or another of your accounts, add it to `known_accounts` in nhi.yaml with its name; require `sts:ExternalId` for vendors. Otherwise remove it from the trust policy.",
    controls: &["OWASP-NHI3"],
};

/// The account id in a principal value (`123456789012` or `arn:aws:iam::123456789012:...`).
fn account_of(v: &str) -> Option<&str> {
    let acct = if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        v
    } else {
        let mut parts = v.split(':');
        if parts.next()? != "arn" {
            return None;
        }
        parts.nth(3)?
    };
    (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then_some(acct)
}

impl Rule for CrossAccountTrustUnknown {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let scanned: BTreeSet<&str> = ctx
            .inv
            .identities
            .iter()
            .filter_map(|i| i.account.as_deref())
            .collect();
        for i in ctx.nhis() {
            let Some(doc) = &i.trust_policy else { continue };
            for (ix, st) in doc.statement.iter().enumerate() {
                if st.effect != Effect::Allow {
                    continue;
                }
                let Some(p) = &st.principal else { continue };
                for (kind, value) in p.entries() {
                    if kind != "AWS" {
                        continue;
                    }
                    let Some(acct) = account_of(value) else {
                        continue;
                    };
                    if Some(acct) == i.account.as_deref()
                        || ctx.cfg.known_accounts.contains_key(acct)
                        || scanned.contains(acct)
                    {
                        continue;
                    }
                    let mut ev = vec![format!("trust policy statement {ix}: principal {value}")];
                    ev.push(format!(
                        "account {acct} is not in known_accounts and was not scanned"
                    ));
                    if st.has_condition_key("sts:ExternalId") {
                        ev.push("an sts:ExternalId condition is present".into());
                    }
                    let title = format!("{} is trusted by unknown account {acct}", i.name);
                    ctx.push(
                        out,
                        &META,
                        Draft::identity(i, title, ev).key(acct.to_string()),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_unknown_accounts_only() {
        let t = |a: &str| {
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{a}"}},"Action":"sts:AssumeRole"}}]}}"#
            )
        };
        let unknown = role("u", &t("arn:aws:iam::999988887777:root"));
        let known = role("k", &t("111122223333"));
        let own = role("o", &t("arn:aws:iam::123456789012:role/x"));
        let c = cfg("known_accounts:\n  \"111122223333\": shared\n");
        let f = run_with(
            &CrossAccountTrustUnknown,
            vec![unknown, known, own],
            vec![],
            &c,
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].title.contains("999988887777"));
        assert_eq!(
            account_of("arn:aws:iam::999988887777:root"),
            Some("999988887777")
        );
        assert_eq!(account_of("*"), None);
    }
}
