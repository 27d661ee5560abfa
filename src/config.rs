//! `nhi.yaml`: raw serde structs read with serde-saphyr, then validated settings.
//!
//! Every problem (an unknown key, a wrong type, a bad date, an unknown rule code or severity)
//! is reported as `FILE:LINE:COLUMN: message`: the YAML parse itself rejects unknown keys and
//! checks types and values while it still knows where it is.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

use crate::model::{PrivilegeLevel, Severity};

/// The configuration file's default name, read from the working directory when present.
pub const DEFAULT_FILE: &str = "nhi.yaml";

/// An error in a configuration file, with its position.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    /// The file.
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: u64,
    /// 1-based column (0 when unknown).
    pub column: u64,
    /// What is wrong.
    pub message: String,
}

/// Rule thresholds (days).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// An active credential older than this is unrotated.
    pub rotation_days: u32,
    /// An active credential last used longer ago than this is unused.
    pub unused_days: u32,
    /// A never-used credential younger than this is still in its grace period.
    pub grace_days: u32,
    /// A credential whose lifetime exceeds this is long-lived.
    pub max_lifetime_days: u32,
    /// A credential expiring within this many days is flagged so its owner can act.
    pub expiring_days: u32,
    /// Console sign-in within this many days counts as recent human use.
    pub human_use_days: u32,
    /// Rules that judge the absence of activity need a covered window at least this long.
    pub activity_min_days: u32,
    /// Denied calls within five minutes that make a burst.
    pub denied_burst: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            rotation_days: 90,
            unused_days: 45,
            grace_days: 7,
            max_lifetime_days: 365,
            expiring_days: 30,
            human_use_days: 90,
            activity_min_days: 30,
            denied_burst: 10,
        }
    }
}

/// Which tag keys carry owner, purpose and expiry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttributionKeys {
    /// Tag keys naming the owner, in order of preference.
    pub owner_tags: Vec<String>,
    /// Tag keys stating the purpose.
    pub purpose_tags: Vec<String>,
    /// Tag keys giving an expiry date (`YYYY-MM-DD`) or a time to live (`90d`).
    pub expiry_tags: Vec<String>,
}

impl Default for AttributionKeys {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        Self {
            owner_tags: v(&["owner", "Owner", "team", "contact"]),
            purpose_tags: v(&["purpose", "Purpose", "description"]),
            expiry_tags: v(&["expires", "expiry", "Expiry", "ttl"]),
        }
    }
}

/// What an ownership rule matches. Every given criterion must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// Glob on the identity id (`aws:iam::*:role/ci-*`).
    pub id: Option<Glob>,
    /// Glob on the identity name.
    pub name: Option<Glob>,
    /// Tag key → glob on its value.
    #[serde(default)]
    pub tags: BTreeMap<String, Glob>,
}

/// An ownership rule: identities it matches get these values where their own data is silent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnershipRule {
    /// What it matches.
    #[serde(rename = "match")]
    pub matches: Match,
    /// Owner to attribute.
    pub owner: Option<String>,
    /// Purpose to attribute.
    pub purpose: Option<String>,
    /// Expiry or review date to attribute.
    pub expiry: Option<ConfigDate>,
}

/// A person or team of the organisation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Canonical id, usually an e-mail address.
    pub id: String,
    /// Other names the same person or team goes by (user names, display names).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Whether they are still an active member (false: departed).
    #[serde(default = "yes")]
    pub active: bool,
    /// The day they left (`YYYY-MM-DD`), if they did: activity after it is reported.
    #[serde(default)]
    pub left: Option<chrono::NaiveDate>,
    /// `person` or `team`.
    #[serde(default)]
    pub kind: PersonKind,
}

fn yes() -> bool {
    true
}

/// A roster entry's kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonKind {
    /// A person.
    #[default]
    Person,
    /// A team or group.
    Team,
}

/// AI-agent policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AiAgents {
    /// The highest privilege an AI agent may hold (`read`, `write` or `admin`).
    pub allowed_privilege: PrivilegeName,
    /// Extra AWS service principals that mark a role as an AI agent.
    pub aws_services: Vec<String>,
    /// Approved AI apps (for shadow-ai).
    pub approved: Vec<String>,
    /// Extra GitHub App slugs that are AI agents.
    pub github_apps: Vec<String>,
    /// Extra SaaS apps that are AI vendors' (matched by app id, client id, publisher or name).
    pub saas_apps: Vec<SaasApp>,
}

