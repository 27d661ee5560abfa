//! Renderers: one file per format, all writing the same [`Report`] to any `io::Write`.

use std::io::{self, Write};

use crate::model::Report;

mod csv;
pub mod diff;
pub mod escape;
mod html;
mod json;
mod markdown;
mod sarif;
mod table;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A summary, the identities and the findings, for a terminal.
    Table,
    /// The JSON report (schema: docs/report.schema.json).
    Json,
    /// Markdown for tickets and pull requests: summary, then findings grouped by owner.
    Markdown,
    /// CSV: one row per finding (or per identity with --csv-identities).
    Csv,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// One self-contained HTML page: summary, filterable and sortable findings, identities.
    Html,
}

/// How to render.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// Fit tables to this many columns (None: do not wrap).
    pub width: Option<u16>,
    /// CSV lists identities instead of findings.
    pub csv_identities: bool,
}

/// Writes the report in a format.
pub fn render(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => table::render(report, opts, w),
        Format::Json => json::render(report, w),
        Format::Markdown => markdown::render(report, w),
        Format::Csv if opts.csv_identities => csv::identities(report, w),
        Format::Csv => csv::findings(report, w),
        Format::Sarif => sarif::render(report, w),
        Format::Html => html::render(report, w),
    }
}
