//! Live AWS IAM through aws-sdk-iam: the same two documents as the offline evidence, read
//! from the API and fed to the same parser.
//!
//! Bulk reads first: `GetAccountAuthorizationDetails` (paginated) and the credential report
//! (generated, polled with a bounded wait, then read). The API's answers are written in the
//! exact shapes `--aws-evidence` reads (the AWS CLI's JSON), in memory for `scan --aws` and to
//! disk for `nhi evidence aws`, so both give the same report. Per-entity calls are a fallback
//! when a bulk call is denied, and an option (`--aws-access-key-ids`) for the key ids the
//! credential report lacks; each is counted, and every gap becomes a coverage entry.

use crate::rules::codes;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_iam::primitives::{DateTime, DateTimeFormat};
use base64::Engine;
use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use super::evidence::{Bundle, read_bytes};
use crate::connector::{Connector, ConnectorError, ScanRequest};
use crate::model::{Coverage, CoverageStatus, Gap, Inventory};
use crate::progress::Line;

/// An account reached through STS AssumeRole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsTarget {
    /// The role to assume.
    pub role_arn: String,
    /// The external id the role's trust policy requires.
    pub external_id: Option<String>,
    /// The session name (default `nhi-audit`).
    pub session_name: Option<String>,
}

/// How the live AWS scan runs.
#[derive(Debug, Clone)]
pub struct AwsSettings {
    /// Scan the account of the credentials themselves.
    pub current: bool,
    /// A named profile of the shared config instead of the default chain.
    pub profile: Option<String>,
    /// Other accounts, through AssumeRole.
    pub targets: Vec<AwsTarget>,
    /// Accounts scanned at once.
    pub concurrency: usize,
    /// Per-entity calls in flight at once, per account.
    pub entity_concurrency: usize,
    /// Time allowed for one account.
    pub account_timeout: Duration,
    /// Attempts per request (adaptive retry).
    pub max_attempts: u32,
    /// How long to wait for the credential report to be generated.
    pub report_wait: Duration,
    /// List access-key ids (one ListAccessKeys call per user with keys).
    pub key_ids: bool,
    /// Skip the bulk reads and read everything per entity (benchmarks and diagnostics).
    pub per_entity: bool,
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self {
            current: false,
            profile: None,
            targets: Vec::new(),
            concurrency: 4,
            entity_concurrency: 8,
            account_timeout: Duration::from_secs(600),
            max_attempts: 5,
            report_wait: Duration::from_secs(60),
            key_ids: false,
            per_entity: false,
        }
    }
}

/// One file of evidence, in the shape `--aws-evidence` reads.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    /// The file name (`authorization-details.json`).
    pub name: String,
    /// Its content.
    pub content: String,
}

/// What was read from one account.
#[derive(Debug, Default)]
pub struct AccountEvidence {
    /// The account id.
    pub account: String,
    /// The evidence files.
    pub files: Vec<EvidenceFile>,
    /// Requests made.
    pub requests: u64,
    /// What could not be read.
    pub gaps: Vec<Gap>,
    /// How it was read (bulk or per entity).
    pub read: Vec<String>,
}

/// An account that could not be read at all.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The role or profile tried.
    pub target: String,
    /// Why.
    pub reason: String,
}

/// The live AWS connector.
pub struct AwsLive;

#[async_trait]
impl Connector for AwsLive {
    fn id(&self) -> &'static str {
        "aws"
    }

    fn describe(&self) -> &'static str {
        "AWS IAM, live, through the standard credential chain and STS AssumeRole"
    }

    fn enabled(&self, req: &ScanRequest) -> bool {
        req.aws
            .as_ref()
            .is_some_and(|s| s.current || !s.targets.is_empty())
    }

    async fn discover(&self, req: &ScanRequest, line: &Line) -> Result<Inventory, ConnectorError> {
        let Some(settings) = &req.aws else {
            return Ok(Inventory::default());
        };
        let (accounts, failures) = collect(settings, line).await;
        inventory(accounts, failures)
    }
}