/// An AI vendor's SaaS app: any one match marks an identity as that vendor's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SaasApp {
    /// The vendor or product name shown in findings.
    pub name: String,
    /// Application ids (Entra appId, Slack app id, Okta app id).
    pub app_ids: Vec<String>,
    /// OAuth client ids (Google, Okta).
    pub client_ids: Vec<String>,
    /// Verified publisher names (exact, any case).
    pub publishers: Vec<String>,
    /// App display names, `*` as a wildcard (any case).
    pub names: Vec<String>,
}

impl Default for AiAgents {
    fn default() -> Self {
        Self {
            allowed_privilege: PrivilegeName(PrivilegeLevel::Read),
            aws_services: Vec::new(),
            approved: Vec::new(),
            github_apps: Vec::new(),
            saas_apps: Vec::new(),
        }
    }
}

/// A privilege level name in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivilegeName(pub PrivilegeLevel);

impl<'de> Deserialize<'de> for PrivilegeName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(PrivilegeName(match s.as_str() {
            "none" => PrivilegeLevel::None,
            "read" => PrivilegeLevel::Read,
            "write" => PrivilegeLevel::Write,
            "admin" => PrivilegeLevel::Admin,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "unknown privilege level `{other}` (expected none, read, write or admin)"
                )));
            }
        }))
    }
}

/// One connector's inputs in nhi.yaml (input name → value with its position). A value may be
/// a literal secret, and which inputs are secret is known only to the manifest, so `Debug`
/// prints the input names, never a value.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct ConnectorInputs(pub BTreeMap<String, serde_saphyr::Spanned<serde_json::Value>>);

impl std::fmt::Debug for ConnectorInputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(
                self.0
                    .keys()
                    .map(|k| (k, crate::secret::Secret::PLACEHOLDER)),
            )
            .finish()
    }
}

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Rule thresholds.
    pub thresholds: Thresholds,
    /// Tag keys for attribution.
    pub attribution: AttributionKeys,
    /// Ownership rules, first match wins.
    pub ownership: Vec<OwnershipRule>,
    /// Accounts trusted on purpose: id → name.
    pub known_accounts: BTreeMap<String, String>,
    /// The people and teams of the organisation.
    pub people: Vec<Person>,
    /// Severity per rule code.
    pub severity: BTreeMap<RuleCode, SeverityName>,
    /// AI-agent policy.
    pub ai_agents: AiAgents,
    /// Accepted findings, each with a reason, an owner and an expiry.
    pub suppressions: Vec<Suppression>,
    /// Live AWS: accounts to scan through AssumeRole, and limits.
    pub aws: AwsConfig,
    /// The repository scanner: extra rules, allow entries, limits.
    pub secrets: SecretsConfig,
    /// GitHub: limits and GitHub App credentials.
    pub github: GithubConfig,
    /// Activity logs: what each federated role is for.
    pub activity: ActivityConfig,
    /// SaaS connector inputs: connector id → input name → value (`${env:NAME}` and
    /// `${file:PATH}` are expanded when the connector runs).
    pub connectors: BTreeMap<String, ConnectorInputs>,
    /// Where the configuration came from (not part of the file).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// Activity-log settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActivityConfig {
    /// Per role (its name or ARN, `*` wildcards): the web-identity subjects expected to
    /// assume it (`repo:acme/api:ref:refs/heads/main`, `*` wildcards). A subject outside
    /// them is `oidc-subject-unexpected`.
    pub oidc_subjects: BTreeMap<String, Vec<String>>,
}

/// GitHub settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GithubConfig {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// The longest single wait for a rate limit, in seconds.
    pub max_wait_seconds: u64,
    /// Cache ETag'd answers in the user cache directory.
    pub cache: bool,
    /// Authenticate as a GitHub App installation instead of a token.
    pub app: Option<GithubApp>,
}

impl Default for GithubConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            max_wait_seconds: 3600,
            cache: true,
            app: None,
        }
    }
}

/// A GitHub App installation (its private key stays in a file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubApp {
    /// The App's id.
    pub app_id: u64,
    /// The installation on the organisation.
    pub installation_id: u64,
    /// The App's private key (PEM).
    pub private_key_file: PathBuf,
}

/// Repository scanner settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecretsConfig {
    /// Extra detection-rule files (same format as data/secret-rules/).
    pub rules: Vec<PathBuf>,
    /// Findings allowed on purpose, each with a reason.
    pub allow: Vec<SecretAllow>,
    /// Files larger than this many megabytes are skipped (and counted).
    pub max_file_size_mb: u64,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        Self {
            rules: Vec::new(),
            allow: Vec::new(),
            max_file_size_mb: 25,
        }
    }
}

