//! One file per subcommand.

pub mod completions;
pub mod connectors;
pub mod diff;
pub mod evidence;
pub mod init;
pub mod report;
pub mod rules;
pub mod scan;
pub mod schema;
pub mod trail;

/// How a command ended, mapped to the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0.
    Clean,
    /// 1: findings at or above --fail-on.
    Findings,
    /// 3: a source was read only partially.
    Partial,
}

impl Outcome {
    /// The exit code.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::Partial => 3,
        }
    }
}

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};

use crate::cli::CommonArgs;
use crate::config::Config;
use crate::model::{FindingState, Report, Severity};
use crate::report::{self as render, Format, RenderOptions};

/// What the shared options resolve to.
pub struct Settings {
    /// The configuration.
    pub config: Config,
    /// The scan clock.
    pub now: DateTime<Utc>,
    /// `--fail-on`, or None for `never`.
    pub fail_on: Option<Severity>,
}

impl Settings {
    /// Validates the shared options and loads the configuration.
    pub fn from_args(a: &CommonArgs) -> anyhow::Result<Self> {
        let fail_on = match a.fail_on.as_str() {
            "never" | "none" => None,
            s => Some(
                s.parse()
                    .map_err(|e: String| anyhow::anyhow!("--fail-on: {e}, or never"))?,
            ),
        };
        let now = match &a.as_of {
            Some(s) => crate::time::parse_as_of(s).map_err(|e| anyhow::anyhow!("--as-of: {e}"))?,
            None => Utc::now(),
        };
        Ok(Self {
            config: Config::load(a.config.as_deref())?,
            now,
            fail_on,
        })
    }
}

/// Parses `--fail-on`: a severity, or `never`.
pub fn parse_fail_on(s: &str) -> anyhow::Result<Option<Severity>> {
    match s {
        "never" | "none" => Ok(None),
        s => Ok(Some(s.parse().map_err(|e: String| {
            anyhow::anyhow!("--fail-on: {e}, or never")
        })?)),
    }
}

/// Reads a JSON report written by `nhi scan` (for `--baseline` and `nhi report`).
pub fn load_report(path: &Path) -> anyhow::Result<Report> {
    let name = path.display();
    let bytes =
        crate::input::read_bounded(path, crate::input::MAX_INPUT).map_err(anyhow::Error::msg)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name}: not UTF-8 at byte {}: not an nhi JSON report",
            e.utf8_error().valid_up_to()
        )
    })?;
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
            "{name}: report has schema_version {}, this nhi reads {}",
            report.schema_version,
            crate::model::SCHEMA_VERSION
        );
    }
    Ok(report)
}

/// Applies the baseline, writes the report, prints the summary line, and decides the outcome.
pub fn finish(mut report: Report, a: &CommonArgs, s: &Settings) -> anyhow::Result<Outcome> {
    if let Some(path) = &a.baseline {
        report.apply_baseline(&load_report(path).context("bad --baseline")?);
    }
    let stdout = std::io::stdout();
    let to_terminal = a.output.is_none() && stdout.is_terminal();
    let format = a.format.unwrap_or(if to_terminal {
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
        csv_identities: a.csv_identities,
    };
    match &a.output {
        Some(path) => {
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?,
            );
            render::render(&report, format, &opts, &mut f)
                .with_context(|| format!("cannot write {}", path.display()))?;
            f.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let mut out = stdout.lock();
            render::render(&report, format, &opts, &mut out)?;
            out.flush()?;
        }
    }
    let failing = s
        .fail_on
        .map(|sev| {
            report
                .failing(sev)
                .filter(|f| !a.fail_on_new || f.state == FindingState::New)
                .count()
        })
        .unwrap_or(0);
    if !a.quiet {
        let sm = &report.summary;
        let sev: Vec<String> = Severity::ALL
            .iter()
            .map(|x| {
                format!(
                    "{} {x}",
                    sm.by_severity.get(x.as_str()).copied().unwrap_or(0)
                )
            })
            .collect();
        eprintln!(
            "nhi: {} identities ({} non-human), {} findings ({}){}",
            sm.identities,
            sm.non_human_identities,
            sm.findings,
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

/// The live AWS settings from the command line and the configuration; None when not asked.
pub fn aws_settings(
    a: &crate::cli::AwsArgs,
    cfg: &Config,
) -> anyhow::Result<Option<crate::connector::aws::live::AwsSettings>> {
    use crate::connector::aws::live::{AwsSettings, AwsTarget};
    if !a.aws && a.aws_role_arn.is_empty() {
        return Ok(None);
    }
    let c = &cfg.aws;
    let mut targets: Vec<AwsTarget> = Vec::new();
    for arn in &a.aws_role_arn {
        crate::config::RoleArn::parse(arn).map_err(|e| anyhow::anyhow!("--aws-role-arn: {e}"))?;
        targets.push(AwsTarget {
            role_arn: arn.clone(),
            ..Default::default()
        });
    }
    if a.aws {
        for acct in &c.accounts {
            targets.push(AwsTarget {
                role_arn: acct.role_arn.0.clone(),
                external_id: acct.external_id.clone(),
                session_name: acct.session_name.clone(),
            });
        }
    }
    targets.dedup_by(|x, y| x.role_arn == y.role_arn);
    Ok(Some(AwsSettings {
        current: a.aws && c.accounts.is_empty(),
        profile: a.aws_profile.clone(),
        targets,
        concurrency: c.concurrency.max(1),
        entity_concurrency: c.entity_concurrency.max(1),
        account_timeout: std::time::Duration::from_secs(c.account_timeout_seconds.max(1)),
        max_attempts: c.max_attempts.max(1),
        report_wait: std::time::Duration::from_secs(c.credential_report_wait_seconds),
        key_ids: a.aws_access_key_ids,
        per_entity: false,
    }))
}
