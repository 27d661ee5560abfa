//! From raw evidence to the model: identities, credentials, coverage, per account.

use crate::rules::codes;
use std::collections::{BTreeMap, BTreeSet};

use super::evidence::{Bundle, CredentialReport};
use super::raw::{AccessKeyMeta, Attached, Inline, ManagedPolicy, ReportRow, Tag};
use super::{account_of_arn, identity_id, managed, privileges};
use crate::model::{
    Classification, ConsoleAccess, Coverage, Credential, CredentialKind, Identity, IdentityKind,
    Inventory, PolicyAttachment, Provider, Source,
};
use crate::policy::PolicyDocument;
use crate::time::parse_time;

/// Rules that need the credential report.
const REPORT_RULES: &[&str] = &[
    codes::CREDENTIAL_UNROTATED,
    codes::CREDENTIAL_UNUSED,
    codes::CREDENTIAL_NEVER_USED,
    codes::MULTIPLE_ACTIVE_KEYS,
    codes::ROOT_ACCESS_KEY,
    codes::HUMAN_USE_OF_NHI,
];

/// Rules that need the authorization details.
const AUTHZ_RULES: &[&str] = &[
    codes::ADMIN_PRIVILEGE,
    codes::PRIVILEGE_ESCALATION,
    codes::WILDCARD_PERMISSION,
    codes::TRUST_ANY_PRINCIPAL,
    codes::OIDC_TRUST_UNBOUNDED,
    codes::CROSS_ACCOUNT_TRUST_UNKNOWN,
    codes::CONFUSED_DEPUTY,
    codes::OWNER_MISSING,
    codes::PURPOSE_MISSING,
    codes::EXPIRY_MISSING,
];

#[derive(Default)]
struct Account<'a> {
    files: BTreeSet<String>,
    users: Vec<&'a super::raw::UserDetail>,
    roles: Vec<&'a super::raw::RoleDetail>,
    groups: BTreeMap<String, &'a super::raw::GroupDetail>,
    policies: BTreeMap<String, &'a ManagedPolicy>,
    pages: usize,
    truncated: bool,
    reports: Vec<&'a CredentialReport>,
    keys: BTreeMap<String, Vec<&'a AccessKeyMeta>>,
    alias: Option<String>,
}

/// The account a directory is named after (`nhi evidence aws` writes DIR/ACCOUNT/...).
fn dir_account(file: &str) -> Option<String> {
    let dir = std::path::Path::new(file).parent()?.file_name()?.to_str()?;
    (dir.len() == 12 && dir.bytes().all(|b| b.is_ascii_digit())).then(|| dir.to_string())
}

