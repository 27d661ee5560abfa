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
    use crate::rules::test_support::*;

    #[test]
    fn fires_without_secret() {
        let mut a = machine("a");
        a.kind = IdentityKind::Webhook;
        a.attributes
            .insert("secret_set".into(), serde_json::json!(false));
        let mut b = a.clone();
        b.id.push('b');
        b.attributes
            .insert("secret_set".into(), serde_json::json!(true));
        assert_eq!(run(&WebhookNoSecret, vec![a, b], vec![]).len(), 1);
    }
}
