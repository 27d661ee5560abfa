//! Microsoft Entra ID sign-in logs: Microsoft Graph `GET /auditLogs/signIns` pages
//! (`{"value":[signIn…]}`, or a bare `signIn` / list of them) and the Azure Monitor
//! diagnostic-settings export (Storage account or Event Hub: `{"records":[…]}` or one record
//! a line, each `{"time","category":"SignInLogs"|"ServicePrincipalSignInLogs"|…,
//! "tenantId","properties":{signIn}}`). Field names as the Graph `signIn` resource documents
//! them: `createdDateTime`, `appId`, `servicePrincipalId`, `ipAddress`, `status.errorCode`,
//! `servicePrincipalCredentialKeyId`, `resourceDisplayName`, `isInteractive`, ….
//!
//! A service principal's (or managed identity's) sign-in joins the Entra connector's
//! `entra-id:TENANT:service-principal/OBJECT-ID` (the tenant as the connector was configured:
//! a GUID in the log joins a domain-spelt inventory id when only one matches); its credential
//! handle is the key id (or certificate thumbprint). People's sign-ins are not identities the
//! connector reports: they count as unattributed, interactive ones as console sign-ins.

use serde_json::Value;

use super::{Actor, Event, LogFormat, UNKNOWN_ACCOUNT, owned, scalar};
use crate::model::Provider;

/// Entra sign-in logs, Graph and diagnostic-settings shapes.
pub static FORMAT: LogFormat = LogFormat {
    id: "entra-signin",
    name: "Entra ID sign-in logs",
    recognises,
    events,
    fast: None,
};

fn ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    super::get_ci(v, &[key])
}

/// A diagnostic-settings sign-in record.
fn is_diagnostic(v: &Value) -> bool {
    ci(v, "category")
        .and_then(Value::as_str)
        .is_some_and(|c| c.ends_with("SignInLogs"))
        && ci(v, "properties").is_some_and(Value::is_object)
}

/// A Graph `signIn` resource.
fn is_graph(v: &Value) -> bool {
    v.get("createdDateTime").is_some()
        && v.get("ipAddress").is_some()
        && (v.get("appId").is_some() || v.get("userPrincipalName").is_some())
        && (v.get("status").is_some()
            || v.get("servicePrincipalId").is_some()
            || v.get("isInteractive").is_some())
}

fn is_sign_in(v: &Value) -> bool {
    is_diagnostic(v) || is_graph(v)
}

fn recognises(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty() && a.iter().all(is_sign_in),
        Value::Object(m) => {
            ["value", "records"].iter().any(|k| {
                m.get(*k)
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(is_sign_in))
            }) || is_sign_in(v)
        }
        _ => false,
    }
}

fn events(doc: Value, origin: &str, out: &mut Vec<Result<Event, String>>) {
    let list = match &doc {
        Value::Array(a) => Some(("", a)),
        Value::Object(m) => ["value", "records"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_array).map(|a| (*k, a))),
        _ => None,
    };
    match list {
        Some((key, a)) => {
            for (ix, r) in a.iter().enumerate() {
                let at = format!("{origin} {key}[{ix}]");
                one(r, &at, out);
            }
        }
        None => one(&doc, origin, out),
    }
}

fn one(r: &Value, at: &str, out: &mut Vec<Result<Event, String>>) {
    if ci(r, "category").is_some() && !is_diagnostic(r) {
        // Audit and other directory records exported beside the sign-ins.
        return;
    }
    out.push(event(r, at).map_err(|e| format!("{at}: {e}")));
}

