use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// Past its end date and still alive.
pub struct IdentityExpired;

static META: RuleMeta = RuleMeta {
    code: super::codes::IDENTITY_EXPIRED,
    title: "The identity is past its expiry date and still active",
    severity: Severity::High,
    fires_when: "The attributed expiry or review date is before the scan date (`--as-of`) and the identity can still authenticate (an active credential, or an assumable role).",
    explanation: "The owner said this identity would be gone by now. Its continued existence means the decommissioning step was missed, and its credentials keep working for a purpose that has ended.",
    remediation: "Ask the owner whether it is still needed. If not, deactivate its credentials and delete it; if it is, set a new expiry date and record why.",
    controls: &["OWASP-NHI1"],
};

impl Rule for IdentityExpired {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let today = ctx.now.date_naive();
        for i in ctx.nhis().filter(|i| i.active) {
            let Some(date) = i.expiry_date else { continue };
            if date >= today {
                continue;
            }
            let days = (today - date).num_days();
            let ev = vec![
                format!(
                    "expiry {date} (from {}) passed {days} days before {today}",
                    i.expiry.source
                ),
                "the identity is still active".to_string(),
            ];
            ctx.push(
                out,
                &META,
                Draft::identity(i, format!("{} expired on {date}", i.name), ev),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use chrono::NaiveDate;

    #[test]
    fn fires_only_when_past_and_active() {
        let mut past = machine("past");
        past.expiry_date = NaiveDate::from_ymd_opt(2026, 6, 30);
        let mut future = machine("future");
        future.expiry_date = NaiveDate::from_ymd_opt(2027, 6, 30);
        let mut inactive = machine("inactive");
        inactive.expiry_date = NaiveDate::from_ymd_opt(2026, 6, 30);
        inactive.active = false;
        let f = run(&IdentityExpired, vec![past, future, inactive], vec![]);
        assert_eq!(f.len(), 1);
        assert!(f[0].title.contains("2026-06-30"));
    }
}