fn dir_of(file: &str) -> String {
    std::path::Path::new(file)
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

fn page_account(doc: &super::raw::Document) -> Option<String> {
    let users = doc
        .user_detail_list
        .iter()
        .flatten()
        .map(|u| u.arn.as_str());
    let roles = doc
        .role_detail_list
        .iter()
        .flatten()
        .map(|r| r.arn.as_str());
    let groups = doc
        .group_detail_list
        .iter()
        .flatten()
        .filter_map(|g| g.arn.as_deref());
    let policies = doc.policies.iter().flatten().map(|p| p.arn.as_str());
    users
        .chain(roles)
        .chain(groups)
        .chain(policies)
        .find_map(account_of_arn)
        .map(String::from)
}

/// Builds the inventory of every account in the bundle (offline evidence).
pub fn build(bundle: Bundle) -> Result<Inventory, String> {
    build_as(bundle, "aws-evidence", true)
}

/// Builds the inventory, naming the sources after a connector (`aws-evidence`, `aws`). When
/// `strict`, a malformed policy document is an input error; otherwise (an API's answer) the
/// policy is left out and named in the coverage.
pub fn build_as(bundle: Bundle, connector: &str, strict: bool) -> Result<Inventory, String> {
    let mut accounts: BTreeMap<String, Account<'_>> = BTreeMap::new();
    // Pages without an account of their own (only AWS-managed policies) belong to the
    // account of the page before them in the same file.
    let mut last: Option<(String, String)> = None;
    for page in &bundle.pages {
        let acct = match page_account(&page.doc).or_else(|| dir_account(&page.file)) {
            Some(a) => a,
            None => match &last {
                Some((f, a)) if *f == page.file => a.clone(),
                _ => match bundle
                    .pages
                    .iter()
                    .filter(|p| p.file == page.file)
                    .find_map(|p| page_account(&p.doc))
                {
                    Some(a) => a,
                    None if page.doc.user_detail_list.iter().flatten().count() == 0
                        && page.doc.role_detail_list.iter().flatten().count() == 0 =>
                    {
                        "unknown".to_string()
                    }
                    None => {
                        return Err(format!(
                            "{}: cannot tell which AWS account these identities belong to",
                            page.file
                        ));
                    }
                },
            },
        };
        last = Some((page.file.clone(), acct.clone()));
        let a = accounts.entry(acct).or_default();
        a.files.insert(page.file.clone());
        a.pages += 1;
        a.truncated = page.doc.is_truncated.unwrap_or(false);
        a.users.extend(page.doc.user_detail_list.iter().flatten());
        a.roles.extend(page.doc.role_detail_list.iter().flatten());
        for g in page.doc.group_detail_list.iter().flatten() {
            a.groups.insert(g.group_name.clone(), g);
        }
        for p in page.doc.policies.iter().flatten() {
            a.policies.insert(p.arn.clone(), p);
        }
    }
    // A report with no rows (an account without users, as emulators print it) is placed by
    // its directory, like key lists below.
    let mut unplaced = Vec::new();
    for r in &bundle.reports {
        let acct = r
            .rows
            .iter()
            .find_map(|row| account_of_arn(&row.arn))
            .map(String::from);
        match acct {
            Some(acct) => {
                let a = accounts.entry(acct).or_default();
                a.files.insert(r.file.clone());
                a.reports.push(r);
            }
            None if r.rows.is_empty() => match dir_account(&r.file) {
                Some(acct) => {
                    let a = accounts.entry(acct).or_default();
                    a.files.insert(r.file.clone());
                    a.reports.push(r);
                }
                None => unplaced.push(r),
            },
            None => {
                return Err(format!(
                    "{}: credential report has no row with an account ARN",
                    r.file
                ));
            }
        }
    }
    // Key lists and aliases carry no account: they belong to the one account whose other
    // evidence is in the same directory.
    let mut by_dir: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (acct, a) in &accounts {
        for f in &a.files {
            by_dir.entry(dir_of(f)).or_default().insert(acct.clone());
        }
    }
    let owner = |file: &str, what: &str| -> Result<String, String> {
        let accts: Vec<&String> = by_dir
            .get(&dir_of(file))
            .map(|s| s.iter().filter(|a| *a != "unknown").collect())
            .unwrap_or_default();
        match accts.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(format!(
                "{file}: {what} without authorization details or a credential report of its account in the same directory"
            )),
            _ => Err(format!(
                "{file}: {what} in a directory holding evidence of several accounts; keep one account per directory"
            )),
        }
    };
    for (file, k) in &bundle.access_keys {
        let acct = owner(file, "access-key list")?;
        let a = accounts.entry(acct).or_default();
        a.files.insert(file.clone());
        a.keys.entry(k.user_name.clone()).or_default().push(k);
    }
    for r in unplaced {
        let acct = owner(&r.file, "credential report without rows")?;
        let a = accounts.entry(acct).or_default();
        a.files.insert(r.file.clone());
        a.reports.push(r);
    }
    for (file, alias) in &bundle.aliases {
        let acct = owner(file, "account alias")?;
        let a = accounts.entry(acct).or_default();
        a.files.insert(file.clone());
        a.alias = Some(alias.clone());
    }
    // A page of AWS-managed policies only: share it with every account.
    if let Some(shared) = accounts.remove("unknown") {
        for a in accounts.values_mut() {
            for (k, v) in &shared.policies {
                a.policies.entry(k.clone()).or_insert(v);
            }
        }
    }

    let mut inv = Inventory::default();
    for (acct, a) in &accounts {
        build_account(acct, a, connector, strict, &mut inv)?;
    }
    inv.sort();
    Ok(inv)
}

