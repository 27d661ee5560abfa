//! The connector manifest: its schema, the embedded manifests, loading and validation.
//!
//! A manifest is YAML read with serde-saphyr. Unknown fields, bad templates, unknown inputs,
//! unknown streams and indexes are errors naming the file, line and column.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path as FsPath;

use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::template::{Seg, Template, parse_path};
use crate::model::{CredentialKind, IdentityKind};

/// Manifests shipped in the binary: every file in connectors/, embedded by build.rs (adding one
/// is one file).
pub use crate::embedded::BUILTIN_MANIFESTS as BUILTIN;

/// A manifest that could not be loaded: file, position, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// The file (or `connectors/NAME.yaml` for a built-in one).
    pub file: String,
    /// 1-based line (0: the whole file).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for ManifestError {}

/// Validates one template: the roots it may use, and whether secret inputs are allowed.
type TemplateCheck<'a> = dyn Fn(&Template, &[&str], bool) -> Result<(), ManifestError> + 'a;

/// A connector manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Stable id: kebab-case, used in identity ids and `--connector`.
    pub id: Spanned<String>,
    /// Display name.
    pub name: String,
    /// One line on what it reads.
    pub description: String,
    /// The provider's API reference.
    #[serde(default)]
    pub docs: Option<String>,
    /// The scope catalogue namespace that rates this provider's scopes (`graph`, `google`, …).
    #[serde(default)]
    pub scopes: Option<String>,
    /// Inputs: values from nhi.yaml (`connectors.ID.NAME`), `${env:NAME}`, or defaults.
    #[serde(default)]
    pub inputs: BTreeMap<String, Input>,
    /// The account (tenant, organisation, domain) the identities belong to.
    pub account: Template,
    /// How requests authenticate.
    #[serde(default)]
    pub auth: Option<Auth>,
    /// Settings shared by every stream.
    pub requests: Requests,
    /// What to read, in order (a child stream after its parent).
    pub streams: Vec<Stream>,
    /// Recorded example responses and the identities they must yield.
    #[serde(default)]
    pub examples: Option<Examples>,
    /// Where the manifest was read from (not part of the file).
    #[serde(skip)]
    pub file: String,
}

/// An input's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputType {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// true or false.
    Boolean,
    /// An absolute http(s) URL (http only to loopback).
    Url,
}

/// A declared input.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: InputType,
    /// What it is.
    pub description: String,
    /// Whether a value must be given (no default).
    #[serde(default)]
    pub required: bool,
    /// The value when none is given; may be `${env:NAME}` or a template over other inputs.
    #[serde(default)]
    pub default: Option<Value>,
    /// A credential: never logged, reported or cached, and usable only in `auth`.
    #[serde(default)]
    pub secret: bool,
}

/// Authentication methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthKind {
    /// `Authorization: Bearer TOKEN`.
    Bearer,
    /// A header with an optional prefix (`Authorization: SSWS TOKEN`, `PRIVATE-TOKEN: TOKEN`).
    ApiKey,
    /// OAuth 2.0 client credentials with a client secret or a signed JWT client assertion.
    Oauth2ClientCredentials,
    /// OAuth 2.0 JWT bearer grant (RFC 7523) signed RS256: Google service accounts with
    /// domain-wide delegation (`subject`).
    JwtBearer,
}

/// How requests authenticate. Which fields apply depends on `type`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// The method.
    #[serde(rename = "type")]
    pub kind: Spanned<AuthKind>,
    /// bearer: the token.
    #[serde(default)]
    pub token: Option<Template>,
    /// api-key: the header name.
    #[serde(default)]
    pub header: Option<String>,
    /// api-key: text before the key (`SSWS `).
    #[serde(default)]
    pub prefix: Option<String>,
    /// api-key: the key.
    #[serde(default)]
    pub value: Option<Template>,
    /// oauth2 / jwt-bearer: the token endpoint.
    #[serde(default)]
    pub token_url: Option<Template>,
    /// oauth2: the client id.
    #[serde(default)]
    pub client_id: Option<Template>,
    /// oauth2: the client secret (or use `private_key` for a JWT client assertion).
    #[serde(default)]
    pub client_secret: Option<Template>,
    /// oauth2 assertion / jwt-bearer: the RSA private key (PEM).
    #[serde(default)]
    pub private_key: Option<Template>,
    /// oauth2 assertion / jwt-bearer: the key id (`kid` header).
    #[serde(default)]
    pub key_id: Option<Template>,
    /// oauth2 assertion: the certificate thumbprint (`x5t` header, Entra).
    #[serde(default)]
    pub thumbprint: Option<Template>,
    /// jwt-bearer: the issuer (service account email).
    #[serde(default)]
    pub issuer: Option<Template>,
    /// jwt-bearer: the user to impersonate (domain-wide delegation).
    #[serde(default)]
    pub subject: Option<Template>,
    /// The scopes to request (space-separated).
    #[serde(default)]
    pub scope: Option<Template>,
}

