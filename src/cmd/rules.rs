//! `nhi rules`.

use std::io::Write;

use anyhow::bail;

use super::Outcome;
use crate::cli::{RulesAction, RulesArgs};
use crate::rules::{RULES, explain, find};

/// Lists or explains rules.
pub fn run(args: RulesArgs) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    match args.action.unwrap_or(RulesAction::List) {
        RulesAction::List => {
            for r in RULES {
                let m = r.meta();
                writeln!(
                    out,
                    "{:<30} {:<8} {:<55} {}",
                    m.code,
                    m.severity,
                    m.title,
                    m.controls.join(", ")
                )?;
            }
        }
        RulesAction::CheckSecrets { secret_rules } => {
            return check_secrets(&secret_rules, &mut out);
        }
        RulesAction::Explain { code } => {
            let Some(r) = find(&code) else {
                bail!("unknown rule code `{code}` (see `nhi rules`)");
            };
            write!(out, "{}", explain(r.meta()))?;
        }
    }
    Ok(Outcome::Clean)
}

/// Runs every secret rule's examples and negative examples.
fn check_secrets(extra: &[std::path::PathBuf], out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let rules = crate::connector::repo::rules::load(extra).map_err(|e| anyhow::anyhow!(e))?;
    let engine =
        crate::connector::repo::engine::Engine::new(rules).map_err(|e| anyhow::anyhow!(e))?;
    let failures = crate::connector::repo::check::run(&engine);
    let examples: usize = engine
        .rules
        .iter()
        .map(|r| r.syntax.examples.len() + r.syntax.negative_examples.len())
        .sum();
    for f in &failures {
        writeln!(out, "FAIL {f}")?;
    }
    writeln!(
        out,
        "{} rule(s), {examples} example(s), {} failure(s)",
        engine.rules.len(),
        failures.len()
    )?;
    Ok(if failures.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
