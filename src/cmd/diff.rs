//! `nhi diff OLD.json NEW.json`.

use std::io::{IsTerminal, Write};

use anyhow::Context;

use super::Outcome;
use crate::cli::DiffArgs;
use crate::model::Severity;
use crate::report::diff::{DiffFormat, render};

/// Compares two saved reports.
pub fn run(args: DiffArgs) -> anyhow::Result<Outcome> {
    let fail_on: Option<Severity> = super::parse_fail_on(&args.fail_on)?;
    let old = super::load_report(&args.old)?;
    let new = super::load_report(&args.new)?;
    let d = crate::diff::diff(&old, &new);
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if to_terminal {
        DiffFormat::Table
    } else {
        DiffFormat::Json
    });
    match &args.output {
        Some(p) => {
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(p)
                    .with_context(|| format!("cannot create {}", p.display()))?,
            );
            render(&d, format, &mut f).with_context(|| format!("cannot write {}", p.display()))?;
            f.flush()?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            render(&d, format, &mut out)?;
            out.flush()?;
        }
    }
    let failing = fail_on.map(|s| d.failing(s)).unwrap_or(0);
    Ok(if failing > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
