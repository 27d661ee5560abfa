//! Renderers: one file per format, all writing the same [`Report`] to any `io::Write`.

use std::io::{self, Write};

use crate::model::Report;

pub mod escape;
mod json;
mod table;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A summary, the identities and the findings, for a terminal.
    Table,
    /// The JSON report (schema: docs/report.schema.json).
    Json,
}

/// How to render.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// Fit tables to this many columns (None: do not wrap).
    pub width: Option<u16>,
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
    }
}
