use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// A workload's session credentials used from somewhere the workload is not.
pub struct CredentialUsedOffWorkload;

static META: RuleMeta = RuleMeta {
    code: super::codes::CREDENTIAL_USED_OFF_WORKLOAD,
    title: "Workload credentials are used from outside the workload",
    severity: Severity::High,
    fires_when: "A session issued to a workload (an EC2 instance profile, a Lambda function, a container) is used from a network and with a client that the workload's own calls never use.",
    explanation: "Instance-profile and function credentials are delivered to the workload and should only ever be used by it, from its own address and its own software. The same session key showing up from another network with another SDK is the signature of credentials read from the metadata service or the environment and taken elsewhere.",
    remediation: "Revoke the role's active sessions (an `aws:TokenIssueTime` deny), find how the credentials left the workload (SSRF to the metadata service, a leaked environment), require IMDSv2, and bound the role with `aws:SourceVpc` / `aws:EC2InstanceSourceVPC` conditions.",
    controls: &["OWASP-NHI2", "OWASP-NHI5", "NIST-CSF-DE.CM-01"],
};

impl Rule for CredentialUsedOffWorkload {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in &ctx.inv.identities {
            let Some(a) = &i.activity else { continue };
            // The workload's own origins: every network and client its sessions were used from
            // by an AWS agent on the instance, else the origin that used its sessions most.
            let workload: Vec<_> = a.sessions.iter().filter(|s| s.workload).collect();
            if workload.is_empty() {
                continue;
            }
            // Group the sessions by workload (session name: the instance id or function).
            let mut by_name: std::collections::BTreeMap<&str, Vec<_>> = Default::default();
            for s in &workload {
                by_name
                    .entry(s.session_name.as_deref().unwrap_or("?"))
                    .or_default()
                    .push(*s);
            }
            for (name, sessions) in by_name {
                let origins: Vec<_> = sessions
                    .iter()
                    .flat_map(|s| s.used_from.iter().map(move |o| (*s, o)))
                    .collect();
                let agent = |c: &str| c == "amazon-ssm-agent" || c.ends_with(".amazonaws.com");
                let mut home: Vec<_> = origins
                    .iter()
                    .filter(|(_, o)| agent(&o.client) || o.network.ends_with(".amazonaws.com"))
                    .map(|(_, o)| (o.network.as_str(), o.client.as_str()))
                    .collect();
                if home.is_empty()
                    && let Some((_, o)) = origins.iter().max_by(|x, y| {
                        x.1.events
                            .cmp(&y.1.events)
                            .then_with(|| y.1.network.cmp(&x.1.network))
                    })
                {
                    home.push((o.network.as_str(), o.client.as_str()));
                }
                for (s, o) in &origins {
                    let net_known = home.iter().any(|(n, _)| *n == o.network);
                    let client_known = home.iter().any(|(_, c)| *c == o.client);
                    if net_known || client_known || o.network.ends_with(".amazonaws.com") {
                        continue;
                    }
                    let ev = vec![
                        format!(
                            "session {} of {} ({name}) used from {} with {} ({} call(s), {} to {})",
                            s.key,
                            i.name,
                            o.network,
                            o.client,
                            o.events,
                            o.first.to_rfc3339(),
                            o.last.to_rfc3339()
                        ),
                        format!(
                            "the workload's own calls come from {}",
                            home.iter()
                                .map(|(n, c)| format!("{n} with {c}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        format!("for example {}", o.example),
                    ];
                    ctx.push(
                        out,
                        &META,
                        Draft::identity(
                            i,
                            format!(
                                "{}'s workload credentials ({name}) were used from {}",
                                i.name, o.network
                            ),
                            ev,
                        )
                        .key(format!("{}|{}|{}", s.key, o.network, o.client)),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SessionOrigin, SessionUse};
    use crate::rules::test_support::*;

    fn origin(network: &str, client: &str, events: u64) -> SessionOrigin {
        SessionOrigin {
            network: network.into(),
            client: client.into(),
            events,
            first: now(),
            last: now(),
            example: "sts:GetCallerIdentity f Records[0]".into(),
        }
    }

    fn session(key: &str, workload: bool, used: Vec<SessionOrigin>) -> SessionUse {
        SessionUse {
            key: key.into(),
            session_name: Some("i-0abc12345678".into()),
            workload,
            issued_by: None,
            issued_at: None,
            used_from: used,
        }
    }

    #[test]
    fn fires_for_a_second_network_and_client_of_an_instance_session() {
        let mut r = role("app", "{}");
        let mut a = activity(&[("ssm:UpdateInstanceInformation", 13)]);
        a.sessions = vec![
            session(
                "ASIAONE",
                true,
                vec![origin("3.225.16.109", "amazon-ssm-agent", 13)],
            ),
            session(
                "ASIATWO",
                true,
                vec![origin("192.0.2.20", "aws-sdk-go-v2", 2)],
            ),
        ];
        r.activity = Some(a);
        let f = run(&CredentialUsedOffWorkload, vec![r], vec![]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].title.contains("192.0.2.20"));
        assert!(f[0].evidence[0].contains("ASIATWO"));
    }

    #[test]
    fn does_not_fire_for_the_workloads_own_calls_or_non_workload_sessions() {
        let mut r = role("app", "{}");
        let mut a = activity(&[("s3:GetObject", 9)]);
        a.sessions = vec![
            // The same network with another client: the workload's own software.
            session(
                "ASIAONE",
                true,
                vec![
                    origin("3.225.16.109", "amazon-ssm-agent", 13),
                    origin("3.225.16.109", "aws-cli", 2),
                ],
            ),
            // Not a workload: a person's role session from two places.
            session("ASIATHREE", false, vec![origin("198.51.100.7", "boto3", 5)]),
        ];
        r.activity = Some(a);
        assert!(run(&CredentialUsedOffWorkload, vec![r], vec![]).is_empty());
    }
}
