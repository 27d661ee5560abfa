use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// Many denied calls in a short time.
pub struct AccessDeniedBurst;

static META: RuleMeta = RuleMeta {
    code: super::codes::ACCESS_DENIED_BURST,
    title: "An identity makes a burst of denied calls",
    severity: Severity::Medium,
    fires_when: "An identity's calls are denied at least `thresholds.denied_burst` times (default 10) within five minutes.",
    explanation: "Workloads call what they were built to call; a burst of denied calls is either someone enumerating what a stolen credential can do, or a workload drifting out of the scope it was granted. Both need a person to look.",
    remediation: "Check the denied actions and where they came from: if the credential is in the wrong hands, revoke it; if the workload changed, grant the new task's permissions deliberately, scoped to it.",
    controls: &["OWASP-NHI5", "NIST-CSF-DE.CM-01", "NIST-CSF-DE.AE-02"],
};

impl Rule for AccessDeniedBurst {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let threshold = u64::from(ctx.cfg.thresholds.denied_burst.max(1));
        for i in &ctx.inv.identities {
            let Some(peak) = i.activity.as_ref().and_then(|a| a.denied_peak.as_ref()) else {
                continue;
            };
            if peak.denied < threshold {
                continue;
            }
            let total = i.activity.as_ref().map_or(0, |a| a.denied);
            let ev = vec![
                format!(
                    "{} denied call(s) in the five minutes from {} (threshold {threshold})",
                    peak.denied,
                    peak.from.to_rfc3339()
                ),
                format!("{total} denied call(s) in all"),
            ];
            ctx.push(
                out,
                &META,
                Draft::identity(
                    i,
                    format!(
                        "{} had {} calls denied within five minutes",
                        i.name, peak.denied
                    ),
                    ev,
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DeniedPeak;
    use crate::rules::test_support::*;

    #[test]
    fn fires_at_the_threshold_and_not_below() {
        let mut at = machine("at");
        let mut a = activity(&[("iam:ListUsers", 10)]);
        a.denied = 10;
        a.denied_peak = Some(DeniedPeak {
            from: now(),
            denied: 10,
        });
        at.activity = Some(a.clone());
        let mut below = machine("below");
        a.denied_peak = Some(DeniedPeak {
            from: now(),
            denied: 9,
        });
        below.activity = Some(a);
        let f = run(&AccessDeniedBurst, vec![at, below], vec![]);
        assert_eq!(f.len(), 1);
        assert!(f[0].identity.ends_with("user/at"));
        let f = run_with(
            &AccessDeniedBurst,
            vec![{
                let mut b = machine("below");
                let mut a = activity(&[("iam:ListUsers", 9)]);
                a.denied_peak = Some(DeniedPeak {
                    from: now(),
                    denied: 9,
                });
                b.activity = Some(a);
                b
            }],
            vec![],
            &cfg("thresholds:\n  denied_burst: 5\n"),
        );
        assert_eq!(f.len(), 1, "the threshold comes from nhi.yaml");
    }
}
