use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, IdentityKind, Severity};

/// A deploy key that can push.
pub struct DeployKeyWrite;

static META: RuleMeta = RuleMeta {
    code: super::codes::DEPLOY_KEY_WRITE,
    title: "A deploy key has write access",
    severity: Severity::Medium,
    fires_when: "A repository deploy key is not read-only.",
    explanation: "A deploy key is a long-lived SSH key that is usually copied onto servers and into CI. With write access it can push commits, including to workflows that then run with the repository's secrets, and bypass review if branch protection allows it.",
    remediation: "Recreate the key as read-only unless the workload must push; when it must, prefer a GitHub App with contents: write on that repository only, and protect the default branch.",
    controls: &["OWASP-NHI5", "NIST-CSF-PR.AA-05"],
};

impl Rule for DeployKeyWrite {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx
            .nhis()
            .filter(|i| i.kind == IdentityKind::DeployKey && i.flag("read_only") == Some(false))
        {
            let ev = i.privileges.basis.clone();
            ctx.push(
                out,
                &META,
                Draft::identity(i, format!("deploy key {} can push", i.name), ev),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_write_keys() {
        let mut w = machine("w");
        w.kind = IdentityKind::DeployKey;
        w.attributes
            .insert("read_only".into(), serde_json::json!(false));
        let mut r = machine("r");
        r.kind = IdentityKind::DeployKey;
        r.attributes
            .insert("read_only".into(), serde_json::json!(true));
        let f = run(&DeployKeyWrite, vec![w, r], vec![]);
        assert_eq!(f.len(), 1);
    }
}
