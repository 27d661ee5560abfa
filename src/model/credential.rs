use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What sort of credential.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// A long-lived cloud access key (AWS access key).
    AccessKey,
    /// A signing certificate or client certificate.
    Certificate,
    /// A client secret (shared secret of an app registration).
    ClientSecret,
    /// An SSH key (deploy key).
    SshKey,
    /// A bearer token.
    Token,
    /// A webhook signing secret.
    WebhookSecret,
    /// A secret stored for automation (its value is not readable through the API).
    StoredSecret,
}

/// A credential of an identity. Never holds the secret value itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Credential {
    /// Stable id: the identity's id, `#`, and the credential's own handle.
    pub id: String,
    /// The id of the identity it belongs to.
    pub identity: String,
    /// What sort of credential.
    pub kind: CredentialKind,
    /// A non-secret handle (AWS key id, slot name, last eight characters, SSH fingerprint).
    pub fingerprint: String,
    /// Whether it can currently authenticate.
    pub active: bool,
    /// When it was created (or last rotated).
    pub created: Option<DateTime<Utc>>,
    /// When it was last used.
    pub last_used: Option<DateTime<Utc>>,
    /// The service it was last used with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_service: Option<String>,
    /// The region it was last used in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_region: Option<String>,
    /// When it expires, if it does.
    pub expires: Option<DateTime<Utc>>,
    /// Whether the provider can report last use at all (false: `last_used` null means unknown).
    pub last_used_known: bool,
}
