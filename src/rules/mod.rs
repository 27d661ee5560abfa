//! The defect catalogue: one file per rule, one line per rule in [`RULES`].
//!
//! Rules are pure functions of the attributed inventory, the configuration and the scan clock
//! (`ctx.now`, set by `--as-of`). A rule that cannot decide because data is missing does not
//! fire; the coverage section of the report says what was missing.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::model::{Credential, Finding, FindingState, Identity, Inventory, Severity};

mod access_denied_burst;
mod activity_after_expiry;
mod admin_privilege;
mod ai_agent_overprivileged;
mod ai_agent_ungoverned;
pub mod codes;
mod confused_deputy;
mod consent_tenant_wide;
mod credential_expired;
mod credential_expiring;
mod credential_lifetime_excessive;
mod credential_never_used;
mod credential_no_expiry;
mod credential_reused;
mod credential_unrotated;
mod credential_unused;
mod credential_used_off_workload;
mod cross_account_trust_unknown;
mod deploy_key_write;
pub mod escalation;
mod expiry_missing;
mod human_activity_on_nhi;
mod human_use_of_nhi;
mod identity_expired;
mod leaked_credential_used;
mod leaks;
mod multiple_active_keys;
mod oauth_scope_sensitive;
mod oidc_subject_unexpected;
mod oidc_trust_unbounded;
mod owner_departed;
mod owner_missing;
mod privilege_escalation;
mod privilege_unused;
mod purpose_missing;
mod root_access_key;
mod secret_leaked;
mod secret_leaked_live;
mod shadow_ai;
mod suppression_expired;
mod token_broad_scope;
mod trust_any_principal;
mod unknown_actor;
mod weak_credential_type;
mod webhook_insecure_ssl;
mod webhook_no_secret;
mod wildcard_permission;

/// Static description of a rule: what `nhi rules explain` prints and docs/rules/ renders.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable kebab-case code.
    pub code: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// When it fires, in one sentence.
    pub fires_when: &'static str,
    /// Why it matters (a paragraph).
    pub explanation: &'static str,
    /// How to fix it.
    pub remediation: &'static str,
    /// Control mappings: OWASP NHI Top 10, CIS AWS Foundations v5.0, NIST CSF 2.0.
    pub controls: &'static [&'static str],
}

/// A rule: metadata and a pure check.
pub trait Rule: Sync {
    /// The rule's description.
    fn meta(&self) -> &'static RuleMeta;
    /// Appends the findings this rule makes on the inventory.
    fn check(&self, _ctx: &Ctx<'_>, _out: &mut Vec<Finding>) {}
    /// Appends findings about the other rules' findings (after suppressions are applied).
    fn check_findings(&self, _ctx: &Ctx<'_>, _findings: &[Finding], _out: &mut Vec<Finding>) {}
}

/// Every rule, in catalogue order. Adding a rule: one file, one line here.
pub static RULES: &[&dyn Rule] = &[
    &owner_missing::OwnerMissing,
    &owner_departed::OwnerDeparted,
    &purpose_missing::PurposeMissing,
    &expiry_missing::ExpiryMissing,
    &identity_expired::IdentityExpired,
    &credential_unrotated::CredentialUnrotated,
    &credential_unused::CredentialUnused,
    &credential_never_used::CredentialNeverUsed,
    &credential_no_expiry::CredentialNoExpiry,
    &credential_lifetime_excessive::CredentialLifetimeExcessive,
    &credential_expiring::CredentialExpiring,
    &credential_expired::CredentialExpired,
    &multiple_active_keys::MultipleActiveKeys,
    &root_access_key::RootAccessKey,
    &admin_privilege::AdminPrivilege,
    &privilege_escalation::PrivilegeEscalation,
    &wildcard_permission::WildcardPermission,
    &deploy_key_write::DeployKeyWrite,
    &token_broad_scope::TokenBroadScope,
    &oauth_scope_sensitive::OauthScopeSensitive,
    &consent_tenant_wide::ConsentTenantWide,
    &trust_any_principal::TrustAnyPrincipal,
    &oidc_trust_unbounded::OidcTrustUnbounded,
    &cross_account_trust_unknown::CrossAccountTrustUnknown,
    &confused_deputy::ConfusedDeputy,
    &webhook_no_secret::WebhookNoSecret,
    &webhook_insecure_ssl::WebhookInsecureSsl,
    &ai_agent_ungoverned::AiAgentUngoverned,
    &ai_agent_overprivileged::AiAgentOverprivileged,
    &human_use_of_nhi::HumanUseOfNhi,
    &weak_credential_type::WeakCredentialType,
    &shadow_ai::ShadowAi,
    &secret_leaked::SecretLeaked,
    &secret_leaked_live::SecretLeakedLive,
    &credential_reused::CredentialReused,
    &unknown_actor::UnknownActor,
    &credential_used_off_workload::CredentialUsedOffWorkload,
    &human_activity_on_nhi::HumanActivityOnNhi,
    &access_denied_burst::AccessDeniedBurst,
    &oidc_subject_unexpected::OidcSubjectUnexpected,
    &activity_after_expiry::ActivityAfterExpiry,
    &privilege_unused::PrivilegeUnused,
    &leaked_credential_used::LeakedCredentialUsed,
    &suppression_expired::SuppressionExpired,
];

/// The rule with this code.
pub fn find(code: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().code == code)
}

/// What a rule sees.
pub struct Ctx<'a> {
    /// The attributed inventory (sorted).
    pub inv: &'a Inventory,
    /// The configuration.
    pub cfg: &'a Config,
    /// The scan clock.
    pub now: DateTime<Utc>,
}

