//! The JSON report: the public contract (docs/report.schema.json).

use std::io::{self, Write};

use crate::model::Report;

/// Writes the report as pretty-printed JSON with a trailing newline.
pub fn render(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report)?;
    writeln!(w)
}