/// Settings shared by every stream.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requests {
    /// The API base URL (an input, so it can point at a national cloud, a self-managed
    /// server or a loopback server).
    pub base_url: Template,
    /// Headers on every request.
    #[serde(default)]
    pub headers: BTreeMap<String, Template>,
    /// Retry policy.
    #[serde(default)]
    pub retry: Retry,
    /// An error reported in a 200 response (`ok: false`).
    #[serde(default)]
    pub error_when: Option<ErrorWhen>,
    /// Requests in flight at once for fan-out streams.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
}

fn default_concurrency() -> usize {
    4
}

/// Retries on 429 and 5xx.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retry {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The first backoff; doubled each attempt (with `Retry-After` taking precedence).
    pub backoff_ms: u64,
    /// The longest single wait, `Retry-After` included; a longer one fails the request.
    pub max_wait_seconds: u64,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            backoff_ms: 500,
            max_wait_seconds: 120,
        }
    }
}

/// A 200 response that is an error: `path` holds `equals`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorWhen {
    /// The field to test (`ok`).
    pub path: String,
    /// The value that means failure (`false`).
    pub equals: Value,
    /// The field holding the error text (`error`).
    #[serde(default)]
    pub message: Option<String>,
    /// Error texts that mean a missing permission or plan (a coverage gap, not a failure).
    #[serde(default)]
    pub skip: Vec<String>,
    /// Error texts that mean "slow down": retried like a 429.
    #[serde(default)]
    pub retry: Vec<String>,
}

/// Pagination methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageKind {
    /// The next page's URL is in the body (`@odata.nextLink`).
    NextUrl,
    /// A cursor in the body goes into a query parameter (Slack, Google).
    Cursor,
    /// The `link` header's `rel="next"` (Okta, GitLab, GitHub).
    LinkHeader,
    /// A page-number parameter, from `start`.
    Page,
    /// A record-offset parameter.
    Offset,
}

/// How to get the next page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paginate {
    /// The method.
    #[serde(rename = "type")]
    pub kind: Spanned<PageKind>,
    /// next-url, cursor: where the next URL or cursor is in the body.
    #[serde(default)]
    pub path: Option<String>,
    /// cursor, page, offset: the query parameter to set.
    #[serde(default)]
    pub param: Option<String>,
    /// page: the first page number (default 1).
    #[serde(default)]
    pub start: Option<u64>,
    /// page, offset: records per page; a shorter page is the last. Also sent in `size_param`.
    #[serde(default)]
    pub page_size: Option<u64>,
    /// page, offset: the parameter that carries `page_size`.
    #[serde(default)]
    pub size_param: Option<String>,
    /// The most pages to read per partition (a guard against a server that never stops).
    #[serde(default = "default_max_pages", deserialize_with = "at_least_one")]
    pub max_pages: u64,
}

fn at_least_one<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let v = u64::deserialize(d)?;
    if v == 0 {
        return Err(serde::de::Error::custom("max_pages must be at least 1"));
    }
    Ok(v)
}

fn default_max_pages() -> u64 {
    10_000
}

