use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// A federated role assumed by a subject outside what it is for.
pub struct OidcSubjectUnexpected;

static META: RuleMeta = RuleMeta {
    code: super::codes::OIDC_SUBJECT_UNEXPECTED,
    title: "A federated role was assumed by an unexpected subject",
    severity: Severity::High,
    fires_when: "Activity logs show a role assumed through web identity (OIDC) by a subject outside what the role is for: a pull request, a tag, a branch other than the default one, or a subject not listed for the role in `activity.oidc_subjects`.",
    explanation: "A CI role is meant for one repository's deployments from its protected branch. Assumed from a pull request, a tag or a feature branch, it runs code nobody reviewed with the deployment's rights; assumed by a subject nobody listed, the trust policy is wider than its purpose.",
    remediation: "Narrow the role's trust policy to the expected subjects (`token.actions.githubusercontent.com:sub` equal to `repo:ORG/REPO:ref:refs/heads/main` or an environment), list them in `activity.oidc_subjects`, and review what the unexpected sessions did (`nhi trail ROLE`).",
    controls: &[
        "OWASP-NHI5",
        "OWASP-NHI8",
        "NIST-CSF-PR.AA-05",
        "NIST-CSF-DE.CM-01",
    ],
};

/// Why a subject is unexpected, judged on its shape alone.
fn suspicious(subject: &str) -> Option<&'static str> {
    let s = subject.to_ascii_lowercase();
    if s.ends_with(":pull_request") || s.contains(":pull_request:") {
        Some("a pull request")
    } else if s.contains(":ref:refs/tags/") {
        Some("a tag")
    } else if let Some((_, r)) = s.split_once(":ref:refs/heads/") {
        (!matches!(r, "main" | "master")).then_some("a branch other than the default one")
    } else {
        None
    }
}

impl Rule for OidcSubjectUnexpected {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in &ctx.inv.identities {
            let Some(a) = &i.activity else { continue };
            let listed: Vec<&String> = ctx
                .cfg
                .activity
                .oidc_subjects
                .iter()
                .filter(|(role, _)| {
                    crate::scopes::matches(role, &i.name)
                        || i.native_id
                            .as_deref()
                            .is_some_and(|arn| crate::scopes::matches(role, arn))
                })
                .flat_map(|(_, subjects)| subjects)
                .collect();
            for by in a.assumed_by.values() {
                let Some(subject) = &by.subject else { continue };
                if !by.via.contains("WebIdentity") {
                    continue;
                }
                let why = if !listed.is_empty() {
                    if listed.iter().any(|p| crate::scopes::matches(p, subject)) {
                        continue;
                    }
                    "not among the subjects listed for it in activity.oidc_subjects"
                } else {
                    match suspicious(subject) {
                        Some(w) => w,
                        None => continue,
                    }
                };
                let ev = vec![
                    format!(
                        "{} assumed {} {} time(s) as `{subject}`{}: {why}",
                        by.via,
                        i.name,
                        by.count,
                        by.provider
                            .as_deref()
                            .map(|p| format!(" (via {p})"))
                            .unwrap_or_default()
                    ),
                    format!("last {}; for example {}", by.last.to_rfc3339(), by.example),
                ];
                ctx.push(
                    out,
                    &META,
                    Draft::identity(i, format!("{} was assumed by `{subject}`", i.name), ev)
                        .key(subject.clone()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AssumedBy;
    use crate::rules::test_support::*;

    fn assumed(subject: &str) -> (String, AssumedBy) {
        (
            subject.to_string(),
            AssumedBy {
                via: "AssumeRoleWithWebIdentity".into(),
                subject: Some(subject.into()),
                provider: Some("token.actions.githubusercontent.com".into()),
                count: 1,
                last: now(),
                example: "events.jsonl:3".into(),
            },
        )
    }

    fn deploy(subjects: &[&str]) -> crate::model::Identity {
        let mut r = role("deploy", "{}");
        let mut a = activity(&[]);
        a.assumed_by = subjects.iter().map(|s| assumed(s)).collect();
        r.activity = Some(a);
        r
    }

    #[test]
    fn fires_for_pull_requests_tags_and_other_branches_only() {
        let r = deploy(&[
            "repo:acme/api:ref:refs/heads/main",
            "repo:acme/api:environment:production",
            "repo:acme/api:pull_request",
            "repo:acme/api:ref:refs/tags/v1.2.0",
            "repo:acme/api:ref:refs/heads/feature-x",
        ]);
        let f = run(&OidcSubjectUnexpected, vec![r], vec![]);
        let mut subjects: Vec<&str> = f
            .iter()
            .map(|f| f.title.rsplit('`').nth(1).unwrap())
            .collect();
        subjects.sort();
        assert_eq!(
            subjects,
            [
                "repo:acme/api:pull_request",
                "repo:acme/api:ref:refs/heads/feature-x",
                "repo:acme/api:ref:refs/tags/v1.2.0"
            ]
        );
    }

    #[test]
    fn the_listed_subjects_decide_when_given() {
        let r = deploy(&[
            "repo:acme/api:ref:refs/heads/main",
            "repo:acme/web:ref:refs/heads/main",
        ]);
        let c = cfg("activity:\n  oidc_subjects:\n    deploy: ['repo:acme/api:*']\n");
        let f = run_with(&OidcSubjectUnexpected, vec![r], vec![], &c);
        assert_eq!(f.len(), 1);
        assert!(f[0].title.contains("repo:acme/web"));
        assert!(f[0].evidence[0].contains("activity.oidc_subjects"));
    }
}
