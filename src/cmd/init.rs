//! `nhi init`.

use anyhow::{Context, bail};

use super::Outcome;
use crate::cli::InitArgs;

/// Writes the commented starter configuration.
pub fn run(args: InitArgs) -> anyhow::Result<Outcome> {
    if args.path.exists() && !args.force {
        bail!(
            "{} exists; use --force to overwrite it",
            args.path.display()
        );
    }
    std::fs::write(&args.path, crate::config::TEMPLATE)
        .with_context(|| format!("cannot write {}", args.path.display()))?;
    eprintln!("nhi: wrote {}", args.path.display());
    Ok(Outcome::Clean)
}
