use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// An AI agent with more privilege than allowed.
pub struct AiAgentOverprivileged;

static META: RuleMeta = RuleMeta {
    code: super::codes::AI_AGENT_OVERPRIVILEGED,
    title: "An AI agent holds more privilege than AI agents are allowed",
    severity: Severity::High,
    fires_when: "An identity recognised as an AI agent has a privilege level (admin or write) above `ai_agents.allowed_privilege` in nhi.yaml (default: read).",
    explanation: "An AI agent can be steered by prompt injection in any content it reads. Whatever it is allowed to do, an attacker who controls its input can make it do: write and admin rights turn a poisoned document into a change in production.",
    remediation: "Give the agent a role with only the read actions and specific resources its tools need; put writes behind a separate, narrowly scoped tool identity or a human approval step. If the agent truly needs write access, raise `ai_agents.allowed_privilege` deliberately and record why.",
    controls: &["OWASP-NHI5"],
};

impl Rule for AiAgentOverprivileged {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let allowed = ctx.cfg.ai_agents.allowed_privilege.0;
        for i in ctx
            .nhis()
            .filter(|i| i.is_ai_agent() && i.privileges.level > allowed)
        {
            let level = format!("{:?}", i.privileges.level).to_lowercase();
            let allowed_s = format!("{allowed:?}").to_lowercase();
            let mut ev: Vec<String> = i
                .ai_agent
                .iter()
                .map(|a| format!("AI agent: {} ({})", a.matched, a.evidence))
                .collect();
            ev.push(format!(
                "privilege level {level}; AI agents may hold at most {allowed_s}"
            ));
            ev.extend(i.privileges.basis.iter().cloned());
            let title = format!("AI agent {} has {level} privileges", i.name);
            ctx.push(out, &META, Draft::identity(i, title, ev));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AiAgentEvidence;
    use crate::rules::test_support::*;

    #[test]
    fn fires_above_allowed_level() {
        let ev = AiAgentEvidence {
            matched: "bedrock.amazonaws.com".into(),
            evidence: "trust".into(),
        };
        let mut writer = machine("writer");
        writer.ai_agent.push(ev.clone());
        attach(
            &mut writer,
            r#"{"Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}}"#,
        );
        let mut reader = machine("reader");
        reader.ai_agent.push(ev);
        attach(
            &mut reader,
            r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:List*"],"Resource":"*"}}"#,
        );
        let f = run(
            &AiAgentOverprivileged,
            vec![writer.clone(), reader.clone()],
            vec![],
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].identity.ends_with("user/writer"));
        let f = run_with(
            &AiAgentOverprivileged,
            vec![writer, reader],
            vec![],
            &cfg("ai_agents: { allowed_privilege: write }"),
        );
        assert!(f.is_empty());
    }
}
