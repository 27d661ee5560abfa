use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};
use crate::policy::Effect;

/// A service trust without source conditions.
pub struct ConfusedDeputy;

/// Services that can only use a role passed to them with iam:PassRole in the same account,
/// where the confused-deputy conditions do not apply.
const PASS_ROLE_ONLY: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "edgelambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "ecs.amazonaws.com",
    "eks.amazonaws.com",
    "eks-fargate-pods.amazonaws.com",
    "eks-nodegroup.amazonaws.com",
    "pods.eks.amazonaws.com",
];

const SOURCE_KEYS: &[&str] = &[
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
];

static META: RuleMeta = RuleMeta {
    code: super::codes::CONFUSED_DEPUTY,
    title: "A service trust lacks aws:SourceAccount / aws:SourceArn conditions",
    severity: Severity::Medium,
    fires_when: "A trust policy lets an AWS service principal (other than compute services that need iam:PassRole in the same account) assume the role without an `aws:SourceAccount`, `aws:SourceArn` or `aws:SourceOrgID` condition.",
    explanation: "Services act for many customers. Without a source condition, another customer can point the same service at your role and have the service assume it on their behalf: the confused-deputy problem.",
    remediation: "Add `aws:SourceAccount` (your account id) and, where the service supports it, `aws:SourceArn` (the specific resource, e.g. the Bedrock agent or Config recorder ARN) to the trust statement.",
    controls: &["OWASP-NHI6"],
};

impl Rule for ConfusedDeputy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis() {
            let Some(doc) = &i.trust_policy else { continue };
            for (ix, st) in doc.statement.iter().enumerate() {
                if st.effect != Effect::Allow || SOURCE_KEYS.iter().any(|k| st.has_condition_key(k))
                {
                    continue;
                }
                let Some(p) = &st.principal else { continue };
                let services: Vec<&str> = p
                    .entries()
                    .into_iter()
                    .filter(|(k, v)| *k == "Service" && !PASS_ROLE_ONLY.contains(v))
                    .map(|(_, v)| v)
                    .collect();
                if services.is_empty() {
                    continue;
                }
                let ev = vec![
                    format!(
                        "trust policy statement {ix}: service principal {}",
                        services.join(", ")
                    ),
                    "no aws:SourceAccount, aws:SourceArn or aws:SourceOrgID condition".into(),
                ];
                let title = format!(
                    "{} trusts {} without source conditions",
                    i.name,
                    services.join(", ")
                );
                ctx.push(
                    out,
                    &META,
                    Draft::identity(i, title, ev).key(ix.to_string()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_unconditioned_service_trust() {
        let t = |s: &str, c: &str| {
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"Service":"{s}"}},"Action":"sts:AssumeRole"{c}}}]}}"#
            )
        };
        let bad = role("bad", &t("bedrock.amazonaws.com", ""));
        let good = role(
            "good",
            &t(
                "bedrock.amazonaws.com",
                r#","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}"#,
            ),
        );
        let ec2 = role("ec2", &t("ec2.amazonaws.com", ""));
        let f = run(&ConfusedDeputy, vec![bad, good, ec2], vec![]);
        assert_eq!(f.len(), 1);
        assert!(f[0].identity.ends_with("role/bad"));
    }
}