/// One endpoint read, optionally once per record of a parent stream.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stream {
    /// Its name (unique in the manifest).
    pub name: Spanned<String>,
    /// What it reads.
    #[serde(default)]
    pub description: Option<String>,
    /// Read once per record of this stream (`parent` in templates).
    #[serde(default)]
    pub parent: Option<Spanned<String>>,
    /// Read only when this is true (`{{ config.sign_in_activity }}`).
    #[serde(default)]
    pub when: Option<Template>,
    /// The path below the base URL (or an absolute URL).
    pub path: Template,
    /// Query parameters.
    #[serde(default)]
    pub query: BTreeMap<String, Template>,
    /// Extra headers.
    #[serde(default)]
    pub headers: BTreeMap<String, Template>,
    /// Where the records are in the body (`value`; empty: the body is the list).
    #[serde(default)]
    pub records: Option<Spanned<String>>,
    /// Pagination.
    #[serde(default)]
    pub paginate: Option<Paginate>,
    /// Requests in flight at once over the parent's records.
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// Statuses that mean "not available here" (no licence, no permission): the partition is
    /// skipped and a coverage entry says so.
    #[serde(default)]
    pub skip_on: Vec<u16>,
    /// Rules that cannot be evaluated fully when this stream is missing; each must be a known
    /// rule code (checked when the manifest is parsed).
    #[serde(default)]
    pub rules_affected: Vec<Spanned<String>>,
    /// What to grant when the stream is denied (shown in coverage).
    #[serde(default)]
    pub requires: Option<String>,
    /// Lookup tables built from the records, for `lookup` in templates.
    #[serde(default)]
    pub index: Vec<IndexDef>,
    /// Identities to emit (or enrich) from each record.
    #[serde(default)]
    pub emit: Vec<Emit>,
}

/// A lookup table: key → value for each record (or each element of `each`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexDef {
    /// Its name for `lookup('NAME')`.
    pub name: Spanned<String>,
    /// A list in the record to index instead of the record (`item`).
    #[serde(default)]
    pub each: Option<Template>,
    /// The key.
    pub key: Template,
    /// The value (default: the record or item).
    #[serde(default)]
    pub value: Option<Template>,
}

/// Identity kinds a manifest can emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmitKind {
    /// An application registration.
    App,
    /// A service principal or service app.
    ServicePrincipal,
    /// A service account.
    ServiceAccount,
    /// An access token.
    AccessToken,
    /// An OAuth grant to a third party.
    OauthGrant,
    /// A deploy key.
    DeployKey,
    /// An AI agent identity.
    AiAgent,
    /// An installed integration.
    AppInstallation,
}

impl EmitKind {
    /// The model's kind.
    pub fn model(self) -> IdentityKind {
        match self {
            EmitKind::App => IdentityKind::App,
            EmitKind::ServicePrincipal => IdentityKind::ServicePrincipal,
            EmitKind::ServiceAccount => IdentityKind::ServiceAccount,
            EmitKind::AccessToken => IdentityKind::AccessToken,
            EmitKind::OauthGrant => IdentityKind::OauthGrant,
            EmitKind::DeployKey => IdentityKind::DeployKey,
            EmitKind::AiAgent => IdentityKind::AiAgent,
            EmitKind::AppInstallation => IdentityKind::AppInstallation,
        }
    }

    /// The id segment.
    pub fn slug(self) -> &'static str {
        match self {
            EmitKind::App => "app",
            EmitKind::ServicePrincipal => "service-principal",
            EmitKind::ServiceAccount => "service-account",
            EmitKind::AccessToken => "access-token",
            EmitKind::OauthGrant => "oauth-grant",
            EmitKind::DeployKey => "deploy-key",
            EmitKind::AiAgent => "ai-agent",
            EmitKind::AppInstallation => "app-installation",
        }
    }
}

/// Credential kinds a manifest can emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredKind {
    /// A client secret.
    ClientSecret,
    /// A certificate.
    Certificate,
    /// A token.
    Token,
    /// An SSH key.
    SshKey,
}

impl CredKind {
    /// The model's kind.
    pub fn model(self) -> CredentialKind {
        match self {
            CredKind::ClientSecret => CredentialKind::ClientSecret,
            CredKind::Certificate => CredentialKind::Certificate,
            CredKind::Token => CredentialKind::Token,
            CredKind::SshKey => CredentialKind::SshKey,
        }
    }

    /// The id segment.
    pub fn slug(self) -> &'static str {
        match self {
            CredKind::ClientSecret => "client-secret",
            CredKind::Certificate => "certificate",
            CredKind::Token => "token",
            CredKind::SshKey => "ssh-key",
        }
    }
}

