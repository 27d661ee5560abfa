//! One self-contained HTML file: no external assets, one inline script allowed by its hash in
//! a Content-Security-Policy (so even a markup injection could not run script), severity
//! counts drawn as inline SVG, findings filterable and sortable, each with its evidence and
//! fix, and the identities with owner, purpose and expiry and their sources.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use base64::Engine;
use sha2::{Digest, Sha256};

use super::escape::html as h;
use crate::model::{Attribution, FindingState, Identity, Report, Severity};

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2733;background:#f6f8fa}
header,section{max-width:1280px;margin:0 auto;padding:12px 24px}
header{background:#1d2733;color:#fff;max-width:none}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th[data-key]{cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
.sev{display:inline-block;padding:0 6px;border-radius:8px;color:#fff;font-weight:600}
.sev-critical{background:#8e24aa}.sev-high{background:#d32f2f}.sev-medium{background:#ef6c00}.sev-low{background:#0277bd}.sev-info{background:#607d8b}
.src{color:#57606a;font-size:12px}.unknown{color:#b00020}.controls{margin:8px 0;display:flex;gap:8px;align-items:center}
input[type=search]{flex:1;padding:6px}details summary{cursor:pointer}code{font-size:12px}.muted{color:#57606a}
"#;

const SCRIPT: &str = r#"(function () {
  var table = document.getElementById('findings-table');
  if (!table) return;
  var tbody = table.tBodies[0];
  var q = document.getElementById('q');
  var sev = document.getElementById('sev');
  var count = document.getElementById('count');
  function apply() {
    var needle = q.value.trim().toLowerCase();
    var s = sev.value;
    var shown = 0;
    for (var i = 0; i < tbody.rows.length; i++) {
      var tr = tbody.rows[i];
      var ok = (!s || tr.dataset.severity === s) && (!needle || tr.textContent.toLowerCase().indexOf(needle) >= 0);
      tr.hidden = !ok;
      if (ok) shown++;
    }
    count.textContent = shown + ' of ' + tbody.rows.length + ' findings';
  }
  function sortBy(th) {
    var key = th.dataset.key;
    var numeric = th.dataset.type === 'num';
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = a.dataset[key], y = b.dataset[key];
      var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      return (c || Number(a.dataset.order) - Number(b.dataset.order)) * dir;
    });
    for (var j = 0; j < rows.length; j++) tbody.appendChild(rows[j]);
  }
  var heads = table.tHead.rows[0].cells;
  for (var i = 0; i < heads.length; i++) {
    (function (th) {
      if (!th.dataset.key) return;
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(th); });
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sortBy(th); });
    })(heads[i]);
  }
  q.addEventListener('input', apply);
  sev.addEventListener('change', apply);
  apply();
})();
"#;

fn rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 4,
        Severity::High => 3,
        Severity::Medium => 2,
        Severity::Low => 1,
        Severity::Info => 0,
    }
}

fn attr(a: &Attribution) -> String {
    match &a.value {
        Some(v) => format!("{}<br><span class=\"src\">{}</span>", h(v), h(&a.source)),
        None => "<span class=\"unknown\">unknown</span>".into(),
    }
}

