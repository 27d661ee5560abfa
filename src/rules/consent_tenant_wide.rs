use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// Admin consent on behalf of every user.
pub struct ConsentTenantWide;

static META: RuleMeta = RuleMeta {
    code: super::codes::CONSENT_TENANT_WIDE,
    title: "An app was consented for every user of the tenant",
    severity: Severity::Medium,
    fires_when: "A delegated grant was consented by an administrator for all users (Entra `consentType: AllPrincipals`), and the app is not one the tenant itself owns. High when the grant holds sensitive scopes.",
    explanation: "Tenant-wide consent lets the app act as any user who signs in to it, with no user ever asked. A third-party app granted this way is a standing path into every mailbox or file the scopes reach.",
    remediation: "Replace the tenant-wide consent with per-user consent or assignment-required access for the users who need the app, remove the scopes it does not use, and restrict who may grant admin consent (admin consent workflow).",
    controls: &["OWASP-NHI3", "NIST-CSF-PR.AA-05"],
};

impl Rule for ConsentTenantWide {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis().filter(|i| {
            i.flag("tenant_wide_consent") == Some(true) && i.flag("own_app") != Some(true)
        }) {
            let mut ev = vec![format!(
                "consent type {} (every user of the tenant)",
                i.text("consent_type").unwrap_or("tenant-wide")
            )];
            if let Some(r) = i.text("resource") {
                ev.push(format!("to the API {r}"));
            }
            let sensitive: Vec<String> = crate::scopes::ratings(i)
                .into_iter()
                .filter(|r| r.sensitive.is_some())
                .map(|r| r.scope)
                .collect();
            let mut d = Draft::identity(
                i,
                format!("{} was consented for every user", i.name),
                Vec::new(),
            );
            if !sensitive.is_empty() {
                ev.push(format!("sensitive scopes: {}", sensitive.join(", ")));
                d = d.severity(Severity::High);
            }
            d.evidence = ev;
            ctx.push(out, &META, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_third_party_tenant_wide_consent() {
        let mut a = machine("a");
        a.attributes
            .insert("tenant_wide_consent".into(), serde_json::json!(true));
        a.attributes
            .insert("scope_catalogue".into(), serde_json::json!("graph"));
        a.privileges.scopes = vec!["Mail.Read".into()];
        let mut own = a.clone();
        own.id.push_str("-own");
        own.attributes
            .insert("own_app".into(), serde_json::json!(true));
        let mut per_user = machine("c");
        per_user
            .attributes
            .insert("tenant_wide_consent".into(), serde_json::json!(false));
        let f = run(&ConsentTenantWide, vec![a, own, per_user], vec![]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::High);
    }
}
