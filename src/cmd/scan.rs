//! `nhi scan`.

use std::io::{IsTerminal, Write};

use anyhow::{Context, bail};

use super::Outcome;
use crate::cli::ScanArgs;
use crate::config::Config;
use crate::connector::{ConnectorError, ScanRequest};
use crate::model::{FindingState, Report, Severity};
use crate::report::{self, Format, RenderOptions};

/// Runs a scan and writes the report.
pub fn run(args: ScanArgs) -> anyhow::Result<Outcome> {
    let fail_on: Option<Severity> = match args.fail_on.as_str() {
        "never" | "none" => None,
        s => Some(
            s.parse()
                .map_err(|e: String| anyhow::anyhow!("--fail-on: {e}, or never"))?,
        ),
    };
    let now = match &args.as_of {
        Some(s) => crate::time::parse_as_of(s).map_err(|e| anyhow::anyhow!("--as-of: {e}"))?,
        None => chrono::Utc::now(),
    };
    let cfg = Config::load(args.config.as_deref())?;
    let req = ScanRequest {
        aws_evidence: args.aws_evidence.clone(),
    };
    if req.aws_evidence.is_empty() {
        bail!(
            "nothing to scan: give at least one source, e.g. --aws-evidence PATH (see `nhi scan --help`)"
        );
    }
    let inv = crate::scan::discover(&req).map_err(|e| match e {
        ConnectorError::Input(m) | ConnectorError::Unavailable(m) => anyhow::anyhow!(m),
    })?;
    let mut report = crate::scan::analyse(inv, &cfg, now);
    if let Some(path) = &args.baseline {
        report.apply_baseline(&load_baseline(path)?);
    }

    let stdout = std::io::stdout();
    let to_terminal = args.output.is_none() && stdout.is_terminal();
    let format = args.format.unwrap_or(if to_terminal {
        Format::Table
    } else {
        Format::Json
    });
    let color = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let width = if to_terminal {
        comfy_table::Table::new().width().or(Some(120))
    } else {
        std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
    };
    let opts = RenderOptions {
        color,
        width,
        csv_identities: args.csv_identities,
    };
    match &args.output {
        Some(path) => {
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?,
            );
            report::render(&report, format, &opts, &mut f)
                .with_context(|| format!("cannot write {}", path.display()))?;
            f.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let mut out = stdout.lock();
            report::render(&report, format, &opts, &mut out)?;
            out.flush()?;
        }
    }

    let failing = fail_on
        .map(|s| {
            report
                .failing(s)
                .filter(|f| !args.fail_on_new || f.state == FindingState::New)
                .count()
        })
        .unwrap_or(0);
    if !args.quiet {
        let s = &report.summary;
        let sev: Vec<String> = Severity::ALL
            .iter()
            .map(|x| {
                format!(
                    "{} {x}",
                    s.by_severity.get(x.as_str()).copied().unwrap_or(0)
                )
            })
            .collect();
        eprintln!(
            "nhi: {} identities ({} non-human), {} findings ({}){}",
            s.identities,
            s.non_human_identities,
            s.findings,
            sev.join(", "),
            if report.is_partial() {
                "; PARTIAL scan: see the coverage section"
            } else {
                ""
            }
        );
    }
    Ok(if report.is_partial() {
        Outcome::Partial
    } else if failing > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Reads an earlier JSON report for `--baseline`.
fn load_baseline(path: &std::path::Path) -> anyhow::Result<Report> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{name}: cannot read the baseline"))?;
    let report: Report = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{name}:{}:{}: not an nhi JSON report: {}",
            e.line(),
            e.column(),
            e.to_string().split(" at line ").next().unwrap_or("")
        )
    })?;
    let major = |v: &str| v.split('.').next().unwrap_or("").to_string();
    if major(&report.schema_version) != major(crate::model::SCHEMA_VERSION) {
        bail!(
            "{name}: baseline has schema_version {}, this nhi writes {}; rescan with one version",
            report.schema_version,
            crate::model::SCHEMA_VERSION
        );
    }
    Ok(report)
}