/// How a record becomes (part of) an identity. Emits upsert: a second emit with the same
/// kind and id adds to the first (unset fields, scopes, credentials, attributes).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emit {
    /// Emit once per element of this list instead of once per record (`item`).
    #[serde(default)]
    pub each: Option<Template>,
    /// Emit only when this is true.
    #[serde(default)]
    pub when: Option<Template>,
    /// The identity kind.
    pub kind: EmitKind,
    /// The provider's id of the object (part of the identity id).
    pub id: Template,
    /// Its name.
    #[serde(default)]
    pub name: Option<Template>,
    /// The provider's native id (app id, client id).
    #[serde(default)]
    pub native_id: Option<Template>,
    /// The account, when not the manifest's.
    #[serde(default)]
    pub account: Option<Template>,
    /// True for identities that are people's (listed, not audited). Default machine.
    #[serde(default)]
    pub human: Option<Template>,
    /// True for identities the provider itself manages (its first-party apps): listed, not
    /// audited.
    #[serde(default)]
    pub provider_managed: Option<Template>,
    /// Whether it can authenticate (default true).
    #[serde(default)]
    pub active: Option<Template>,
    /// Created.
    #[serde(default)]
    pub created: Option<Template>,
    /// Last used.
    #[serde(default)]
    pub last_used: Option<Template>,
    /// When the identity itself expires (a token's expiry).
    #[serde(default)]
    pub expires: Option<Template>,
    /// Who owns it, per the provider (a user id, an email).
    #[serde(default)]
    pub owner: Option<Template>,
    /// What the owner source is called in the report (`Graph application owners`).
    #[serde(default)]
    pub owner_source: Option<String>,
    /// The provider's description (purpose).
    #[serde(default)]
    pub description: Option<Template>,
    /// Scopes or permissions (a list, or text split on spaces).
    #[serde(default)]
    pub scopes: Option<Template>,
    /// A privilege level the provider states (`admin`, `write`, `read`), over the scope rating.
    #[serde(default)]
    pub privilege: Option<Template>,
    /// Provider attributes for rules (`tenant_wide_consent`, `app_id`, `publisher`, …).
    #[serde(default)]
    pub attributes: BTreeMap<String, Template>,
    /// Evidence that the provider itself marks this as an AI agent.
    #[serde(default)]
    pub ai_agent: Option<Template>,
    /// Credentials of the identity.
    #[serde(default)]
    pub credentials: Vec<CredEmit>,
}

/// A credential of an emitted identity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredEmit {
    /// One credential per element of this list (`item`); without it, one per record.
    #[serde(default)]
    pub each: Option<Template>,
    /// Emit only when this is true.
    #[serde(default)]
    pub when: Option<Template>,
    /// Its kind.
    pub kind: CredKind,
    /// A non-secret handle (key id, token id, SSH fingerprint).
    pub handle: Template,
    /// Whether it can authenticate (default true).
    #[serde(default)]
    pub active: Option<Template>,
    /// Created.
    #[serde(default)]
    pub created: Option<Template>,
    /// Expires.
    #[serde(default)]
    pub expires: Option<Template>,
    /// Last used.
    #[serde(default)]
    pub last_used: Option<Template>,
}

/// Recorded responses and what they must yield.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Input values for the example run (secrets are placeholders).
    #[serde(default)]
    pub inputs: BTreeMap<String, Value>,
    /// The token endpoint's response.
    #[serde(default)]
    pub token: Option<Recorded>,
    /// One response per stream (a child stream's answers every parent record).
    pub responses: Vec<Recorded>,
    /// The identities the run must emit, exactly.
    pub expect: Vec<Expect>,
}

/// A recorded response.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recorded {
    /// The stream it answers (not for `token`).
    #[serde(default)]
    pub stream: Option<Spanned<String>>,
    /// Where it comes from: the provider's reference page whose documented fields the project
    /// composed it from (saying so), or where a verbatim example was published.
    pub source: String,
    /// The response body.
    pub body: Value,
}