/// A leaked-secret finding allowed on purpose: by path glob, rule id, or both.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawSecretAllow")]
pub struct SecretAllow {
    /// Glob on the path within the repository.
    pub path: Option<Glob>,
    /// Detection rule id.
    pub rule: Option<String>,
    /// Why it is allowed.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecretAllow {
    path: Option<Glob>,
    rule: Option<String>,
    reason: String,
}

impl TryFrom<RawSecretAllow> for SecretAllow {
    type Error = String;
    fn try_from(r: RawSecretAllow) -> Result<Self, String> {
        if r.path.is_none() && r.rule.is_none() {
            return Err("an allow entry needs a `path` glob, a `rule` id, or both".into());
        }
        if r.reason.trim().is_empty() {
            return Err("an allow entry needs a non-empty `reason`".into());
        }
        Ok(SecretAllow {
            path: r.path,
            rule: r.rule,
            reason: format!("allowed in nhi.yaml: {}", r.reason.trim()),
        })
    }
}

impl SecretAllow {
    /// Whether it allows a finding of `rule` at `path`.
    pub fn matches(&self, rule: &str, path: &str) -> bool {
        self.rule.as_deref().is_none_or(|r| r == rule)
            && self.path.as_ref().is_none_or(|g| g.is_match(path))
    }
}

/// Live AWS settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AwsConfig {
    /// Accounts scanned with `--aws`, each through STS AssumeRole.
    pub accounts: Vec<AwsAccount>,
    /// Accounts scanned at once.
    pub concurrency: usize,
    /// Per-entity requests in flight at once, per account.
    pub entity_concurrency: usize,
    /// Time allowed for one account, in seconds.
    pub account_timeout_seconds: u64,
    /// Attempts per request (the SDK's adaptive retry).
    pub max_attempts: u32,
    /// How long to wait for the credential report to be generated, in seconds.
    pub credential_report_wait_seconds: u64,
}

impl Default for AwsConfig {
    fn default() -> Self {
        Self {
            accounts: Vec::new(),
            concurrency: 4,
            entity_concurrency: 8,
            account_timeout_seconds: 600,
            max_attempts: 5,
            credential_report_wait_seconds: 60,
        }
    }
}

/// An account reached through AssumeRole.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsAccount {
    /// The role to assume (`arn:aws:iam::123456789012:role/nhi-audit`).
    pub role_arn: RoleArn,
    /// The external id its trust policy requires.
    pub external_id: Option<String>,
    /// The session name (default `nhi-audit`).
    pub session_name: Option<String>,
}

/// A role ARN, checked while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArn(pub String);

impl RoleArn {
    /// Checks the form `arn:PARTITION:iam::ACCOUNT:role/NAME`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.splitn(6, ':').collect();
        let ok = matches!(
            parts.as_slice(),
            [arn, partition, service, _region, account, resource]
                if *arn == "arn"
                    && partition.starts_with("aws")
                    && *service == "iam"
                    && account.len() == 12
                    && account.bytes().all(|b| b.is_ascii_digit())
                    && resource.strip_prefix("role/").is_some_and(|name| !name.is_empty())
        );
        if ok {
            Ok(RoleArn(s.to_string()))
        } else {
            Err(format!(
                "`{s}` is not a role ARN (arn:aws:iam::123456789012:role/NAME)"
            ))
        }
    }
}

