//! Blast radius: what a compromise of each non-human identity would reach, as a score whose
//! every term is shown (docs/blast-radius.md).
//!
//! It runs after the rules, so exposure reuses their verdicts (an open trust, an unbounded
//! OIDC trust, a leak) instead of judging policies a second time.

use crate::rules::codes;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::model::{
    BlastRadius, BlastTerm, Finding, FindingState, Identity, Inventory, PrivilegeLevel,
};
use crate::policy::Effect;

/// Points per privilege level.
pub fn level_points(l: PrivilegeLevel) -> u32 {
    match l {
        PrivilegeLevel::Admin => 40,
        PrivilegeLevel::Write => 20,
        PrivilegeLevel::Read => 5,
        PrivilegeLevel::None => 0,
    }
}

/// Exposure points for findings of these rules (unsuppressed), once per rule.
const EXPOSING_RULES: &[(&str, u32, &str)] = &[
    (
        codes::TRUST_ANY_PRINCIPAL,
        25,
        "any AWS principal can assume it",
    ),
    (
        codes::SECRET_LEAKED_LIVE,
        30,
        "a credential of it is leaked",
    ),
    (
        codes::OIDC_TRUST_UNBOUNDED,
        15,
        "any subject of an OIDC provider can assume it",
    ),
    (
        codes::CROSS_ACCOUNT_TRUST_UNKNOWN,
        10,
        "an unknown account can assume it",
    ),
    (codes::HUMAN_USE_OF_NHI, 5, "people sign in with it"),
    (
        codes::IDENTITY_EXPIRED,
        5,
        "past its expiry date and still active",
    ),
];

/// Sets `blast_radius` on every non-human identity.
pub fn assess(inv: &mut Inventory, findings: &[Finding], cfg: &Config, now: DateTime<Utc>) {
    let mut rules_on: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| f.state != FindingState::Suppressed)
    {
        rules_on
            .entry(f.identity.as_str())
            .or_default()
            .insert(f.rule.as_str());
    }
    let rotation = i64::from(cfg.thresholds.rotation_days);
    let mut by_identity: BTreeMap<&str, (usize, bool)> = BTreeMap::new();
    for c in inv.credentials.iter().filter(|c| c.active) {
        let e = by_identity.entry(c.identity.as_str()).or_default();
        e.0 += 1;
        e.1 |= c.created.is_some_and(|t| (now - t).num_days() > rotation);
    }
    let empty = BTreeSet::new();
    for i in inv
        .identities
        .iter_mut()
        .filter(|i| i.classification.is_nhi())
    {
        let rules = rules_on.get(i.id.as_str()).unwrap_or(&empty);
        let creds = by_identity.get(i.id.as_str()).copied().unwrap_or_default();
        i.blast_radius = Some(radius(i, rules, creds, now));
    }
}

