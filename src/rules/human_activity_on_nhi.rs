use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// A machine identity used interactively.
pub struct HumanActivityOnNhi;

static META: RuleMeta = RuleMeta {
    code: super::codes::HUMAN_ACTIVITY_ON_NHI,
    title: "A machine identity is used interactively",
    severity: Severity::Medium,
    fires_when: "Activity logs show console sign-ins by a machine identity, or calls from interactive clients (a browser, the console, a desktop CLI).",
    explanation: "A machine identity that a person also uses has two sets of behaviour to review and no clean owner: a person holds the workload's keys, and whatever the person does is recorded as the workload's doing.",
    remediation: "Give the person their own identity (SSO) and rotate the machine identity's credentials they hold; remove its console password.",
    controls: &["OWASP-NHI7", "NIST-CSF-PR.AA-01", "NIST-CSF-DE.CM-03"],
};

impl Rule for HumanActivityOnNhi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis() {
            let Some(a) = &i.activity else { continue };
            let mut interactive: Vec<(String, u64)> = Vec::new();
            for (ua, n) in &a.user_agents {
                let c = crate::activity::client_of(ua);
                if crate::activity::is_interactive(&c) {
                    match interactive.iter_mut().find(|(x, _)| *x == c) {
                        Some(x) => x.1 += n,
                        None => interactive.push((c, *n)),
                    }
                }
            }
            if a.console_sign_ins == 0 && interactive.is_empty() {
                continue;
            }
            let mut ev = Vec::new();
            if a.console_sign_ins > 0 {
                ev.push(format!("{} console sign-in(s)", a.console_sign_ins));
            }
            for (c, n) in &interactive {
                ev.push(format!("{n} call(s) from {c}"));
            }
            ctx.push(
                out,
                &META,
                Draft::identity(i, format!("{} is used interactively", i.name), ev),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_console_sign_ins_and_interactive_clients_only() {
        let mut console = machine("console");
        let mut a = activity(&[("signin:ConsoleLogin", 1)]);
        a.console_sign_ins = 1;
        console.activity = Some(a);
        let mut cli = machine("cli");
        let mut a = activity(&[("s3:ListBuckets", 4)]);
        a.user_agents
            .insert("aws-cli/2.13.0 Python/3.11.4 Linux".into(), 4);
        cli.activity = Some(a);
        let mut sdk = machine("sdk");
        let mut a = activity(&[("s3:GetObject", 40)]);
        a.user_agents
            .insert("Boto3/1.28.0 md/Botocore#1.31.0".into(), 40);
        sdk.activity = Some(a);
        let mut person = machine("person");
        person.classification = crate::model::Classification::Human;
        let mut a = activity(&[("signin:ConsoleLogin", 1)]);
        a.console_sign_ins = 1;
        person.activity = Some(a);
        let f = run(&HumanActivityOnNhi, vec![console, cli, sdk, person], vec![]);
        let mut who: Vec<&str> = f.iter().map(|f| f.identity.as_str()).collect();
        who.sort();
        assert_eq!(
            who,
            [
                "aws:iam::123456789012:user/cli",
                "aws:iam::123456789012:user/console"
            ]
        );
        let cli = f.iter().find(|f| f.identity.ends_with("/cli")).unwrap();
        assert!(cli.evidence.iter().any(|e| e == "4 call(s) from aws-cli"));
    }
}
