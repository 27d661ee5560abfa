use super::{Ctx, Draft, Rule, RuleMeta};
use crate::model::{Finding, Severity};

/// An AI agent without owner, purpose or expiry.
pub struct AiAgentUngoverned;

static META: RuleMeta = RuleMeta {
    code: super::codes::AI_AGENT_UNGOVERNED,
    title: "An AI agent lacks an owner, a purpose or an expiry",
    severity: Severity::High,
    fires_when: "An identity recognised as an AI agent (a trust to an AI service such as bedrock.amazonaws.com, bedrock-agentcore.amazonaws.com or sagemaker.amazonaws.com, or a match in the AI catalogue) has no owner, no purpose or no expiry.",
    explanation: "AI agents act autonomously on prompts that may come from untrusted input. An agent nobody owns, with no stated purpose and no end date, is an unreviewed actor with standing access: nobody can say what it should be allowed to do, or notice when it does something else.",
    remediation: "Tag the agent's identity with an owner, a purpose and an expiry or review date (or add an ownership rule in nhi.yaml), and review its permissions against that purpose.",
    controls: &["OWASP-NHI1", "OWASP-NHI5"],
};

impl Rule for AiAgentUngoverned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
        for i in ctx.nhis().filter(|i| i.is_ai_agent()) {
            let mut missing = Vec::new();
            if !i.owner.is_known() {
                missing.push("owner");
            }
            if !i.purpose.is_known() {
                missing.push("purpose");
            }
            if i.expiry_date.is_none() {
                missing.push("expiry");
            }
            if missing.is_empty() {
                continue;
            }
            let mut ev: Vec<String> = i
                .ai_agent
                .iter()
                .map(|a| format!("AI agent: {} ({})", a.matched, a.evidence))
                .collect();
            ev.push(format!("missing: {}", missing.join(", ")));
            let title = format!("AI agent {} has no {}", i.name, missing.join(", no "));
            ctx.push(out, &META, Draft::identity(i, title, ev));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AiAgentEvidence, Attribution};
    use crate::rules::test_support::*;

    #[test]
    fn fires_for_agents_missing_governance() {
        let mut agent = machine("agent");
        agent.ai_agent.push(AiAgentEvidence {
            matched: "bedrock.amazonaws.com".into(),
            evidence: "trust".into(),
        });
        let mut governed = agent.clone();
        governed.id = "aws:iam::123456789012:user/governed".into();
        governed.owner = Attribution::from("a", "tag:owner");
        governed.purpose = Attribution::from("p", "tag:purpose");
        governed.expiry_date = chrono::NaiveDate::from_ymd_opt(2027, 1, 1);
        let f = run(
            &AiAgentUngoverned,
            vec![agent, governed, machine("plain")],
            vec![],
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].title.contains("no owner, no purpose, no expiry"));
    }
}
