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
    use crate::model::Identity;
    use crate::rules::test_support::*;

    fn token(name: &str, selection: Option<&str>, level: PrivilegeLevel) -> Identity {
        let mut i = machine(name);
        if let Some(s) = selection {
            i.attributes
                .insert("repository_selection".into(), serde_json::json!(s));
        }
        i.privileges.level = level;
        i
    }

    #[test]
    fn fires_only_for_write_or_admin_on_all_repositories() {
        let mut write = token("write", Some("all"), PrivilegeLevel::Write);
        write.privileges.basis = vec!["contents: write".into()];
        let admin = token("admin", Some("all"), PrivilegeLevel::Admin);
        let read = token("read", Some("all"), PrivilegeLevel::Read);
        let selected = token("selected", Some("selected"), PrivilegeLevel::Admin);
        let f = run(
            &TokenBroadScope,
            vec![write.clone(), admin.clone(), read, selected],
            vec![],
        );
        assert_eq!(fired_identities(&f), [admin.id.as_str(), write.id.as_str()]);
        assert_eq!(f[1].title, "write can write to every repository");
        assert_eq!(
            f[1].evidence,
            ["repository selection: all repositories", "contents: write"]
        );
    }

    #[test]
    fn does_not_decide_when_the_repository_selection_is_unknown() {
        let all = token("all", Some("all"), PrivilegeLevel::Write);
        let unknown = token("unknown", None, PrivilegeLevel::Admin);
        let f = run(&TokenBroadScope, vec![all.clone(), unknown], vec![]);
        assert_eq!(fired_identities(&f), [all.id.as_str()]);
    }

    #[test]
    fn does_not_fire_for_a_human_identity() {
        let all = token("all", Some("all"), PrivilegeLevel::Write);
        let mut person = token("person", Some("all"), PrivilegeLevel::Write);
        person.classification = crate::model::Classification::Human;
        let f = run(&TokenBroadScope, vec![all.clone(), person], vec![]);
        assert_eq!(fired_identities(&f), [all.id.as_str()]);
    }
}
