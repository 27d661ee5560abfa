use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// A credential found in a repository was used after the commit that leaked it.
pub struct LeakedCredentialUsed;

static META: RuleMeta = RuleMeta {
    code: super::codes::LEAKED_CREDENTIAL_USED,
    title: "A leaked credential was used after it leaked",
    severity: Severity::Critical,
    fires_when: "A credential the repository scan found (joined to its live identity) appears in the activity logs after the commit that introduced it.",
    explanation: "A leaked key that is still used is either still in production use (so revoking it breaks something nobody has planned for) or in use by whoever found it. The calls after the leak are the ones to review.",
    remediation: "Revoke the credential now, replace it where it is legitimately used, and review every call made with it since the leak (`nhi trail ID`), from networks and clients its owner does not recognise first.",
    controls: &["OWASP-NHI2", "NIST-CSF-DE.CM-01", "NIST-CSF-RS.MA-01"],
};

impl Rule for LeakedCredentialUsed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for leak in &ctx.inv.leaks {
            // The earliest commit date of the leak: it is exposed from then on.
            let Some((leaked_at, loc)) = leak
                .locations
                .iter()
                .filter_map(|l| l.date.map(|d| (d, l)))
                .min_by_key(|(d, _)| *d)
            else {
                continue;
            };
            for cid in &leak.live {
                let Some(c) = ctx.inv.credentials.iter().find(|c| &c.id == cid) else {
                    continue;
                };
                let Some(i) = ctx.inv.identity(&c.identity) else {
                    continue;
                };
                let Some(u) = i.activity.as_ref().and_then(|a| {
                    a.credentials
                        .get(&c.fingerprint)
                        .or_else(|| a.credentials.get(&c.id))
                }) else {
                    continue;
                };
                if u.last_used <= leaked_at {
                    continue;
                }
                let ev = vec![
                    format!(
                        "leaked in {}:{} ({}) on {}",
                        loc.path,
                        loc.line,
                        loc.commit.as_deref().unwrap_or("working tree"),
                        leaked_at.to_rfc3339()
                    ),
                    format!(
                        "{} used {} time(s) in the logs read, last {}",
                        c.fingerprint,
                        u.events,
                        u.last_used.to_rfc3339()
                    ),
                ];
                ctx.push(
                    out,
                    &META,
                    Draft::credential(
                        c,
                        format!("{} of {} was used after it leaked", c.fingerprint, i.name),
                        ev,
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CredentialUse;
    use crate::rules::test_support::*;

    fn used(i: &mut crate::model::Identity, key: &str, days_ago_last: i64) {
        let mut a = activity(&[("s3:GetObject", 3)]);
        let t = days_ago(days_ago_last).unwrap();
        a.credentials.insert(
            key.into(),
            CredentialUse {
                first_used: t,
                last_used: t,
                events: 3,
            },
        );
        i.activity = Some(a);
    }

    #[test]
    fn fires_only_for_use_after_the_leaking_commit() {
        let mut after = machine("after");
        let mut k1 = key(&after, 1, 100, Some(1));
        k1.fingerprint = "AKIAEXAMPLEAFTER0001".into();
        used(&mut after, "AKIAEXAMPLEAFTER0001", 1);
        let mut before = machine("before");
        let mut k2 = key(&before, 1, 100, Some(1));
        k2.fingerprint = "AKIAEXAMPLEBEFORE001".into();
        used(&mut before, "AKIAEXAMPLEBEFORE001", 20);
        let mut l1 = leak("a", "deploy.sh", None);
        l1.locations[0].date = days_ago(10);
        l1.live = vec![k1.id.clone()];
        let mut l2 = leak("b", "ci.yml", None);
        l2.locations[0].date = days_ago(10);
        l2.live = vec![k2.id.clone()];
        // No commit date (working tree only): the rule cannot decide.
        let mut l3 = leak("c", "notes.txt", None);
        l3.live = vec![k1.id.clone()];
        let f = run_leaks(
            &LeakedCredentialUsed,
            vec![l1, l2, l3],
            vec![(after, vec![k1.clone()]), (before, vec![k2])],
        );
        assert_eq!(fired_credentials(&f), [k1.id.as_str()]);
        assert!(f[0].evidence[0].contains("deploy.sh:3"));
    }
}