/// A finding before the shared fields (controls, fingerprint, overrides) are filled.
pub struct Draft {
    /// The identity's id.
    pub identity: String,
    /// The credential's id.
    pub credential: Option<String>,
    /// One line.
    pub title: String,
    /// Facts, one per line.
    pub evidence: Vec<String>,
    /// A severity other than the rule's default (e.g. raised for admin identities).
    pub severity: Option<Severity>,
    /// Distinguishes several findings of one rule on one identity or credential.
    pub key: String,
    /// Why the finding is allowed on purpose (it is then reported as suppressed).
    pub allowed: Option<String>,
}

impl Draft {
    /// A draft about an identity.
    pub fn identity(identity: &Identity, title: impl Into<String>, evidence: Vec<String>) -> Self {
        Self {
            identity: identity.id.clone(),
            credential: None,
            title: title.into(),
            evidence,
            severity: None,
            key: String::new(),
            allowed: None,
        }
    }

    /// A draft about an identity known only by its id.
    pub fn identity_id(identity: &str, title: impl Into<String>, evidence: Vec<String>) -> Self {
        Self {
            identity: identity.to_string(),
            credential: None,
            title: title.into(),
            evidence,
            severity: None,
            key: String::new(),
            allowed: None,
        }
    }

    /// A draft about a credential.
    pub fn credential(c: &Credential, title: impl Into<String>, evidence: Vec<String>) -> Self {
        Self {
            identity: c.identity.clone(),
            credential: Some(c.id.clone()),
            title: title.into(),
            evidence,
            severity: None,
            key: String::new(),
            allowed: None,
        }
    }

    /// Sets the severity.
    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = Some(s);
        self
    }

    /// Sets the distinguishing key.
    pub fn key(mut self, k: impl Into<String>) -> Self {
        self.key = k.into();
        self
    }
}

impl Ctx<'_> {
    /// Identities the NHI governance rules apply to (machine or mixed use).
    pub fn nhis(&self) -> impl Iterator<Item = &Identity> {
        self.inv
            .identities
            .iter()
            .filter(|i| i.classification.is_nhi())
    }

    /// Active credentials of non-human identities.
    pub fn nhi_credentials(&self) -> impl Iterator<Item = (&Identity, &Credential)> {
        self.inv
            .credentials
            .iter()
            .filter(|c| c.active)
            .filter_map(|c| {
                self.inv
                    .identity(&c.identity)
                    .filter(|i| i.classification.is_nhi())
                    .map(|i| (i, c))
            })
    }

    /// Whole days from `t` to the scan clock (negative when `t` is after it).
    pub fn days_since(&self, t: DateTime<Utc>) -> i64 {
        (self.now - t).num_days()
    }

    /// Completes a draft into a finding.
    pub fn push(&self, out: &mut Vec<Finding>, meta: &RuleMeta, d: Draft) {
        let severity = self
            .cfg
            .severity_override(meta.code)
            .or(d.severity)
            .unwrap_or(meta.severity);
        let mut h = Sha256::new();
        for part in [
            meta.code,
            &d.identity,
            d.credential.as_deref().unwrap_or(""),
            &d.key,
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let digest = h.finalize();
        let fingerprint = digest
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        out.push(Finding {
            rule: meta.code.to_string(),
            severity,
            identity: d.identity,
            credential: d.credential,
            title: d.title,
            evidence: d.evidence,
            remediation: meta.remediation.to_string(),
            controls: meta.controls.iter().map(|c| c.to_string()).collect(),
            fingerprint,
            state: if d.allowed.is_some() {
                FindingState::Suppressed
            } else {
                FindingState::New
            },
            suppression: d.allowed.map(|reason| crate::model::SuppressionNote {
                reason,
                owner: "allow list".into(),
                expires: "never".into(),
            }),
        });
    }
}

