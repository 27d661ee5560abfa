//! GitHub: every machine credential of an organisation: App installations, fine-grained
//! tokens (granted and requested), SAML credential authorizations, deploy keys, Actions /
//! Dependabot / Codespaces secrets, webhooks, self-hosted runners, OIDC subject templates; and
//! the members, for owner-departed. GitHub.com, Enterprise Cloud and Enterprise Server
//! (`--github-api-url` or `GITHUB_API_URL`).

use crate::rules::codes;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::connector::{Connector, ConnectorError, ScanRequest};
use crate::model::{
    Attribution, Classification, Coverage, Credential, CredentialKind, Identity, IdentityKind,
    Inventory, PrivilegeLevel, Provider, Source,
};
use crate::progress::Line;

mod cache;
pub mod client;

use client::{Client, GetError};

/// How to reach GitHub.
#[derive(Debug, Clone, Default)]
pub struct GithubSettings {
    /// Organisations to scan.
    pub orgs: Vec<String>,
    /// API base URL.
    pub api_url: String,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Stop after this many requests (coverage says what was left).
    pub max_requests: Option<u64>,
    /// Longest single wait for a rate limit.
    pub max_wait: Duration,
    /// Where ETag'd answers are cached (None: no cache).
    pub cache_dir: Option<std::path::PathBuf>,
    /// A GitHub App instead of a token: app id, installation id, private key PEM.
    pub app: Option<(u64, u64, crate::secret::Secret)>,
    /// The token (`GITHUB_TOKEN` or `GH_TOKEN`), when no App is configured.
    pub token: Option<crate::secret::Secret>,
}

#[derive(Debug, Deserialize, Default)]
struct Login {
    #[serde(default)]
    login: String,
}

