use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, IdentityKind, Severity};

/// A webhook that does not verify TLS.
pub struct WebhookInsecureSsl;

static META: RuleMeta = RuleMeta {
    code: super::codes::WEBHOOK_INSECURE_SSL,
    title: "A webhook does not verify TLS certificates",
    severity: Severity::High,
    fires_when: "A webhook has TLS certificate verification turned off (`insecure_ssl: 1`).",
    explanation: "Deliveries, and the signature secret's protection with them, can be intercepted or redirected by anyone on the path: the payloads often carry code, tokens in URLs, or deployment triggers.",
    remediation: "Give the endpoint a valid certificate and set `insecure_ssl` to 0.",
    controls: &["OWASP-NHI4"],
};

impl Rule for WebhookInsecureSsl {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx
            .inv
            .identities
            .iter()
            .filter(|i| i.kind == IdentityKind::Webhook && i.flag("insecure_ssl") == Some(true))
        {
            let ev = vec![format!(
                "webhook to {} with insecure_ssl: 1",
                i.text("url_host").unwrap_or("?")
            )];
            ctx.push(
                out,
                &META,
                Draft::identity(i, format!("{} does not verify TLS", i.name), ev),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_with_verification_off() {
        let mut a = machine("a");
        a.kind = IdentityKind::Webhook;
        a.attributes
            .insert("insecure_ssl".into(), serde_json::json!(true));
        let mut b = a.clone();
        b.id.push('b');
        b.attributes
            .insert("insecure_ssl".into(), serde_json::json!(false));
        assert_eq!(run(&WebhookInsecureSsl, vec![a, b], vec![]).len(), 1);
    }
}
