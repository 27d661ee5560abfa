//! CSV, the spreadsheet auditors ask for: one row per finding, or (with `--csv-identities`)
//! one row per identity. Cells that a spreadsheet would run as a formula are neutralised.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::escape::csv_cell;
use crate::model::{Identity, Report};

fn writer(w: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(w)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn lower<T: std::fmt::Debug>(v: T) -> String {
    format!("{v:?}").to_lowercase()
}

/// One row per finding.
pub fn findings(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let by_id: BTreeMap<&str, &Identity> =
        r.identities.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut out = writer(w);
    out.write_record([
        "severity",
        "rule",
        "state",
        "identity",
        "identity_name",
        "account",
        "owner",
        "owner_source",
        "credential",
        "title",
        "evidence",
        "remediation",
        "controls",
        "fingerprint",
    ])?;
    for f in &r.findings {
        let i = by_id.get(f.identity.as_str());
        let row = [
            f.severity.to_string(),
            f.rule.clone(),
            lower(f.state),
            f.identity.clone(),
            opt(i.map(|i| &i.name)),
            opt(i.and_then(|i| i.account.as_ref())),
            opt(i.and_then(|i| i.owner.value.as_ref())),
            opt(i.map(|i| &i.owner.source)),
            opt(f.credential.as_ref()),
            f.title.clone(),
            f.evidence.join("\n"),
            f.remediation.clone(),
            f.controls.join(", "),
            f.fingerprint.clone(),
        ];
        out.write_record(row.iter().map(|c| csv_cell(c)))?;
    }
    out.flush()
}

/// One row per identity: the inventory.
pub fn identities(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let mut findings: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &r.findings {
        *findings.entry(f.identity.as_str()).or_default() += 1;
    }
    let mut creds: BTreeMap<&str, usize> = BTreeMap::new();
    for c in r.credentials.iter().filter(|c| c.active) {
        *creds.entry(c.identity.as_str()).or_default() += 1;
    }
    let mut out = writer(w);
    out.write_record([
        "id",
        "provider",
        "kind",
        "name",
        "account",
        "classification",
        "active",
        "privilege",
        "owner",
        "owner_source",
        "purpose",
        "purpose_source",
        "expiry",
        "expiry_source",
        "expiry_date",
        "created",
        "last_used",
        "active_credentials",
        "ai_agent",
        "blast_radius",
        "findings",
    ])?;
    for i in &r.identities {
        let row = [
            i.id.clone(),
            i.provider.as_str().to_string(),
            lower(i.kind),
            i.name.clone(),
            opt(i.account.as_ref()),
            lower(i.classification),
            i.active.to_string(),
            lower(i.privileges.level),
            opt(i.owner.value.as_ref()),
            i.owner.source.clone(),
            opt(i.purpose.value.as_ref()),
            i.purpose.source.clone(),
            opt(i.expiry.value.as_ref()),
            i.expiry.source.clone(),
            opt(i.expiry_date),
            opt(i.created.map(|t| t.to_rfc3339())),
            opt(i.last_used.map(|t| t.to_rfc3339())),
            creds.get(i.id.as_str()).copied().unwrap_or(0).to_string(),
            i.is_ai_agent().to_string(),
            opt(i.blast_radius.as_ref().map(|b| b.score)),
            findings
                .get(i.id.as_str())
                .copied()
                .unwrap_or(0)
                .to_string(),
        ];
        out.write_record(row.iter().map(|c| csv_cell(c)))?;
    }
    out.flush()
}
