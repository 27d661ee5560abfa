use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, PrivilegeLevel, Severity};
use crate::policy::Effect;

/// Service-wide wildcards on every resource for sensitive services.
pub struct WildcardPermission;

/// Services where `svc:*` on `*` is sensitive.
const SENSITIVE: &[&str] = &[
    "iam",
    "kms",
    "s3",
    "secretsmanager",
    "sts",
    "organizations",
    "ssm",
    "lambda",
    "ec2",
];

static META: RuleMeta = RuleMeta {
    code: super::codes::WILDCARD_PERMISSION,
    title: "The identity has a service-wide wildcard on every resource for a sensitive service",
    severity: Severity::Medium,
    fires_when: "An Allow statement grants `SERVICE:*` on `Resource: *` for a sensitive service (iam, kms, s3, secretsmanager, sts, organizations, ssm, lambda, ec2). Administrators are reported by admin-privilege instead.",
    explanation: "A wildcard over a whole service grants every action that service has and every action it will add, on every resource, including destructive and data-exfiltrating ones. It is almost always broader than the workload needs.",
    remediation: "List the actions the workload calls (CloudTrail, IAM Access Analyzer policy generation) and grant those, on the specific resources (bucket, key, secret ARNs) it uses.",
    controls: &["OWASP-NHI5", "NIST-CSF-PR.AA-05"],
};

impl Rule for WildcardPermission {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx
            .nhis()
            .filter(|i| i.privileges.level != PrivilegeLevel::Admin)
        {
            let mut services = Vec::new();
            let mut ev = Vec::new();
            for p in &i.privileges.policies {
                let Some(doc) = &p.document else { continue };
                for (ix, st) in doc.statement.iter().enumerate() {
                    if st.effect != Effect::Allow || !st.resource.iter().any(|r| r == "*") {
                        continue;
                    }
                    for a in &st.action {
                        let Some(svc) = a.strip_suffix(":*") else {
                            continue;
                        };
                        let svc = svc.to_ascii_lowercase();
                        if SENSITIVE.contains(&svc.as_str()) && !services.contains(&svc) {
                            ev.push(format!(
                                "{} ({}) statement {ix}: {}",
                                p.name,
                                p.via,
                                st.describe()
                            ));
                            services.push(svc);
                        }
                    }
                }
            }
            if services.is_empty() {
                continue;
            }
            let title = format!(
                "{} has {} on every resource",
                i.name,
                services
                    .iter()
                    .map(|s| format!("{s}:*"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            ctx.push(out, &META, Draft::identity(i, title, ev));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_sensitive_service_wildcards_on_star() {
        let mut a = machine("a");
        attach(
            &mut a,
            r#"{"Statement":{"Effect":"Allow","Action":["s3:*","kms:*"],"Resource":"*"}}"#,
        );
        let mut b = machine("b");
        attach(
            &mut b,
            r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/*"}}"#,
        );
        let mut c = machine("c");
        attach(
            &mut c,
            r#"{"Statement":{"Effect":"Allow","Action":"cloudwatch:*","Resource":"*"}}"#,
        );
        let f = run(&WildcardPermission, vec![a, b, c], vec![]);
        assert_eq!(f.len(), 1);
        assert!(f[0].title.contains("s3:*, kms:*"), "{}", f[0].title);
    }
}
