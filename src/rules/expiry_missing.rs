use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// No end date or review date.
pub struct ExpiryMissing;

static META: RuleMeta = RuleMeta {
    code: super::codes::EXPIRY_MISSING,
    title: "The identity has no expiry or review date",
    severity: Severity::Low,
    fires_when: "No expiry or review date is attributed to a non-human identity (expiry tags, ownership rules), or the expiry value is not a date. Medium for AI agents.",
    explanation: "Machine identities are created for projects, migrations and experiments that end; without an end date they live forever. An expiry or review date turns forgotten identities into scheduled decisions.",
    remediation: "Tag the identity with an expiry or review date (`expires=2027-06-30`, or `ttl=90d` from its creation) or set `expiry` in an `ownership` rule, and review it on that date.",
    controls: &["OWASP-NHI1", "OWASP-NHI7"],
};

impl Rule for ExpiryMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis().filter(|i| i.expiry_date.is_none()) {
            let ev = match &i.expiry.value {
                Some(v) => vec![format!(
                    "expiry `{v}` (from {}) is not a date",
                    i.expiry.source
                )],
                None => vec![format!(
                    "no expiry tag ({}), no matching ownership rule with an expiry",
                    ctx.cfg.attribution.expiry_tags.join(", ")
                )],
            };
            let mut d = Draft::identity(i, format!("{} has no expiry or review date", i.name), ev);
            if i.is_ai_agent() {
                d = d.severity(Severity::Medium);
            }
            ctx.push(out, &META, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Attribution;
    use crate::rules::test_support::*;

    #[test]
    fn fires_without_a_date() {
        let a = machine("a");
        let mut b = machine("b");
        b.expiry = Attribution::from("2027-01-01", "tag:expires");
        b.expiry_date = chrono::NaiveDate::from_ymd_opt(2027, 1, 1);
        let mut c = machine("c");
        c.expiry = Attribution::from("someday", "tag:expires");
        let f = run(&ExpiryMissing, vec![a, b, c], vec![]);
        assert_eq!(f.len(), 2);
        assert!(f[1].evidence[0].contains("not a date"));
    }
}
