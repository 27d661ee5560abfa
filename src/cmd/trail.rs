//! `nhi trail ID --activity PATH`.

use std::io::{IsTerminal, Write};

use super::Outcome;
use crate::cli::{TrailArgs, TrailFormat};

/// Prints one identity's trail.
pub fn run(args: TrailArgs) -> anyhow::Result<Outcome> {
    let when = |flag: &str, v: &Option<String>| -> anyhow::Result<_> {
        v.as_deref()
            .map(|s| crate::time::parse_as_of(s).map_err(|e| anyhow::anyhow!("--{flag}: {e}")))
            .transpose()
    };
    let since = when("since", &args.since)?;
    let until = when("until", &args.until)?;
    let t = crate::activity::trail::trail(&args.activity, &args.id, since, until)
        .map_err(|e| anyhow::anyhow!(e))?;
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        TrailFormat::Table
    } else {
        TrailFormat::Json
    });
    let text = match format {
        _ if args.policy => {
            let mut s = serde_json::to_string_pretty(&crate::activity::trail::policy(&t))?;
            s.push('\n');
            s
        }
        TrailFormat::Json => {
            let mut s = serde_json::to_string_pretty(&t)?;
            s.push('\n');
            s
        }
        TrailFormat::Table => crate::activity::trail::render(&t, false),
        TrailFormat::Markdown => crate::activity::trail::render(&t, true),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if t.gaps.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Partial
    })
}
