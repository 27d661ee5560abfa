use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// The owner has left.
pub struct OwnerDeparted;

static META: RuleMeta = RuleMeta {
    code: super::codes::OWNER_DEPARTED,
    title: "The identity's owner is no longer an active member of the organisation",
    severity: Severity::High,
    fires_when: "The attributed owner is marked `active: false` in the `people` roster of nhi.yaml, or is absent from a non-empty roster (for GitHub: no longer an org member).",
    explanation: "When people leave, their machine identities stay behind with working credentials and nobody accountable for them. Offboarding that misses non-human identities is the most common way long-lived keys end up orphaned.",
    remediation: "Reassign the identity to a current owner (update its owner tag or ownership rule). If the new owner cannot vouch for its purpose, disable its credentials, then delete it.",
    controls: &["OWASP-NHI1", "NIST-CSF-PR.AA-01"],
};

impl Rule for OwnerDeparted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis() {
            let Some(owner) = &i.owner.value else {
                continue;
            };
            // The provider knows its members (GitHub organisation membership).
            if i.flag("owner_is_member") == Some(false) {
                let org = i.account.as_deref().unwrap_or("the organisation");
                let ev = vec![format!(
                    "`{owner}` (from {}) is not a member or outside collaborator of {org}",
                    i.owner.source
                )];
                ctx.push(
                    out,
                    &META,
                    Draft::identity(
                        i,
                        format!("{} is owned by {owner}, who is no longer in {org}", i.name),
                        ev,
                    ),
                );
                continue;
            }
            if ctx.cfg.people.is_empty() {
                continue; // Nothing to compare with: the rule cannot decide.
            }
            let (title, evidence) = match ctx.cfg.person(owner) {
                Some(p) if p.active => continue,
                Some(p) => (
                    format!("{} is owned by {}, who has left", i.name, p.id),
                    vec![format!(
                        "owner `{owner}` (from {}) is marked inactive in the people roster",
                        i.owner.source
                    )],
                ),
                None => (
                    format!(
                        "{} is owned by {owner}, who is not in the people roster",
                        i.name
                    ),
                    vec![format!(
                        "owner `{owner}` (from {}) matches no id or alias of the {} people in the roster",
                        i.owner.source,
                        ctx.cfg.people.len()
                    )],
                ),
            };
            ctx.push(out, &META, Draft::identity(i, title, evidence));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Attribution;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_inactive_and_unknown_owners_only() {
        let roster = "people:\n  - id: alice@acme.example\n    aliases: [alice]\n  - id: bob@acme.example\n    active: false\n";
        let mut a = machine("a");
        a.owner = Attribution::from("Alice", "tag:owner");
        let mut b = machine("b");
        b.owner = Attribution::from("bob@acme.example", "tag:owner");
        let mut c = machine("c");
        c.owner = Attribution::from("carol@acme.example", "tag:owner");
        let f = run_with(
            &OwnerDeparted,
            vec![a.clone(), b.clone(), c.clone()],
            vec![],
            &cfg(roster),
        );
        assert_eq!(f.len(), 2);
        assert!(f[0].title.contains("has left"));
        assert!(f[1].title.contains("not in the people roster"));
        // Without a roster the rule cannot decide.
        assert!(run(&OwnerDeparted, vec![a.clone(), b, c], vec![]).is_empty());
        // Unless the provider says the owner left.
        let mut gone = a;
        gone.attributes
            .insert("owner_is_member".into(), serde_json::json!(false));
        assert_eq!(run(&OwnerDeparted, vec![gone], vec![]).len(), 1);
    }
}
