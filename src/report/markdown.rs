//! Markdown for tickets and pull-request comments: the summary, then the findings grouped by
//! owner, then how to fix each kind of defect. Every provider string is escaped.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::escape::markdown as md;
use crate::model::{CoverageStatus, Finding, FindingState, Report, Severity};

/// Writes the Markdown report.
pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "# Non-human identity audit\n")?;
    writeln!(
        w,
        "As of {} · nhi-audit {}\n",
        r.as_of.format("%Y-%m-%d %H:%M UTC"),
        md(&r.tool.version)
    )?;
    let s = &r.summary;
    writeln!(w, "## Summary\n")?;
    writeln!(
        w,
        "**{}** identities (**{}** non-human), **{}** credentials, **{}** findings.\n",
        s.identities, s.non_human_identities, s.credentials, s.findings
    )?;
    writeln!(w, "| Severity | Findings |\n|---|---:|")?;
    for sev in Severity::ALL {
        writeln!(
            w,
            "| {sev} | {} |",
            s.by_severity.get(sev.as_str()).copied().unwrap_or(0)
        )?;
    }
    writeln!(w)?;
    writeln!(w, "| Source | Coverage | Read |\n|---|---|---|")?;
    for c in &r.coverage {
        let status = match c.status {
            CoverageStatus::Complete => c.status.as_str().to_string(),
            _ => format!("**{}**", c.status.as_str()),
        };
        writeln!(
            w,
            "| {} | {status} | {} |",
            md(&c.source),
            md(&c.read.join("; "))
        )?;
    }
    let gaps: Vec<_> = r
        .coverage
        .iter()
        .flat_map(|c| c.gaps.iter().map(move |g| (c, g)))
        .collect();
    if !gaps.is_empty() {
        writeln!(w, "\nMissing from the scan:\n")?;
        for (c, g) in gaps {
            writeln!(
                w,
                "- {}: {} ({})",
                md(&c.source),
                md(&g.what),
                md(&g.reason)
            )?;
        }
    }
    writeln!(w)?;

    if !s.largest_blast_radius.is_empty() {
        writeln!(w, "## Largest blast radius\n")?;
        writeln!(
            w,
            "| Score | Identity | Privilege | Exposure |\n|---:|---|---|---|"
        )?;
        let by_id: BTreeMap<&str, &crate::model::Identity> =
            r.identities.iter().map(|i| (i.id.as_str(), i)).collect();
        for b in &s.largest_blast_radius {
            let Some(br) = by_id
                .get(b.identity.as_str())
                .and_then(|i| i.blast_radius.as_ref())
            else {
                continue;
            };
            let exposure: Vec<String> = br.exposure.iter().map(|e| md(e)).collect();
            writeln!(
                w,
                "| {} | {} | {} | {} |",
                b.score,
                md(&b.identity),
                format!("{:?}", br.level).to_lowercase(),
                exposure.join("; ")
            )?;
        }
        writeln!(w)?;
    }

    writeln!(w, "## Findings by owner\n")?;
    if r.findings.is_empty() {
        writeln!(w, "No findings.")?;
        return Ok(());
    }
    let owner_of: BTreeMap<&str, Option<&str>> = r
        .identities
        .iter()
        .map(|i| (i.id.as_str(), i.owner.value.as_deref()))
        .collect();
    let mut groups: BTreeMap<(bool, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &r.findings {
        let owner = owner_of.get(f.identity.as_str()).copied().flatten();
        groups
            .entry((owner.is_none(), owner.unwrap_or("no owner")))
            .or_default()
            .push(f);
    }
    for ((_, owner), findings) in &groups {
        writeln!(w, "### {} ({})\n", md(owner), findings.len())?;
        writeln!(
            w,
            "| Severity | Rule | Identity | Finding | Evidence |\n|---|---|---|---|---|"
        )?;
        for f in findings {
            let state = match f.state {
                FindingState::New => "",
                FindingState::Known => " (known)",
                FindingState::Suppressed => " (suppressed)",
            };
            let evidence: Vec<String> = f.evidence.iter().map(|e| md(e)).collect();
            writeln!(
                w,
                "| {}{state} | {} | {} | {} | {} |",
                f.severity,
                md(&f.rule),
                md(&f.identity),
                md(&f.title),
                evidence.join("<br>")
            )?;
        }
        writeln!(w)?;
    }

    writeln!(w, "## How to fix\n")?;
    let mut seen: BTreeMap<&str, (&str, &[String])> = BTreeMap::new();
    for f in &r.findings {
        seen.entry(f.rule.as_str())
            .or_insert((f.remediation.as_str(), &f.controls));
    }
    for (rule, (fix, controls)) in seen {
        writeln!(
            w,
            "- **{}** ({}): {}",
            md(rule),
            md(&controls.join(", ")),
            md(fix)
        )?;
    }
    Ok(())
}
