//! `nhi schema`: the JSON Schema of the report.

use std::io::Write;

use super::Outcome;

/// The report's JSON Schema, pretty-printed, with a trailing newline.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(crate::model::Report);
    let mut s = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    s.push('\n');
    s
}

/// Prints the schema.
pub fn run() -> anyhow::Result<Outcome> {
    std::io::stdout()
        .lock()
        .write_all(schema_json().as_bytes())?;
    Ok(Outcome::Clean)
}
