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
    use crate::model::Identity;
    use crate::rules::test_support::*;

    fn consented(name: &str, tenant_wide: Option<bool>, scopes: &[&str]) -> Identity {
        let mut i = machine(name);
        if let Some(t) = tenant_wide {
            i.attributes
                .insert("tenant_wide_consent".into(), serde_json::json!(t));
        }
        i.attributes
            .insert("scope_catalogue".into(), serde_json::json!("graph"));
        i.privileges.scopes = scopes.iter().map(|s| s.to_string()).collect();
        i
    }

    fn own_app(mut i: Identity, own: bool) -> Identity {
        i.attributes
            .insert("own_app".into(), serde_json::json!(own));
        i
    }

    #[test]
    fn fires_only_for_third_party_tenant_wide_consent() {
        let third = consented("third", Some(true), &["openid"]);
        let not_own = own_app(consented("not-own", Some(true), &["openid"]), false);
        let own = own_app(consented("own", Some(true), &["openid"]), true);
        let per_user = consented("per-user", Some(false), &["openid"]);
        let unknown = consented("unknown", None, &["openid"]);
        let f = run(
            &ConsentTenantWide,
            vec![third.clone(), not_own.clone(), own, per_user, unknown],
            vec![],
        );
        assert_eq!(
            fired_identities(&f),
            [not_own.id.as_str(), third.id.as_str()]
        );
        assert_eq!(f[1].title, "third was consented for every user");
    }

    #[test]
    fn is_high_only_when_the_grant_holds_sensitive_scopes() {
        let mut mail = consented("mail", Some(true), &["openid", "Mail.Read"]);
        mail.attributes
            .insert("consent_type".into(), serde_json::json!("AllPrincipals"));
        let plain = consented("plain", Some(true), &["openid", "profile"]);
        let f = run(
            &ConsentTenantWide,
            vec![mail.clone(), plain.clone()],
            vec![],
        );
        assert_eq!(fired_identities(&f), [mail.id.as_str(), plain.id.as_str()]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(
            f[0].evidence,
            [
                "consent type AllPrincipals (every user of the tenant)",
                "sensitive scopes: Mail.Read"
            ]
        );
        assert_eq!(f[1].severity, Severity::Medium);
        assert!(!f[1].evidence.iter().any(|e| e.contains("sensitive")));
    }

    #[test]
    fn does_not_fire_for_a_human_identity() {
        let third = consented("third", Some(true), &["openid"]);
        let mut person = consented("person", Some(true), &["openid"]);
        person.classification = crate::model::Classification::Human;
        let f = run(&ConsentTenantWide, vec![third.clone(), person], vec![]);
        assert_eq!(fired_identities(&f), [third.id.as_str()]);
    }
}
