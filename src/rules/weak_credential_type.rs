use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{CredentialKind, Finding, Provider, Severity};

/// A shared secret where a stronger kind exists.
pub struct WeakCredentialType;

static META: RuleMeta = RuleMeta {
    code: super::codes::WEAK_CREDENTIAL_TYPE,
    title: "A weaker credential type is used where a stronger one is available",
    severity: Severity::Low,
    fires_when: "A credential is of a kind the provider has superseded: a classic GitHub personal access token (coarse scopes, every repository) instead of a fine-grained token or a GitHub App; an Entra client secret instead of a certificate or federation.",
    explanation: "Older credential types cannot be limited to specific resources or given short lifetimes, and some cannot be tied to a workload at all.",
    remediation: "Replace classic tokens with fine-grained tokens limited to the repositories and permissions needed (or a GitHub App); replace client secrets with certificates or workload identity federation.",
    controls: &["OWASP-NHI4", "OWASP-NHI7"],
};

impl Rule for WeakCredentialType {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis() {
            let (title, why) = match i.text("credential_type") {
                Some("classic-pat") => (
                    "a classic personal access token",
                    "classic tokens grant scopes across every repository the owner can reach",
                ),
                Some("client-secret") => (
                    "a client secret",
                    "a certificate or federated credential can replace it",
                ),
                _ => continue,
            };
            let ev = vec![format!("{} is {title}: {why}", i.name)];
            ctx.push(
                out,
                &META,
                Draft::identity(i, format!("{} uses {title}", i.name), ev),
            );
        }
        // App registrations and service principals read by connectors: each client secret.
        for (i, c) in ctx
            .nhi_credentials()
            .filter(|(i, c)| i.provider == Provider::Saas && c.kind == CredentialKind::ClientSecret)
        {
            let ev = vec![format!(
                "{} of {} is a client secret: a certificate (private_key_jwt) or workload identity federation can replace it",
                c.fingerprint, i.name
            )];
            ctx.push(
                out,
                &META,
                Draft::credential(
                    c,
                    format!("{} authenticates with a client secret", i.name),
                    ev,
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_classic_tokens() {
        let mut a = machine("a");
        a.attributes
            .insert("credential_type".into(), serde_json::json!("classic-pat"));
        assert_eq!(
            run(&WeakCredentialType, vec![a, machine("b")], vec![]).len(),
            1
        );
    }

    #[test]
    fn fires_for_saas_client_secrets_not_certificates() {
        let mut app = machine("app");
        app.provider = Provider::Saas;
        let mut secret = key(&app, 1, 10, None);
        secret.kind = CredentialKind::ClientSecret;
        let mut cert = key(&app, 2, 10, None);
        cert.kind = CredentialKind::Certificate;
        let f = run(&WeakCredentialType, vec![app], vec![secret, cert]);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].credential
                .as_deref()
                .unwrap()
                .ends_with("access-key-1")
        );
    }
}