/// Builds the inventory from what was read, exactly as `--aws-evidence` would from the files.
/// Each account is built on its own: one account's odd answer never hides the others.
pub fn inventory(
    accounts: Vec<AccountEvidence>,
    mut failures: Vec<Failure>,
) -> Result<Inventory, ConnectorError> {
    let mut inv = Inventory::default();
    for a in accounts {
        let mut bundle = Bundle::default();
        let parsed = a.files.iter().try_for_each(|f| {
            read_bytes(
                &format!("aws/{}/{}", a.account, f.name),
                f.content.as_bytes(),
                &mut bundle,
            )
        });
        let built = parsed.and_then(|()| super::build::build_as(bundle, "aws", false));
        let mut frag = match built {
            Ok(frag) => frag,
            Err(e) => {
                failures.push(Failure {
                    target: a.account.clone(),
                    reason: format!("the API answered something unexpected: {e}"),
                });
                continue;
            }
        };
        let id = format!("aws:{}", a.account);
        for src in &mut frag.sources {
            src.locations = vec![format!(
                "https://iam.amazonaws.com/ (account {})",
                a.account
            )];
        }
        if !frag.coverage.iter().any(|c| c.source == id) {
            frag.coverage.push(Coverage::new(&id));
        }
        let cov = frag
            .coverage
            .iter_mut()
            .find(|c| c.source == id)
            .expect("present");
        cov.read.splice(0..0, a.read);
        cov.read.push(format!("{} API request(s)", a.requests));
        if !a.gaps.is_empty() && cov.status == CoverageStatus::Complete {
            cov.status = CoverageStatus::Partial;
        }
        cov.gaps.extend(a.gaps);
        inv.merge(frag);
    }
    for f in failures {
        let mut cov = Coverage::new(format!("aws:{}", f.target));
        cov.status = CoverageStatus::Failed;
        cov.gaps.push(Gap {
            what: format!("account behind {}", f.target),
            reason: f.reason,
            rules_affected: vec![],
        });
        inv.coverage.push(cov);
    }
    inv.sort();
    Ok(inv)
}

/// Loads the base configuration: the standard chain (or a profile), adaptive retry.
async fn base_config(s: &AwsSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(s.max_attempts.max(1)));
    if let Some(p) = &s.profile {
        loader = loader.profile_name(p);
    }
    let conf = loader.load().await;
    if conf.region().is_none() {
        // IAM is global; a region is needed only to sign requests.
        return conf
            .to_builder()
            .region(aws_config::Region::new("us-east-1"))
            .build();
    }
    conf
}

/// Reads every requested account, concurrently and bounded; one failing account never stops
/// the others.
pub async fn collect(s: &AwsSettings, line: &Line) -> (Vec<AccountEvidence>, Vec<Failure>) {
    let base = base_config(s).await;
    let mut jobs: Vec<(String, Option<AwsTarget>)> = Vec::new();
    if s.current {
        jobs.push((
            s.profile
                .clone()
                .map_or_else(|| "default credentials".into(), |p| format!("profile {p}")),
            None,
        ));
    }
    for t in &s.targets {
        jobs.push((t.role_arn.clone(), Some(t.clone())));
    }
    let results: Vec<(String, Result<AccountEvidence, String>)> = futures_util::stream::iter(jobs)
        .map(|(label, target)| {
            let base = base.clone();
            let sub = line.child(&label);
            async move {
                let res =
                    match tokio::time::timeout(s.account_timeout, account(base, target, s, &sub))
                        .await
                    {
                        Ok(r) => r,
                        Err(_) => Err(format!("timed out after {} s", s.account_timeout.as_secs())),
                    };
                match &res {
                    Ok(a) => {
                        sub.finish(format!("account {}: {} request(s)", a.account, a.requests))
                    }
                    Err(e) => sub.finish(format!("failed: {e}")),
                }
                (label, res)
            }
        })
        .buffer_unordered(s.concurrency.max(1))
        .collect()
        .await;
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for (label, r) in results {
        match r {
            Ok(a) => ok.push(a),
            Err(reason) => failed.push(Failure {
                target: label,
                reason,
            }),
        }
    }
    ok.sort_by(|a, b| a.account.cmp(&b.account));
    failed.sort_by(|a, b| a.target.cmp(&b.target));
    (ok, failed)
}

/// Counts requests.
#[derive(Clone, Default)]
pub(super) struct Counter(Arc<AtomicU64>);

