//! Owner, purpose and expiry, each with its source; and AI-agent recognition.
//!
//! Precedence, first that says wins: the identity's own tags (in the order of the configured
//! tag keys), then the provider's description (purpose only), then the first matching
//! `ownership` rule of nhi.yaml. Unknown stays unknown: nothing is guessed.

use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use crate::config::Config;
use crate::model::{AiAgentEvidence, Attribution, Identity, Inventory};
use crate::time::{parse_date, parse_time};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    aws_services: Vec<CatalogueService>,
    github_apps: Vec<CatalogueApp>,
    saas_apps: Vec<crate::config::SaasApp>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueApp {
    slug: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueService {
    principal: String,
    name: String,
}

fn catalogue() -> &'static Catalogue {
    static CAT: OnceLock<Catalogue> = OnceLock::new();
    CAT.get_or_init(|| {
        serde_saphyr::from_str(include_str!("../data/ai-catalogue.yaml"))
            .expect("the embedded AI catalogue parses")
    })
}

/// Attributes every identity of the inventory.
pub fn attribute(inv: &mut Inventory, cfg: &Config) {
    for i in &mut inv.identities {
        attribute_one(i, cfg);
        recognise_ai(i, cfg);
    }
}

fn tag(i: &Identity, keys: &[String]) -> Option<(String, String)> {
    keys.iter().find_map(|k| {
        i.tags
            .get(k)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(|v| (k.clone(), v.to_string()))
    })
}

fn attribute_one(i: &mut Identity, cfg: &Config) {
    let keys = &cfg.attribution;
    if let Some((k, v)) = tag(i, &keys.owner_tags) {
        i.owner = Attribution::from(v, format!("tag:{k}"));
    }
    if let Some((k, v)) = tag(i, &keys.purpose_tags) {
        i.purpose = Attribution::from(v, format!("tag:{k}"));
    } else if let Some(d) = i
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        i.purpose = Attribution::from(d, "description");
    }
    if let Some((k, v)) = tag(i, &keys.expiry_tags) {
        i.expiry = Attribution::from(v.clone(), format!("tag:{k}"));
        i.expiry_date = expiry_date(&v, i.created.map(|c| c.date_naive()));
    }
    for (n, rule) in cfg.ownership.iter().enumerate() {
        if !rule.matches.matches(&i.id, &i.name, &i.tags) {
            continue;
        }
        let src = format!("config:ownership[{n}]");
        if let (false, Some(o)) = (i.owner.is_known(), &rule.owner) {
            i.owner = Attribution::from(o.clone(), src.clone());
        }
        if let (false, Some(p)) = (i.purpose.is_known(), &rule.purpose) {
            i.purpose = Attribution::from(p.clone(), src.clone());
        }
        if let (false, Some(e)) = (i.expiry.is_known(), &rule.expiry) {
            i.expiry = Attribution::from(e.0.to_string(), src.clone());
            i.expiry_date = Some(e.0);
        }
    }
}

