//! Rendering a [`Diff`]: table, JSON and Markdown. Provider text is escaped as in reports.

use std::io::{self, Write};

use super::escape::{markdown as md, terminal as t};
use crate::diff::Diff;

/// Diff output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Plain text for a terminal.
    Table,
    /// JSON.
    Json,
    /// Markdown for tickets and pull requests.
    Markdown,
}

fn date(d: Option<chrono::DateTime<chrono::Utc>>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "-".into())
}

/// Writes the diff.
pub fn render(d: &Diff, format: DiffFormat, w: &mut dyn Write) -> io::Result<()> {
    match format {
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, d)?;
            writeln!(w)
        }
        DiffFormat::Table => text(d, w, &|s| t(s), "", ""),
        DiffFormat::Markdown => {
            writeln!(w, "# Non-human identity changes\n")?;
            text(d, w, &|s| md(s), "## ", "- ")
        }
    }
}

fn text(
    d: &Diff,
    w: &mut dyn Write,
    esc: &dyn Fn(&str) -> String,
    h: &str,
    item: &str,
) -> io::Result<()> {
    let bullet = if item.is_empty() { "  " } else { item };
    writeln!(
        w,
        "From {} to {}\n",
        d.old_as_of.format("%Y-%m-%d %H:%M UTC"),
        d.new_as_of.format("%Y-%m-%d %H:%M UTC")
    )?;
    let mut section = |title: &str, lines: Vec<String>| -> io::Result<()> {
        writeln!(w, "{h}{title} ({})", lines.len())?;
        if !h.is_empty() {
            writeln!(w)?;
        }
        if lines.is_empty() {
            writeln!(w, "{bullet}none")?;
        }
        for l in lines {
            writeln!(w, "{bullet}{l}")?;
        }
        writeln!(w)
    };
    section(
        "New findings",
        d.findings_new
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}: {}",
                    f.severity,
                    esc(&f.rule),
                    esc(&f.identity),
                    esc(&f.title)
                )
            })
            .collect(),
    )?;
    section(
        "Resolved findings",
        d.findings_resolved
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}: {}",
                    f.severity,
                    esc(&f.rule),
                    esc(&f.identity),
                    esc(&f.title)
                )
            })
            .collect(),
    )?;
    section(
        "Identities added",
        d.identities_added.iter().map(|i| esc(&i.id)).collect(),
    )?;
    section(
        "Identities removed (offboarded)",
        d.identities_removed.iter().map(|i| esc(&i.id)).collect(),
    )?;
    section(
        "Owners changed",
        d.owners_changed
            .iter()
            .map(|c| {
                let v = |a: &crate::model::Attribution| {
                    a.value
                        .as_deref()
                        .map(esc)
                        .unwrap_or_else(|| "unknown".into())
                };
                format!("{}: {} -> {}", esc(&c.identity), v(&c.old), v(&c.new))
            })
            .collect(),
    )?;
    section(
        "Credentials rotated",
        d.credentials_rotated
            .iter()
            .map(|c| {
                format!(
                    "{}: {} -> {}",
                    esc(&c.credential),
                    date(c.old_created),
                    date(c.new_created)
                )
            })
            .collect(),
    )?;
    section(
        "Credentials added",
        d.credentials_added
            .iter()
            .map(|c| esc(&c.credential))
            .collect(),
    )?;
    section(
        "Credentials removed",
        d.credentials_removed
            .iter()
            .map(|c| esc(&c.credential))
            .collect(),
    )
}
