//! The privilege level of an AWS identity from its effective policies.

use crate::model::{Identity, PrivilegeLevel};
use crate::policy::{Decision, Effect, Query, evaluate};

/// Action-name prefixes that only read.
const READ_PREFIXES: &[&str] = &[
    "get", "list", "describe", "batchget", "head", "search", "lookup", "scan", "query", "select",
    "view", "check", "simulate", "estimate", "preview", "retrieve", "filter", "download",
];

/// Actions that do not fit the prefixes but change nothing (model inference, reports).
const READ_ACTIONS: &[&str] = &[
    "bedrock:invokemodel",
    "bedrock:invokemodelwithresponsestream",
    "bedrock:applyguardrail",
    "iam:generatecredentialreport",
    "iam:generateservicelastaccesseddetails",
];

/// Whether an action (or action pattern) only reads.
pub fn is_read_only(action: &str) -> bool {
    let Some((_, name)) = action.split_once(':') else {
        return false;
    };
    let n = name.to_ascii_lowercase();
    if READ_ACTIONS.contains(&action.to_ascii_lowercase().as_str()) {
        return true;
    }
    !n.is_empty() && !n.starts_with('*') && READ_PREFIXES.iter().any(|p| n.starts_with(p))
}

/// Sets `privileges.level` and `privileges.basis` from `privileges.policies`.
pub fn assess(i: &mut Identity) {
    let policies = &i.privileges.policies;
    let (level, basis) = match evaluate(policies, &Query::all("*", "*")) {
        Decision::Allowed(g) => (
            PrivilegeLevel::Admin,
            vec![format!("every action on every resource: {g}")],
        ),
        _ => match evaluate(policies, &Query::all("iam:*", "*")) {
            Decision::Allowed(g) => (
                PrivilegeLevel::Admin,
                vec![format!("full control of IAM: {g}")],
            ),
            _ => statement_level(i),
        },
    };
    i.privileges.level = level;
    i.privileges.basis = basis;
}

fn statement_level(i: &Identity) -> (PrivilegeLevel, Vec<String>) {
    let mut level = PrivilegeLevel::None;
    let mut basis = Vec::new();
    for p in &i.privileges.policies {
        let Some(doc) = &p.document else { continue };
        for (ix, st) in doc.statement.iter().enumerate() {
            if st.effect != Effect::Allow {
                continue;
            }
            let writes = !st.not_action.is_empty() || st.action.iter().any(|a| !is_read_only(a));
            let l = if writes {
                PrivilegeLevel::Write
            } else {
                PrivilegeLevel::Read
            };
            if l > level {
                level = l;
                basis.clear();
            }
            if l == level && basis.len() < 3 {
                basis.push(format!(
                    "{} ({}) statement {ix}: {}",
                    p.name,
                    p.via,
                    st.describe()
                ));
            }
        }
    }
    (level, basis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_actions() {
        assert!(is_read_only("s3:GetObject"));
        assert!(is_read_only("s3:List*"));
        assert!(!is_read_only("s3:*"));
        assert!(!is_read_only("*"));
        assert!(!is_read_only("s3:PutObject"));
        assert!(is_read_only("bedrock:InvokeModel"));
        assert!(is_read_only("logs:FilterLogEvents"));
    }
}
