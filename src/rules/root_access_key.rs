use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, IdentityKind, Severity};

/// The root user has an access key.
pub struct RootAccessKey;

static META: RuleMeta = RuleMeta {
    code: super::codes::ROOT_ACCESS_KEY,
    title: "The AWS root user has an active access key",
    severity: Severity::Critical,
    fires_when: "The account's root user (`<root_account>` in the credential report) has an active access key.",
    explanation: "The root user can do everything in the account, including closing it and changing its billing and support, and no policy can restrict it. A static key for it is the most valuable credential an attacker can find.",
    remediation: "Delete the root user's access keys (sign in as root, Security credentials, Access keys). Use IAM roles for automation; keep root for the few tasks only it can do, with MFA.",
    controls: &["CIS-AWS-1.3", "OWASP-NHI5"],
};

impl Rule for RootAccessKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx
            .inv
            .identities
            .iter()
            .filter(|i| i.kind == IdentityKind::Root)
        {
            for c in ctx.inv.credentials_of(&i.id).filter(|c| c.active) {
                let mut ev = vec![format!("{} of the root user is active", c.fingerprint)];
                if let Some(u) = c.last_used {
                    ev.push(format!("last used {}", u.format("%Y-%m-%d")));
                }
                let title = format!(
                    "root user of account {} has an active access key",
                    i.account.as_deref().unwrap_or("?")
                );
                ctx.push(out, &META, Draft::credential(c, title, ev));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_root_only() {
        let mut root = machine("root");
        root.kind = IdentityKind::Root;
        root.id = "aws:iam::123456789012:root".into();
        root.classification = crate::model::Classification::Human;
        let user = machine("u");
        let mut off = key(&root, 2, 10, None);
        off.active = false;
        let creds = vec![key(&root, 1, 10, None), off, key(&user, 1, 10, None)];
        let f = run(&RootAccessKey, vec![root, user], creds);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].identity, "aws:iam::123456789012:root");
    }
}
