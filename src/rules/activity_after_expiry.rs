use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// An identity or credential used after it should have stopped.
pub struct ActivityAfterExpiry;

static META: RuleMeta = RuleMeta {
    code: super::codes::ACTIVITY_AFTER_EXPIRY,
    title: "An identity or credential was used after its end",
    severity: Severity::High,
    fires_when: "Activity logs show an identity used after its expiry date, a credential used after it expired or while it is listed as inactive, or an identity used after its owner left (the `people` roster).",
    explanation: "An end date is a promise that access stops. Use after it means the integration outlived its purpose unnoticed, or that someone kept a credential that should have been dead; use after the owner left means nobody is accountable for what it does.",
    remediation: "Find what is still using it (the networks and user agents in its activity), move that to an identity with a current owner and expiry, then disable and delete this one.",
    controls: &[
        "OWASP-NHI1",
        "OWASP-NHI3",
        "NIST-CSF-PR.AA-05",
        "NIST-CSF-DE.CM-01",
    ],
};

impl Rule for ActivityAfterExpiry {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis() {
            let Some(a) = &i.activity else { continue };
            let Some(last) = a.sources.iter().filter_map(|s| s.last_seen).max() else {
                continue;
            };
            if let Some(end) = i
                .expiry_date
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
                && last > end
            {
                ctx.push(
                    out,
                    &META,
                    Draft::identity(
                        i,
                        format!(
                            "{} was used after its expiry {}",
                            i.name,
                            end.format("%Y-%m-%d")
                        ),
                        vec![format!(
                            "expiry {} (from {}); last activity {}",
                            end.format("%Y-%m-%d"),
                            i.expiry.source,
                            last.to_rfc3339()
                        )],
                    )
                    .key("identity-expiry"),
                );
            }
            if let Some(owner) = i.owner.value.as_deref()
                && let Some(p) = ctx.cfg.person(owner)
                && let Some(left) = p
                    .left
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| t.and_utc())
                && last > left
            {
                ctx.push(
                    out,
                    &META,
                    Draft::identity(
                        i,
                        format!("{} was used after its owner {owner} left", i.name),
                        vec![format!(
                            "{owner} left on {}; last activity {}",
                            left.format("%Y-%m-%d"),
                            last.to_rfc3339()
                        )],
                    )
                    .key("owner-left"),
                );
            }
            for c in ctx.inv.credentials_of(&i.id) {
                let Some(u) = a
                    .credentials
                    .get(&c.fingerprint)
                    .or_else(|| a.credentials.get(&c.id))
                else {
                    continue;
                };
                let why = match c.expires {
                    Some(e) if u.last_used > e => format!("it expired {}", e.to_rfc3339()),
                    _ if !c.active => "it is listed as inactive".to_string(),
                    _ => continue,
                };
                ctx.push(
                    out,
                    &META,
                    Draft::credential(
                        c,
                        format!("{} of {} was used after its end", c.fingerprint, i.name),
                        vec![format!(
                            "{} used {} time(s), last {}, but {why}",
                            c.fingerprint,
                            u.events,
                            u.last_used.to_rfc3339()
                        )],
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

    #[test]
    fn fires_for_use_after_the_identity_expiry_and_after_a_credential_ended() {
        let mut late = machine("late");
        late.expiry_date = chrono::NaiveDate::from_ymd_opt(2026, 10, 1);
        late.activity = Some(activity(&[("s3:GetObject", 2)]));
        let mut on_time = machine("on-time");
        on_time.expiry_date = chrono::NaiveDate::from_ymd_opt(2027, 1, 1);
        on_time.activity = Some(activity(&[("s3:GetObject", 2)]));
        let mut keyed = machine("keyed");
        let mut dead = key(&keyed, 1, 100, Some(1));
        dead.fingerprint = "AKIAEXAMPLEDEAD00001".into();
        dead.active = false;
        let mut live = key(&keyed, 2, 100, Some(1));
        live.fingerprint = "AKIAEXAMPLELIVE00001".into();
        let mut a = activity(&[("s3:GetObject", 2)]);
        for k in ["AKIAEXAMPLEDEAD00001", "AKIAEXAMPLELIVE00001"] {
            a.credentials.insert(
                k.into(),
                CredentialUse {
                    first_used: now(),
                    last_used: now(),
                    events: 1,
                },
            );
        }
        keyed.activity = Some(a);
        let f = run(
            &ActivityAfterExpiry,
            vec![late, on_time, keyed],
            vec![dead.clone(), live],
        );
        assert_eq!(
            fired_identities(&f),
            [
                "aws:iam::123456789012:user/keyed",
                "aws:iam::123456789012:user/late"
            ]
        );
        assert_eq!(fired_credentials(&f), [dead.id.as_str(), "-"]);
        assert!(
            f.iter()
                .any(|f| f.evidence[0].contains("listed as inactive"))
        );
    }

    #[test]
    fn fires_after_the_owner_left_only() {
        let mut a = machine("a");
        a.owner = crate::model::Attribution::from("alice@acme.example", "tag:owner");
        a.activity = Some(activity(&[("s3:GetObject", 1)]));
        let mut b = machine("b");
        b.owner = crate::model::Attribution::from("bob@acme.example", "tag:owner");
        b.activity = Some(activity(&[("s3:GetObject", 1)]));
        let c = cfg(
            "people:\n  - { id: alice@acme.example, active: false, left: 2026-10-01 }\n  - { id: bob@acme.example }\n",
        );
        let f = run_with(&ActivityAfterExpiry, vec![a, b], vec![], &c);
        assert_eq!(fired_identities(&f), ["aws:iam::123456789012:user/a"]);
    }
}
