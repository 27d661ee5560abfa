use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, PrivilegeLevel, Severity};

/// An OAuth grant or app permission with sensitive scopes.
pub struct OauthScopeSensitive;

static META: RuleMeta = RuleMeta {
    code: super::codes::OAUTH_SCOPE_SENSITIVE,
    title: "An OAuth grant or app holds sensitive scopes",
    severity: Severity::High,
    fires_when: "An app, service principal, token or OAuth grant holds a scope the scope catalogue (data/scope-catalogue.yaml) marks sensitive: mail, files, chat history, directory or policy write, administration. Medium when every sensitive scope only reads.",
    explanation: "A sensitive scope lets whoever holds the app's credentials, or compromises the vendor, read mail and files or change the directory for every user the grant covers. OAuth grants are rarely reviewed after consent and survive password resets and MFA.",
    remediation: "Review whether the app needs each sensitive scope; revoke the grant or replace it with narrower scopes (for example Sites.Selected instead of Sites.ReadWrite.All, drive.file instead of drive), and assign an owner who reviews it.",
    controls: &["OWASP-NHI3", "OWASP-NHI5", "NIST-CSF-PR.AA-05"],
};

impl Rule for OauthScopeSensitive {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis().filter(|i| i.active) {
            let sensitive: Vec<_> = crate::scopes::ratings(i)
                .into_iter()
                .filter(|r| r.sensitive.is_some())
                .collect();
            if sensitive.is_empty() {
                continue;
            }
            let ev: Vec<String> = sensitive
                .iter()
                .map(|r| {
                    format!(
                        "{} ({}): {}",
                        r.scope,
                        format!("{:?}", r.level).to_lowercase(),
                        r.sensitive.as_deref().unwrap_or_default()
                    )
                })
                .collect();
            let names: Vec<&str> = sensitive.iter().map(|r| r.scope.as_str()).collect();
            let mut d = Draft::identity(
                i,
                format!("{} holds sensitive scopes: {}", i.name, names.join(", ")),
                ev,
            );
            if sensitive.iter().all(|r| r.level <= PrivilegeLevel::Read) {
                d = d.severity(Severity::Medium);
            }
            ctx.push(out, &META, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    fn scoped(name: &str, ns: &str, scopes: &[&str]) -> crate::model::Identity {
        let mut i = machine(name);
        i.attributes
            .insert("scope_catalogue".into(), serde_json::json!(ns));
        i.privileges.scopes = scopes.iter().map(|s| s.to_string()).collect();
        i
    }

    #[test]
    fn fires_on_sensitive_scopes_only() {
        let f = run(
            &OauthScopeSensitive,
            vec![
                scoped("a", "graph", &["User.Read", "Directory.ReadWrite.All"]),
                scoped("b", "graph", &["User.Read", "openid"]),
                scoped(
                    "c",
                    "google",
                    &["https://www.googleapis.com/auth/drive.readonly"],
                ),
                scoped("d", "nope", &["Directory.ReadWrite.All"]),
            ],
            vec![],
        );
        assert_eq!(f.len(), 2);
        let a = f.iter().find(|f| f.identity.ends_with("/a")).unwrap();
        assert_eq!(a.severity, Severity::High);
        assert!(a.evidence[0].contains("Directory.ReadWrite.All"));
        let c = f.iter().find(|f| f.identity.ends_with("/c")).unwrap();
        assert_eq!(c.severity, Severity::Medium);
    }
}
