use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// Nobody says what the identity is for.
pub struct PurposeMissing;

static META: RuleMeta = RuleMeta {
    code: super::codes::PURPOSE_MISSING,
    title: "No purpose is recorded for the identity",
    severity: Severity::Low,
    fires_when: "No source (purpose or description tags, the provider's description, ownership rules) states what a non-human identity is for.",
    explanation: "Without a stated purpose a reviewer cannot judge whether the identity's privileges are right, or whether it is still needed. Least privilege starts from knowing what the identity must do.",
    remediation: "Tag the identity with its purpose (`purpose=nightly export of orders to the data lake`) or set one in an `ownership` rule of nhi.yaml.",
    controls: &["OWASP-NHI1", "NIST-CSF-PR.AA-05"],
};

impl Rule for PurposeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis().filter(|i| !i.purpose.is_known()) {
            let ev = vec![format!(
                "no purpose tag ({}), no description, no matching ownership rule",
                ctx.cfg.attribution.purpose_tags.join(", ")
            )];
            ctx.push(
                out,
                &META,
                Draft::identity(i, format!("{} has no recorded purpose", i.name), ev),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Attribution;
    use crate::rules::test_support::*;

    #[test]
    fn fires_only_without_purpose() {
        let a = machine("a");
        let mut b = machine("b");
        b.purpose = Attribution::from("backups", "tag:purpose");
        let f = run(&PurposeMissing, vec![a, b], vec![]);
        assert_eq!(f.len(), 1);
        assert!(f[0].identity.ends_with("user/a"));
    }
}