fn event(r: &Value, origin: &str) -> Result<Event, String> {
    let diag = is_diagnostic(r);
    let p = if diag {
        ci(r, "properties").unwrap_or(&Value::Null)
    } else {
        r
    };
    if !p.is_object() {
        return Err("not a sign-in record".into());
    }
    let raw = if diag {
        ci(r, "time").or_else(|| p.get("createdDateTime"))
    } else {
        p.get("createdDateTime")
    }
    .ok_or("no time or createdDateTime")?;
    let time = super::time_of(raw).ok_or_else(|| format!("time `{raw}` is not a time"))?;
    let tenant = ci(r, "tenantId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| owned(p, &["resourceTenantId"]))
        .or_else(|| owned(p, &["homeTenantId"]));
    let sp = owned(p, &["servicePrincipalId"]).filter(|s| !s.starts_with("00000000-"));
    let identity = sp.as_ref().map(|id| {
        format!(
            "entra-id:{}:service-principal/{id}",
            tenant.as_deref().unwrap_or(UNKNOWN_ACCOUNT)
        )
    });
    let category = ci(r, "category").and_then(Value::as_str).unwrap_or("");
    let interactive_type = p
        .get("signInEventTypes")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|x| x.as_str() == Some("interactiveUser")));
    let console = sp.is_none()
        && (interactive_type
            || p.get("isInteractive").and_then(Value::as_bool) == Some(true)
            || category == "SignInLogs" && p.get("isInteractive").is_none());
    let error = scalar(p, &["status", "errorCode"])
        .or_else(|| ci(r, "resultType").and_then(|x| scalar(x, &[])))
        .filter(|c| !matches!(c.as_str(), "0" | "Success" | "success"));
    let actor = Actor {
        kind: if sp.is_some() {
            owned(p, &["managedIdentityType"])
                .filter(|m| m != "none")
                .map_or("ServicePrincipal".into(), |_| "ManagedIdentity".into())
        } else {
            "User".into()
        },
        arn: owned(p, &["appId"]),
        principal_id: sp.clone().or_else(|| owned(p, &["userId"])),
        account: tenant.clone(),
        user_name: owned(p, &["servicePrincipalName"])
            .or_else(|| owned(p, &["userPrincipalName"]))
            .or_else(|| owned(p, &["appDisplayName"])),
        ..Actor::default()
    };
    Ok(Event {
        time,
        source: "entra-signin",
        provider: Provider::Saas,
        identity,
        credential: owned(p, &["servicePrincipalCredentialKeyId"])
            .or_else(|| owned(p, &["servicePrincipalCredentialThumbprint"])),
        account: tenant,
        actor,
        action: "entra:SignIn".into(),
        target: owned(p, &["resourceDisplayName"]).or_else(|| owned(p, &["resourceId"])),
        error,
        source_ip: owned(p, &["ipAddress"]).or_else(|| {
            ci(r, "callerIpAddress")
                .and_then(Value::as_str)
                .map(str::to_string)
        }),
        user_agent: owned(p, &["userAgent"]).or_else(|| owned(p, &["clientAppUsed"])),
        console,
        origin: origin.to_string(),
        issued: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Composed from the Graph signIn resource's documented fields.
    #[test]
    fn service_principal_sign_ins_join_and_user_sign_ins_are_console() {
        let page = json!({"value": [
            {"createdDateTime": "2024-05-01T10:00:00Z", "appId": "app-1", "ipAddress": "192.0.2.7",
             "servicePrincipalId": "sp-1", "servicePrincipalCredentialKeyId": "key-1",
             "status": {"errorCode": 7000215}, "resourceDisplayName": "Microsoft Graph"},
            {"createdDateTime": "2024-05-01T11:00:00Z", "appId": "app-2", "ipAddress": "192.0.2.8",
             "userPrincipalName": "a@example.com", "isInteractive": true, "status": {"errorCode": 0}},
            {"createdDateTime": "later", "appId": "app-2", "ipAddress": "192.0.2.8", "status": {}}
        ]});
        assert!(recognises(&page));
        let mut out = Vec::new();
        events(page, "p.json", &mut out);
        let sp = out[0].as_ref().unwrap();
        assert_eq!(
            sp.identity.as_deref(),
            Some("entra-id:unknown:service-principal/sp-1")
        );
        assert_eq!(sp.credential.as_deref(), Some("key-1"));
        assert_eq!(sp.error.as_deref(), Some("7000215"));
        let user = out[1].as_ref().unwrap();
        assert!(user.identity.is_none() && user.console && user.error.is_none());
        assert!(
            out[2]
                .as_ref()
                .unwrap_err()
                .starts_with("p.json value[2]: time")
        );
    }
}
