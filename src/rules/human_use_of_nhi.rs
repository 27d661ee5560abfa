use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// A machine identity used by a person.
pub struct HumanUseOfNhi;

static META: RuleMeta = RuleMeta {
    code: super::codes::HUMAN_USE_OF_NHI,
    title: "A machine identity shows human use",
    severity: Severity::Medium,
    fires_when: "A user with active access keys also has a console password that was used within `thresholds.human_use_days` (default 90), or has an MFA device registered.",
    explanation: "When people sign in with a machine identity, its actions can no longer be attributed to a person, its credentials get shared in chats and password managers, and its privileges (sized for automation) are used interactively.",
    remediation: "Give the people their own identities (SSO) and remove the console password and MFA device from the machine identity; keep its access keys only for the workload, or better replace them with a role.",
    controls: &["OWASP-NHI10", "CIS-AWS-1.10"],
};

impl Rule for HumanUseOfNhi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let window = i64::from(ctx.cfg.thresholds.human_use_days);
        for i in ctx.nhis() {
            let Some(console) = &i.console else { continue };
            let keys: Vec<&str> = ctx
                .inv
                .credentials_of(&i.id)
                .filter(|c| c.active)
                .map(|c| c.fingerprint.as_str())
                .collect();
            if keys.is_empty() {
                continue;
            }
            let mut ev = Vec::new();
            let recent = console
                .password_last_used
                .filter(|u| ctx.days_since(*u) <= window);
            if let (true, Some(used)) = (console.password_enabled, recent) {
                ev.push(format!(
                    "console password last used {} ({} days ago)",
                    used.format("%Y-%m-%d"),
                    ctx.days_since(used)
                ));
            }
            if console.mfa_active {
                ev.push("an MFA device is registered".into());
            }
            if ev.is_empty() {
                continue;
            }
            ev.push(format!("active access keys: {}", keys.join(", ")));
            ctx.push(
                out,
                &META,
                Draft::identity(
                    i,
                    format!("{} is used by a person as well as by automation", i.name),
                    ev,
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ConsoleAccess;
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_recent_console_use_with_keys() {
        let mut mixed = machine("mixed");
        mixed.console = Some(ConsoleAccess {
            password_enabled: true,
            password_last_used: days_ago(3),
            mfa_active: false,
        });
        let mut stale = machine("stale");
        stale.console = Some(ConsoleAccess {
            password_enabled: true,
            password_last_used: days_ago(400),
            mfa_active: false,
        });
        let mut nokeys = machine("nokeys");
        nokeys.console = mixed.console.clone();
        let creds = vec![key(&mixed, 1, 10, Some(1)), key(&stale, 1, 10, Some(1))];
        let f = run(&HumanUseOfNhi, vec![mixed, stale, nokeys], creds);
        assert_eq!(f.len(), 1);
        assert!(f[0].identity.ends_with("user/mixed"));
    }
}
