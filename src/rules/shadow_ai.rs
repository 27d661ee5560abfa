use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Provider, Severity};

/// An AI vendor's app nobody approved.
pub struct ShadowAi;

static META: RuleMeta = RuleMeta {
    code: super::codes::SHADOW_AI,
    title: "An AI vendor's app or grant is not approved",
    severity: Severity::Medium,
    fires_when: "An app installation, OAuth app or grant matches the AI catalogue (data/ai-catalogue.yaml, extendable with `ai_agents.github_apps`) and is not listed in `ai_agents.approved`.",
    explanation: "AI coding agents and assistants read (and often write) code, issues and secrets. One installed by a single developer gives a third party access the organisation never reviewed.",
    remediation: "Review the app's permissions and the vendor's data handling; approve it (add it to `ai_agents.approved` with an owner) or uninstall it.",
    controls: &["OWASP-NHI3"],
};

impl Rule for ShadowAi {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        let approved = |name: &str| {
            ctx.cfg
                .ai_agents
                .approved
                .iter()
                .any(|a| a.eq_ignore_ascii_case(name))
        };
        for i in ctx
            .nhis()
            .filter(|i| i.provider != Provider::Aws && i.is_ai_agent())
        {
            if approved(&i.name) || i.ai_agent.iter().any(|a| approved(&a.matched)) {
                continue;
            }
            let ev: Vec<String> = i
                .ai_agent
                .iter()
                .map(|a| format!("AI vendor app: {} ({})", a.matched, a.evidence))
                .collect();
            ctx.push(
                out,
                &META,
                Draft::identity(i, format!("AI app {} is not approved", i.name), ev),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AiAgentEvidence;
    use crate::rules::test_support::*;

    #[test]
    fn fires_unless_approved() {
        let mut a = machine("coderabbitai");
        a.provider = Provider::Github;
        a.ai_agent.push(AiAgentEvidence {
            matched: "coderabbitai".into(),
            evidence: "catalogue".into(),
        });
        assert_eq!(run(&ShadowAi, vec![a.clone()], vec![]).len(), 1);
        assert!(
            run_with(
                &ShadowAi,
                vec![a],
                vec![],
                &cfg("ai_agents: { approved: [coderabbitai] }")
            )
            .is_empty()
        );
    }
}
