use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::policy::PolicyDocument;

/// The provider an identity lives in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    /// Amazon Web Services IAM.
    Aws,
    /// GitHub.
    Github,
    /// A source-code repository (leaked credentials).
    Repo,
    /// A SaaS provider read through a declarative connector.
    Saas,
}

impl Provider {
    /// The lowercase name used in ids and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Github => "github",
            Provider::Repo => "repo",
            Provider::Saas => "saas",
        }
    }
}

/// What sort of identity this is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKind {
    /// An account's root user.
    Root,
    /// A user (IAM user, service account with its own login).
    User,
    /// A role assumed by services, workloads or federated principals.
    Role,
    /// A service account.
    ServiceAccount,
    /// An application registration.
    App,
    /// An installation of an application into an organisation.
    AppInstallation,
    /// A repository deploy key.
    DeployKey,
    /// An access token.
    AccessToken,
    /// An OAuth grant to a third party.
    OauthGrant,
    /// A service principal.
    ServicePrincipal,
    /// An AI agent identity.
    AiAgent,
    /// A secret stored for automation (GitHub Actions, Dependabot, Codespaces secrets).
    Secret,
    /// A webhook that sends events to an endpoint.
    Webhook,
    /// A self-hosted CI runner.
    Runner,
}

/// Whether an identity is used by machines, people, or both.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Classification {
    /// A non-human identity: the subject of this audit.
    Machine,
    /// A person's identity: listed, but not audited as an NHI.
    Human,
    /// Both a machine credential and a human sign-in: audited, and flagged.
    Mixed,
    /// Managed by the provider itself (service-linked roles): listed, not audited.
    ProviderManaged,
    /// Nothing tells (for example a user with no credentials at all).
    Unknown,
}

impl Classification {
    /// Whether governance rules for non-human identities apply (machine, mixed, or unknown:
    /// an identity that cannot be shown to be human is audited).
    pub fn is_nhi(self) -> bool {
        matches!(
            self,
            Classification::Machine | Classification::Mixed | Classification::Unknown
        )
    }
}

/// A value (owner, purpose, expiry) with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Attribution {
    /// The value, or null when no source says.
    pub value: Option<String>,
    /// Where the value came from: `tag:owner`, `description`, `config:ownership[2]`, … or
    /// `unknown` when nothing says.
    pub source: String,
}

impl Default for Attribution {
    fn default() -> Self {
        Self::unknown()
    }
}

impl Attribution {
    /// No source says.
    pub fn unknown() -> Self {
        Self {
            value: None,
            source: "unknown".into(),
        }
    }

    /// A value from a named source.
    pub fn from(value: impl Into<String>, source: impl Into<String>) -> Self {
        Self {
            value: Some(value.into()),
            source: source.into(),
        }
    }

    /// Whether a value is known.
    pub fn is_known(&self) -> bool {
        self.value.is_some()
    }
}

/// Normalised privilege level.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PrivilegeLevel {
    /// No permissions found.
    #[default]
    None,
    /// Read-only actions.
    Read,
    /// Actions that change state.
    Write,
    /// Full control, or control of identity and access management.
    Admin,
}

/// A policy attached to an identity, directly, through a group, or inline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyAttachment {
    /// The policy's name.
    pub name: String,
    /// The managed policy's ARN (null for an inline policy).
    pub arn: Option<String>,
    /// How it is attached: `inline`, `managed`, `group:NAME/inline`, `group:NAME/managed`.
    pub via: String,
    /// The policy document (null when the evidence lacks it).
    pub document: Option<PolicyDocument>,
}

/// What an identity may do.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Privileges {
    /// The normalised level.
    pub level: PrivilegeLevel,
    /// Why this level: the statements or scopes that decide it.
    pub basis: Vec<String>,
    /// The policies that grant permissions (AWS).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicyAttachment>,
    /// Raw scopes or permissions (token scopes, app permissions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// A permissions boundary's ARN, when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
}

/// Console (human) sign-in of a user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConsoleAccess {
    /// A console password is enabled.
    pub password_enabled: bool,
    /// When the password was last used to sign in.
    pub password_last_used: Option<DateTime<Utc>>,
    /// An MFA device is active.
    pub mfa_active: bool,
}

/// Why an identity is taken to be an AI agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AiAgentEvidence {
    /// The AI service or catalogue entry that matched (e.g. `bedrock.amazonaws.com`).
    pub matched: String,
    /// Where it matched (e.g. `trust policy statement 0`).
    pub evidence: String,
}

