use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, PrivilegeLevel, Severity};

/// A non-human identity nobody owns.
pub struct OwnerMissing;

static META: RuleMeta = RuleMeta {
    code: super::codes::OWNER_MISSING,
    title: "No owner can be attributed to the identity",
    severity: Severity::Medium,
    fires_when: "No source (tags, description, provider fields, ownership rules in nhi.yaml) names an owner for a non-human identity. Raised to high when the identity has admin privileges or is an AI agent.",
    explanation: "An identity without an owner is never reviewed, never rotated and never removed: when its purpose ends nobody notices, and when it is abused nobody is asked. Orphaned machine identities are the first thing an attacker looks for because nobody watches them.",
    remediation: "Find who uses it (CloudTrail, the last-used service, the code that holds its key), then tag it with an owner (`owner=team@example.com`) or add an `ownership` rule to nhi.yaml. If nobody claims it, disable its credentials and delete it after a waiting period.",
    controls: &["OWASP-NHI1", "NIST-CSF-PR.AA-01"],
};

impl Rule for OwnerMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis().filter(|i| !i.owner.is_known()) {
            let mut evidence = vec![format!(
                "no owner tag ({}), no description, no matching ownership rule",
                ctx.cfg.attribution.owner_tags.join(", ")
            )];
            let mut d = Draft::identity(i, format!("{} has no owner", i.name), Vec::new());
            if i.privileges.level == PrivilegeLevel::Admin {
                evidence.push("the identity has admin privileges".into());
                d = d.severity(Severity::High);
            }
            if i.is_ai_agent() {
                evidence.push("the identity is an AI agent".into());
                d = d.severity(Severity::High);
            }
            d.evidence = evidence;
            ctx.push(out, &META, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Attribution;
    use crate::rules::test_support::*;

    #[test]
    fn fires_without_owner_and_raises_for_admin() {
        let mut plain = machine("a");
        let mut owned = machine("b");
        owned.owner = Attribution::from("x@y", "tag:owner");
        let mut admin = machine("c");
        attach(
            &mut admin,
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        );
        let mut human = machine("d");
        human.classification = crate::model::Classification::Human;
        plain.tags.clear();
        let f = run(&OwnerMissing, vec![plain, owned, admin, human], vec![]);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].severity, Severity::Medium);
        assert_eq!(f[1].severity, Severity::High);
    }
}
