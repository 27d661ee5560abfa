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
    use crate::model::Identity;
    use crate::rules::test_support::*;

    fn deploy_key(mut i: Identity, read_only: Option<bool>) -> Identity {
        i.kind = IdentityKind::DeployKey;
        if let Some(ro) = read_only {
            i.attributes
                .insert("read_only".into(), serde_json::json!(ro));
        }
        i
    }

    #[test]
    fn fires_only_for_the_deploy_key_that_is_not_read_only() {
        let mut w = deploy_key(machine("w"), Some(false));
        w.privileges.basis = vec!["deploy key with write access".into()];
        let r = deploy_key(machine("r"), Some(true));
        let f = run(&DeployKeyWrite, vec![w.clone(), r], vec![]);
        assert_eq!(fired_identities(&f), [w.id.as_str()]);
        assert_eq!(f[0].title, "deploy key w can push");
        assert_eq!(f[0].evidence, ["deploy key with write access"]);
    }

    #[test]
    fn does_not_decide_when_read_only_is_unknown() {
        let w = deploy_key(machine("w"), Some(false));
        let unknown = deploy_key(machine("u"), None);
        let f = run(&DeployKeyWrite, vec![w.clone(), unknown], vec![]);
        assert_eq!(fired_identities(&f), [w.id.as_str()]);
    }

    #[test]
    fn does_not_fire_for_other_kinds_or_human_identities() {
        let w = deploy_key(machine("w"), Some(false));
        let mut user = machine("user");
        user.attributes
            .insert("read_only".into(), serde_json::json!(false));
        let of_human = deploy_key(human("h"), Some(false));
        let f = run(&DeployKeyWrite, vec![w.clone(), user, of_human], vec![]);
        assert_eq!(fired_identities(&f), [w.id.as_str()]);
    }
}
