use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, PrivilegeLevel, Severity};

/// Full control, or control of IAM.
pub struct AdminPrivilege;

static META: RuleMeta = RuleMeta {
    code: super::codes::ADMIN_PRIVILEGE,
    title: "The identity has administrator privileges",
    severity: Severity::High,
    fires_when: "A non-human identity is allowed every action on every resource (`*:*`, AdministratorAccess) or full control of IAM (`iam:*` on `*`, IAMFullAccess), after explicit Denies. Critical when the identity also holds an active static credential.",
    explanation: "An administrator machine identity turns any compromise of its workload or key into a compromise of the whole account. Automation almost never needs more than a narrow set of actions.",
    remediation: "Replace the administrator policy with one that grants only the actions the workload uses (IAM Access Analyzer can generate one from CloudTrail activity). Remove static keys from privileged identities; use roles with short-lived credentials.",
    controls: &["OWASP-NHI5", "CIS-AWS-1.15", "NIST-CSF-PR.AA-05"],
};

impl Rule for AdminPrivilege {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx
            .nhis()
            .filter(|i| i.privileges.level == PrivilegeLevel::Admin)
        {
            let mut ev = i.privileges.basis.clone();
            let keys: Vec<&str> = ctx
                .inv
                .credentials_of(&i.id)
                .filter(|c| c.active)
                .map(|c| c.fingerprint.as_str())
                .collect();
            let mut d = Draft::identity(
                i,
                format!("{} has administrator privileges", i.name),
                Vec::new(),
            );
            if !keys.is_empty() {
                ev.push(format!("static credentials active: {}", keys.join(", ")));
                d = d.severity(Severity::Critical);
            }
            d.evidence = ev;
            ctx.push(out, &META, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_admin_and_iam_full_critical_with_keys() {
        let mut admin = machine("admin");
        attach(
            &mut admin,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        );
        let mut iam = machine("iam");
        attach(
            &mut iam,
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#,
        );
        let mut power = machine("power");
        attach(
            &mut power,
            r#"{"Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]}"#,
        );
        let mut denied = machine("denied");
        attach(
            &mut denied,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
        );
        let k = key(&admin, 1, 10, Some(1));
        let f = run(&AdminPrivilege, vec![admin, iam, power, denied], vec![k]);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[1].severity, Severity::High);
    }
}