#[derive(Debug, Deserialize)]
struct Installation {
    id: u64,
    #[serde(default)]
    app_slug: String,
    #[serde(default)]
    app_id: Option<u64>,
    #[serde(default)]
    repository_selection: Option<String>,
    #[serde(default)]
    permissions: BTreeMap<String, String>,
    created_at: Option<String>,
    suspended_at: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PatGrant {
    id: u64,
    #[serde(default)]
    owner: Login,
    repository_selection: Option<String>,
    #[serde(default)]
    permissions: BTreeMap<String, BTreeMap<String, String>>,
    access_granted_at: Option<String>,
    created_at: Option<String>,
    token_id: Option<u64>,
    token_name: Option<String>,
    #[serde(default)]
    token_expired: bool,
    token_expires_at: Option<String>,
    token_last_used_at: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CredentialAuthorization {
    login: String,
    credential_id: u64,
    credential_type: String,
    token_last_eight: Option<String>,
    credential_authorized_at: Option<String>,
    credential_accessed_at: Option<String>,
    authorized_credential_expires_at: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    fingerprint: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DeployKey {
    id: u64,
    #[serde(default)]
    title: String,
    created_at: Option<String>,
    #[serde(default = "yes")]
    read_only: bool,
    added_by: Option<String>,
    last_used: Option<String>,
    #[serde(default = "yes")]
    enabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
struct Secret {
    name: String,
    created_at: Option<String>,
    updated_at: Option<String>,
    visibility: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Hook {
    id: u64,
    #[serde(default)]
    active: bool,
    #[serde(default)]
    events: Vec<String>,
    #[serde(default)]
    config: BTreeMap<String, Value>,
    created_at: Option<String>,
    last_response: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Runner {
    id: u64,
    name: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    labels: Vec<Value>,
}

#[derive(Debug, Deserialize)]
struct Repo {
    name: String,
    #[serde(default)]
    archived: bool,
}

#[derive(Debug, Deserialize)]
struct Environment {
    name: String,
}

#[derive(Debug, Deserialize)]
struct Content {
    content: Option<String>,
}

fn time(s: &Option<String>) -> Option<DateTime<Utc>> {
    s.as_deref().and_then(crate::time::parse_time)
}

/// Permissions that make an App or token an administrator.
const ADMIN_PERMISSIONS: &[&str] = &[
    "administration",
    "organization_administration",
    "members",
    "organization_secrets",
    "organization_user_blocking",
];
/// Classic scopes that make a token an administrator.
const ADMIN_SCOPES: &[&str] = &[
    "admin:org",
    "admin:enterprise",
    "site_admin",
    "delete_repo",
    "admin:org_hook",
];

/// Level of a permission map (`{"contents": "write", "administration": "write"}`).
fn level_of(perms: &BTreeMap<String, String>) -> (PrivilegeLevel, Vec<String>) {
    let mut level = PrivilegeLevel::None;
    let mut basis = Vec::new();
    for (k, v) in perms {
        let l = match v.as_str() {
            "admin" => PrivilegeLevel::Admin,
            "write" if ADMIN_PERMISSIONS.contains(&k.as_str()) => PrivilegeLevel::Admin,
            "write" => PrivilegeLevel::Write,
            "read" => PrivilegeLevel::Read,
            _ => PrivilegeLevel::None,
        };
        if l == PrivilegeLevel::Admin {
            basis.push(format!("{k}: {v}"));
        }
        level = level.max(l);
    }
    if level != PrivilegeLevel::Admin {
        basis = perms
            .iter()
            .filter(|(_, v)| *v == "write")
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
    }
    (level, basis)
}

fn scopes_level(scopes: &[String]) -> (PrivilegeLevel, Vec<String>) {
    let admin: Vec<String> = scopes
        .iter()
        .filter(|s| ADMIN_SCOPES.contains(&s.as_str()))
        .cloned()
        .collect();
    if !admin.is_empty() {
        return (
            PrivilegeLevel::Admin,
            admin.iter().map(|s| format!("scope {s}")).collect(),
        );
    }
    let write = [
        "repo",
        "public_repo",
        "workflow",
        "write:packages",
        "write:org",
        "write:repo_hook",
        "gist",
    ];
    let w: Vec<String> = scopes
        .iter()
        .filter(|s| write.contains(&s.as_str()))
        .cloned()
        .collect();
    if !w.is_empty() {
        return (
            PrivilegeLevel::Write,
            w.iter().map(|s| format!("scope {s}")).collect(),
        );
    }
    if scopes.is_empty() {
        (PrivilegeLevel::None, vec![])
    } else {
        (PrivilegeLevel::Read, vec![])
    }
}

fn identity(id: String, kind: IdentityKind, name: &str, org: &str, source: &str) -> Identity {
    let mut i = Identity::new(id, Provider::Github, kind, name.to_string());
    i.account = Some(org.to_string());
    i.classification = Classification::Machine;
    i.classification_reason = "a GitHub machine credential".into();
    i.source = Some(source.to_string());
    i
}

fn credential(i: &Identity, kind: CredentialKind, handle: &str) -> Credential {
    Credential {
        id: format!("{}#{handle}", i.id),
        identity: i.id.clone(),
        kind,
        fingerprint: handle.to_string(),
        active: i.active,
        created: i.created,
        last_used: i.last_used,
        last_used_service: None,
        last_used_region: None,
        expires: None,
        last_used_known: false,
    }
}

/// What one organisation gave.
struct OrgScan {
    inv: Inventory,
    cov: Coverage,
}

/// The GitHub connector.
pub struct Github;

#[async_trait]
impl Connector for Github {
    fn id(&self) -> &'static str {
        "github"
    }

    fn describe(&self) -> &'static str {
        "GitHub organisations: Apps, tokens, deploy keys, secrets, webhooks, runners"
    }

    fn enabled(&self, req: &ScanRequest) -> bool {
        req.github.as_ref().is_some_and(|g| !g.orgs.is_empty())
    }

    async fn discover(&self, req: &ScanRequest, line: &Line) -> Result<Inventory, ConnectorError> {
        let Some(s) = &req.github else {
            return Ok(Inventory::default());
        };
        let client = Arc::new(build_client(s).await?);
        let mut inv = Inventory::default();
        for org in &s.orgs {
            let sub = line.child(org);
            let before = client.stats().counts();
            let OrgScan { inv: frag, mut cov } = scan_org(&client, org, s, &sub).await;
            sub.finish(format!("{} identities", frag.identities.len()));
            // This organisation's own cost, not the scan's running total.
            let spent = client.stats().counts() - before;
            cov.read.push(format!(
                "{} request(s), {} answered from the cache (304), {:.1} s waited for rate limits",
                spent.requests,
                spent.cached,
                spent.waited_ms as f64 / 1000.0
            ));
            inv.merge(frag);
            inv.coverage.push(cov);
        }
        Ok(inv)
    }
}

async fn build_client(s: &GithubSettings) -> Result<Client, ConnectorError> {
    let redact = Arc::new(crate::http::Redactor::default());
    if let Some(t) = &s.token {
        redact.add(t.expose());
    }
    let mut b = octocrab::Octocrab::builder()
        .base_uri(s.api_url.as_str())
        .map_err(|e| ConnectorError::Input(format!("--github-api-url {}: {e}", s.api_url)))?;
    let octo = match &s.app {
        Some((app_id, installation, pem)) => {
            let key = octocrab::jsonwebtoken::EncodingKey::from_rsa_pem(pem.expose().as_bytes())
                .map_err(|e| ConnectorError::Input(format!("GitHub App private key: {e}")))?;
            let app = b
                .app(octocrab::models::AppId(*app_id), key)
                .build()
                .map_err(|e| ConnectorError::Unavailable(e.to_string()))?;
            app.installation(octocrab::models::InstallationId(*installation))
                .map_err(|e| {
                    ConnectorError::Unavailable(format!(
                        "GitHub App installation {installation}: {e}"
                    ))
                })?
        }
        None => {
            if let Some(t) = &s.token {
                b = b.personal_token(t.expose().to_string());
            }
            b.build()
                .map_err(|e| ConnectorError::Unavailable(e.to_string()))?
        }
    };
    Ok(Client::new(
        octo,
        &s.api_url,
        s.cache_dir.clone(),
        s.max_requests,
        s.max_wait,
        redact,
    ))
}

/// Records an unavailable endpoint as a gap saying why and what to grant.
fn unavailable(cov: &mut Coverage, what: &str, e: &GetError, grant: &str, rules: &[&str]) {
    let reason = match e {
        GetError::NotFound => format!("not available (404): {grant}"),
        GetError::Forbidden(m) => format!("not permitted ({m}): {grant}"),
        other => other.to_string(),
    };
    cov.gap(what, reason, rules);
}

async fn scan_org(c: &Client, org: &str, s: &GithubSettings, line: &Line) -> OrgScan {
    let source = format!("github:{org}");
    let mut cov = Coverage::new(&source);
    let mut inv = Inventory::default();
    inv.sources.push(Source {
        id: source.clone(),
        connector: "github".into(),
        locations: vec![format!("{}/orgs/{org}", s.api_url)],
    });

    // Members and outside collaborators: who is still here.
    let mut members: Option<BTreeSet<String>> = None;
    match c
        .get_all::<Login>(&format!("/orgs/{org}/members"), None)
        .await
    {
        Ok(m) => {
            let mut set: BTreeSet<String> = m
                .into_iter()
                .map(|l| l.login.to_ascii_lowercase())
                .collect();
            if let Ok(o) = c
                .get_all::<Login>(&format!("/orgs/{org}/outside_collaborators"), None)
                .await
            {
                set.extend(o.into_iter().map(|l| l.login.to_ascii_lowercase()));
            }
            cov.read.push(format!(
                "{} member(s) and outside collaborator(s)",
                set.len()
            ));
            members = Some(set);
        }
        Err(e) => unavailable(
            &mut cov,
            "organisation members",
            &e,
            "needs members: read",
            &[codes::OWNER_DEPARTED],
        ),
    }
    let push = |mut i: Identity, creds: Vec<Credential>, inv: &mut Inventory| {
        if let (Some(m), Some(owner)) = (&members, &i.owner.value) {
            i.attributes.insert(
                "owner_is_member".into(),
                json!(m.contains(&owner.to_ascii_lowercase())),
            );
        }
        inv.credentials.extend(creds);
        inv.identities.push(i);
    };

    // App installations.
    match c
        .get_all::<Installation>(&format!("/orgs/{org}/installations"), Some("installations"))
        .await
    {
        Ok(list) => {
            cov.read.push(format!("{} App installation(s)", list.len()));
            for inst in list {
                let mut i = identity(
                    format!("github:{org}/installation/{}", inst.app_slug),
                    IdentityKind::AppInstallation,
                    &inst.app_slug,
                    org,
                    &source,
                );
                i.native_id = Some(inst.id.to_string());
                i.created = time(&inst.created_at);
                i.active = inst.suspended_at.is_none();
                let (level, basis) = level_of(&inst.permissions);
                i.privileges.level = level;
                i.privileges.basis = basis;
                i.privileges.scopes = inst
                    .permissions
                    .iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect();
                i.attributes.insert("app_slug".into(), json!(inst.app_slug));
                i.attributes.insert("app_id".into(), json!(inst.app_id));
                if let Some(sel) = &inst.repository_selection {
                    i.attributes
                        .insert("repository_selection".into(), json!(sel));
                }
                push(i, vec![], &mut inv);
            }
        }
        Err(e) => unavailable(
            &mut cov,
            "App installations",
            &e,
            "needs an org owner token or organization_administration: read",
            &[
                codes::SHADOW_AI,
                codes::TOKEN_BROAD_SCOPE,
                codes::ADMIN_PRIVILEGE,
            ],
        ),
    }

    // Fine-grained tokens granted to the org, and pending requests (GitHub App only).
    for (path, pending) in [
        ("personal-access-tokens", false),
        ("personal-access-token-requests", true),
    ] {
        match c
            .get_all::<PatGrant>(&format!("/orgs/{org}/{path}"), None)
            .await
        {
            Ok(list) => {
                cov.read.push(format!(
                    "{} fine-grained token {}",
                    list.len(),
                    if pending { "request(s)" } else { "grant(s)" }
                ));
                for g in list {
                    let kind_name = if pending {
                        "fine-grained-token-request"
                    } else {
                        "fine-grained-token"
                    };
                    let name = g
                        .token_name
                        .clone()
                        .unwrap_or_else(|| format!("token {}", g.token_id.unwrap_or(g.id)));
                    let mut i = identity(
                        format!("github:{org}/{kind_name}/{}", g.token_id.unwrap_or(g.id)),
                        IdentityKind::AccessToken,
                        &name,
                        org,
                        &source,
                    );
                    i.owner = Attribution::from(g.owner.login.clone(), "github:token-owner");
                    i.created = time(&g.access_granted_at).or(time(&g.created_at));
                    i.last_used = time(&g.token_last_used_at);
                    i.active = !pending && !g.token_expired;
                    let mut perms = BTreeMap::new();
                    for (scope, map) in &g.permissions {
                        for (k, v) in map {
                            perms.insert(
                                if scope == "organization" {
                                    format!("organization_{k}")
                                } else {
                                    k.clone()
                                },
                                v.clone(),
                            );
                        }
                    }
                    let (level, basis) = level_of(&perms);
                    i.privileges.level = level;
                    i.privileges.basis = basis;
                    i.privileges.scopes = perms.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                    if let Some(sel) = &g.repository_selection {
                        i.attributes
                            .insert("repository_selection".into(), json!(sel));
                    }
                    i.attributes
                        .insert("pending_request".into(), json!(pending));
                    i.attributes.insert("expiry_supported".into(), json!(true));
                    let mut cred = credential(
                        &i,
                        CredentialKind::Token,
                        &format!("token-{}", g.token_id.unwrap_or(g.id)),
                    );
                    cred.expires = time(&g.token_expires_at);
                    cred.last_used_known = true;
                    push(i, if pending { vec![] } else { vec![cred] }, &mut inv);
                }
            }
            Err(e) => unavailable(
                &mut cov,
                if pending {
                    "fine-grained token requests"
                } else {
                    "fine-grained token grants"
                },
                &e,
                "GitHub answers these only to a GitHub App with organization_personal_access_tokens: read (run nhi with an App)",
                &[
                    codes::CREDENTIAL_NO_EXPIRY,
                    codes::CREDENTIAL_UNUSED,
                    codes::TOKEN_BROAD_SCOPE,
                ],
            ),
        }
    }

    // SAML credential authorizations (Enterprise Cloud with SAML SSO).
    match c
        .get_all::<CredentialAuthorization>(&format!("/orgs/{org}/credential-authorizations"), None)
        .await
    {
        Ok(list) => {
            cov.read
                .push(format!("{} SAML credential authorization(s)", list.len()));
            for a in list {
                let ssh = a.credential_type.eq_ignore_ascii_case("SSH key");
                let kind = if ssh {
                    IdentityKind::DeployKey
                } else {
                    IdentityKind::AccessToken
                };
                let name = format!("{} of {}", a.credential_type, a.login);
                let mut i = identity(
                    format!("github:{org}/credential-authorization/{}", a.credential_id),
                    kind,
                    &name,
                    org,
                    &source,
                );
                i.owner = Attribution::from(a.login.clone(), "github:credential-owner");
                i.created = time(&a.credential_authorized_at);
                i.last_used = time(&a.credential_accessed_at);
                let (level, basis) = scopes_level(&a.scopes);
                i.privileges.level = level;
                i.privileges.basis = basis;
                i.privileges.scopes = a.scopes.clone();
                if !ssh {
                    i.attributes
                        .insert("credential_type".into(), json!("classic-pat"));
                    i.attributes.insert("expiry_supported".into(), json!(true));
                    if a.scopes.iter().any(|s| s == "repo") {
                        i.attributes
                            .insert("repository_selection".into(), json!("all"));
                    }
                }
                let handle = if ssh {
                    a.fingerprint.clone().unwrap_or_default()
                } else {
                    a.token_last_eight.clone().unwrap_or_default()
                };
                let mut cred = credential(
                    &i,
                    if ssh {
                        CredentialKind::SshKey
                    } else {
                        CredentialKind::Token
                    },
                    &handle,
                );
                cred.expires = time(&a.authorized_credential_expires_at);
                cred.last_used_known = true;
                push(i, vec![cred], &mut inv);
            }
        }
        Err(e) => unavailable(
            &mut cov,
            "SAML credential authorizations",
            &e,
            "only on GitHub Enterprise Cloud organisations with SAML single sign-on, to an org owner",
            &[
                codes::WEAK_CREDENTIAL_TYPE,
                codes::CREDENTIAL_NO_EXPIRY,
                codes::OWNER_DEPARTED,
            ],
        ),
    }

    // Org-level secrets, webhooks, runners, OIDC template.
    for (kind, path) in [
        ("actions", "actions/secrets"),
        ("dependabot", "dependabot/secrets"),
        ("codespaces", "codespaces/secrets"),
    ] {
        match c
            .get_all::<Secret>(&format!("/orgs/{org}/{path}"), Some("secrets"))
            .await
        {
            Ok(list) => {
                cov.read
                    .push(format!("{} org {kind} secret(s)", list.len()));
                for sec in list {
                    let (i, cred) = secret_identity(org, None, None, kind, &sec, &source, None);
                    push(i, vec![cred], &mut inv);
                }
            }
            Err(e) => unavailable(
                &mut cov,
                &format!("org {kind} secrets"),
                &e,
                &format!("needs organization_secrets: read ({kind})"),
                &[codes::CREDENTIAL_UNROTATED],
            ),
        }
    }
    match c.get_all::<Hook>(&format!("/orgs/{org}/hooks"), None).await {
        Ok(list) => {
            cov.read.push(format!("{} org webhook(s)", list.len()));
            for h in list {
                push(
                    hook_identity(org, None, &h, &source, None),
                    vec![],
                    &mut inv,
                );
            }
        }
        Err(e) => unavailable(
            &mut cov,
            "org webhooks",
            &e,
            "needs organization_hooks: read (admin:org_hook)",
            &[codes::WEBHOOK_NO_SECRET, codes::WEBHOOK_INSECURE_SSL],
        ),
    }
    match c
        .get_all::<Runner>(&format!("/orgs/{org}/actions/runners"), Some("runners"))
        .await
    {
        Ok(list) => {
            cov.read
                .push(format!("{} self-hosted runner(s)", list.len()));
            for r in list {
                let mut i = identity(
                    format!("github:{org}/runner/{}", r.name),
                    IdentityKind::Runner,
                    &r.name,
                    org,
                    &source,
                );
                i.native_id = Some(r.id.to_string());
                i.active = r.status == "online";
                i.attributes.insert("os".into(), json!(r.os));
                i.attributes.insert(
                    "labels".into(),
                    json!(
                        r.labels
                            .iter()
                            .filter_map(|l| l["name"].as_str())
                            .collect::<Vec<_>>()
                    ),
                );
                push(i, vec![], &mut inv);
            }
        }
        Err(e) => unavailable(
            &mut cov,
            "self-hosted runners",
            &e,
            "needs organization_self_hosted_runners: read",
            &[],
        ),
    }
    match c
        .get_one::<Value>(&format!("/orgs/{org}/actions/oidc/customization/sub"))
        .await
    {
        Ok(v) => cov.read.push(format!(
            "OIDC subject claim template: {}",
            v.get("include_claim_keys").unwrap_or(&Value::Null)
        )),
        Err(e) => unavailable(
            &mut cov,
            "OIDC subject claim template",
            &e,
            "needs organization_administration: read",
            &[],
        ),
    }

    // Repositories, each with its keys, secrets, environments, webhooks, OIDC template and
    // CODEOWNERS; concurrently, bounded.
    let repos = match c.get_all::<Repo>(&format!("/orgs/{org}/repos"), None).await {
        Ok(r) => r.into_iter().filter(|r| !r.archived).collect::<Vec<_>>(),
        Err(e) => {
            unavailable(
                &mut cov,
                "repositories",
                &e,
                "needs metadata: read on the repositories",
                &[codes::DEPLOY_KEY_WRITE],
            );
            Vec::new()
        }
    };
    let total = repos.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<(String, RepoItems, Vec<RepoGap>)> = futures_util::stream::iter(repos)
        .map(|r| {
            let done = &done;
            let source = &source;
            async move {
                let (items, gaps) = scan_repo(c, org, &r.name, source).await;
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                line.update(format!("repositories {n}/{total}"));
                (r.name, items, gaps)
            }
        })
        .buffer_unordered(s.concurrency.max(1))
        .collect()
        .await;
    // Gaps grouped by endpoint and reason, each naming the repositories it hit.
    let mut repo_gaps: BTreeMap<RepoGap, Vec<String>> = BTreeMap::new();
    for (name, items, gaps) in results {
        for g in gaps {
            repo_gaps.entry(g).or_default().push(name.clone());
        }
        for (i, creds) in items {
            push(i, creds, &mut inv);
        }
    }
    cov.read.push(format!(
        "{} repositor{}",
        total,
        if total == 1 { "y" } else { "ies" }
    ));
    for (g, mut names) in repo_gaps {
        names.sort();
        let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
        let more = if names.len() > 5 {
            format!(" and {} more", names.len() - 5)
        } else {
            String::new()
        };
        cov.gap(
            format!("{} of {}{more}", g.what, shown.join(", ")),
            format!(
                "{}; the repositories' other endpoints are reported",
                g.reason
            ),
            &g.rules,
        );
    }
    OrgScan { inv, cov }
}

fn secret_identity(
    org: &str,
    repo: Option<&str>,
    env: Option<&str>,
    kind: &str,
    sec: &Secret,
    source: &str,
    owner: Option<&(String, String)>,
) -> (Identity, Credential) {
    let scope = match (repo, env) {
        (Some(r), Some(e)) => format!("{org}/{r}/environment/{e}"),
        (Some(r), None) => format!("{org}/{r}"),
        _ => org.to_string(),
    };
    let mut i = identity(
        format!("github:{scope}/{kind}-secret/{}", sec.name),
        IdentityKind::Secret,
        &sec.name,
        org,
        source,
    );
    i.created = time(&sec.created_at);
    if let Some((o, src)) = owner {
        i.owner = Attribution::from(o.clone(), src.clone());
    }
    if let Some(v) = &sec.visibility {
        i.attributes.insert("visibility".into(), json!(v));
    }
    i.attributes.insert("secret_store".into(), json!(kind));
    let mut cred = credential(&i, CredentialKind::StoredSecret, "value");
    // The value is rotated when the secret is updated.
    cred.created = time(&sec.updated_at).or(i.created);
    (i, cred)
}

fn hook_identity(
    org: &str,
    repo: Option<&str>,
    h: &Hook,
    source: &str,
    owner: Option<&(String, String)>,
) -> Identity {
    let scope = repo.map_or_else(|| org.to_string(), |r| format!("{org}/{r}"));
    // The URL is hostile text that may carry its own credentials (userinfo, a Slack path, a
    // `token=` query): only its host, and the scrubbed URL, go further.
    let raw = h.config.get("url").and_then(Value::as_str).unwrap_or("");
    let parsed = url::Url::parse(raw.trim()).ok();
    let host = parsed
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "an unparsable URL".to_string());
    let mut i = identity(
        format!("github:{scope}/webhook/{}", h.id),
        IdentityKind::Webhook,
        &format!("webhook to {host}"),
        org,
        source,
    );
    i.created = time(&h.created_at);
    i.active = h.active;
    if let Some((o, src)) = owner {
        i.owner = Attribution::from(o.clone(), src.clone());
    }
    let insecure = matches!(h.config.get("insecure_ssl"), Some(Value::String(s)) if s == "1")
        || h.config.get("insecure_ssl") == Some(&json!(1));
    i.attributes
        .insert("secret_set".into(), json!(h.config.contains_key("secret")));
    i.attributes.insert("insecure_ssl".into(), json!(insecure));
    i.attributes.insert("url_host".into(), json!(host));
    if parsed.is_some() {
        i.attributes
            .insert("url".into(), json!(crate::http::scrub_url(raw)));
    }
    i.attributes.insert("events".into(), json!(h.events));
    if let Some(r) = &h.last_response {
        i.attributes.insert("last_response".into(), r.clone());
    }
    i
}

/// CODEOWNERS of a repository: the first owner of the last rule covering its workflows.
async fn codeowners(
    c: &Client,
    org: &str,
    repo: &str,
) -> Result<Option<(String, String)>, GetError> {
    for path in [".github/CODEOWNERS", "CODEOWNERS"] {
        match c
            .get_one::<Content>(&format!("/repos/{org}/{repo}/contents/{path}"))
            .await
        {
            Ok(content) => {
                let raw: String = content
                    .content
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                let text = base64::engine::general_purpose::STANDARD
                    .decode(raw)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .unwrap_or_default();
                return Ok(codeowner_of(&text, ".github/workflows/ci.yml")
                    .map(|o| (o, format!("codeowners:{path}"))));
            }
            Err(GetError::NotFound) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// The first owner of the last CODEOWNERS rule matching `path` (gitignore-style patterns).
pub fn codeowner_of(text: &str, path: &str) -> Option<String> {
    let mut owner = None;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let mut parts = line.split_whitespace();
        let (Some(pattern), Some(first)) = (parts.next(), parts.next()) else {
            continue;
        };
        let anchored = pattern.starts_with('/');
        let p = pattern.trim_start_matches('/');
        let glob = match (anchored || p.contains('/'), p.ends_with('/')) {
            (true, true) => format!("{p}**"),
            (true, false) => p.to_string(),
            (false, true) => format!("**/{p}**"),
            (false, false) => format!("**/{p}"),
        };
        let matches = p == "*"
            || crate::config::Glob::new(&glob).is_ok_and(|g| g.is_match(path))
            || crate::config::Glob::new(&format!("{glob}/**")).is_ok_and(|g| g.is_match(path));
        if matches {
            owner = Some(first.trim_start_matches('@').to_string());
        }
    }
    owner
}

type RepoItems = Vec<(Identity, Vec<Credential>)>;

/// One endpoint of one repository that could not be read: what, why, and the rules it blinds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RepoGap {
    what: String,
    reason: String,
    rules: Vec<&'static str>,
}

impl RepoGap {
    fn new(what: &str, e: &GetError, rules: &[&'static str]) -> Self {
        Self {
            what: what.to_string(),
            reason: e.to_string(),
            rules: rules.to_vec(),
        }
    }
}

/// One repository. Every endpoint is read on its own: one that answers 403 or 404 (deploy
/// keys, say) becomes its own gap, and the repository's other credential types are still read.
async fn scan_repo(c: &Client, org: &str, repo: &str, source: &str) -> (RepoItems, Vec<RepoGap>) {
    let mut gaps = Vec::new();
    let mut out: RepoItems = Vec::new();
    let owner = match codeowners(c, org, repo).await {
        Ok(o) => o,
        Err(e) => {
            gaps.push(RepoGap::new("CODEOWNERS", &e, &[codes::OWNER_MISSING]));
            None
        }
    };
    let keys = match c
        .get_all::<DeployKey>(&format!("/repos/{org}/{repo}/keys"), None)
        .await
    {
        Ok(k) => k,
        Err(e) => {
            gaps.push(RepoGap::new(
                "deploy keys",
                &e,
                &[codes::DEPLOY_KEY_WRITE, codes::CREDENTIAL_UNROTATED],
            ));
            Vec::new()
        }
    };
    for k in keys {
        let mut i = identity(
            format!("github:{org}/{repo}/deploy-key/{}", k.id),
            IdentityKind::DeployKey,
            &k.title,
            org,
            source,
        );
        i.created = time(&k.created_at);
        i.last_used = time(&k.last_used);
        i.active = k.enabled;
        match (&k.added_by, &owner) {
            (Some(a), _) if !a.is_empty() => {
                i.owner = Attribution::from(a.clone(), "github:added_by")
            }
            (_, Some((o, src))) => i.owner = Attribution::from(o.clone(), src.clone()),
            _ => {}
        }
        i.privileges.level = if k.read_only {
            PrivilegeLevel::Read
        } else {
            PrivilegeLevel::Write
        };
        i.privileges.basis = vec![format!(
            "deploy key on {org}/{repo}, {}",
            if k.read_only {
                "read-only"
            } else {
                "read and write"
            }
        )];
        i.attributes.insert("read_only".into(), json!(k.read_only));
        let mut cred = credential(&i, CredentialKind::SshKey, &format!("deploy-key-{}", k.id));
        cred.last_used_known = true;
        out.push((i, vec![cred]));
    }
    for (kind, path) in [
        ("actions", "actions/secrets"),
        ("dependabot", "dependabot/secrets"),
    ] {
        match c
            .get_all::<Secret>(&format!("/repos/{org}/{repo}/{path}"), Some("secrets"))
            .await
        {
            Ok(list) => {
                for sec in list {
                    let (i, cred) =
                        secret_identity(org, Some(repo), None, kind, &sec, source, owner.as_ref());
                    out.push((i, vec![cred]));
                }
            }
            Err(e) => gaps.push(RepoGap::new(
                &format!("{kind} secrets"),
                &e,
                &[codes::CREDENTIAL_UNROTATED],
            )),
        }
    }
    match c
        .get_all::<Environment>(
            &format!("/repos/{org}/{repo}/environments"),
            Some("environments"),
        )
        .await
    {
        Ok(envs) => {
            for env in envs {
                match c
                    .get_all::<Secret>(
                        &format!("/repos/{org}/{repo}/environments/{}/secrets", env.name),
                        Some("secrets"),
                    )
                    .await
                {
                    Ok(list) => {
                        for sec in list {
                            let (i, cred) = secret_identity(
                                org,
                                Some(repo),
                                Some(&env.name),
                                "actions",
                                &sec,
                                source,
                                owner.as_ref(),
                            );
                            out.push((i, vec![cred]));
                        }
                    }
                    Err(e) => gaps.push(RepoGap::new(
                        "environment secrets",
                        &e,
                        &[codes::CREDENTIAL_UNROTATED],
                    )),
                }
            }
        }
        Err(e) => gaps.push(RepoGap::new(
            "environments",
            &e,
            &[codes::CREDENTIAL_UNROTATED],
        )),
    }
    match c
        .get_all::<Hook>(&format!("/repos/{org}/{repo}/hooks"), None)
        .await
    {
        Ok(list) => out.extend(list.iter().map(|h| {
            (
                hook_identity(org, Some(repo), h, source, owner.as_ref()),
                vec![],
            )
        })),
        Err(e) => gaps.push(RepoGap::new(
            "webhooks",
            &e,
            &[codes::WEBHOOK_NO_SECRET, codes::WEBHOOK_INSECURE_SSL],
        )),
    }
    match c
        .get_one::<Value>(&format!(
            "/repos/{org}/{repo}/actions/oidc/customization/sub"
        ))
        .await
    {
        Ok(_) | Err(GetError::NotFound) => {}
        Err(e) => gaps.push(RepoGap::new("OIDC subject template", &e, &[])),
    }
    (out, gaps)
}
