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
        RulesAction::Explain { code } => {
            let Some(r) = find(&code) else {
                bail!("unknown rule code `{code}` (see `nhi rules`)");
            };
            write!(out, "{}", explain(r.meta()))?;
        }
    }
    Ok(Outcome::Clean)
}