impl Counter {
    /// One more request.
    pub(super) fn tick(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// An SDK error of any operation.
pub(super) type ApiError<E> =
    aws_sdk_iam::error::SdkError<E, aws_sdk_iam::config::http::HttpResponse>;

/// The HTTP status of an error response, if there was one.
pub(super) fn status<E>(e: &ApiError<E>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

/// Access denied: by its error code, or by HTTP 403 when the body carries no code.
pub(super) fn is_denied<E: ProvideErrorMetadata>(e: &ApiError<E>) -> bool {
    matches!(
        e.code(),
        Some("AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "Unauthorized")
    ) || (e.code().is_none() && status(e) == Some(403))
}

/// A one-line reason for an error, never the request's credentials.
pub(super) fn why<E: std::error::Error + ProvideErrorMetadata + 'static>(
    e: &ApiError<E>,
) -> String {
    match (e.code(), e.message(), status(e)) {
        (Some(c), Some(m), _) => format!("{c}: {m}"),
        (Some(c), None, _) => c.to_string(),
        (None, _, Some(403)) => "AccessDenied (HTTP 403)".to_string(),
        (None, _, Some(s)) => format!("HTTP {s}"),
        _ => DisplayErrorContext(e).to_string(),
    }
}

pub(super) fn date(d: Option<&DateTime>) -> Value {
    d.and_then(|d| d.fmt(DateTimeFormat::DateTime).ok())
        .map_or(Value::Null, Value::String)
}

pub(super) fn tags(list: &[aws_sdk_iam::types::Tag]) -> Value {
    Value::Array(
        list.iter()
            .map(|t| json!({"Key": t.key(), "Value": t.value()}))
            .collect(),
    )
}

pub(super) fn attached(list: &[aws_sdk_iam::types::AttachedPolicy]) -> Value {
    Value::Array(
        list.iter()
            .map(|p| json!({"PolicyName": p.policy_name(), "PolicyArn": p.policy_arn()}))
            .collect(),
    )
}

pub(super) fn inline(list: &[aws_sdk_iam::types::PolicyDetail]) -> Value {
    Value::Array(
        list.iter()
            .map(|p| json!({"PolicyName": p.policy_name(), "PolicyDocument": p.policy_document()}))
            .collect(),
    )
}

pub(super) fn boundary(b: Option<&aws_sdk_iam::types::AttachedPermissionsBoundary>) -> Value {
    b.map_or(
        Value::Null,
        |b| json!({"PermissionsBoundaryArn": b.permissions_boundary_arn()}),
    )
}

/// One page of `get-account-authorization-details`, in the CLI's shape.
fn authz_page(
    o: &aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput,
) -> Value {
    let users: Vec<Value> = o
        .user_detail_list()
        .iter()
        .map(|u| {
            json!({
                "Path": u.path(), "UserName": u.user_name(), "UserId": u.user_id(), "Arn": u.arn(),
                "CreateDate": date(u.create_date()), "GroupList": u.group_list(),
                "AttachedManagedPolicies": attached(u.attached_managed_policies()),
                "UserPolicyList": inline(u.user_policy_list()), "Tags": tags(u.tags()),
                "PermissionsBoundary": boundary(u.permissions_boundary()),
            })
        })
        .collect();
    let groups: Vec<Value> = o
        .group_detail_list()
        .iter()
        .map(|g| {
            json!({
                "Path": g.path(), "GroupName": g.group_name(), "GroupId": g.group_id(), "Arn": g.arn(),
                "CreateDate": date(g.create_date()), "GroupPolicyList": inline(g.group_policy_list()),
                "AttachedManagedPolicies": attached(g.attached_managed_policies()),
            })
        })
        .collect();
    let roles: Vec<Value> = o
        .role_detail_list()
        .iter()
        .map(|r| {
            json!({
                "Path": r.path(), "RoleName": r.role_name(), "RoleId": r.role_id(), "Arn": r.arn(),
                "CreateDate": date(r.create_date()), "AssumeRolePolicyDocument": r.assume_role_policy_document(),
                "RolePolicyList": inline(r.role_policy_list()),
                "AttachedManagedPolicies": attached(r.attached_managed_policies()), "Tags": tags(r.tags()),
                "RoleLastUsed": r.role_last_used().map_or(json!({}), |l| json!({"LastUsedDate": date(l.last_used_date()), "Region": l.region()})),
                "PermissionsBoundary": boundary(r.permissions_boundary()),
            })
        })
        .collect();
    let policies: Vec<Value> = o
        .policies()
        .iter()
        .map(|p| {
            json!({
                "PolicyName": p.policy_name(), "PolicyId": p.policy_id(), "Arn": p.arn(), "Path": p.path(),
                "DefaultVersionId": p.default_version_id(), "AttachmentCount": p.attachment_count(),
                "IsAttachable": p.is_attachable(), "CreateDate": date(p.create_date()), "UpdateDate": date(p.update_date()),
                "PolicyVersionList": p.policy_version_list().iter().map(|v| json!({
                    "Document": v.document(), "VersionId": v.version_id(), "IsDefaultVersion": v.is_default_version(),
                    "CreateDate": date(v.create_date()),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies,
        "IsTruncated": o.is_truncated(), "Marker": o.marker(),
    })
}

pub(super) fn stream(docs: &[Value]) -> String {
    let mut out = String::new();
    for d in docs {
        out.push_str(&serde_json::to_string_pretty(d).expect("JSON values serialise"));
        out.push('\n');
    }
    out
}

/// Rules that the credential report feeds.
const REPORT_RULES: &[&str] = &[
    codes::CREDENTIAL_UNROTATED,
    codes::CREDENTIAL_UNUSED,
    codes::CREDENTIAL_NEVER_USED,
    codes::MULTIPLE_ACTIVE_KEYS,
    codes::ROOT_ACCESS_KEY,
    codes::HUMAN_USE_OF_NHI,
];

/// Rules that the authorization details feed.
const AUTHZ_RULES: &[&str] = &[
    codes::ADMIN_PRIVILEGE,
    codes::PRIVILEGE_ESCALATION,
    codes::WILDCARD_PERMISSION,
    codes::TRUST_ANY_PRINCIPAL,
    codes::OIDC_TRUST_UNBOUNDED,
    codes::CROSS_ACCOUNT_TRUST_UNKNOWN,
    codes::CONFUSED_DEPUTY,
];

fn gap(
    ev: &mut AccountEvidence,
    what: impl Into<String>,
    reason: impl Into<String>,
    rules: &[&str],
) {
    ev.gaps.push(Gap {
        what: what.into(),
        reason: reason.into(),
        rules_affected: rules.iter().map(|r| r.to_string()).collect(),
    });
}

/// Reads one account.
async fn account(
    base: SdkConfig,
    target: Option<AwsTarget>,
    s: &AwsSettings,
    line: &Line,
) -> Result<AccountEvidence, String> {
    let conf = match &target {
        None => base,
        Some(t) => {
            let mut b = aws_config::sts::AssumeRoleProvider::builder(&t.role_arn)
                .session_name(t.session_name.clone().unwrap_or_else(|| "nhi-audit".into()))
                .configure(&base);
            if let Some(x) = &t.external_id {
                b = b.external_id(x);
            }
            let provider = b.build().await;
            base.to_builder()
                .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(
                    provider,
                ))
                .build()
        }
    };
    let n = Counter::default();
    line.update("authenticating");
    n.tick();
    let me = aws_sdk_sts::Client::new(&conf)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| match &target {
            Some(t) => format!("cannot assume {}: {}", t.role_arn, why(&e)),
            None => format!("cannot authenticate: {}", why(&e)),
        })?;
    let acct = me
        .account()
        .ok_or("GetCallerIdentity returned no account")?
        .to_string();
    let iam = aws_sdk_iam::Client::new(&conf);
    let mut ev = AccountEvidence {
        account: acct.clone(),
        ..Default::default()
    };

    n.tick();
    match iam.list_account_aliases().send().await {
        Ok(o) => {
            if let Some(a) = o.account_aliases().first() {
                ev.files.push(EvidenceFile {
                    name: "account-aliases.json".into(),
                    content: stream(&[json!({"AccountAliases": [a]})]),
                });
            }
        }
        Err(e) => gap(&mut ev, "account alias", why(&e), &[]),
    }

    // Authorization details: bulk, or per entity when denied.
    line.update(format!("{acct}: authorization details"));
    let mut pages = Vec::new();
    let mut paginator = iam
        .get_account_authorization_details()
        .into_paginator()
        .send();
    let mut denied = None;
    while let Some(page) = paginator.next().await {
        n.tick();
        match page {
            Ok(o) => {
                pages.push(authz_page(&o));
                line.update(format!(
                    "{acct}: authorization details, {} page(s)",
                    pages.len()
                ));
            }
            Err(e) if is_denied(&e) => {
                denied = Some(why(&e));
                break;
            }
            Err(e) => {
                gap(
                    &mut ev,
                    "authorization details",
                    format!("GetAccountAuthorizationDetails failed: {}", why(&e)),
                    AUTHZ_RULES,
                );
                break;
            }
        }
    }
    if let Some(reason) = denied {
        line.update(format!("{acct}: per-entity reads"));
        ev.read.push(format!(
            "GetAccountAuthorizationDetails denied ({reason}): read per entity instead"
        ));
        pages = vec![
            super::fallback::authorization_details(&iam, &n, s.entity_concurrency, &mut ev.gaps)
                .await,
        ];
    }
    if !pages.is_empty() {
        ev.files.push(EvidenceFile {
            name: "authorization-details.json".into(),
            content: stream(&pages),
        });
    }
    let users: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            p.get("UserDetailList")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|u| u.get("UserName")?.as_str().map(String::from))
        .collect();

    // Credential report: generated, polled, read; per entity when denied or never ready.
    line.update(format!("{acct}: credential report"));
    let report = if s.per_entity {
        Err("per-entity reads requested".to_string())
    } else {
        credential_report(&iam, &n, s.report_wait).await
    };
    match report {
        Ok(doc) => {
            ev.files.push(EvidenceFile {
                name: "credential-report.json".into(),
                content: stream(&[doc]),
            });
        }
        Err(reason) => {
            ev.read.push(format!("credential report unavailable ({reason}): access keys, passwords and MFA read per user instead"));
            line.update(format!("{acct}: per-user credentials"));
            let csv = super::fallback::credential_report(
                &iam,
                &n,
                &users,
                s.entity_concurrency,
                &mut ev.gaps,
            )
            .await;
            if let Some(csv) = csv {
                ev.files.push(EvidenceFile {
                    name: "credential-report.csv".into(),
                    content: csv,
                });
                gap(
                    &mut ev,
                    "root user's access keys",
                    format!("only the credential report shows them ({reason})"),
                    &[codes::ROOT_ACCESS_KEY],
                );
            } else {
                gap(
                    &mut ev,
                    format!("credential report of account {acct}"),
                    reason,
                    REPORT_RULES,
                );
            }
        }
    }

    if s.key_ids {
        line.update(format!("{acct}: access-key ids"));
        let with_keys = users_with_keys(&ev);
        let docs = super::fallback::access_keys(&iam, &n, &with_keys, s.entity_concurrency).await;
        match docs {
            Ok(docs) if !docs.is_empty() => {
                ev.files.push(EvidenceFile {
                    name: "access-keys.json".into(),
                    content: stream(&docs),
                });
            }
            Ok(_) => {}
            Err(reason) => gap(&mut ev, "access-key ids", reason, &[]),
        }
    }
    ev.requests = n.get();
    Ok(ev)
}

/// Users whose credential report row shows an access key.
fn users_with_keys(ev: &AccountEvidence) -> Vec<String> {
    let mut bundle = Bundle::default();
    for f in ev
        .files
        .iter()
        .filter(|f| f.name.starts_with("credential-report"))
    {
        let _ = read_bytes(&f.name, f.content.as_bytes(), &mut bundle);
    }
    bundle
        .reports
        .iter()
        .flat_map(|r| &r.rows)
        .filter(|r| {
            r.user != "<root_account>"
                && r.keys.iter().any(|k| k.active || k.last_rotated.is_some())
        })
        .map(|r| r.user.clone())
        .collect()
}

/// Generates the credential report and reads it, waiting at most `wait`.
async fn credential_report(
    iam: &aws_sdk_iam::Client,
    n: &Counter,
    wait: Duration,
) -> Result<Value, String> {
    let start = tokio::time::Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        n.tick();
        let state = iam.generate_credential_report().send().await.map_err(|e| {
            if is_denied(&e) {
                format!("GenerateCredentialReport denied: {}", why(&e))
            } else {
                why(&e)
            }
        })?;
        if state.state() == Some(&aws_sdk_iam::types::ReportStateType::Complete) {
            break;
        }
        if start.elapsed() + delay > wait {
            return Err(format!(
                "the credential report was not ready within {} s",
                wait.as_secs()
            ));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
    n.tick();
    let r = iam.get_credential_report().send().await.map_err(|e| {
        if is_denied(&e) {
            format!("GetCredentialReport denied: {}", why(&e))
        } else {
            why(&e)
        }
    })?;
    let content = r.content().map(|b| b.as_ref().to_vec()).unwrap_or_default();
    let mut doc = Map::new();
    doc.insert(
        "Content".into(),
        Value::String(base64::engine::general_purpose::STANDARD.encode(content)),
    );
    doc.insert(
        "ReportFormat".into(),
        json!(r.report_format().map(|f| f.as_str())),
    );
    doc.insert("GeneratedTime".into(), date(r.generated_time()));
    Ok(Value::Object(doc))
}