/// Runs every rule and returns the findings, worst first, then by identity, rule, credential.
pub fn evaluate(inv: &Inventory, cfg: &Config, now: DateTime<Utc>) -> Vec<Finding> {
    let ctx = Ctx { inv, cfg, now };
    let mut out = Vec::new();
    for rule in RULES {
        rule.check(&ctx, &mut out);
    }
    suppress(&ctx, &mut out);
    let mut about = Vec::new();
    for rule in RULES {
        rule.check_findings(&ctx, &out, &mut about);
    }
    out.extend(about);
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.identity.cmp(&b.identity))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.credential.cmp(&b.credential))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    let mut seen = BTreeSet::new();
    out.retain(|f| seen.insert(f.fingerprint.clone()));
    out
}

/// Marks findings accepted by an unexpired suppression as suppressed, with its reason.
fn suppress(ctx: &Ctx<'_>, findings: &mut [Finding]) {
    let today = ctx.now.date_naive();
    for f in findings {
        if let Some(s) = ctx
            .cfg
            .suppressions
            .iter()
            .find(|s| s.expires >= today && s.matches(f))
        {
            f.state = FindingState::Suppressed;
            f.suppression = Some(crate::model::SuppressionNote {
                reason: s.reason.clone(),
                owner: s.owner.clone(),
                expires: s.expires.to_string(),
            });
        }
    }
}

