//! SARIF 2.1.0 for code scanning. Every rule of the catalogue is listed (stable `ruleIndex`),
//! with its help text and control mappings as properties; each finding is a result with a
//! logical location (the identity) and a physical location (the evidence file it came from),
//! and a stable partial fingerprint.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use crate::model::{FindingState, Report, Severity};
use crate::rules::RULES;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFO_URI: &str = "https://github.com/nhi-audit/nhi-audit";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's `security-severity` (0–10).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn pascal(code: &str) -> String {
    code.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Characters escaped in a URI path.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A file path as a SARIF artifact URI: relative paths stay relative (to the working
/// directory, normally the repository root); absolute ones become `file://` URIs.
fn uri(path: &str) -> String {
    if let Some((scheme, rest)) = path.split_once("://") {
        let rest = rest.split(' ').next().unwrap_or(rest);
        return format!(
            "{scheme}://{}",
            percent_encoding::utf8_percent_encode(rest, PATH)
        );
    }
    let p = path.replace('\\', "/");
    let enc = percent_encoding::utf8_percent_encode(&p, PATH).to_string();
    if p.starts_with('/') {
        format!("file://{enc}")
    } else if p.len() > 2 && p.as_bytes().get(1) == Some(&b':') {
        format!("file:///{enc}")
    } else {
        enc
    }
}

/// Sets a member of a JSON object (every caller's value is an object built just before).
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(o) = object.as_object_mut() {
        o.insert(key.to_string(), value);
    }
}

/// Writes the SARIF log.
pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            let m = rule.meta();
            let mut tags = vec!["security".to_string(), "non-human-identity".to_string()];
            tags.extend(m.controls.iter().map(|c| c.to_string()));
            json!({
                "id": m.code,
                "name": pascal(m.code),
                "shortDescription": {"text": m.title},
                "fullDescription": {"text": format!("{} {}", m.fires_when, m.explanation)},
                "help": {
                    "text": format!("{}\n\nFix: {}\n\nControls: {}", m.explanation, m.remediation, m.controls.join(", ")),
                    "markdown": crate::rules::explain(m),
                },
                "helpUri": format!("{INFO_URI}/blob/main/docs/rules/{}.md", m.code),
                "defaultConfiguration": {"level": level(m.severity)},
                "properties": {
                    "tags": tags,
                    "controls": m.controls,
                    "precision": "high",
                    "problem.severity": level(m.severity),
                    "security-severity": security_severity(m.severity),
                },
            })
        })
        .collect();
    let index: BTreeMap<&str, usize> = RULES
        .iter()
        .enumerate()
        .map(|(i, r)| (r.meta().code, i))
        .collect();
    let source_file: BTreeMap<&str, &str> = r
        .sources
        .iter()
        .filter_map(|s| s.locations.first().map(|l| (s.id.as_str(), l.as_str())))
        .collect();
    let identity_source: BTreeMap<&str, &str> = r
        .identities
        .iter()
        .filter_map(|i| {
            i.source
                .as_deref()
                .and_then(|s| source_file.get(s))
                .map(|f| (i.id.as_str(), *f))
        })
        .collect();
    let baseline_known = r.findings.iter().any(|f| f.state == FindingState::Known);
    // Leak findings point at the file and line where the credential is.
    let leak_by_id: BTreeMap<&str, &crate::model::Leak> =
        r.leaks.iter().map(|l| (l.id.as_str(), l)).collect();
    let leak_by_cred: BTreeMap<&str, &crate::model::Leak> = r
        .leaks
        .iter()
        .flat_map(|l| l.live.iter().map(move |c| (c.as_str(), l)))
        .collect();

    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let mut location = json!({
                "logicalLocations": [{
                    "fullyQualifiedName": f.identity,
                    "name": f.identity.rsplit(['/', ':']).next().unwrap_or(&f.identity),
                    "kind": "object",
                }],
                "message": {"text": format!("identity {}", f.identity)},
            });
            let leak = leak_by_id
                .get(f.identity.as_str())
                .or_else(|| f.credential.as_deref().and_then(|c| leak_by_cred.get(c)));
            if let Some(l) = leak.and_then(|l| l.locations.first()) {
                let file = if l.repository == "." { l.path.clone() } else { format!("{}/{}", l.repository.trim_end_matches('/'), l.path) };
                set(&mut location, "physicalLocation", json!({
                    "artifactLocation": {"uri": uri(&file)},
                    "region": {"startLine": l.line, "startColumn": l.column},
                }));
            } else if let Some(file) = identity_source.get(f.identity.as_str()) {
                set(&mut location, "physicalLocation", json!({
                    "artifactLocation": {"uri": uri(file)},
                    "region": {"startLine": 1},
                }));
            }
            let mut text = f.title.clone();
            if !text.ends_with('.') {
                text.push('.');
            }
            let mut res = json!({
                "ruleId": f.rule,
                "ruleIndex": index.get(f.rule.as_str()).copied().unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": text},
                "locations": [location],
                "partialFingerprints": {"nhiFindingFingerprint/v1": f.fingerprint},
                "properties": {
                    "severity": f.severity.as_str(),
                    "identity": f.identity,
                    "credential": f.credential,
                    "evidence": f.evidence,
                    "remediation": f.remediation,
                    "controls": f.controls,
                },
            });
            if let (Some(s), FindingState::Suppressed) = (&f.suppression, f.state) {
                set(&mut res, "suppressions", json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!("{} (accepted by {} until {})", s.reason, s.owner, s.expires),
                }]));
            }
            if baseline_known || f.state == FindingState::Known {
                set(&mut res, "baselineState", json!(if f.state == FindingState::Known { "unchanged" } else { "new" }));
            }
            res
        })
        .collect();

    let artifacts: Vec<Value> = {
        let mut files: Vec<&str> = identity_source.values().copied().collect();
        files.sort();
        files.dedup();
        files
            .iter()
            .map(|f| json!({"location": {"uri": uri(f)}}))
            .collect()
    };
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "nhi-audit",
                "version": r.tool.version,
                "semanticVersion": r.tool.version,
                "informationUri": INFO_URI,
                "rules": rules,
            }},
            "automationDetails": {"id": format!("nhi-audit/{}", r.as_of.format("%Y-%m-%dT%H:%M:%SZ"))},
            "artifacts": artifacts,
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    serde_json::to_writer_pretty(&mut *w, &log)?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(uri("examples/a b/x.json"), "examples/a%20b/x.json");
        assert_eq!(uri("/tmp/<x>.json"), "file:///tmp/%3Cx%3E.json");
        assert_eq!(uri("C:\\ev\\a.json"), "file:///C:/ev/a.json");
    }

    #[test]
    fn hostile_paths_become_uris() {
        assert_eq!(uri(""), "");
        assert_eq!(uri("é"), "%C3%A9");
        assert_eq!(uri("é:"), "%C3%A9:");
        assert_eq!(uri("C:"), "C:");
        assert_eq!(uri("C:\\x"), "file:///C:/x");
        assert_eq!(uri("😀:x"), "%F0%9F%98%80:x");
    }
}