impl<'de> Deserialize<'de> for RoleArn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RoleArn::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An accepted finding: matched by fingerprint, or by rule code and identity pattern.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawSuppression")]
pub struct Suppression {
    /// The finding's fingerprint.
    pub fingerprint: Option<String>,
    /// The rule code.
    pub rule: Option<String>,
    /// Glob on the identity id.
    pub identity: Option<Glob>,
    /// Why the finding is accepted.
    pub reason: String,
    /// Who accepted it.
    pub owner: String,
    /// Until when (inclusive); afterwards it stops suppressing and is itself reported.
    pub expires: NaiveDate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppression {
    fingerprint: Option<String>,
    rule: Option<RuleCode>,
    identity: Option<Glob>,
    reason: String,
    owner: String,
    expires: ConfigDate,
}

impl TryFrom<RawSuppression> for Suppression {
    type Error = String;
    fn try_from(r: RawSuppression) -> Result<Self, String> {
        if r.fingerprint.is_none() && (r.rule.is_none() || r.identity.is_none()) {
            return Err(
                "a suppression needs a `fingerprint`, or both a `rule` and an `identity` pattern"
                    .into(),
            );
        }
        if r.reason.trim().is_empty() || r.owner.trim().is_empty() {
            return Err("a suppression needs a non-empty `reason` and `owner`".into());
        }
        Ok(Suppression {
            fingerprint: r.fingerprint,
            rule: r.rule.map(|c| c.0),
            identity: r.identity,
            reason: r.reason,
            owner: r.owner,
            expires: r.expires.0,
        })
    }
}

impl Suppression {
    /// Whether it matches a finding (ignoring expiry).
    pub fn matches(&self, f: &crate::model::Finding) -> bool {
        if let Some(fp) = &self.fingerprint {
            return *fp == f.fingerprint;
        }
        self.rule.as_deref() == Some(f.rule.as_str())
            && self
                .identity
                .as_ref()
                .is_some_and(|g| g.is_match(&f.identity))
    }
}

/// A rule code in the configuration, checked against the rule registry while parsing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuleCode(pub String);

impl<'de> Deserialize<'de> for RuleCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if crate::rules::find(&s).is_none() {
            return Err(serde::de::Error::custom(format!(
                "unknown rule code `{s}` (see `nhi rules`)"
            )));
        }
        Ok(RuleCode(s))
    }
}

/// A severity name in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeverityName(pub Severity);

impl<'de> Deserialize<'de> for SeverityName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map(SeverityName)
            .map_err(serde::de::Error::custom)
    }
}

/// A `YYYY-MM-DD` date in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigDate(pub NaiveDate);

impl<'de> Deserialize<'de> for ConfigDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(ConfigDate)
            .map_err(|_| serde::de::Error::custom(format!("bad date `{s}`: expected YYYY-MM-DD")))
    }
}

/// A glob pattern, compiled while parsing.
#[derive(Clone)]
pub struct Glob {
    /// The pattern as written.
    pub pattern: String,
    matcher: globset::GlobMatcher,
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({:?})", self.pattern)
    }
}

impl Glob {
    /// Compiles a pattern (`*` and `?` cross `/`, as identity ids contain slashes).
    pub fn new(pattern: &str) -> Result<Self, String> {
        let g = globset::GlobBuilder::new(pattern)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|e| format!("bad pattern `{pattern}`: {e}"))?;
        Ok(Self {
            pattern: pattern.to_string(),
            matcher: g.compile_matcher(),
        })
    }

    /// Whether the text matches.
    pub fn is_match(&self, text: &str) -> bool {
        self.matcher.is_match(text)
    }
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Glob::new(&s).map_err(serde::de::Error::custom)
    }
}