/// Renders a rule's documentation page (docs/rules/CODE.md and `nhi rules explain`).
pub fn explain(meta: &RuleMeta) -> String {
    format!(
        "# {code}\n\n{title}\n\n- Default severity: **{sev}**\n- Controls: {controls}\n\n## Fires when\n\n{when}\n\n## Why it matters\n\n{why}\n\n## How to fix it\n\n{fix}\n",
        code = meta.code,
        title = meta.title,
        sev = meta.severity,
        controls = meta.controls.join(", "),
        when = meta.fires_when,
        why = meta.explanation,
        fix = meta.remediation,
    )
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Builders for rule unit tests: a small inventory, the default config, a fixed clock.
    use super::*;
    use crate::model::*;
    use chrono::TimeZone;

    pub fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 15, 0, 0, 0).unwrap()
    }

    pub fn days_ago(d: i64) -> Option<DateTime<Utc>> {
        Some(now() - chrono::Duration::days(d))
    }

    pub fn machine(name: &str) -> Identity {
        let mut i = Identity::new(
            format!("aws:iam::123456789012:user/{name}"),
            Provider::Aws,
            IdentityKind::User,
            name.to_string(),
        );
        i.account = Some("123456789012".into());
        i.classification = Classification::Machine;
        i.created = days_ago(400);
        i
    }

    pub fn role(name: &str, trust: &str) -> Identity {
        let mut i = machine(name);
        i.id = format!("aws:iam::123456789012:role/{name}");
        i.kind = IdentityKind::Role;
        i.trust_policy = Some(crate::policy::PolicyDocument::from_text(trust).unwrap());
        i
    }

    pub fn key(identity: &Identity, slot: u8, created: i64, used: Option<i64>) -> Credential {
        Credential {
            id: format!("{}#access-key-{slot}", identity.id),
            identity: identity.id.clone(),
            kind: CredentialKind::AccessKey,
            fingerprint: format!("access-key-{slot}"),
            active: true,
            created: days_ago(created),
            last_used: used.and_then(days_ago),
            last_used_service: None,
            last_used_region: None,
            expires: None,
            last_used_known: true,
        }
    }

    pub fn attach(i: &mut Identity, doc: &str) {
        i.privileges.policies.push(PolicyAttachment {
            name: "test-policy".into(),
            arn: None,
            via: "inline".into(),
            document: Some(crate::policy::PolicyDocument::from_text(doc).unwrap()),
        });
        crate::connector::aws::privileges::assess(i);
    }

    /// Runs one rule over identities and credentials with a config.
    pub fn run_with(
        rule: &dyn Rule,
        ids: Vec<Identity>,
        creds: Vec<Credential>,
        cfg: &Config,
    ) -> Vec<Finding> {
        let mut inv = Inventory {
            identities: ids,
            credentials: creds,
            ..Inventory::default()
        };
        inv.sort();
        let ctx = Ctx {
            inv: &inv,
            cfg,
            now: now(),
        };
        let mut out = Vec::new();
        rule.check(&ctx, &mut out);
        out
    }

    /// A leak found at one place.
    pub fn leak(id: &str, path: &str, allowed: Option<&str>) -> Leak {
        Leak {
            id: format!("leak:{id}"),
            rule: "github-pat-classic".into(),
            name: "GitHub personal access token (classic)".into(),
            provider: "github".into(),
            kind: "token".into(),
            fingerprint: id.into(),
            preview: "ghp_…".into(),
            handle: None,
            validated: true,
            fixture: None,
            locations: vec![LeakLocation {
                repository: ".".into(),
                path: path.into(),
                line: 3,
                column: 9,
                commit: None,
                author: None,
                date: None,
                at_head: true,
                allowed: allowed.map(String::from),
            }],
            live: Vec::new(),
        }
    }

    /// Runs one rule over leaks and identities with their credentials.
    pub fn run_leaks(
        rule: &dyn Rule,
        leaks: Vec<Leak>,
        ids: Vec<(Identity, Vec<Credential>)>,
    ) -> Vec<Finding> {
        let mut inv = Inventory::default();
        for (i, cs) in ids {
            inv.identities.push(i);
            inv.credentials.extend(cs);
        }
        inv.leaks = leaks;
        inv.sort();
        let cfg = Config::default();
        let ctx = Ctx {
            inv: &inv,
            cfg: &cfg,
            now: now(),
        };
        let mut out = Vec::new();
        rule.check(&ctx, &mut out);
        out
    }

    /// Runs one rule with the default configuration.
    pub fn run(rule: &dyn Rule, ids: Vec<Identity>, creds: Vec<Credential>) -> Vec<Finding> {
        run_with(rule, ids, creds, &Config::default())
    }

    /// An activity summary with these actions (count each), seen today over a 60-day window.
    pub fn activity(actions: &[(&str, u64)]) -> ActivitySummary {
        let mut a = ActivitySummary {
            sources: vec![ActivitySource {
                source: "cloudtrail".into(),
                first_seen: Some(now() - chrono::Duration::days(50)),
                last_seen: Some(now()),
                events: actions.iter().map(|(_, n)| n).sum(),
                window_from: now() - chrono::Duration::days(60),
                window_to: now(),
            }],
            ..Default::default()
        };
        for (act, n) in actions {
            a.actions.insert(act.to_string(), *n);
            let svc = act.split(':').next().unwrap_or("").to_string();
            *a.services.entry(svc).or_default() += n;
        }
        a
    }

    /// Parses a configuration for a test.
    pub fn cfg(yaml: &str) -> Config {
        Config::parse(yaml, "test.yaml").unwrap()
    }

    /// The credential with an expiry date.
    pub fn expires_at(c: Credential, at: DateTime<Utc>) -> Credential {
        Credential {
            expires: Some(at),
            ..c
        }
    }

    /// A machine identity reclassified as a person's (the NHI rules skip it).
    pub fn human(name: &str) -> Identity {
        let mut i = machine(name);
        i.classification = Classification::Human;
        i
    }

    /// The identity ids the findings are about, in output order.
    pub fn fired_identities(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.identity.as_str()).collect()
    }

    /// The credential ids the findings are about, in output order (`-` for none).
    pub fn fired_credentials(f: &[Finding]) -> Vec<&str> {
        f.iter()
            .map(|f| f.credential.as_deref().unwrap_or("-"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        let mut seen = BTreeSet::new();
        for r in RULES {
            let m = r.meta();
            assert!(seen.insert(m.code), "duplicate code {}", m.code);
            assert!(
                m.code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                m.code
            );
            assert!(
                !m.controls.is_empty() && !m.remediation.is_empty() && !m.explanation.is_empty()
            );
        }
    }

    #[test]
    fn the_catalogue_and_the_codes_are_the_same_list() {
        let catalogue: Vec<&str> = RULES.iter().map(|r| r.meta().code).collect();
        assert_eq!(catalogue, codes::ALL);
        assert!(codes::known("deploy-key-write") && !codes::known("deploy-keys-write"));
    }
}
