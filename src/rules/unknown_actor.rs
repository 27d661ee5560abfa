use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// An identity that acts in the logs but that discovery never saw.
pub struct UnknownActor;

static META: RuleMeta = RuleMeta {
    code: super::codes::UNKNOWN_ACTOR,
    title: "An identity acts that the inventory does not hold",
    severity: Severity::Medium,
    fires_when: "Activity logs show calls by an identity that no discovery source returned: deleted since, never inventoried, or from an account that was not scanned.",
    explanation: "An identity nobody inventoried has no owner, purpose or expiry on record, and no review will ever reach it. If discovery of its account ran and it is still missing, it was deleted after acting, or it lives where discovery cannot see; either way its calls are unaccounted for.",
    remediation: "Find who runs it from the calls' source networks and user agents; inventory its account, or, if it was deleted, confirm that its sessions and keys are gone and that what it did was expected.",
    controls: &["OWASP-NHI1", "NIST-CSF-DE.CM-01", "NIST-CSF-PR.AA-01"],
};

impl Rule for UnknownActor {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in &ctx.inv.identities {
            if i.flag("observed_only") != Some(true) {
                continue;
            }
            let Some(a) = &i.activity else { continue };
            let account = i.account.as_deref().unwrap_or("?");
            // Was the account itself discovered? Then the identity is missing, not unscanned.
            let discovered = ctx.inv.identities.iter().any(|o| {
                o.flag("observed_only") != Some(true) && o.account.as_deref() == Some(account)
            });
            let mut ev: Vec<String> = a
                .sources
                .iter()
                .map(|s| {
                    format!(
                        "{}: {} event(s), {} to {}",
                        s.source,
                        s.events,
                        s.first_seen.map_or("-".into(), |t| t.to_rfc3339()),
                        s.last_seen.map_or("-".into(), |t| t.to_rfc3339())
                    )
                })
                .collect();
            let mut top: Vec<(&String, &u64)> = a.actions.iter().collect();
            top.sort_by(|x, y| y.1.cmp(x.1).then_with(|| x.0.cmp(y.0)));
            ev.push(format!(
                "actions: {}",
                top.iter()
                    .take(5)
                    .map(|(k, v)| format!("{k} ×{v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            ev.push(if discovered {
                format!("account {account} was discovered, and this identity is not in it")
            } else {
                format!("account {account} was not discovered in this scan")
            });
            let d = Draft::identity(
                i,
                format!("{} acted but is not in the inventory", i.name),
                ev,
            );
            ctx.push(
                out,
                &META,
                if discovered {
                    d.severity(Severity::High)
                } else {
                    d
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_observed_only_identities_higher_when_their_account_was_discovered() {
        let known = machine("known");
        let mut ghost = machine("ghost");
        ghost
            .attributes
            .insert("observed_only".into(), serde_json::json!(true));
        ghost.activity = Some(activity(&[("s3:ListBuckets", 3)]));
        let mut elsewhere = machine("elsewhere");
        elsewhere.account = Some("999999999999".into());
        elsewhere
            .attributes
            .insert("observed_only".into(), serde_json::json!(true));
        elsewhere.activity = Some(activity(&[("sts:GetCallerIdentity", 1)]));
        let f = run(&UnknownActor, vec![known, ghost, elsewhere], vec![]);
        assert_eq!(f.len(), 2);
        let ghost = f
            .iter()
            .find(|f| f.identity.ends_with("user/ghost"))
            .unwrap();
        assert_eq!(ghost.severity, Severity::High);
        assert!(
            ghost
                .evidence
                .iter()
                .any(|e| e.contains("s3:ListBuckets ×3"))
        );
        let other = f
            .iter()
            .find(|f| f.identity.ends_with("user/elsewhere"))
            .unwrap();
        assert_eq!(other.severity, Severity::Medium);
        assert!(
            other
                .evidence
                .iter()
                .any(|e| e.contains("was not discovered"))
        );
    }
}