impl Config {
    /// Parses configuration text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let cfg: Config = serde_saphyr::from_str(text).map_err(|e| {
            let e = e.without_snippet();
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            let mut message = e.to_string();
            // The position is ours to print, once, in front.
            if let Some(ix) = message.find(" at line ") {
                message.truncate(ix);
            }
            ConfigError {
                file: file.to_string(),
                line,
                column,
                message,
            }
        })?;
        Ok(cfg)
    }

    /// Loads `--config PATH`, or `./nhi.yaml` when it exists, or the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from(DEFAULT_FILE);
                if !p.is_file() {
                    return Ok(Config::default());
                }
                p
            }
        };
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
            file: name.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        })?;
        let mut cfg = Self::parse(&text, &name)?;
        cfg.path = Some(path);
        Ok(cfg)
    }

    /// The configured severity for a rule code, if overridden.
    pub fn severity_override(&self, code: &str) -> Option<Severity> {
        self.severity.get(&RuleCode(code.to_string())).map(|s| s.0)
    }

    /// Looks up a person or team by id or alias (case-insensitive).
    pub fn person(&self, name: &str) -> Option<&Person> {
        self.people.iter().find(|p| {
            p.id.eq_ignore_ascii_case(name)
                || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
    }
}

impl Match {
    /// Whether an identity matches every criterion given (an empty match matches nothing).
    pub fn matches(&self, id: &str, name: &str, tags: &BTreeMap<String, String>) -> bool {
        if self.id.is_none() && self.name.is_none() && self.tags.is_empty() {
            return false;
        }
        self.id.as_ref().is_none_or(|g| g.is_match(id))
            && self.name.as_ref().is_none_or(|g| g.is_match(name))
            && self
                .tags
                .iter()
                .all(|(k, g)| tags.get(k).is_some_and(|v| g.is_match(v)))
    }
}

/// The starter file `nhi init` writes.
pub const TEMPLATE: &str = include_str!("../docs/nhi.template.yaml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_empty() {
        let c = Config::parse("", "nhi.yaml").unwrap();
        assert_eq!(c.thresholds.rotation_days, 90);
        assert_eq!(
            c.attribution.owner_tags,
            vec!["owner", "Owner", "team", "contact"]
        );
    }

    #[test]
    fn template_parses() {
        Config::parse(TEMPLATE, "template").unwrap();
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let e = Config::parse(
            "thresholds:\n  rotation_days: 30\n  rotaton: 5\n",
            "nhi.yaml",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (3, 3), "{e}");
        assert!(e.to_string().starts_with("nhi.yaml:3:3: "), "{e}");
        assert!(e.message.contains("rotaton"), "{e}");
    }

    #[test]
    fn wrong_type_and_bad_date_and_unknown_code() {
        let e = Config::parse("thresholds:\n  rotation_days: ninety\n", "c.yaml").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = Config::parse(
            "ownership:\n  - match: { name: \"x*\" }\n    expiry: 2026-13-45\n",
            "c.yaml",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("bad date"), "{e}");
        let e = Config::parse("severity:\n  no-such-rule: high\n", "c.yaml").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("no-such-rule"), "{e}");
        let e = Config::parse("severity:\n  owner-missing: severe\n", "c.yaml").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn suppressions_need_reason_owner_expiry_and_a_target() {
        let ok = "suppressions:\n  - rule: owner-missing\n    identity: \"aws:iam::*:role/x\"\n    reason: r\n    owner: o\n    expires: 2027-01-01\n";
        assert_eq!(Config::parse(ok, "c").unwrap().suppressions.len(), 1);
        let e = Config::parse("suppressions:\n  - rule: owner-missing\n    reason: r\n    owner: o\n    expires: 2027-01-01\n", "c").unwrap_err();
        assert!(
            e.message.contains("needs a `fingerprint`") && e.line >= 2,
            "{e}"
        );
        let e = Config::parse(
            "suppressions:\n  - fingerprint: abc\n    owner: o\n    expires: 2027-01-01\n",
            "c",
        )
        .unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
    }

    #[test]
    fn aws_accounts() {
        let c = Config::parse("aws:\n  accounts:\n    - role_arn: arn:aws:iam::111122223333:role/audit\n      external_id: x\n  concurrency: 2\n", "c").unwrap();
        assert_eq!(
            c.aws.accounts[0].role_arn.0,
            "arn:aws:iam::111122223333:role/audit"
        );
        assert_eq!(c.aws.concurrency, 2);
        let e = Config::parse(
            "aws:\n  accounts:\n    - role_arn: arn:aws:iam::1111:role/audit\n",
            "c",
        )
        .unwrap_err();
        assert!(e.message.contains("not a role ARN") && e.line == 3, "{e}");
    }

    #[test]
    fn ownership_matching() {
        let c = Config::parse(
            "ownership:\n  - match: { id: \"aws:iam::*:role/ci-*\", tags: { team: pay* } }\n    owner: x\n",
            "c",
        )
        .unwrap();
        let m = &c.ownership[0].matches;
        let mut tags = BTreeMap::new();
        assert!(!m.matches("aws:iam::1:role/ci-a", "ci-a", &tags));
        tags.insert("team".to_string(), "payments".to_string());
        assert!(m.matches("aws:iam::1:role/ci-a", "ci-a", &tags));
        assert!(!m.matches("aws:iam::1:user/ci-a", "ci-a", &tags));
    }

    #[test]
    fn hostile_role_arns_are_errors() {
        for s in [
            "",
            ":",
            ":::::",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::12345678901é:role/x",
            "arn:aws:iam::😀😀😀:role/x",
            "arn:aws:iam::123456789012",
            "arn:aws:iam::123456789012:user/x",
            "arn😀:aws:iam::123456789012:role/x",
        ] {
            assert!(RoleArn::parse(s).is_err(), "{s:?}");
        }
        assert!(RoleArn::parse("arn:aws:iam::123456789012:role/é:😀").is_ok());
        assert!(RoleArn::parse("arn:aws-cn:iam:é:123456789012:role/x").is_ok());
    }
}
