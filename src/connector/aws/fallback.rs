//! Per-entity reads, for when a bulk call is denied (and for access-key ids, which no bulk
//! document has). They produce the same documents the bulk calls would, so the parser and
//! the rules do not know the difference; what they could not read becomes a coverage gap.

use crate::rules::codes;
use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_iam::Client;
use aws_sdk_iam::error::ProvideErrorMetadata;
use futures_util::StreamExt;
use serde_json::{Value, json};

use super::live::{Counter, attached, boundary, date, tags, why};
use crate::model::Gap;

/// All pages of a paginated list call, or the first error.
macro_rules! all_pages {
    ($n:expr, $req:expr, $items:ident) => {{
        let mut out = Vec::new();
        let mut p = $req.into_paginator().send();
        let mut err = None;
        while let Some(page) = p.next().await {
            $n.tick();
            match page {
                Ok(o) => out.extend(o.$items().iter().cloned()),
                Err(e) => {
                    err = Some(why(&e));
                    break;
                }
            }
        }
        match err {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }};
}

/// Collects per-entity errors into one gap per kind of read.
#[derive(Default)]
struct Errors(BTreeMap<&'static str, (Vec<String>, String, &'static [&'static str])>);

impl Errors {
    fn add(
        &mut self,
        what: &'static str,
        entity: &str,
        reason: String,
        rules: &'static [&'static str],
    ) {
        let e = self
            .0
            .entry(what)
            .or_insert_with(|| (Vec::new(), reason, rules));
        e.0.push(entity.to_string());
    }

    fn into_gaps(self, gaps: &mut Vec<Gap>) {
        for (what, (entities, reason, rules)) in self.0 {
            let shown: Vec<&str> = entities.iter().take(5).map(String::as_str).collect();
            let more = if entities.len() > 5 {
                format!(" and {} more", entities.len() - 5)
            } else {
                String::new()
            };
            gaps.push(Gap {
                what: format!("{what} of {}{more}", shown.join(", ")),
                reason,
                rules_affected: rules.iter().map(|r| r.to_string()).collect(),
            });
        }
    }
}

/// What failed for one entity: the kind of read, the reason, the rules it costs.
type EntityError = (&'static str, String, &'static [&'static str]);

/// An entity's document, or why it could not be read.
type EntityDocs = Vec<(String, Result<Value, EntityError>)>;

const PERMISSION_RULES: &[&str] = &[
    codes::ADMIN_PRIVILEGE,
    codes::PRIVILEGE_ESCALATION,
    codes::WILDCARD_PERMISSION,
    codes::AI_AGENT_OVERPRIVILEGED,
];
const TAG_RULES: &[&str] = &[
    codes::OWNER_MISSING,
    codes::PURPOSE_MISSING,
    codes::EXPIRY_MISSING,
    codes::OWNER_DEPARTED,
    codes::IDENTITY_EXPIRED,
];
const TRUST_RULES: &[&str] = &[
    codes::TRUST_ANY_PRINCIPAL,
    codes::OIDC_TRUST_UNBOUNDED,
    codes::CROSS_ACCOUNT_TRUST_UNKNOWN,
    codes::CONFUSED_DEPUTY,
    codes::AI_AGENT_UNGOVERNED,
];

/// Inline policies (names, then each document) of one principal.
async fn inline_policies(
    iam: &Client,
    n: &Counter,
    kind: &str,
    name: &str,
) -> Result<Vec<Value>, String> {
    let names: Vec<String> = match kind {
        "user" => all_pages!(n, iam.list_user_policies().user_name(name), policy_names)?,
        "group" => all_pages!(n, iam.list_group_policies().group_name(name), policy_names)?,
        _ => all_pages!(n, iam.list_role_policies().role_name(name), policy_names)?,
    };
    let mut out = Vec::new();
    for p in names {
        n.tick();
        let doc = match kind {
            "user" => iam
                .get_user_policy()
                .user_name(name)
                .policy_name(&p)
                .send()
                .await
                .map(|o| o.policy_document().to_string())
                .map_err(|e| why(&e)),
            "group" => iam
                .get_group_policy()
                .group_name(name)
                .policy_name(&p)
                .send()
                .await
                .map(|o| o.policy_document().to_string())
                .map_err(|e| why(&e)),
            _ => iam
                .get_role_policy()
                .role_name(name)
                .policy_name(&p)
                .send()
                .await
                .map(|o| o.policy_document().to_string())
                .map_err(|e| why(&e)),
        }?;
        out.push(json!({"PolicyName": p, "PolicyDocument": doc}));
    }
    Ok(out)
}

async fn attached_policies(
    iam: &Client,
    n: &Counter,
    kind: &str,
    name: &str,
) -> Result<Value, String> {
    let list: Vec<aws_sdk_iam::types::AttachedPolicy> = match kind {
        "user" => all_pages!(
            n,
            iam.list_attached_user_policies().user_name(name),
            attached_policies
        )?,
        "group" => all_pages!(
            n,
            iam.list_attached_group_policies().group_name(name),
            attached_policies
        )?,
        _ => all_pages!(
            n,
            iam.list_attached_role_policies().role_name(name),
            attached_policies
        )?,
    };
    Ok(attached(&list))
}

/// The authorization details, rebuilt from List*/Get* calls, as one page in the CLI's shape.
pub(super) async fn authorization_details(
    iam: &Client,
    n: &Counter,
    conc: usize,
    gaps: &mut Vec<Gap>,
) -> Value {
    let mut errors = Errors::default();
    let conc = conc.max(1);

    let users = match all_pages!(n, iam.list_users(), users) {
        Ok(u) => u,
        Err(e) => {
            gaps.push(Gap {
                what: "IAM users".into(),
                reason: format!("ListUsers failed: {e}"),
                rules_affected: vec![],
            });
            Vec::new()
        }
    };
    let user_docs: EntityDocs =
        futures_util::stream::iter(users)
            .map(|u| async move {
                let name = u.user_name().to_string();
                let doc = async {
                    let policies = inline_policies(iam, n, "user", &name).await.map_err(|e| ("inline policies", e, PERMISSION_RULES))?;
                    let managed = attached_policies(iam, n, "user", &name).await.map_err(|e| ("attached policies", e, PERMISSION_RULES))?;
                    let groups: Vec<aws_sdk_iam::types::Group> =
                        all_pages!(n, iam.list_groups_for_user().user_name(&name), groups).map_err(|e| ("groups", e, PERMISSION_RULES))?;
                    let user_tags: Vec<aws_sdk_iam::types::Tag> =
                        all_pages!(n, iam.list_user_tags().user_name(&name), tags).map_err(|e| ("tags", e, TAG_RULES))?;
                    Ok(json!({
                        "Path": u.path(), "UserName": u.user_name(), "UserId": u.user_id(), "Arn": u.arn(),
                        "CreateDate": date(Some(u.create_date())),
                        "GroupList": groups.iter().map(|g| g.group_name().to_string()).collect::<Vec<_>>(),
                        "AttachedManagedPolicies": managed, "UserPolicyList": policies, "Tags": tags(&user_tags),
                        "PermissionsBoundary": boundary(u.permissions_boundary()),
                    }))
                }
                .await;
                (name, doc)
            })
            .buffer_unordered(conc)
            .collect()
            .await;

    let groups = match all_pages!(n, iam.list_groups(), groups) {
        Ok(g) => g,
        Err(e) => {
            gaps.push(Gap {
                what: "IAM groups".into(),
                reason: format!("ListGroups failed: {e}"),
                rules_affected: PERMISSION_RULES.iter().map(|r| r.to_string()).collect(),
            });
            Vec::new()
        }
    };
    let group_docs: EntityDocs =
        futures_util::stream::iter(groups)
            .map(|g| async move {
                let name = g.group_name().to_string();
                let doc = async {
                    let policies = inline_policies(iam, n, "group", &name).await.map_err(|e| ("inline policies", e, PERMISSION_RULES))?;
                    let managed = attached_policies(iam, n, "group", &name).await.map_err(|e| ("attached policies", e, PERMISSION_RULES))?;
                    Ok(json!({
                        "Path": g.path(), "GroupName": g.group_name(), "GroupId": g.group_id(), "Arn": g.arn(),
                        "CreateDate": date(Some(g.create_date())), "GroupPolicyList": policies, "AttachedManagedPolicies": managed,
                    }))
                }
                .await;
                (name, doc)
            })
            .buffer_unordered(conc)
            .collect()
            .await;

    let roles = match all_pages!(n, iam.list_roles(), roles) {
        Ok(r) => r,
        Err(e) => {
            gaps.push(Gap {
                what: "IAM roles".into(),
                reason: format!("ListRoles failed: {e}"),
                rules_affected: vec![],
            });
            Vec::new()
        }
    };
    let role_docs: EntityDocs =
        futures_util::stream::iter(roles)
            .map(|r| async move {
                let name = r.role_name().to_string();
                let doc = async {
                    n.tick();
                    // ListRoles omits tags and last use; GetRole has them.
                    let full = iam.get_role().role_name(&name).send().await.map_err(|e| ("tags and last use", why(&e), TAG_RULES))?;
                    let role = full.role().unwrap_or(&r);
                    let policies = inline_policies(iam, n, "role", &name).await.map_err(|e| ("inline policies", e, PERMISSION_RULES))?;
                    let managed = attached_policies(iam, n, "role", &name).await.map_err(|e| ("attached policies", e, PERMISSION_RULES))?;
                    Ok(json!({
                        "Path": role.path(), "RoleName": role.role_name(), "RoleId": role.role_id(), "Arn": role.arn(),
                        "CreateDate": date(Some(role.create_date())), "Description": role.description(),
                        "AssumeRolePolicyDocument": role.assume_role_policy_document(),
                        "RolePolicyList": policies, "AttachedManagedPolicies": managed, "Tags": tags(role.tags()),
                        "RoleLastUsed": role.role_last_used().map_or(json!({}), |l| json!({"LastUsedDate": date(l.last_used_date()), "Region": l.region()})),
                        "PermissionsBoundary": boundary(role.permissions_boundary()),
                    }))
                }
                .await;
                (name, doc)
            })
            .buffer_unordered(conc)
            .collect()
            .await;

    let mut split = |docs: EntityDocs, kind: &'static str| {
        let mut ok = Vec::new();
        for (name, d) in docs {
            match d {
                Ok(v) => ok.push(v),
                Err((what, reason, rules)) => {
                    errors.add(what, &format!("{kind} {name}"), reason, rules);
                    if what == "tags and last use" {
                        errors.add(
                            "trust policy",
                            &format!("{kind} {name}"),
                            "GetRole failed".into(),
                            TRUST_RULES,
                        );
                    }
                }
            }
        }
        ok.sort_by(|a, b| a["Arn"].as_str().cmp(&b["Arn"].as_str()));
        ok
    };
    let user_list = split(user_docs, "user");
    let group_list = split(group_docs, "group");
    let role_list = split(role_docs, "role");

    // Managed policies attached anywhere: their default version's document.
    let arns: BTreeSet<String> = user_list
        .iter()
        .chain(&group_list)
        .chain(&role_list)
        .flat_map(|e| {
            e.get("AttachedManagedPolicies")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|p| p.get("PolicyArn")?.as_str().map(String::from))
        .collect();
    let policies: Vec<(String, Result<Value, String>)> = futures_util::stream::iter(arns)
        .map(|arn| async move {
            let doc = async {
                n.tick();
                let p = iam.get_policy().policy_arn(&arn).send().await.map_err(|e| why(&e))?;
                let p = p.policy().ok_or("GetPolicy returned no policy")?;
                let version = p.default_version_id().ok_or("no default version")?;
                n.tick();
                let v = iam.get_policy_version().policy_arn(&arn).version_id(version).send().await.map_err(|e| why(&e))?;
                let v = v.policy_version().ok_or("GetPolicyVersion returned no version")?;
                Ok::<Value, String>(json!({
                    "PolicyName": p.policy_name(), "PolicyId": p.policy_id(), "Arn": p.arn(), "Path": p.path(),
                    "DefaultVersionId": version, "AttachmentCount": p.attachment_count(), "IsAttachable": p.is_attachable(),
                    "CreateDate": date(p.create_date()), "UpdateDate": date(p.update_date()),
                    "PolicyVersionList": [{"Document": v.document(), "VersionId": v.version_id(), "IsDefaultVersion": true, "CreateDate": date(v.create_date())}],
                }))
            }
            .await;
            (arn, doc)
        })
        .buffer_unordered(conc)
        .collect()
        .await;
    let mut policy_list = Vec::new();
    for (arn, p) in policies {
        match p {
            Ok(v) => policy_list.push(v),
            Err(e) => errors.add("managed policy documents", &arn, e, PERMISSION_RULES),
        }
    }
    policy_list.sort_by(|a, b| a["Arn"].as_str().cmp(&b["Arn"].as_str()));
    errors.into_gaps(gaps);
    json!({
        "UserDetailList": user_list, "GroupDetailList": group_list, "RoleDetailList": role_list,
        "Policies": policy_list, "IsTruncated": false,
    })
}

const HEADER: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

fn text(v: Value) -> String {
    match v {
        Value::String(s) => s,
        _ => "N/A".into(),
    }
}

/// One user's credential-report row, from GetUser, GetLoginProfile, ListMFADevices,
/// ListAccessKeys and GetAccessKeyLastUsed.
async fn report_row(iam: &Client, n: &Counter, user: &str) -> Result<Vec<String>, String> {
    n.tick();
    let u = iam
        .get_user()
        .user_name(user)
        .send()
        .await
        .map_err(|e| why(&e))?;
    let u = u.user().ok_or("GetUser returned no user")?;
    n.tick();
    let password = match iam.get_login_profile().user_name(user).send().await {
        Ok(_) => true,
        Err(e) if e.code() == Some("NoSuchEntity") || super::live::status(&e) == Some(404) => false,
        Err(e) => return Err(why(&e)),
    };
    let mfa: Vec<aws_sdk_iam::types::MfaDevice> =
        all_pages!(n, iam.list_mfa_devices().user_name(user), mfa_devices)?;
    let mut keys: Vec<aws_sdk_iam::types::AccessKeyMetadata> = all_pages!(
        n,
        iam.list_access_keys().user_name(user),
        access_key_metadata
    )?;
    keys.sort_by_key(|k| k.create_date().map(|d| (d.secs(), d.subsec_nanos())));
    let mut row = vec![
        u.user_name().to_string(),
        u.arn().to_string(),
        text(date(Some(u.create_date()))),
        password.to_string(),
        if password {
            u.password_last_used()
                .map_or("no_information".into(), |d| text(date(Some(d))))
        } else {
            "N/A".into()
        },
        "N/A".into(),
        "N/A".into(),
        (!mfa.is_empty()).to_string(),
    ];
    for slot in 0..2 {
        match keys.get(slot) {
            Some(k) => {
                n.tick();
                let used = iam
                    .get_access_key_last_used()
                    .access_key_id(k.access_key_id().unwrap_or_default())
                    .send()
                    .await
                    .map_err(|e| why(&e))?;
                let last = used.access_key_last_used();
                let used_date = last.and_then(|l| l.last_used_date());
                row.push((k.status() == Some(&aws_sdk_iam::types::StatusType::Active)).to_string());
                row.push(text(date(k.create_date())));
                row.push(text(date(used_date)));
                row.push(
                    last.filter(|_| used_date.is_some())
                        .map_or("N/A".into(), |l| l.region().to_string()),
                );
                row.push(
                    last.filter(|_| used_date.is_some())
                        .map_or("N/A".into(), |l| l.service_name().to_string()),
                );
            }
            None => row.extend(["false", "N/A", "N/A", "N/A", "N/A"].map(String::from)),
        }
    }
    row.extend(["false", "N/A", "false", "N/A"].map(String::from));
    Ok(row)
}

/// A credential report rebuilt per user, as CSV; None when no user could be read.
pub(super) async fn credential_report(
    iam: &Client,
    n: &Counter,
    users: &[String],
    conc: usize,
    gaps: &mut Vec<Gap>,
) -> Option<String> {
    let mut users = users.to_vec();
    if users.is_empty() {
        match all_pages!(n, iam.list_users(), users) {
            Ok(u) => users = u.iter().map(|u| u.user_name().to_string()).collect(),
            Err(e) => {
                gaps.push(Gap {
                    what: "IAM users".into(),
                    reason: format!("ListUsers failed: {e}"),
                    rules_affected: vec![],
                });
                return None;
            }
        }
    }
    let rows: Vec<(String, Result<Vec<String>, String>)> = futures_util::stream::iter(users)
        .map(|u| async move {
            let r = report_row(iam, n, &u).await;
            (u, r)
        })
        .buffer_unordered(conc.max(1))
        .collect()
        .await;
    let mut errors = Errors::default();
    let mut ok: Vec<Vec<String>> = Vec::new();
    for (u, r) in rows {
        match r {
            Ok(row) => ok.push(row),
            Err(e) => errors.add(
                "access keys, password and MFA",
                &format!("user {u}"),
                e,
                &[
                    codes::CREDENTIAL_UNROTATED,
                    codes::CREDENTIAL_UNUSED,
                    codes::CREDENTIAL_NEVER_USED,
                    codes::MULTIPLE_ACTIVE_KEYS,
                    codes::HUMAN_USE_OF_NHI,
                ],
            ),
        }
    }
    errors.into_gaps(gaps);
    if ok.is_empty() {
        return None;
    }
    ok.sort();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER).ok()?;
    for r in ok {
        w.write_record(&r).ok()?;
    }
    String::from_utf8(w.into_inner().ok()?).ok()
}

/// `list-access-keys` of each user, in the CLI's shape.
pub(super) async fn access_keys(
    iam: &Client,
    n: &Counter,
    users: &[String],
    conc: usize,
) -> Result<Vec<Value>, String> {
    let docs: Vec<Result<Value, String>> = futures_util::stream::iter(users.to_vec())
        .map(|u| async move {
            let keys: Vec<aws_sdk_iam::types::AccessKeyMetadata> =
                all_pages!(n, iam.list_access_keys().user_name(&u), access_key_metadata)?;
            Ok(json!({
                "AccessKeyMetadata": keys.iter().map(|k| json!({
                    "UserName": k.user_name().unwrap_or(&u), "AccessKeyId": k.access_key_id(),
                    "Status": k.status().map(|s| s.as_str()), "CreateDate": date(k.create_date()),
                })).collect::<Vec<_>>(),
                "IsTruncated": false,
            }))
        })
        .buffer_unordered(conc.max(1))
        .collect()
        .await;
    let mut out: Vec<Value> = docs.into_iter().collect::<Result<_, _>>()?;
    fn user(v: &Value) -> Option<&str> {
        v.pointer("/AccessKeyMetadata/0/UserName")?.as_str()
    }
    out.sort_by(|a, b| user(a).cmp(&user(b)));
    Ok(out)
}
