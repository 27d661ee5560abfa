use super::escalation::METHODS;
use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, PrivilegeLevel, Provider, Severity};
use crate::policy::{Query, Reach, evaluate};

/// Permissions that allow escalating to more privileges.
pub struct PrivilegeEscalation;

static META: RuleMeta = RuleMeta {
    code: super::codes::PRIVILEGE_ESCALATION,
    title: "The identity's permissions allow privilege escalation",
    severity: Severity::High,
    fires_when: "The identity's effective permissions (inline, managed and group policies, after explicit Denies, ignoring grants defeated by their conditions or limited to unrelated resources) contain every permission of a published escalation method (Rhino Security Labs' 21 IAM methods and their successors). Administrators are reported by admin-privilege instead.",
    explanation: "An identity that can rewrite policies, attach policies, create keys for other users, or pass a privileged role to compute it controls is an administrator in waiting: whoever holds its credential can grant themselves anything.",
    remediation: "Remove the permissions the method needs, or scope them to specific resources that cannot lead to more privilege (for iam:PassRole, specific role ARNs and an iam:PassedToService condition). Set a permissions boundary on identities that must manage IAM.",
    controls: &["OWASP-NHI5", "NIST-CSF-PR.AA-05"],
};

impl Rule for PrivilegeEscalation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx
            .nhis()
            .filter(|i| i.provider == Provider::Aws && i.privileges.level != PrivilegeLevel::Admin)
        {
            let policies = &i.privileges.policies;
            let mut methods = Vec::new();
            let mut evidence = Vec::new();
            for m in METHODS {
                let grants: Option<Vec<String>> = m
                    .needs
                    .iter()
                    .map(|n| {
                        let q = Query {
                            action: n.action,
                            resource: n.resource,
                            reach: if n.all { Reach::All } else { Reach::Some },
                            passed_to: n.passed_to,
                            exclude_self: n.not_self,
                        };
                        evaluate(policies, &q)
                            .grant()
                            .map(|g| format!("{}: {g}", n.action))
                    })
                    .collect();
                if let Some(g) = grants {
                    methods.push(m.name);
                    evidence.push(format!("{} ({}):", m.name, m.source));
                    evidence.extend(g.into_iter().map(|s| format!("  {s}")));
                }
            }
            if methods.is_empty() {
                continue;
            }
            let title = format!(
                "{} can escalate privileges ({})",
                i.name,
                methods.join(", ")
            );
            ctx.push(out, &META, Draft::identity(i, title, evidence));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    fn one(doc: &str) -> Vec<Finding> {
        let mut i = machine("x");
        attach(&mut i, doc);
        run(&PrivilegeEscalation, vec![i], vec![])
    }

    #[test]
    fn fires_for_published_methods() {
        let f = one(
            r#"{"Statement":{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"arn:aws:iam::123456789012:policy/*"}}"#,
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].title.contains("CreateNewPolicyVersion"));
        let f = one(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#,
        );
        assert!(
            f[0].title.contains("PassExistingRoleToNewLambdaThenInvoke"),
            "{f:?}"
        );
    }

    #[test]
    fn does_not_fire_when_defeated() {
        // Only on itself.
        assert!(one(r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::123456789012:user/${aws:username}"}}"#).is_empty());
        // PassRole limited to another service.
        assert!(one(r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}},{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}"#).is_empty());
        // Explicitly denied.
        assert!(one(r#"{"Statement":[{"Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"*"},{"Effect":"Deny","Action":"iam:AttachUserPolicy","Resource":"*"}]}"#).is_empty());
        // Unrelated resource.
        assert!(one(r#"{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:s3:::bucket/*"}}"#).is_empty());
        // Read-only IAM.
        assert!(one(r#"{"Statement":{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}}"#).is_empty());
    }
}