fn radius(
    i: &Identity,
    rules: &BTreeSet<&str>,
    (active_creds, old): (usize, bool),
    now: DateTime<Utc>,
) -> BlastRadius {
    let mut terms = Vec::new();
    let mut term = |factor: &str, points: u32, reason: String| {
        if points > 0 {
            terms.push(BlastTerm {
                factor: factor.into(),
                points,
                reason,
            });
        }
    };
    let level = i.privileges.level;
    term(
        "privilege",
        level_points(level),
        format!("{} privileges", format!("{level:?}").to_lowercase()),
    );

    let (services, all_resources) = written_services(i);
    let mut reach = Vec::new();
    if let Some(a) = &i.account {
        reach.push(format!("account {a}"));
    }
    match &services {
        Written::All => {
            reach.push("every service".into());
            term("reach", 20, "writes to every service".into());
        }
        Written::Some(s) if !s.is_empty() => {
            reach.push(format!(
                "writes to {}",
                s.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
            let n = u32::try_from(s.len()).unwrap_or(u32::MAX).min(10);
            term(
                "reach",
                2 * n,
                format!("writes to {} service(s), 2 points each up to 10", s.len()),
            );
        }
        Written::Some(_) => {}
    }
    if all_resources {
        reach.push("every resource (Resource: *)".into());
        term("reach", 10, "write actions on every resource".into());
    }
    reach.extend(i.privileges.scopes.iter().cloned());

    let mut exposure = Vec::new();
    if active_creds > 0 {
        exposure.push(format!("{active_creds} active static credential(s)"));
        term("exposure", 15, "holds an active static credential".into());
        if old {
            exposure.push("a credential older than the rotation period".into());
            term(
                "exposure",
                5,
                "a static credential older than the rotation period".into(),
            );
        }
    }
    match i.expiry_date {
        None => {
            exposure.push("no expiry date".into());
            term("exposure", 5, "no expiry or review date".into());
        }
        Some(d) if d < now.date_naive() => {}
        Some(_) => {}
    }
    if i.is_ai_agent() {
        exposure.push("AI agent: acts on untrusted input".into());
        term(
            "exposure",
            10,
            "an AI agent, steerable by prompt injection".into(),
        );
    }
    for (rule, points, why) in EXPOSING_RULES {
        if rules.contains(rule) {
            exposure.push((*why).to_string());
            term("exposure", *points, format!("{why} ({rule})"));
        }
    }
    let score = terms.iter().map(|t| t.points).sum();
    BlastRadius {
        score,
        level,
        reach,
        exposure,
        terms,
    }
}

enum Written {
    All,
    Some(BTreeSet<String>),
}

/// The services an identity's Allow statements write to, and whether any write is on `*`.
fn written_services(i: &Identity) -> (Written, bool) {
    let mut services = BTreeSet::new();
    let mut all_resources = false;
    for p in &i.privileges.policies {
        let Some(doc) = &p.document else { continue };
        for st in doc.statement.iter().filter(|s| s.effect == Effect::Allow) {
            let writes: Vec<&String> = st
                .action
                .iter()
                .filter(|a| !crate::connector::aws::privileges::is_read_only(a))
                .collect();
            if !st.not_action.is_empty() || writes.iter().any(|a| a.as_str() == "*") {
                return (Written::All, true);
            }
            if writes.is_empty() {
                continue;
            }
            all_resources |= st.resource.iter().any(|r| r == "*") || !st.not_resource.is_empty();
            services.extend(
                writes
                    .iter()
                    .filter_map(|a| a.split_once(':'))
                    .map(|(s, _)| s.to_ascii_lowercase()),
            );
        }
    }
    (Written::Some(services), all_resources)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn terms_add_up_and_order_identities() {
        let mut admin = machine("admin");
        attach(
            &mut admin,
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        );
        let mut reader = machine("reader");
        attach(
            &mut reader,
            r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
        );
        reader.expiry_date = chrono::NaiveDate::from_ymd_opt(2027, 1, 1);
        let mut writer = machine("writer");
        attach(
            &mut writer,
            r#"{"Statement":{"Effect":"Allow","Action":["s3:PutObject","sqs:SendMessage"],"Resource":"arn:aws:s3:::b/*"}}"#,
        );
        let k = key(&admin, 1, 200, Some(1));
        let mut inv = Inventory {
            identities: vec![admin, reader, writer],
            credentials: vec![k],
            ..Default::default()
        };
        inv.sort();
        assess(&mut inv, &[], &Config::default(), now());
        let score = |n: &str| {
            inv.identities
                .iter()
                .find(|i| i.name == n)
                .unwrap()
                .blast_radius
                .clone()
                .unwrap()
        };
        let a = score("admin");
        // 40 admin + 20 every service + 10 every resource + 15 key + 5 old key + 5 no expiry.
        assert_eq!(a.score, 95, "{a:#?}");
        assert_eq!(a.score, a.terms.iter().map(|t| t.points).sum::<u32>());
        let w = score("writer");
        assert_eq!(w.score, 20 + 4 + 5, "{w:#?}");
        assert_eq!(score("reader").score, 5);
    }

    #[test]
    fn findings_add_exposure() {
        let mut inv = Inventory {
            identities: vec![machine("x")],
            ..Default::default()
        };
        let f = crate::model::Finding {
            rule: "trust-any-principal".into(),
            severity: crate::model::Severity::Critical,
            identity: inv.identities[0].id.clone(),
            credential: None,
            title: String::new(),
            evidence: vec![],
            remediation: String::new(),
            controls: vec![],
            fingerprint: "f".into(),
            state: FindingState::New,
            suppression: None,
        };
        assess(&mut inv, &[f], &Config::default(), now());
        let b = inv.identities[0].blast_radius.as_ref().unwrap();
        assert!(
            b.terms
                .iter()
                .any(|t| t.points == 25 && t.reason.contains("trust-any-principal"))
        );
    }
}
