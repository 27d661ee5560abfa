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
    use crate::model::Identity;
    use crate::rules::test_support::*;

    fn webhook(name: &str, insecure_ssl: Option<bool>) -> Identity {
        let mut i = machine(name);
        i.kind = IdentityKind::Webhook;
        i.attributes
            .insert("url_host".into(), serde_json::json!("hooks.example.com"));
        if let Some(v) = insecure_ssl {
            i.attributes
                .insert("insecure_ssl".into(), serde_json::json!(v));
        }
        i
    }

    #[test]
    fn fires_only_for_the_webhook_with_verification_off() {
        let off = webhook("off", Some(true));
        let on = webhook("on", Some(false));
        let f = run(&WebhookInsecureSsl, vec![off.clone(), on], vec![]);
        assert_eq!(fired_identities(&f), [off.id.as_str()]);
        assert_eq!(f[0].title, "off does not verify TLS");
        assert_eq!(
            f[0].evidence,
            ["webhook to hooks.example.com with insecure_ssl: 1"]
        );
    }

    #[test]
    fn does_not_decide_when_the_setting_is_unknown() {
        let off = webhook("off", Some(true));
        let unknown = webhook("unknown", None);
        let f = run(&WebhookInsecureSsl, vec![off.clone(), unknown], vec![]);
        assert_eq!(fired_identities(&f), [off.id.as_str()]);
    }

    #[test]
    fn does_not_fire_for_an_identity_that_is_not_a_webhook() {
        let off = webhook("off", Some(true));
        let mut app = webhook("app", Some(true));
        app.kind = IdentityKind::App;
        let f = run(&WebhookInsecureSsl, vec![off.clone(), app], vec![]);
        assert_eq!(fired_identities(&f), [off.id.as_str()]);
    }
}
