use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, PrivilegeLevel, Severity};

/// Write access to every repository.
pub struct TokenBroadScope;

static META: RuleMeta = RuleMeta {
    code: super::codes::TOKEN_BROAD_SCOPE,
    title: "A token or installation can write to every repository",
    severity: Severity::Medium,
    fires_when: "A GitHub App installation or token has write (or admin) permissions and covers all repositories of the organisation (`repository_selection: all`, or a classic token with the `repo` scope).",
    explanation: "Access to every repository, including ones created later, means one compromised integration can tamper with all code and every workflow that runs with the organisation's secrets.",
    remediation: "Limit the installation or token to the repositories it serves (`selected`), and grant only the permissions it uses; replace classic tokens with fine-grained ones.",
    controls: &["OWASP-NHI5", "NIST-CSF-PR.AA-05"],
};

impl Rule for TokenBroadScope {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis().filter(|i| {
            i.text("repository_selection") == Some("all")
                && i.privileges.level >= PrivilegeLevel::Write
        }) {
            let mut ev = vec!["repository selection: all repositories".to_string()];
            ev.extend(i.privileges.basis.iter().cloned());
            ctx.push(
                out,
                &META,
                Draft::identity(i, format!("{} can write to every repository", i.name), ev),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_all_repos_with_write() {
        let mut a = machine("a");
        a.attributes
            .insert("repository_selection".into(), serde_json::json!("all"));
        a.privileges.level = PrivilegeLevel::Write;
        let mut b = a.clone();
        b.id.push('b');
        b.privileges.level = PrivilegeLevel::Read;
        let mut c = a.clone();
        c.id.push('c');
        c.attributes
            .insert("repository_selection".into(), serde_json::json!("selected"));
        assert_eq!(run(&TokenBroadScope, vec![a, b, c], vec![]).len(), 1);
    }
}
