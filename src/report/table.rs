//! The terminal report: summary by severity and source, the identities with their owner,
//! purpose and expiry (and where each came from), then the findings, worst first.

use std::io::{self, Write};

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use super::RenderOptions;
use super::escape::terminal as t;
use crate::model::{Attribution, CoverageStatus, Report, Severity};

fn table(opts: &RenderOptions) -> Table {
    let mut tb = Table::new();
    tb.load_preset(presets::UTF8_FULL_CONDENSED);
    tb.force_no_tty();
    match opts.width {
        Some(w) => {
            tb.set_content_arrangement(ContentArrangement::Dynamic);
            tb.set_width(w);
        }
        None => {
            tb.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    if opts.color {
        tb.enforce_styling();
    }
    tb
}

fn sev_cell(s: Severity, opts: &RenderOptions) -> Cell {
    let c = Cell::new(s.as_str());
    if !opts.color {
        return c;
    }
    c.fg(match s {
        Severity::Critical => Color::Magenta,
        Severity::High => Color::Red,
        Severity::Medium => Color::Yellow,
        Severity::Low => Color::Cyan,
        Severity::Info => Color::Grey,
    })
}

fn attr(a: &Attribution) -> String {
    match &a.value {
        Some(v) => format!("{}\n({})", t(v), t(&a.source)),
        None => "unknown".to_string(),
    }
}

fn blast(i: &crate::model::Identity) -> u32 {
    i.blast_radius.as_ref().map_or(0, |b| b.score)
}

/// Writes the table report.
pub fn render(r: &Report, opts: &RenderOptions, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "nhi-audit {} · as of {}",
        r.tool.version,
        r.as_of.format("%Y-%m-%d %H:%M UTC")
    )?;
    writeln!(w)?;
    writeln!(w, "Sources")?;
    for c in &r.coverage {
        let status = match c.status {
            CoverageStatus::Complete => c.status.as_str().to_string(),
            _ => c.status.as_str().to_uppercase(),
        };
        writeln!(
            w,
            "  {} [{status}]: {}",
            t(&c.source),
            t(&c.read.join("; "))
        )?;
        for g in &c.gaps {
            writeln!(w, "    missing {}: {}", t(&g.what), t(&g.reason))?;
        }
    }
    writeln!(w)?;

    let s = &r.summary;
    writeln!(
        w,
        "Summary: {} identities ({} non-human), {} credentials, {} findings",
        s.identities, s.non_human_identities, s.credentials, s.findings
    )?;
    let mut tb = table(opts);
    tb.set_header(vec!["severity", "findings"]);
    for sev in Severity::ALL {
        tb.add_row(vec![
            sev_cell(sev, opts),
            Cell::new(s.by_severity.get(sev.as_str()).copied().unwrap_or(0)),
        ]);
    }
    writeln!(w, "{tb}")?;
    if !s.by_provider.is_empty() {
        let by: Vec<String> = s
            .by_provider
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        writeln!(w, "By source: {}", by.join(", "))?;
    }
    writeln!(w)?;

    if !s.largest_blast_radius.is_empty() {
        writeln!(w, "Largest blast radius")?;
        for b in &s.largest_blast_radius {
            writeln!(w, "  {:>4}  {}", b.score, t(&b.identity))?;
        }
        writeln!(w)?;
    }

    let mut nhis: Vec<_> = r
        .identities
        .iter()
        .filter(|i| i.classification.is_nhi())
        .collect();
    nhis.sort_by_key(|i| std::cmp::Reverse(blast(i)));
    writeln!(
        w,
        "Non-human identities ({}), largest blast radius first",
        nhis.len()
    )?;
    let mut tb = table(opts);
    tb.set_header(vec![
        "identity",
        "kind",
        "privilege",
        "blast",
        "owner",
        "purpose",
        "expiry",
    ]);
    for i in nhis {
        let mut name = t(&i.id);
        if i.is_ai_agent() {
            name.push_str("\n[AI agent]");
        }
        tb.add_row(vec![
            Cell::new(name),
            Cell::new(format!("{:?}", i.kind).to_lowercase()),
            Cell::new(format!("{:?}", i.privileges.level).to_lowercase()),
            Cell::new(blast(i)),
            Cell::new(attr(&i.owner)),
            Cell::new(attr(&i.purpose)),
            Cell::new(attr(&i.expiry)),
        ]);
    }
    writeln!(w, "{tb}")?;
    writeln!(w)?;

    writeln!(w, "Findings ({})", r.findings.len())?;
    if r.findings.is_empty() {
        writeln!(w, "  none")?;
        return Ok(());
    }
    let mut tb = table(opts);
    tb.set_header(vec!["severity", "rule", "identity", "finding"]);
    for f in &r.findings {
        let mut title = t(&f.title);
        if f.state != crate::model::FindingState::New {
            title.push_str(&format!(" [{:?}]", f.state).to_lowercase());
        }
        tb.add_row(vec![
            sev_cell(f.severity, opts),
            Cell::new(&f.rule),
            Cell::new(t(&f.identity)),
            Cell::new(title),
        ]);
    }
    writeln!(w, "{tb}")?;
    writeln!(w)?;
    writeln!(
        w,
        "Run `nhi rules explain CODE` for a rule's explanation and fix; `--format json` for the evidence."
    )?;
    Ok(())
}
