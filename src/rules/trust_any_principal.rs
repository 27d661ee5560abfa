use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};
use crate::policy::Effect;

/// A role anyone can assume.
pub struct TrustAnyPrincipal;

/// Condition keys that restrict who may assume a role to a known set of principals.
pub(crate) const RESTRICTING_KEYS: &[&str] = &[
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:userid",
];

static META: RuleMeta = RuleMeta {
    code: super::codes::TRUST_ANY_PRINCIPAL,
    title: "The role's trust policy lets any AWS principal assume it",
    severity: Severity::Critical,
    fires_when: "An Allow statement of a trust policy names `*` (or `{\"AWS\": \"*\"}`) as principal without a condition restricting the caller's organisation, account, ARN or network (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, aws:SourceVpce, …).",
    explanation: "Any AWS account in the world, including an attacker's, can call sts:AssumeRole on this role and receive its permissions. An external id alone does not fix this: it is not a secret.",
    remediation: "Replace `*` with the exact account or role ARNs that must assume the role, or add a condition such as `aws:PrincipalOrgID` limiting callers to your organisation.",
    controls: &["OWASP-NHI5", "OWASP-NHI6"],
};

impl Rule for TrustAnyPrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis() {
            let Some(doc) = &i.trust_policy else { continue };
            for (ix, st) in doc.statement.iter().enumerate() {
                if st.effect != Effect::Allow {
                    continue;
                }
                let Some(p) = &st.principal else { continue };
                let any = p
                    .entries()
                    .iter()
                    .any(|(k, v)| (*k == "*" || *k == "AWS") && *v == "*");
                if !any || RESTRICTING_KEYS.iter().any(|k| st.has_condition_key(k)) {
                    continue;
                }
                let mut ev = vec![format!(
                    "trust policy statement {ix}: {} with principal *",
                    st.describe()
                )];
                if st.has_condition_key("sts:ExternalId") {
                    ev.push("only an sts:ExternalId condition, which is not a secret".into());
                }
                let d = Draft::identity(
                    i,
                    format!("{} can be assumed by any AWS principal", i.name),
                    ev,
                )
                .key(ix.to_string());
                ctx.push(out, &META, d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_without_restricting_condition() {
        let open = role(
            "open",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
        );
        let star = role(
            "star",
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}"#,
        );
        let org = role(
            "org",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}"#,
        );
        let acct = role(
            "acct",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#,
        );
        let f = run(&TrustAnyPrincipal, vec![open, star, org, acct], vec![]);
        assert_eq!(f.len(), 2);
        assert!(
            f.iter()
                .any(|f| f.evidence.iter().any(|e| e.contains("ExternalId")))
        );
    }
}
