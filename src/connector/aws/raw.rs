//! The shapes of the AWS documents as the API and the CLI return them. Lenient: every field
//! that AWS (or an emulator) may omit or null is optional.

use serde::{Deserialize, Deserializer};

fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One JSON evidence document: a page of `get-account-authorization-details`, or the output of
/// `get-credential-report`. Both shapes share this struct so that one typed parse (with line
/// and column in its errors) recognises either.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Document {
    /// Users (authorization details).
    pub user_detail_list: Option<Vec<UserDetail>>,
    /// Groups.
    pub group_detail_list: Option<Vec<GroupDetail>>,
    /// Roles.
    pub role_detail_list: Option<Vec<RoleDetail>>,
    /// Managed policies.
    pub policies: Option<Vec<ManagedPolicy>>,
    /// More pages follow.
    pub is_truncated: Option<bool>,
    /// Pagination marker.
    pub marker: Option<String>,
    /// Credential report content (CSV, base64-encoded by the API or plain).
    pub content: Option<String>,
    /// When the credential report was generated.
    pub generated_time: Option<String>,
    /// `text/csv`.
    pub report_format: Option<String>,
    /// Access keys of a user (`aws iam list-access-keys`): their ids, which no other
    /// document has.
    pub access_key_metadata: Option<Vec<AccessKeyMeta>>,
    /// The account's alias (`aws iam list-account-aliases`).
    pub account_aliases: Option<Vec<String>>,
}

/// One entry of `list-access-keys`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeyMeta {
    /// The user.
    pub user_name: String,
    /// The key id (`AKIA...`): not secret.
    pub access_key_id: String,
    /// `Active` or `Inactive`.
    pub status: Option<String>,
    /// When it was created.
    pub create_date: Option<String>,
}

impl Document {
    /// Whether it is a page of authorization details.
    pub fn is_authorization_details(&self) -> bool {
        self.user_detail_list.is_some()
            || self.role_detail_list.is_some()
            || self.group_detail_list.is_some()
            || self.policies.is_some()
    }
}

/// A tag.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Key.
    pub key: String,
    /// Value.
    #[serde(default, deserialize_with = "nullable")]
    pub value: String,
}

/// A managed policy attachment.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attached {
    /// Name (absent in some emulators).
    pub policy_name: Option<String>,
    /// ARN.
    pub policy_arn: String,
}

/// An inline policy.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Inline {
    /// Name.
    pub policy_name: String,
    /// The document: an object, or a URL-encoded JSON string.
    pub policy_document: serde_json::Value,
}

/// A permissions boundary.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Boundary {
    /// The boundary policy's ARN.
    pub permissions_boundary_arn: Option<String>,
}

/// A user.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserDetail {
    /// Path.
    pub path: Option<String>,
    /// Name.
    pub user_name: String,
    /// ARN.
    pub arn: String,
    /// Creation time.
    pub create_date: Option<String>,
    /// Group names.
    #[serde(default, deserialize_with = "nullable")]
    pub group_list: Vec<String>,
    /// Managed policies.
    #[serde(default, deserialize_with = "nullable")]
    pub attached_managed_policies: Vec<Attached>,
    /// Inline policies.
    #[serde(default, deserialize_with = "nullable")]
    pub user_policy_list: Vec<Inline>,
    /// Tags.
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<Tag>,
    /// Permissions boundary.
    pub permissions_boundary: Option<Boundary>,
}

/// A group.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupDetail {
    /// Name.
    pub group_name: String,
    /// ARN.
    pub arn: Option<String>,
    /// Inline policies.
    #[serde(default, deserialize_with = "nullable")]
    pub group_policy_list: Vec<Inline>,
    /// Managed policies.
    #[serde(default, deserialize_with = "nullable")]
    pub attached_managed_policies: Vec<Attached>,
}

/// When a role was last used.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleLastUsed {
    /// Date.
    pub last_used_date: Option<String>,
    /// Region.
    pub region: Option<String>,
}

/// A role.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleDetail {
    /// Path.
    pub path: Option<String>,
    /// Name.
    pub role_name: String,
    /// ARN.
    pub arn: String,
    /// Creation time.
    pub create_date: Option<String>,
    /// Description (present in GetRole output).
    pub description: Option<String>,
    /// Trust policy: an object, or a URL-encoded JSON string.
    pub assume_role_policy_document: Option<serde_json::Value>,
    /// Inline policies.
    #[serde(default, deserialize_with = "nullable")]
    pub role_policy_list: Vec<Inline>,
    /// Managed policies.
    #[serde(default, deserialize_with = "nullable")]
    pub attached_managed_policies: Vec<Attached>,
    /// Tags.
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<Tag>,
    /// Last use.
    pub role_last_used: Option<RoleLastUsed>,
    /// Permissions boundary.
    pub permissions_boundary: Option<Boundary>,
}

/// A version of a managed policy.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    /// The document.
    pub document: Option<serde_json::Value>,
    /// `v3`.
    pub version_id: Option<String>,
    /// Whether it is the default (effective) version.
    pub is_default_version: Option<bool>,
}

/// A managed policy.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    /// Name (absent in some emulators).
    pub policy_name: Option<String>,
    /// ARN.
    pub arn: String,
    /// The default version's id.
    pub default_version_id: Option<String>,
    /// Versions.
    #[serde(default, deserialize_with = "nullable")]
    pub policy_version_list: Vec<PolicyVersion>,
}

/// One row of the credential report.
#[derive(Debug, Clone, Default)]
pub struct ReportRow {
    /// `<root_account>` or the user name.
    pub user: String,
    /// ARN.
    pub arn: String,
    /// Creation time.
    pub created: Option<String>,
    /// `true`, `false` or `not_supported`.
    pub password_enabled: String,
    /// Last console sign-in.
    pub password_last_used: Option<String>,
    /// MFA active.
    pub mfa_active: bool,
    /// Access keys 1 and 2.
    pub keys: [KeySlot; 2],
    /// Signing certificates 1 and 2.
    pub certs: [KeySlot; 2],
}

/// One access key or certificate slot of the credential report.
#[derive(Debug, Clone, Default)]
pub struct KeySlot {
    /// Active.
    pub active: bool,
    /// Created or last rotated (`N/A` when the slot is empty).
    pub last_rotated: Option<String>,
    /// Last used.
    pub last_used: Option<String>,
    /// Region of last use.
    pub region: Option<String>,
    /// Service of last use.
    pub service: Option<String>,
}