/// An expiry value: a date, a timestamp, or a time to live (`90d`, `12w`) from creation.
pub fn expiry_date(v: &str, created: Option<NaiveDate>) -> Option<NaiveDate> {
    let v = v.trim();
    if let Some(d) = parse_date(v) {
        return Some(d);
    }
    if let Some(t) = parse_time(v) {
        return Some(t.date_naive());
    }
    let (num, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    let days = match unit.trim().to_ascii_lowercase().as_str() {
        "d" | "day" | "days" => n,
        "w" | "week" | "weeks" => n.checked_mul(7)?,
        "y" | "year" | "years" => n.checked_mul(365)?,
        _ => return None,
    };
    created?.checked_add_signed(Duration::try_days(days)?)
}

/// SaaS identities: an AI vendor's app by app id, client id, publisher or name (catalogue
/// and `ai_agents.saas_apps`); an agent identity the provider declares keeps its evidence.
fn recognise_saas(i: &mut Identity, cfg: &Config) {
    if i.is_ai_agent() {
        return;
    }
    let ids: Vec<(&str, &str)> = ["app_id", "client_id"]
        .into_iter()
        .filter_map(|k| i.text(k).map(|v| (k, v)))
        .chain(i.native_id.as_deref().map(|v| ("native id", v)))
        .collect();
    let publisher = i.text("publisher");
    let names: Vec<&str> = std::iter::once(i.name.as_str())
        .chain(i.text("app_name"))
        .collect();
    let entries = catalogue()
        .saas_apps
        .iter()
        .map(|a| (a, "AI catalogue"))
        .chain(
            cfg.ai_agents
                .saas_apps
                .iter()
                .map(|a| (a, "nhi.yaml ai_agents.saas_apps")),
        );
    for (app, origin) in entries {
        let by_id = ids.iter().find(|(_, v)| {
            app.app_ids
                .iter()
                .chain(&app.client_ids)
                .any(|x| x.eq_ignore_ascii_case(v))
        });
        let evidence = if let Some((k, v)) = by_id {
            Some(format!("{k} {v} is {} ({origin})", app.name))
        } else if let Some(p) =
            publisher.filter(|p| app.publishers.iter().any(|x| x.eq_ignore_ascii_case(p)))
        {
            Some(format!("publisher `{p}` is {} ({origin})", app.name))
        } else {
            names
                .iter()
                .find(|n| app.names.iter().any(|pat| crate::scopes::matches(pat, n)))
                .map(|n| format!("name `{n}` matches {} ({origin})", app.name))
        };
        if let Some(evidence) = evidence {
            i.ai_agent = vec![AiAgentEvidence {
                matched: app.name.clone(),
                evidence,
            }];
            return;
        }
    }
}

fn recognise_ai(i: &mut Identity, cfg: &Config) {
    if i.provider == crate::model::Provider::Saas {
        recognise_saas(i, cfg);
        return;
    }
    if let Some(slug) = i.text("app_slug").map(str::to_string) {
        let known = catalogue()
            .github_apps
            .iter()
            .find(|a| a.slug.eq_ignore_ascii_case(&slug))
            .map(|a| a.name.clone());
        let extra = cfg
            .ai_agents
            .github_apps
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&slug))
            .then(|| "configured AI app (nhi.yaml)".to_string());
        if let Some(name) = known.or(extra) {
            i.ai_agent = vec![AiAgentEvidence {
                matched: slug.clone(),
                evidence: format!("GitHub App `{slug}` is {name}"),
            }];
        }
        return;
    }
    let Some(doc) = &i.trust_policy else { return };
    let extra = cfg
        .ai_agents
        .aws_services
        .iter()
        .map(|s| (s.as_str(), "configured AI service (nhi.yaml)"));
    let known = catalogue()
        .aws_services
        .iter()
        .map(|s| (s.principal.as_str(), s.name.as_str()));
    let services: Vec<(&str, &str)> = known.chain(extra).collect();
    let mut found = Vec::new();
    for (ix, st) in doc.statement.iter().enumerate() {
        if st.effect != crate::policy::Effect::Allow {
            continue;
        }
        for (kind, value) in st.principal.iter().flat_map(|p| p.entries()) {
            if kind != "Service" {
                continue;
            }
            if let Some((p, name)) = services.iter().find(|(p, _)| p.eq_ignore_ascii_case(value)) {
                found.push(AiAgentEvidence {
                    matched: p.to_string(),
                    evidence: format!("trust policy statement {ix} trusts {p} ({name})"),
                });
            }
        }
    }
    i.ai_agent = found;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{cfg, machine, role};

    #[test]
    fn tags_then_description_then_rules() {
        let c = cfg(
            "ownership:\n  - match: { name: \"bot*\" }\n    owner: platform\n    purpose: from rule\n    expiry: 2027-01-31\n",
        );
        let mut a = machine("bot-a");
        a.tags.insert("Owner".into(), " alice ".into());
        a.description = Some("syncs things".into());
        attribute_one(&mut a, &c);
        assert_eq!(a.owner, Attribution::from("alice", "tag:Owner"));
        assert_eq!(a.purpose, Attribution::from("syncs things", "description"));
        assert_eq!(
            a.expiry,
            Attribution::from("2027-01-31", "config:ownership[0]")
        );
        let mut b = machine("other");
        attribute_one(&mut b, &c);
        assert!(!b.owner.is_known());
        assert_eq!(b.owner.source, "unknown");
    }

    #[test]
    fn expiry_forms() {
        let created = NaiveDate::from_ymd_opt(2026, 1, 1);
        assert_eq!(
            expiry_date("2026-06-30", None),
            NaiveDate::from_ymd_opt(2026, 6, 30)
        );
        assert_eq!(
            expiry_date("90d", created),
            NaiveDate::from_ymd_opt(2026, 4, 1)
        );
        assert_eq!(
            expiry_date("2w", created),
            NaiveDate::from_ymd_opt(2026, 1, 15)
        );
        assert_eq!(expiry_date("90d", None), None);
        assert_eq!(expiry_date("soon", created), None);
        assert_eq!(expiry_date("99999999999999999999d", created), None);
    }

    #[test]
    fn recognises_ai_trust() {
        let mut r = role(
            "agent",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":["bedrock.amazonaws.com"]},"Action":"sts:AssumeRole"}]}"#,
        );
        recognise_ai(&mut r, &crate::config::Config::default());
        assert_eq!(r.ai_agent.len(), 1);
        let mut r = role(
            "x",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        );
        recognise_ai(&mut r, &crate::config::Config::default());
        assert!(r.ai_agent.is_empty());
        let c = cfg("ai_agents:\n  aws_services: [ec2.amazonaws.com]\n");
        recognise_ai(&mut r, &c);
        assert_eq!(r.ai_agent.len(), 1);
    }
}