fn svg(r: &Report) -> String {
    let counts: Vec<(Severity, usize)> = Severity::ALL
        .iter()
        .map(|s| {
            (
                *s,
                r.summary.by_severity.get(s.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let colors = ["#8e24aa", "#d32f2f", "#ef6c00", "#0277bd", "#607d8b"];
    let mut out = String::from(
        "<svg width=\"420\" height=\"150\" role=\"img\" aria-label=\"Findings by severity\">",
    );
    for (ix, ((sev, n), color)) in counts.iter().zip(colors).enumerate() {
        let y = 8 + ix * 28;
        let w = 280 * n / max;
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\" font-size=\"13\">{sev}</text><rect x=\"70\" y=\"{y}\" width=\"{w}\" height=\"20\" fill=\"{color}\"></rect><text x=\"{}\" y=\"{}\" font-size=\"13\">{n}</text>",
            y + 15,
            75 + w,
            y + 15
        );
    }
    out.push_str("</svg>");
    out
}

/// Writes the HTML report.
pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT.as_bytes()));
    let mut o = String::with_capacity(64 * 1024);
    let s = &r.summary;
    let as_of = r.as_of.format("%Y-%m-%d %H:%M UTC");
    let _ = write!(
        o,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; img-src 'none'; base-uri 'none'; form-action 'none'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>Non-human identity audit · {as_of}</title>\n<style>{STYLE}</style></head>\n<body>\n<header><h1>Non-human identity audit</h1><p>As of {as_of} · nhi-audit {}</p></header>\n",
        h(&r.tool.version)
    );

    let _ = write!(
        o,
        "<section id=\"summary\"><h2>Summary</h2><p><b>{}</b> identities (<b>{}</b> non-human), <b>{}</b> credentials, <b>{}</b> findings.</p>\n{}\n",
        s.identities,
        s.non_human_identities,
        s.credentials,
        s.findings,
        svg(r)
    );
    o.push_str("<h3>Sources</h3><table><thead><tr><th>Source</th><th>Coverage</th><th>Read</th><th>Missing</th></tr></thead><tbody>\n");
    for c in &r.coverage {
        let gaps: Vec<String> = c
            .gaps
            .iter()
            .map(|g| format!("{}: {}", h(&g.what), h(&g.reason)))
            .collect();
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            h(&c.source),
            c.status.as_str(),
            h(&c.read.join("; ")),
            gaps.join("<br>")
        );
    }
    o.push_str("</tbody></table>\n");
    if !s.largest_blast_radius.is_empty() {
        o.push_str("<h3>Largest blast radius</h3><ol>");
        for b in &s.largest_blast_radius {
            let _ = write!(o, "<li><b>{}</b> {}</li>", b.score, h(&b.identity));
        }
        o.push_str("</ol>\n");
    }
    o.push_str("</section>\n");

    let by_id: BTreeMap<&str, &Identity> =
        r.identities.iter().map(|i| (i.id.as_str(), i)).collect();
    o.push_str("<section id=\"findings\"><h2>Findings</h2>\n<div class=\"controls\"><input id=\"q\" type=\"search\" placeholder=\"Filter findings (rule, identity, owner, text)\" aria-label=\"Filter findings\">");
    o.push_str(
        "<select id=\"sev\" aria-label=\"Severity\"><option value=\"\">all severities</option>",
    );
    for sev in Severity::ALL {
        let _ = write!(o, "<option value=\"{sev}\">{sev}</option>");
    }
    o.push_str("</select><span id=\"count\" class=\"muted\"></span></div>\n");
    o.push_str("<table id=\"findings-table\"><thead><tr><th data-key=\"rank\" data-type=\"num\">Severity</th><th data-key=\"rule\">Rule</th><th data-key=\"identity\">Identity</th><th data-key=\"owner\">Owner</th><th data-key=\"blast\" data-type=\"num\">Blast radius</th><th>Finding, evidence and fix</th></tr></thead><tbody>\n");
    for (n, f) in r.findings.iter().enumerate() {
        let i = by_id.get(f.identity.as_str());
        let owner = i.and_then(|i| i.owner.value.as_deref()).unwrap_or("");
        let blast = i
            .and_then(|i| i.blast_radius.as_ref())
            .map_or(0, |b| b.score);
        let state = match f.state {
            FindingState::New => String::new(),
            FindingState::Known => " <span class=\"muted\">(known)</span>".into(),
            FindingState::Suppressed => {
                let why = f.suppression.as_ref().map(|s| {
                    format!(
                        ": {} ({}, until {})",
                        h(&s.reason),
                        h(&s.owner),
                        h(&s.expires)
                    )
                });
                format!(
                    " <span class=\"muted\">(suppressed{})</span>",
                    why.unwrap_or_default()
                )
            }
        };
        let evidence: String = f
            .evidence
            .iter()
            .map(|e| format!("<li>{}</li>", h(e)))
            .collect();
        let _ = writeln!(
            o,
            "<tr data-order=\"{n}\" data-rank=\"{}\" data-severity=\"{}\" data-rule=\"{}\" data-identity=\"{}\" data-owner=\"{}\" data-blast=\"{blast}\"><td><span class=\"sev sev-{}\">{}</span></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{blast}</td><td><details><summary>{}{state}</summary><ul>{evidence}</ul><p><b>Fix:</b> {}</p><p class=\"muted\">Controls: {} · fingerprint <code>{}</code></p></details></td></tr>",
            rank(f.severity),
            f.severity,
            h(&f.rule),
            h(&f.identity),
            h(owner),
            f.severity,
            f.severity,
            h(&f.rule),
            h(&f.identity),
            if owner.is_empty() {
                "<span class=\"unknown\">none</span>".to_string()
            } else {
                h(owner)
            },
            h(&f.title),
            h(&f.remediation),
            h(&f.controls.join(", ")),
            h(&f.fingerprint)
        );
    }
    o.push_str("</tbody></table></section>\n");

    let mut nhis: Vec<&Identity> = r
        .identities
        .iter()
        .filter(|i| i.classification.is_nhi())
        .collect();
    nhis.sort_by_key(|i| std::cmp::Reverse(i.blast_radius.as_ref().map_or(0, |b| b.score)));
    let _ = writeln!(
        o,
        "<section id=\"identities\"><h2>Non-human identities ({})</h2><table><thead><tr><th>Identity</th><th>Kind</th><th>Privilege</th><th>Blast radius</th><th>Owner</th><th>Purpose</th><th>Expiry</th></tr></thead><tbody>",
        nhis.len()
    );
    for i in nhis {
        let ai = if i.is_ai_agent() {
            " <span class=\"muted\">[AI agent]</span>"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code>{ai}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            h(&i.id),
            format!("{:?}", i.kind).to_lowercase(),
            format!("{:?}", i.privileges.level).to_lowercase(),
            i.blast_radius.as_ref().map_or(0, |b| b.score),
            attr(&i.owner),
            attr(&i.purpose),
            attr(&i.expiry)
        );
    }
    o.push_str("</tbody></table></section>\n");
    let _ = write!(o, "<script>{SCRIPT}</script>\n</body></html>\n");
    w.write_all(o.as_bytes())
}
