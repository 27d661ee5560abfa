use std::collections::BTreeMap;

use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{CredentialKind, Finding, Severity};

/// More than one active key of the same kind.
pub struct MultipleActiveKeys;

static META: RuleMeta = RuleMeta {
    code: super::codes::MULTIPLE_ACTIVE_KEYS,
    title: "The identity has more than one active key of the same kind",
    severity: Severity::Medium,
    fires_when: "A non-human identity has two or more active credentials of the same kind (for AWS: both access keys active).",
    explanation: "Two active keys usually mean a rotation that was started and never finished: the old key still works wherever it was copied. One active key per identity keeps rotation honest.",
    remediation: "Find which key is in use (compare last-used dates), move every consumer to it, then deactivate and delete the other.",
    controls: &["CIS-AWS-1.12"],
};

impl Rule for MultipleActiveKeys {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let mut by: BTreeMap<(&str, CredentialKind), Vec<&str>> = BTreeMap::new();
        for (i, c) in ctx.nhi_credentials() {
            if matches!(
                c.kind,
                CredentialKind::AccessKey | CredentialKind::ClientSecret | CredentialKind::Token
            ) {
                by.entry((i.id.as_str(), c.kind))
                    .or_default()
                    .push(c.fingerprint.as_str());
            }
        }
        for ((id, kind), keys) in by {
            if keys.len() < 2 {
                continue;
            }
            let Some(i) = ctx.inv.identity(id) else {
                continue;
            };
            let kind = serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let ev = vec![format!(
                "{} active {kind}s: {}",
                keys.len(),
                keys.join(", ")
            )];
            let d = Draft::identity(
                i,
                format!("{} has {} active {kind}s", i.name, keys.len()),
                ev,
            )
            .key(kind);
            ctx.push(out, &META, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_with_two_active_keys() {
        let a = machine("a");
        let b = machine("b");
        let mut inactive = key(&b, 2, 10, Some(1));
        inactive.active = false;
        let creds = vec![
            key(&a, 1, 10, Some(1)),
            key(&a, 2, 10, Some(1)),
            key(&b, 1, 10, Some(1)),
            inactive,
        ];
        let f = run(&MultipleActiveKeys, vec![a, b], creds);
        assert_eq!(f.len(), 1);
        assert!(f[0].identity.ends_with("user/a"));
    }
}
