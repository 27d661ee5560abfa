use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};
use crate::policy::{Effect, Statement};

/// A role any CI pipeline (or any workload) of an OIDC provider can assume.
pub struct OidcTrustUnbounded;

static META: RuleMeta = RuleMeta {
    code: super::codes::OIDC_TRUST_UNBOUNDED,
    title: "The role trusts an OIDC provider without bounding the subject",
    severity: Severity::Critical,
    fires_when: "A trust policy allows sts:AssumeRoleWithWebIdentity from an OIDC provider (GitHub Actions, GitLab, Terraform Cloud, CircleCI, EKS, …) without a `sub` condition, or with a `sub` wildcard that admits any organisation (critical) or any repository of one organisation (high).",
    explanation: "OIDC federation replaces static keys, but the provider issues tokens to every customer: GitHub signs a token for every repository on github.com. Without a subject condition, a workflow in anybody's repository can assume the role.",
    remediation: "Add a `StringEquals` (or narrow `StringLike`) condition on `<provider>:sub` naming the exact repository and branch or environment (`repo:acme/infra:ref:refs/heads/main`, `repo:acme/infra:environment:production`), plus `<provider>:aud` = `sts.amazonaws.com`.",
    controls: &["OWASP-NHI6"],
};

/// How widely a subject pattern admits.
enum Width {
    AnyOrganisation,
    AnyRepository(String),
}

fn width(host: &str, value: &str) -> Option<Width> {
    if value.starts_with('*') {
        return Some(Width::AnyOrganisation);
    }
    let prefix = if host.starts_with("token.actions.githubusercontent.com") {
        "repo:"
    } else if host.contains("gitlab") {
        "project_path:"
    } else if host == "app.terraform.io" {
        "organization:"
    } else {
        return None;
    };
    let rest = value.strip_prefix(prefix)?;
    let scope = rest.split(':').next().unwrap_or("");
    let mut parts = scope.splitn(2, '/');
    let org = parts.next().unwrap_or("");
    let repo = parts.next();
    if org.contains('*') || org.contains('?') || org.is_empty() {
        Some(Width::AnyOrganisation)
    } else if prefix != "organization:" && repo.is_none_or(|r| r.starts_with('*')) {
        Some(Width::AnyRepository(org.to_string()))
    } else {
        None
    }
}

fn oidc_host(federated: &str) -> Option<&str> {
    if let Some((_, host)) = federated.split_once(":oidc-provider/") {
        return Some(host);
    }
    if federated == "cognito-identity.amazonaws.com" {
        return Some(federated);
    }
    None
}

fn check_statement(host: &str, st: &Statement) -> Option<(Severity, String)> {
    let sub_key = format!("{host}:sub");
    let key = if host == "cognito-identity.amazonaws.com" {
        format!("{host}:aud")
    } else {
        sub_key
    };
    let conds: Vec<(&str, &[String])> = st
        .condition_entries()
        .filter(|(_, k, _)| k.eq_ignore_ascii_case(&key))
        .map(|(op, _, v)| (op, v))
        .collect();
    if conds.is_empty() {
        return Some((
            Severity::Critical,
            format!("no `{key}` condition: any subject of {host} can assume the role"),
        ));
    }
    let mut worst: Option<(Severity, String)> = None;
    for (op, values) in conds {
        if !op.to_ascii_lowercase().contains("like") {
            continue; // Wildcards are literal outside the *Like operators.
        }
        for v in values {
            match width(host, v) {
                Some(Width::AnyOrganisation) => {
                    return Some((
                        Severity::Critical,
                        format!("{op} `{key}` = `{v}` admits any organisation"),
                    ));
                }
                Some(Width::AnyRepository(org)) => {
                    worst = Some((
                        Severity::High,
                        format!("{op} `{key}` = `{v}` admits any repository of `{org}`"),
                    ));
                }
                None => {}
            }
        }
    }
    worst
}

impl Rule for OidcTrustUnbounded {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis() {
            let Some(doc) = &i.trust_policy else { continue };
            for (ix, st) in doc.statement.iter().enumerate() {
                if st.effect != Effect::Allow {
                    continue;
                }
                let Some(p) = &st.principal else { continue };
                for (kind, value) in p.entries() {
                    let Some(host) = oidc_host(value).filter(|_| kind == "Federated") else {
                        continue;
                    };
                    let Some((sev, why)) = check_statement(host, st) else {
                        continue;
                    };
                    let ev = vec![
                        format!("trust policy statement {ix}: federated principal {value}"),
                        why,
                    ];
                    let title = format!(
                        "{} can be assumed from {host} without a bounded subject",
                        i.name
                    );
                    ctx.push(
                        out,
                        &META,
                        Draft::identity(i, title, ev)
                            .severity(sev)
                            .key(format!("{ix}:{host}")),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    fn gh(cond: &str) -> crate::model::Identity {
        role(
            "gh",
            &format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{cond}}}]}}"#
            ),
        )
    }

    #[test]
    fn missing_or_wide_sub_fires() {
        let aud =
            r#"{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}"#;
        let f = run(&OidcTrustUnbounded, vec![gh(aud)], vec![]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        let any = r#"{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*"}}"#;
        assert_eq!(
            run(&OidcTrustUnbounded, vec![gh(any)], vec![])[0].severity,
            Severity::Critical
        );
        let org = r#"{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}"#;
        assert_eq!(
            run(&OidcTrustUnbounded, vec![gh(org)], vec![])[0].severity,
            Severity::High
        );
    }

    #[test]
    fn exact_sub_does_not_fire() {
        let ok = r#"{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:acme/infra:ref:refs/heads/main"}}"#;
        assert!(run(&OidcTrustUnbounded, vec![gh(ok)], vec![]).is_empty());
        let branch =
            r#"{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/infra:*"}}"#;
        assert!(run(&OidcTrustUnbounded, vec![gh(branch)], vec![]).is_empty());
    }
}
