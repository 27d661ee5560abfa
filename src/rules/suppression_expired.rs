use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, FindingState, Severity};

/// A suppression past its expiry date that still matches a finding.
pub struct SuppressionExpired;

static META: RuleMeta = RuleMeta {
    code: super::codes::SUPPRESSION_EXPIRED,
    title: "A suppression in nhi.yaml has expired and no longer hides its finding",
    severity: Severity::Low,
    fires_when: "A suppression's `expires` date is before the scan date and it still matches a finding: the finding is reported again (unsuppressed), and this finding says which acceptance lapsed.",
    explanation: "Accepting a risk is a decision with an end date. When the date passes, the owner who accepted it must look again: the reason may no longer hold, and a silent, permanent exception is how defects become invisible.",
    remediation: "Fix the underlying finding, or review the acceptance with its owner and set a new `expires` date (with an updated reason) in the suppression in nhi.yaml.",
    controls: &["NIST-CSF-PR.AA-05"],
};

impl Rule for SuppressionExpired {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_findings(&self, ctx: &Ctx<'_>, findings: &[Finding], out: &mut Vec<Finding>) {
        let today = ctx.now.date_naive();
        for f in findings
            .iter()
            .filter(|f| f.state != FindingState::Suppressed)
        {
            let Some((n, s)) = ctx
                .cfg
                .suppressions
                .iter()
                .enumerate()
                .find(|(_, s)| s.expires < today && s.matches(f))
            else {
                continue;
            };
            let ev = vec![
                format!(
                    "suppressions[{n}] accepted {} ({}) until {}",
                    f.rule, f.fingerprint, s.expires
                ),
                format!("reason: {}", s.reason),
                format!("accepted by: {}", s.owner),
            ];
            let title = format!("suppression of {} expired on {}", f.rule, s.expires);
            let mut d = Draft::identity_id(&f.identity, title, ev).key(f.fingerprint.clone());
            d.credential = f.credential.clone();
            ctx.push(out, &META, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn suppresses_until_expiry_then_reports() {
        let yaml = |date: &str| {
            cfg(&format!(
                "suppressions:\n  - rule: owner-missing\n    identity: \"*user/a\"\n    reason: migrating\n    owner: alice\n    expires: {date}\n"
            ))
        };
        let mut inv = crate::model::Inventory {
            identities: vec![machine("a"), machine("b")],
            ..Default::default()
        };
        inv.sort();
        let live = crate::rules::evaluate(&inv, &yaml("2026-12-31"), now());
        let a: Vec<_> = live
            .iter()
            .filter(|f| f.rule == "owner-missing" && f.identity.ends_with("user/a"))
            .collect();
        assert_eq!(a[0].state, FindingState::Suppressed);
        assert_eq!(a[0].suppression.as_ref().unwrap().reason, "migrating");
        assert!(!live.iter().any(|f| f.rule == "suppression-expired"));
        let b: Vec<_> = live
            .iter()
            .filter(|f| f.rule == "owner-missing" && f.identity.ends_with("user/b"))
            .collect();
        assert_eq!(b[0].state, FindingState::New);

        let lapsed = crate::rules::evaluate(&inv, &yaml("2026-11-01"), now());
        let a: Vec<_> = lapsed
            .iter()
            .filter(|f| f.identity.ends_with("user/a"))
            .collect();
        assert!(a.iter().all(|f| f.state == FindingState::New));
        assert_eq!(
            a.iter().filter(|f| f.rule == "suppression-expired").count(),
            1
        );
    }
}
