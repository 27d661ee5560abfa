use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, IdentityKind, Severity};

/// A webhook without a signing secret.
pub struct WebhookNoSecret;

static META: RuleMeta = RuleMeta {
    code: super::codes::WEBHOOK_NO_SECRET,
    title: "A webhook has no secret",
    severity: Severity::Medium,
    fires_when: "A webhook is configured without a secret, so its deliveries carry no signature.",
    explanation: "Without a signature the receiving endpoint cannot tell GitHub's deliveries from anyone else's requests: an attacker who learns the URL can trigger deployments or automation with forged events.",
    remediation: "Set a random secret on the webhook and verify the `X-Hub-Signature-256` header on the receiving side.",
    controls: &["OWASP-NHI4"],
};

impl Rule for WebhookNoSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx
            .inv
            .identities
            .iter()
            .filter(|i| i.kind == IdentityKind::Webhook && i.flag("secret_set") == Some(false))
        {
            let ev = vec![format!(
                "webhook to {} has no secret",
                i.text("url_host").unwrap_or("?")
            )];
            ctx.push(
                out,
                &META,
                Draft::identity(i, format!("{} has no secret", i.name), ev),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Identity;
    use crate::rules::test_support::*;

    fn webhook(name: &str, secret_set: Option<bool>) -> Identity {
        let mut i = machine(name);
        i.kind = IdentityKind::Webhook;
        i.attributes
            .insert("url_host".into(), serde_json::json!("hooks.example.com"));
        if let Some(v) = secret_set {
            i.attributes
                .insert("secret_set".into(), serde_json::json!(v));
        }
        i
    }

    #[test]
    fn fires_only_for_the_webhook_without_a_secret() {
        let bare = webhook("bare", Some(false));
        let signed = webhook("signed", Some(true));
        let f = run(&WebhookNoSecret, vec![bare.clone(), signed], vec![]);
        assert_eq!(fired_identities(&f), [bare.id.as_str()]);
        assert_eq!(f[0].title, "bare has no secret");
        assert_eq!(
            f[0].evidence,
            ["webhook to hooks.example.com has no secret"]
        );
    }

    #[test]
    fn does_not_decide_when_the_secret_is_unknown() {
        let bare = webhook("bare", Some(false));
        let unknown = webhook("unknown", None);
        let f = run(&WebhookNoSecret, vec![bare.clone(), unknown], vec![]);
        assert_eq!(fired_identities(&f), [bare.id.as_str()]);
    }

    #[test]
    fn does_not_fire_for_an_identity_that_is_not_a_webhook() {
        let bare = webhook("bare", Some(false));
        let mut app = webhook("app", Some(false));
        app.kind = IdentityKind::App;
        let f = run(&WebhookNoSecret, vec![bare.clone(), app], vec![]);
        assert_eq!(fired_identities(&f), [bare.id.as_str()]);
    }
}