fn tags(list: &[Tag]) -> BTreeMap<String, String> {
    list.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

fn build_account(
    acct: &str,
    a: &Account<'_>,
    connector: &str,
    strict: bool,
    inv: &mut Inventory,
) -> Result<(), String> {
    let source_id = format!("{connector}:{acct}");
    let mut cov = Coverage::new(&source_id);
    let file_list = a.files.iter().cloned().collect::<Vec<_>>().join(", ");
    let mut missing_docs = BTreeSet::new();
    let mut catalogue_docs = BTreeSet::new();

    let malformed = std::cell::RefCell::new(Vec::<String>::new());
    // A document that does not parse: an input error for files, a coverage gap for the API.
    let parse = |v: &serde_json::Value, what: String| -> Result<Option<PolicyDocument>, String> {
        match PolicyDocument::from_value(v) {
            Ok(d) => Ok(Some(d)),
            Err(e) if strict => Err(format!("{file_list}: {what}: {e}")),
            Err(e) => {
                malformed.borrow_mut().push(format!("{what} ({e})"));
                Ok(None)
            }
        }
    };
    let inline = |owner: &str, p: &Inline, via: &str| -> Result<PolicyAttachment, String> {
        let doc = parse(
            &p.policy_document,
            format!("inline policy `{}` of {owner}", p.policy_name),
        )?;
        Ok(PolicyAttachment {
            name: p.policy_name.clone(),
            arn: None,
            via: via.to_string(),
            document: doc,
        })
    };
    let mut managed_doc = |m: &Attached, via: &str| -> Result<PolicyAttachment, String> {
        let name = m
            .policy_name
            .clone()
            .unwrap_or_else(|| m.policy_arn.rsplit('/').next().unwrap_or("").to_string());
        let document = match a.policies.get(&m.policy_arn) {
            Some(p) => {
                let v = p
                    .policy_version_list
                    .iter()
                    .find(|v| {
                        v.is_default_version == Some(true)
                            || (v.version_id.is_some() && v.version_id == p.default_version_id)
                    })
                    .or(p.policy_version_list.first());
                match v.and_then(|v| v.document.as_ref()) {
                    Some(d) => parse(d, format!("managed policy `{}`", m.policy_arn))?,
                    None => None,
                }
            }
            None => None,
        };
        let document = match document {
            Some(d) => Some(d),
            None => match managed::document(&m.policy_arn) {
                Some(text) => {
                    catalogue_docs.insert(name.clone());
                    Some(PolicyDocument::from_text(text).expect("built-in policy documents parse"))
                }
                None => {
                    missing_docs.insert(m.policy_arn.clone());
                    None
                }
            },
        };
        Ok(PolicyAttachment {
            name,
            arn: Some(m.policy_arn.clone()),
            via: via.to_string(),
            document,
        })
    };

    let mut ids: BTreeMap<String, Identity> = BTreeMap::new();
    for u in &a.users {
        let id = identity_id(acct, &u.arn);
        let mut i = Identity::new(
            id.clone(),
            Provider::Aws,
            IdentityKind::User,
            u.user_name.clone(),
        );
        i.account = Some(acct.to_string());
        i.native_id = Some(u.arn.clone());
        i.created = u.create_date.as_deref().and_then(parse_time);
        i.tags = tags(&u.tags);
        i.groups = u.group_list.clone();
        i.privileges.boundary = u
            .permissions_boundary
            .as_ref()
            .and_then(|b| b.permissions_boundary_arn.clone());
        for p in &u.user_policy_list {
            i.privileges
                .policies
                .push(inline(&u.user_name, p, "inline")?);
        }
        for m in &u.attached_managed_policies {
            i.privileges.policies.push(managed_doc(m, "managed")?);
        }
        for gname in &u.group_list {
            let Some(g) = a.groups.get(gname) else {
                cov.gap(
                    format!("group {gname} of user {}", u.user_name),
                    "the group is not in the authorization details",
                    &[codes::ADMIN_PRIVILEGE, codes::PRIVILEGE_ESCALATION],
                );
                continue;
            };
            for p in &g.group_policy_list {
                i.privileges
                    .policies
                    .push(inline(gname, p, &format!("group:{gname}/inline"))?);
            }
            for m in &g.attached_managed_policies {
                i.privileges
                    .policies
                    .push(managed_doc(m, &format!("group:{gname}/managed"))?);
            }
        }
        i.classification = Classification::Unknown;
        i.classification_reason =
            "no credential report for this account: keys and console access unknown".into();
        ids.insert(id, i);
    }
    for r in &a.roles {
        let id = identity_id(acct, &r.arn);
        let mut i = Identity::new(
            id.clone(),
            Provider::Aws,
            IdentityKind::Role,
            r.role_name.clone(),
        );
        i.account = Some(acct.to_string());
        i.native_id = Some(r.arn.clone());
        i.created = r.create_date.as_deref().and_then(parse_time);
        i.last_used = r
            .role_last_used
            .as_ref()
            .and_then(|l| l.last_used_date.as_deref())
            .and_then(parse_time);
        i.tags = tags(&r.tags);
        i.description = r.description.clone().filter(|d| !d.trim().is_empty());
        i.privileges.boundary = r
            .permissions_boundary
            .as_ref()
            .and_then(|b| b.permissions_boundary_arn.clone());
        if let Some(t) = &r.assume_role_policy_document {
            i.trust_policy = parse(t, format!("trust policy of role `{}`", r.role_name))?;
        }
        for p in &r.role_policy_list {
            i.privileges
                .policies
                .push(inline(&r.role_name, p, "inline")?);
        }
        for m in &r.attached_managed_policies {
            i.privileges.policies.push(managed_doc(m, "managed")?);
        }
        (i.classification, i.classification_reason) =
            classify_role(r.path.as_deref().unwrap_or("/"), &r.role_name, &i);
        ids.insert(id, i);
    }
    if a.pages > 0 {
        cov.read.push(format!(
            "authorization details ({} page{})",
            a.pages,
            if a.pages == 1 { "" } else { "s" }
        ));
        if a.truncated {
            cov.gap(
                "authorization details after the last page",
                "the last page says IsTruncated: true; export every page (the AWS CLI does this unless --max-items is set)",
                AUTHZ_RULES,
            );
        }
    } else {
        cov.gap(
            format!("authorization details of account {acct}"),
            "no `aws iam get-account-authorization-details` output for this account among the evidence",
            AUTHZ_RULES,
        );
    }

    let mut creds = Vec::new();
    match a.reports.as_slice() {
        [] => cov.gap(
            format!("credential report of account {acct}"),
            "no credential report for this account among the evidence (`aws iam generate-credential-report` then `get-credential-report`): access keys, their ages and last use, console passwords and MFA are unknown",
            REPORT_RULES,
        ),
        reports => {
            // The newest report wins when several are given.
            let r = reports.iter().max_by_key(|r| r.generated.as_deref().and_then(parse_time)).expect("non-empty");
            cov.read.push(match &r.generated {
                Some(g) => format!("credential report (generated {g})"),
                None => "credential report".to_string(),
            });
            for row in &r.rows {
                apply_row(acct, row, &mut ids, &mut creds, a.pages > 0);
                attach_key_ids(acct, row, a.keys.get(&row.user), &mut creds);
            }
        }
    }
    let malformed = malformed.into_inner();
    if !malformed.is_empty() {
        cov.gap(
            format!(
                "{} malformed policy document(s): {}",
                malformed.len(),
                malformed.join("; ")
            ),
            "the documents do not parse as IAM policies; they are left out",
            &[
                codes::ADMIN_PRIVILEGE,
                codes::PRIVILEGE_ESCALATION,
                codes::WILDCARD_PERMISSION,
                codes::TRUST_ANY_PRINCIPAL,
                codes::OIDC_TRUST_UNBOUNDED,
            ],
        );
    }
    if !missing_docs.is_empty() {
        cov.gap(
            format!("documents of {} managed polic{}: {}", missing_docs.len(), if missing_docs.len() == 1 { "y" } else { "ies" }, missing_docs.iter().cloned().collect::<Vec<_>>().join(", ")),
            "the policies are attached but not in the evidence's Policies list (export without --filter)",
            &[codes::ADMIN_PRIVILEGE, codes::PRIVILEGE_ESCALATION, codes::WILDCARD_PERMISSION, codes::AI_AGENT_OVERPRIVILEGED],
        );
    }
    if !catalogue_docs.is_empty() {
        cov.read.push(format!(
            "AWS-managed policy documents from nhi's built-in catalogue: {}",
            catalogue_docs.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !a.keys.is_empty() {
        cov.read
            .push(format!("access-key ids of {} user(s)", a.keys.len()));
    }
    for mut i in ids.into_values() {
        privileges::assess(&mut i);
        i.source = Some(source_id.clone());
        i.account_alias = a.alias.clone();
        inv.identities.push(i);
    }
    inv.credentials.extend(creds);
    inv.sources.push(Source {
        id: source_id,
        connector: connector.into(),
        locations: a.files.iter().cloned().collect(),
    });
    inv.coverage.push(cov);
    Ok(())
}

fn classify_role(path: &str, name: &str, i: &Identity) -> (Classification, String) {
    if path.starts_with("/aws-service-role/") {
        return (
            Classification::ProviderManaged,
            "service-linked role, managed by AWS".into(),
        );
    }
    if name.starts_with("AWSReservedSSO_") {
        return (
            Classification::Human,
            "IAM Identity Center (SSO) permission-set role, assumed by people".into(),
        );
    }
    let saml = i
        .trust_policy
        .iter()
        .flat_map(|d| &d.statement)
        .filter_map(|s| s.principal.as_ref())
        .any(|p| {
            p.entries()
                .iter()
                .any(|(k, v)| *k == "Federated" && v.contains(":saml-provider/"))
        });
    if saml {
        return (
            Classification::Human,
            "trusts a SAML identity provider: assumed by people".into(),
        );
    }
    (
        Classification::Machine,
        "role assumed by services, workloads or other principals".into(),
    )
}

fn apply_row(
    acct: &str,
    row: &ReportRow,
    ids: &mut BTreeMap<String, Identity>,
    creds: &mut Vec<Credential>,
    have_authz: bool,
) {
    let root = row.user == "<root_account>";
    let id = if root {
        format!("aws:iam::{acct}:root")
    } else {
        identity_id(acct, &row.arn)
    };
    let i = ids.entry(id.clone()).or_insert_with(|| {
        let kind = if root {
            IdentityKind::Root
        } else {
            IdentityKind::User
        };
        let name = if root {
            "root".to_string()
        } else {
            row.user.clone()
        };
        let mut i = Identity::new(id.clone(), Provider::Aws, kind, name);
        i.account = Some(acct.to_string());
        i.native_id = Some(row.arn.clone());
        if !root && have_authz {
            // In the report but not in the authorization details: created after the export.
            i.classification_reason = "not in the authorization details".into();
        }
        i
    });
    if i.created.is_none() {
        i.created = row.created.as_deref().and_then(parse_time);
    }
    let password = row.password_enabled == "true";
    let console = ConsoleAccess {
        password_enabled: password,
        password_last_used: row.password_last_used.as_deref().and_then(parse_time),
        mfa_active: row.mfa_active,
    };
    let mut active_keys = 0;
    let mut last_used = console.password_last_used;
    for (n, slot) in row.keys.iter().enumerate() {
        if slot.last_rotated.is_none() && !slot.active {
            continue; // Empty slot.
        }
        active_keys += usize::from(slot.active);
        let used = slot.last_used.as_deref().and_then(parse_time);
        last_used = last_used.max(used);
        creds.push(Credential {
            id: format!("{id}#access-key-{}", n + 1),
            identity: id.clone(),
            kind: CredentialKind::AccessKey,
            fingerprint: format!("access-key-{}", n + 1),
            active: slot.active,
            created: slot.last_rotated.as_deref().and_then(parse_time),
            last_used: used,
            last_used_service: slot.service.clone(),
            last_used_region: slot.region.clone(),
            expires: None,
            last_used_known: true,
        });
    }
    for (n, slot) in row.certs.iter().enumerate() {
        if slot.last_rotated.is_none() && !slot.active {
            continue;
        }
        creds.push(Credential {
            id: format!("{id}#signing-certificate-{}", n + 1),
            identity: id.clone(),
            kind: CredentialKind::Certificate,
            fingerprint: format!("signing-certificate-{}", n + 1),
            active: slot.active,
            created: slot.last_rotated.as_deref().and_then(parse_time),
            last_used: None,
            last_used_service: None,
            last_used_region: None,
            expires: None,
            last_used_known: false,
        });
    }
    i.last_used = i.last_used.max(last_used);
    if root {
        i.classification = Classification::Human;
        i.classification_reason = "the account's root user".into();
        i.active = true;
        i.console = Some(console);
        return;
    }
    let (class, reason) = match (active_keys > 0, password) {
        (true, true) => (
            Classification::Mixed,
            format!("{active_keys} active access key(s) and a console password"),
        ),
        (true, false) => (
            Classification::Machine,
            format!("{active_keys} active access key(s), no console password"),
        ),
        (false, true) => (
            Classification::Human,
            "console password, no active access keys".to_string(),
        ),
        (false, false) => (
            Classification::Unknown,
            "no active access key and no console password: dormant".to_string(),
        ),
    };
    i.classification = class;
    i.classification_reason = reason;
    i.active = active_keys > 0 || password;
    i.console = Some(console);
}

/// Puts each listed key's id on the credential-report slot created at the same second.
fn attach_key_ids(
    acct: &str,
    row: &ReportRow,
    keys: Option<&Vec<&AccessKeyMeta>>,
    creds: &mut [Credential],
) {
    let Some(keys) = keys else { return };
    let id = identity_id(acct, &row.arn);
    for c in creds
        .iter_mut()
        .filter(|c| c.identity == id && c.kind == CredentialKind::AccessKey)
    {
        let Some(created) = c.created else { continue };
        // The report has whole seconds; the key list may have fractions.
        let secs = created.timestamp();
        let hit = keys.iter().find(|k| {
            k.create_date
                .as_deref()
                .and_then(parse_time)
                .map(|t| t.timestamp())
                == Some(secs)
        });
        if let Some(k) = hit {
            c.fingerprint = k.access_key_id.clone();
        }
    }
}