/// A non-human (or human) identity found by a connector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Identity {
    /// Stable, provider-qualified id: `aws:iam::123456789012:user/deploy-bot`.
    pub id: String,
    /// The provider.
    pub provider: Provider,
    /// What sort of identity.
    pub kind: IdentityKind,
    /// Its name at the provider.
    pub name: String,
    /// The id of the source it was read from (`sources[].id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The account, organisation or tenant it lives in.
    pub account: Option<String>,
    /// The account's alias or display name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_alias: Option<String>,
    /// The provider's native identifier (an ARN, an app id).
    pub native_id: Option<String>,
    /// Machine, human, mixed or provider-managed.
    pub classification: Classification,
    /// Why that classification.
    pub classification_reason: String,
    /// When it was created.
    pub created: Option<DateTime<Utc>>,
    /// When it was last used, by any credential or session.
    pub last_used: Option<DateTime<Utc>>,
    /// Whether it can still authenticate (active credential, assumable role).
    pub active: bool,
    /// Who is accountable for it.
    pub owner: Attribution,
    /// What it is for.
    pub purpose: Attribution,
    /// When it should be removed or reviewed (`YYYY-MM-DD`).
    pub expiry: Attribution,
    /// The parsed expiry date, when the expiry value is a date.
    pub expiry_date: Option<NaiveDate>,
    /// A free-text description from the provider.
    pub description: Option<String>,
    /// Provider tags or labels.
    pub tags: BTreeMap<String, String>,
    /// What it may do.
    pub privileges: Privileges,
    /// Provider attributes the rules read (`repository_selection`, `read_only`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, serde_json::Value>,
    /// Console sign-in, for users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console: Option<ConsoleAccess>,
    /// The trust (assume-role) policy, for roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_policy: Option<PolicyDocument>,
    /// Groups the identity belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Evidence that this identity is an AI agent (empty when it is not one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ai_agent: Vec<AiAgentEvidence>,
    /// What a compromise of this identity would reach (non-human identities only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blast_radius: Option<BlastRadius>,
    /// What it was seen doing in the activity logs read (`--activity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<super::ActivitySummary>,
}

/// One term of a blast-radius score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BlastTerm {
    /// `privilege`, `reach` or `exposure`.
    pub factor: String,
    /// Points this term adds.
    pub points: u32,
    /// What the term is about.
    pub reason: String,
}

/// The blast radius of an identity: privilege level, reach and exposure, and a score that is
/// the sum of the terms shown (formula: docs/blast-radius.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BlastRadius {
    /// The sum of the terms.
    pub score: u32,
    /// The privilege level.
    pub level: PrivilegeLevel,
    /// What it can touch (accounts, services, resources, repositories, scopes).
    pub reach: Vec<String>,
    /// How it could be taken over (static credentials, open trusts, leaks, no expiry).
    pub exposure: Vec<String>,
    /// Every term of the score.
    pub terms: Vec<BlastTerm>,
}

impl Identity {
    /// A boolean provider attribute.
    pub fn flag(&self, key: &str) -> Option<bool> {
        self.attributes
            .get(key)
            .and_then(serde_json::Value::as_bool)
    }

    /// A text provider attribute.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).and_then(serde_json::Value::as_str)
    }

    /// A new identity with nothing attributed yet.
    pub fn new(id: String, provider: Provider, kind: IdentityKind, name: String) -> Self {
        Self {
            id,
            provider,
            kind,
            name,
            source: None,
            account: None,
            account_alias: None,
            native_id: None,
            classification: Classification::Unknown,
            classification_reason: String::new(),
            created: None,
            last_used: None,
            active: true,
            owner: Attribution::unknown(),
            purpose: Attribution::unknown(),
            expiry: Attribution::unknown(),
            expiry_date: None,
            description: None,
            tags: BTreeMap::new(),
            privileges: Privileges::default(),
            attributes: BTreeMap::new(),
            console: None,
            trust_policy: None,
            groups: Vec::new(),
            ai_agent: Vec::new(),
            blast_radius: None,
            activity: None,
        }
    }

    /// Whether the identity is recognised as an AI agent.
    pub fn is_ai_agent(&self) -> bool {
        !self.ai_agent.is_empty()
    }
}
