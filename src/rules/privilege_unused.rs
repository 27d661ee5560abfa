use std::collections::BTreeSet;

use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};
use crate::policy::Effect;

/// Granted services never used in the covered window.
pub struct PrivilegeUnused;

static META: RuleMeta = RuleMeta {
    code: super::codes::PRIVILEGE_UNUSED,
    title: "Granted permissions are never used",
    severity: Severity::Medium,
    fires_when: "Over an activity window of at least `thresholds.activity_min_days` (default 30), an identity never called services its policies allow.",
    explanation: "Permissions a machine identity never uses are pure risk: they do nothing for its task and everything for whoever steals its credentials. Least privilege for agents and workloads means task-scoped permissions, rechecked against what they really do.",
    remediation: "Replace the identity's policies with one scoped to its task: the evidence carries a policy of the actions it was seen calling (resources narrowed where the calls named them), also printed by `nhi trail ID --policy`. Review it, then attach it and detach the broad ones.",
    controls: &["OWASP-NHI5", "CIS-AWS-1.16", "NIST-CSF-PR.AA-05"],
};

/// The services an identity's attached policies allow (`*` for every service).
fn granted(i: &crate::model::Identity) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in &i.privileges.policies {
        let Some(doc) = &p.document else { continue };
        for s in doc.statement.iter().filter(|s| s.effect == Effect::Allow) {
            if !s.not_action.is_empty() {
                out.insert("*".to_string());
            }
            for a in &s.action {
                match a.split_once(':') {
                    Some((svc, _)) if !svc.contains('*') => {
                        out.insert(svc.to_ascii_lowercase());
                    }
                    _ => {
                        out.insert("*".to_string());
                    }
                }
            }
        }
    }
    out
}

impl Rule for PrivilegeUnused {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let min = f64::from(ctx.cfg.thresholds.activity_min_days);
        for i in ctx.nhis() {
            let Some(a) = &i.activity else { continue };
            let Some(window) = a.sources.iter().map(|s| s.window_days()).reduce(f64::max) else {
                continue;
            };
            if window < min {
                continue; // Too short a window to judge absence.
            }
            let granted = granted(i);
            if granted.is_empty() {
                continue;
            }
            let used: BTreeSet<String> = a
                .actions
                .keys()
                .filter_map(|k| crate::activity::policy::iam_action(k))
                .filter_map(|k| k.split_once(':').map(|(s, _)| s.to_string()))
                .collect();
            let unused: Vec<&String> = granted
                .iter()
                .filter(|g| *g != "*" && !used.contains(*g))
                .collect();
            let every = granted.contains("*");
            if unused.is_empty() && !every {
                continue;
            }
            let used_list = if used.is_empty() {
                "nothing".to_string()
            } else {
                used.iter().cloned().collect::<Vec<_>>().join(", ")
            };
            let mut ev = vec![format!(
                "used in {window:.0} day(s): {used_list}; granted: {}",
                granted.iter().cloned().collect::<Vec<_>>().join(", ")
            )];
            if !unused.is_empty() {
                ev.push(format!(
                    "never used: {}",
                    unused
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if every {
                ev.push("a policy allows every service (`*`)".to_string());
            }
            if !a.actions.is_empty() {
                ev.push(format!(
                    "least-privilege policy of the observed actions: {}",
                    crate::activity::policy::least_privilege(a)
                ));
            }
            let n = unused.len();
            ctx.push(
                out,
                &META,
                Draft::identity(
                    i,
                    if every {
                        format!("{} may call every service and used {}", i.name, used.len())
                    } else {
                        format!(
                            "{} never used {n} granted service(s) in {window:.0} days",
                            i.name
                        )
                    },
                    ev,
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    fn with_s3_and_iam() -> crate::model::Identity {
        let mut i = machine("batch");
        attach(
            &mut i,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:ListUsers"],"Resource":"*"}]}"#,
        );
        i
    }

    #[test]
    fn fires_for_granted_services_never_called_with_a_policy_of_what_was() {
        let mut i = with_s3_and_iam();
        i.activity = Some(activity(&[("s3:GetObject", 40)]));
        let f = run(&PrivilegeUnused, vec![i], vec![]);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].evidence.iter().any(|e| e == "never used: iam"),
            "{:?}",
            f[0].evidence
        );
        let policy = f[0]
            .evidence
            .iter()
            .find_map(|e| e.strip_prefix("least-privilege policy of the observed actions: "))
            .unwrap();
        let doc = crate::policy::PolicyDocument::from_text(policy).unwrap();
        assert_eq!(doc.statement[0].action, ["s3:GetObject"]);
    }

    #[test]
    fn does_not_fire_when_everything_granted_was_used_or_the_window_is_short() {
        let mut all_used = with_s3_and_iam();
        all_used.activity = Some(activity(&[("s3:GetObject", 4), ("iam:ListUsers", 1)]));
        let mut short = with_s3_and_iam();
        short.id.push_str("-short");
        let mut a = activity(&[("s3:GetObject", 4)]);
        a.sources[0].window_from = now() - chrono::Duration::days(10);
        short.activity = Some(a);
        let no_activity = with_s3_and_iam();
        let mut no_activity = no_activity;
        no_activity.id.push_str("-none");
        assert!(run(&PrivilegeUnused, vec![all_used, short, no_activity], vec![]).is_empty());
    }
}