/// An identity an example must yield; fields left out are not compared.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The identity id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its owner.
    #[serde(default)]
    pub owner: Option<String>,
    /// Whether it is active.
    #[serde(default)]
    pub active: Option<bool>,
    /// Its scopes, in order.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Its privilege level (`none`, `read`, `write`, `admin`).
    #[serde(default)]
    pub privilege: Option<String>,
    /// The handles of its credentials, sorted.
    #[serde(default)]
    pub credentials: Option<Vec<String>>,
    /// Credential expiry dates (`YYYY-MM-DD`), in handle order.
    #[serde(default)]
    pub expires: Option<Vec<String>>,
    /// Created (`YYYY-MM-DD`).
    #[serde(default)]
    pub created: Option<String>,
    /// Last used (`YYYY-MM-DD`).
    #[serde(default)]
    pub last_used: Option<String>,
    /// Attributes that must hold these values.
    #[serde(default)]
    pub attributes: BTreeMap<String, Value>,
}

impl Manifest {
    /// Parses and validates manifest text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, ManifestError> {
        let mut m: Manifest = serde_saphyr::from_str(text).map_err(|e| {
            let e = e.without_snippet();
            let (line, column) = e
                .location()
                .map(|l| (l.line() as usize, l.column() as usize))
                .unwrap_or((0, 0));
            let mut message = e.to_string();
            if let Some(ix) = message.find(" at line ") {
                message.truncate(ix);
            }
            ManifestError {
                file: file.to_string(),
                line,
                column,
                message,
            }
        })?;
        m.file = file.to_string();
        m.validate()?;
        Ok(m)
    }

    /// A built-in manifest by id.
    pub fn builtin(id: &str) -> Option<Result<Self, ManifestError>> {
        BUILTIN
            .iter()
            .find(|(n, _)| *n == id)
            .map(|(n, text)| Self::parse(text, &format!("connectors/{n}.yaml")))
    }

    /// Loads `--connector` values: a built-in id, or a path to a manifest file.
    pub fn load(spec: &str) -> Result<Self, ManifestError> {
        if let Some(m) = Self::builtin(spec) {
            return m;
        }
        let p = FsPath::new(spec);
        if !p.exists() {
            return Err(ManifestError {
                file: spec.to_string(),
                line: 0,
                column: 0,
                message: format!(
                    "no such connector or file (built-in connectors: {})",
                    BUILTIN.iter().map(|b| b.0).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        let text = std::fs::read_to_string(p).map_err(|e| ManifestError {
            file: spec.to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        })?;
        Self::parse(&text, spec)
    }

    /// The stream with this name.
    pub fn stream(&self, name: &str) -> Option<&Stream> {
        self.streams.iter().find(|s| s.name.value == name)
    }

    fn err_at(&self, line: usize, column: usize, message: impl Into<String>) -> ManifestError {
        ManifestError {
            file: self.file.clone(),
            line,
            column,
            message: message.into(),
        }
    }

    fn err_t(&self, t: &Template, message: impl Into<String>) -> ManifestError {
        self.err_at(t.line, t.column, message)
    }

    fn validate(&self) -> Result<(), ManifestError> {
        for stream in &self.streams {
            for code in &stream.rules_affected {
                if !crate::rules::codes::known(&code.value) {
                    return Err(self.err_at(
                        code.referenced.line() as usize,
                        code.referenced.column() as usize,
                        format!(
                            "stream `{}`: `{}` in rules_affected is not a rule code (see `nhi rules list`)",
                            stream.name.value, code.value
                        ),
                    ));
                }
            }
        }
        let id = &self.id.value;
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(self.err_at(
                self.id.referenced.line() as usize,
                self.id.referenced.column() as usize,
                format!("connector id `{id}` must be kebab-case (a-z, 0-9, -)"),
            ));
        }
        for (name, input) in &self.inputs {
            if input.required && input.default.is_some() {
                return Err(self.err_at(
                    0,
                    0,
                    format!("input `{name}` is required and has a default: choose one"),
                ));
            }
            // A default may refer to other inputs, but a public input never to a secret one:
            // it would carry the secret into URLs and reports.
            if let Some(Value::String(d)) = &input.default
                && d.contains("{{")
            {
                let t = Template::parse(d)
                    .map_err(|e| self.err_at(0, 0, format!("input `{name}` default: {e}")))?;
                for p in t.paths() {
                    let Some(Seg::Key(k)) = p.segs.first().filter(|_| p.root == "config") else {
                        return Err(self.err_at(
                            0,
                            0,
                            format!("input `{name}` default may refer only to config.INPUT"),
                        ));
                    };
                    let secret = self.inputs.get(k).map(|i| i.secret);
                    if secret.is_none() || (secret == Some(true) && !input.secret) {
                        return Err(self.err_at(
                            0,
                            0,
                            format!(
                                "input `{name}` default refers to `{k}`, which is unknown or a secret"
                            ),
                        ));
                    }
                }
            }
        }
        let secrets: BTreeSet<&str> = self
            .inputs
            .iter()
            .filter(|(_, i)| i.secret)
            .map(|(n, _)| n.as_str())
            .collect();
        // Roots: config everywhere; record/parent/item where a record exists.
        let check = |t: &Template, roots: &[&str], secret_ok: bool| -> Result<(), ManifestError> {
            for p in t.paths() {
                if !roots.contains(&p.root.as_str()) {
                    return Err(self.err_t(
                        t,
                        format!(
                            "`{}` is not available here (available: {})",
                            p.root,
                            roots.join(", ")
                        ),
                    ));
                }
                if p.root == "config" {
                    let Some(Seg::Key(k)) = p.segs.first() else {
                        return Err(self.err_t(t, "`config` needs an input name: config.NAME"));
                    };
                    if !self.inputs.contains_key(k) {
                        return Err(self.err_t(
                            t,
                            format!(
                                "unknown input `{k}` (declared: {})",
                                self.inputs.keys().cloned().collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                    if !secret_ok && secrets.contains(k.as_str()) {
                        return Err(self.err_t(
                            t,
                            format!(
                                "input `{k}` is a secret: it may be used only in `auth`, where it never reaches a URL, a log or a report"
                            ),
                        ));
                    }
                }
            }
            for ix in t.lookups() {
                if !self
                    .streams
                    .iter()
                    .any(|s| s.index.iter().any(|i| i.name.value == ix))
                {
                    return Err(self.err_t(t, format!("unknown index `{ix}` in lookup")));
                }
            }
            Ok(())
        };
        check(&self.account, &["config"], false)?;
        check(&self.requests.base_url, &["config"], false)?;
        for t in self.requests.headers.values() {
            check(t, &["config"], false)?;
        }
        if let Some(a) = &self.auth {
            self.validate_auth(a, &check)?;
        }
        let mut seen = BTreeSet::new();
        for s in &self.streams {
            let name = &s.name.value;
            let at = (
                s.name.referenced.line() as usize,
                s.name.referenced.column() as usize,
            );
            if !seen.insert(name.clone()) {
                return Err(self.err_at(at.0, at.1, format!("stream `{name}` is declared twice")));
            }
            let mut roots = vec!["config"];
            if let Some(p) = &s.parent {
                if !seen.contains(&p.value) || p.value == *name {
                    return Err(self.err_at(
                        p.referenced.line() as usize,
                        p.referenced.column() as usize,
                        format!(
                            "parent stream `{}` must be declared before `{name}`",
                            p.value
                        ),
                    ));
                }
                roots.push("parent");
            }
            let req_roots = roots.clone();
            check(&s.path, &req_roots, false)?;
            for t in s.query.values().chain(s.headers.values()) {
                check(t, &req_roots, false)?;
            }
            if let Some(w) = &s.when {
                check(w, &req_roots, false)?;
            }
            if let Some(r) = &s.records {
                parse_path(&r.value).map_err(|e| {
                    self.err_at(
                        r.referenced.line() as usize,
                        r.referenced.column() as usize,
                        e,
                    )
                })?;
            }
            if let Some(p) = &s.paginate {
                self.validate_paginate(p)?;
            }
            roots.push("record");
            for ix in &s.index {
                let mut r = roots.clone();
                if let Some(e) = &ix.each {
                    check(e, &r, false)?;
                    r.push("item");
                }
                check(&ix.key, &r, false)?;
                if let Some(v) = &ix.value {
                    check(v, &r, false)?;
                }
            }
            for e in &s.emit {
                let mut r = roots.clone();
                if let Some(each) = &e.each {
                    check(each, &r, false)?;
                    r.push("item");
                }
                for t in [
                    Some(&e.id),
                    e.when.as_ref(),
                    e.name.as_ref(),
                    e.native_id.as_ref(),
                    e.account.as_ref(),
                    e.human.as_ref(),
                    e.provider_managed.as_ref(),
                    e.active.as_ref(),
                    e.created.as_ref(),
                    e.last_used.as_ref(),
                    e.expires.as_ref(),
                    e.owner.as_ref(),
                    e.description.as_ref(),
                    e.scopes.as_ref(),
                    e.privilege.as_ref(),
                    e.ai_agent.as_ref(),
                ]
                .into_iter()
                .flatten()
                .chain(e.attributes.values())
                {
                    check(t, &r, false)?;
                }
                for c in &e.credentials {
                    let mut cr = r.clone();
                    if let Some(each) = &c.each {
                        check(each, &cr, false)?;
                        cr.push("item");
                    }
                    for t in [
                        Some(&c.handle),
                        c.when.as_ref(),
                        c.active.as_ref(),
                        c.created.as_ref(),
                        c.expires.as_ref(),
                        c.last_used.as_ref(),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        check(t, &cr, false)?;
                    }
                }
            }
        }
        if let Some(ex) = &self.examples {
            for r in &ex.responses {
                match &r.stream {
                    Some(s) if self.stream(&s.value).is_some() => {}
                    Some(s) => {
                        return Err(self.err_at(
                            s.referenced.line() as usize,
                            s.referenced.column() as usize,
                            format!("example answers unknown stream `{}`", s.value),
                        ));
                    }
                    None => {
                        return Err(self.err_at(0, 0, "every example response needs `stream`"));
                    }
                }
            }
            for k in ex.inputs.keys() {
                if !self.inputs.contains_key(k) {
                    return Err(self.err_at(0, 0, format!("example sets unknown input `{k}`")));
                }
            }
        }
        Ok(())
    }

    fn validate_auth(&self, a: &Auth, check: &TemplateCheck<'_>) -> Result<(), ManifestError> {
        let at = (
            a.kind.referenced.line() as usize,
            a.kind.referenced.column() as usize,
        );
        let need = |present: bool, field: &str| {
            if present {
                Ok(())
            } else {
                Err(self.err_at(
                    at.0,
                    at.1,
                    format!("auth type `{:?}` needs `{field}`", a.kind.value),
                ))
            }
        };
        match a.kind.value {
            AuthKind::Bearer => need(a.token.is_some(), "token")?,
            AuthKind::ApiKey => {
                need(a.header.is_some(), "header")?;
                need(a.value.is_some(), "value")?;
            }
            AuthKind::Oauth2ClientCredentials => {
                need(a.token_url.is_some(), "token_url")?;
                need(a.client_id.is_some(), "client_id")?;
                need(
                    a.client_secret.is_some() || a.private_key.is_some(),
                    "client_secret or private_key",
                )?;
            }
            AuthKind::JwtBearer => {
                need(a.token_url.is_some(), "token_url")?;
                need(a.issuer.is_some(), "issuer")?;
                need(a.private_key.is_some(), "private_key")?;
            }
        }
        for t in [
            &a.token,
            &a.value,
            &a.token_url,
            &a.client_id,
            &a.client_secret,
            &a.private_key,
            &a.key_id,
            &a.thumbprint,
            &a.issuer,
            &a.subject,
            &a.scope,
        ]
        .into_iter()
        .flatten()
        {
            check(t, &["config"], true)?;
        }
        Ok(())
    }

    fn validate_paginate(&self, p: &Paginate) -> Result<(), ManifestError> {
        let at = (
            p.kind.referenced.line() as usize,
            p.kind.referenced.column() as usize,
        );
        let need = |present: bool, field: &str| {
            if present {
                Ok(())
            } else {
                Err(self.err_at(
                    at.0,
                    at.1,
                    format!("pagination `{:?}` needs `{field}`", p.kind.value),
                ))
            }
        };
        match p.kind.value {
            PageKind::NextUrl => need(p.path.is_some(), "path")?,
            PageKind::Cursor => {
                need(p.path.is_some(), "path")?;
                need(p.param.is_some(), "param")?;
            }
            PageKind::LinkHeader => {}
            PageKind::Page | PageKind::Offset => {
                need(p.param.is_some(), "param")?;
                need(p.page_size.is_some(), "page_size")?;
            }
        }
        if let Some(path) = &p.path {
            parse_path(path).map_err(|e| self.err_at(at.0, at.1, e))?;
        }
        Ok(())
    }
}
