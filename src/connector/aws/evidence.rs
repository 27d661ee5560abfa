//! `--aws-evidence PATH`: files or directories of exported IAM evidence, recognised by content.
//!
//! Accepted: the output of `aws iam get-account-authorization-details` (one document, several
//! pages in one file or in several files, or a JSON array of pages; policy documents decoded
//! or URL-encoded), and the credential report (raw CSV, or the `get-credential-report` JSON
//! with `Content` base64-encoded or plain). Anything else is an input error naming the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use base64::Engine;

use super::raw::{AccessKeyMeta, Document, KeySlot, ReportRow};
use crate::connector::{Connector, ConnectorError, ScanRequest};
use crate::model::Inventory;

/// The offline AWS evidence connector.
pub struct AwsEvidence;

#[async_trait]
impl Connector for AwsEvidence {
    fn id(&self) -> &'static str {
        "aws-evidence"
    }

    fn describe(&self) -> &'static str {
        "AWS IAM from exported evidence files (authorization details, credential report)"
    }

    fn enabled(&self, req: &ScanRequest) -> bool {
        !req.aws_evidence.is_empty()
    }

    async fn discover(
        &self,
        req: &ScanRequest,
        line: &crate::progress::Line,
    ) -> Result<Inventory, ConnectorError> {
        line.update(format!("reading {} path(s)", req.aws_evidence.len()));
        let bundle = read_paths(&req.aws_evidence).map_err(ConnectorError::Input)?;
        line.update(format!(
            "{} page(s), {} credential report(s)",
            bundle.pages.len(),
            bundle.reports.len()
        ));
        super::build::build(bundle).map_err(ConnectorError::Input)
    }
}

/// A credential report read from one file.
#[derive(Debug)]
pub struct CredentialReport {
    /// The file it came from.
    pub file: String,
    /// When AWS generated it, if the file says.
    pub generated: Option<String>,
    /// Its rows.
    pub rows: Vec<ReportRow>,
}

/// A page of authorization details and its file.
#[derive(Debug)]
pub struct AuthzPage {
    /// The file it came from.
    pub file: String,
    /// The page.
    pub doc: Document,
}

/// Everything read from the evidence paths, before grouping by account.
#[derive(Debug, Default)]
pub struct Bundle {
    /// Authorization-details pages, in file order.
    pub pages: Vec<AuthzPage>,
    /// Credential reports.
    pub reports: Vec<CredentialReport>,
    /// Access-key lists (key ids), with their file.
    pub access_keys: Vec<(String, AccessKeyMeta)>,
    /// Account aliases, with their file.
    pub aliases: Vec<(String, String)>,
}

/// Reads every evidence path (files, and directories recursively, skipping hidden entries).
pub fn read_paths(paths: &[PathBuf]) -> Result<Bundle, String> {
    let mut files = Vec::new();
    for p in paths {
        collect(p, &mut files)?;
    }
    let mut bundle = Bundle::default();
    for f in files {
        read_file(&f, &mut bundle)?;
    }
    Ok(bundle)
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let meta = std::fs::metadata(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
    if meta.is_file() {
        out.push(p.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
        .map_err(|e| format!("{}: cannot list directory: {e}", p.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|e| {
            !e.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    for e in entries {
        collect(&e, out)?;
    }
    Ok(())
}

/// Reads one file and adds what it holds to the bundle.
pub fn read_file(path: &Path, bundle: &mut Bundle) -> Result<(), String> {
    let name = path.display().to_string();
    let bytes = crate::input::read_bounded(path, crate::input::MAX_INPUT)?;
    read_bytes(&name, &bytes, bundle)
}

/// Recognises and parses evidence from bytes; `name` is used in errors.
pub fn read_bytes(name: &str, bytes: &[u8], bundle: &mut Bundle) -> Result<(), String> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(format!("{name}: empty file, not AWS evidence"));
    }
    if bytes.contains(&0) {
        return Err(format!("{name}: binary file, not AWS evidence"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes
            .iter()
            .take(e.valid_up_to())
            .filter(|b| **b == b'\n')
            .count();
        format!("{name}:{line}: not UTF-8 text (binary file?), not AWS evidence")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.trim_start().chars().next().unwrap_or(' ');
    match first {
        '{' => {
            let stream = serde_json::Deserializer::from_str(text).into_iter::<Document>();
            let mut any = false;
            for doc in stream {
                let doc = doc.map_err(|e| json_error(name, &e))?;
                add_document(name, doc, bundle)?;
                any = true;
            }
            if !any {
                return Err(format!("{name}: no JSON document found"));
            }
            Ok(())
        }
        '[' => {
            let docs: Vec<Document> =
                serde_json::from_str(text).map_err(|e| json_error(name, &e))?;
            for doc in docs {
                add_document(name, doc, bundle)?;
            }
            Ok(())
        }
        _ if looks_like_credential_report(text) => {
            let rows = parse_credential_csv(name, text)?;
            bundle.reports.push(CredentialReport {
                file: name.to_string(),
                generated: None,
                rows,
            });
            Ok(())
        }
        _ => Err(format!(
            "{name}:1:1: not recognised as AWS evidence (expected the JSON of `aws iam get-account-authorization-details` or `get-credential-report`, or a credential report CSV)"
        )),
    }
}

fn json_error(name: &str, e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    let what = match e.classify() {
        serde_json::error::Category::Eof => "truncated JSON",
        serde_json::error::Category::Syntax => "invalid JSON",
        _ => "unexpected content",
    };
    format!("{name}:{}:{}: {what}: {msg}", e.line(), e.column())
}

fn add_document(name: &str, doc: Document, bundle: &mut Bundle) -> Result<(), String> {
    if doc.is_authorization_details() {
        bundle.pages.push(AuthzPage {
            file: name.to_string(),
            doc,
        });
        return Ok(());
    }
    if let Some(content) = &doc.content {
        let csv_text = decode_content(name, content)?;
        let rows = parse_credential_csv(&format!("{name} (Content)"), &csv_text)?;
        bundle.reports.push(CredentialReport {
            file: name.to_string(),
            generated: doc.generated_time.clone(),
            rows,
        });
        return Ok(());
    }
    if doc.access_key_metadata.is_some() || doc.account_aliases.is_some() {
        for k in doc.access_key_metadata.unwrap_or_default() {
            bundle.access_keys.push((name.to_string(), k));
        }
        for a in doc.account_aliases.unwrap_or_default() {
            bundle.aliases.push((name.to_string(), a));
        }
        return Ok(());
    }
    Err(format!(
        "{name}: JSON document is not AWS evidence (no UserDetailList, RoleDetailList, GroupDetailList, Policies, Content, AccessKeyMetadata or AccountAliases)"
    ))
}

fn decode_content(name: &str, content: &str) -> Result<String, String> {
    if looks_like_credential_report(content) {
        return Ok(content.to_string());
    }
    let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| format!("{name}: credential report Content is neither CSV nor base64: {e}"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{name}: decoded credential report Content is not UTF-8"))?;
    if !looks_like_credential_report(&text) {
        return Err(format!(
            "{name}: decoded credential report Content does not start with the CSV header `user,arn,...`"
        ));
    }
    Ok(text)
}

fn looks_like_credential_report(text: &str) -> bool {
    text.trim_start().starts_with("user,arn,")
}

/// Columns the rules need; a report without them is rejected.
const REQUIRED: &[&str] = &[
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
];

/// Parses a credential report CSV.
pub fn parse_credential_csv(name: &str, text: &str) -> Result<Vec<ReportRow>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.trim_start().as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| format!("{name}:1: cannot read the CSV header: {e}"))?
        .clone();
    let col: BTreeMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !col.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{name}:1: credential report lacks columns: {}",
            missing.join(", ")
        ));
    }
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => {
                    format!("{name}:{line}: row has {len} fields, the header has {expected_len}")
                }
                _ => format!("{name}:{line}: bad CSV: {e}"),
            }
        })?;
        let get = |c: &str| {
            col.get(c)
                .and_then(|i| rec.get(*i))
                .map(str::trim)
                .unwrap_or("")
        };
        let opt = |c: &str| {
            let v = get(c);
            (!v.is_empty() && !matches!(v, "N/A" | "no_information" | "not_supported"))
                .then(|| v.to_string())
        };
        let slot = |prefix: &str, with_use: bool| KeySlot {
            active: get(&format!("{prefix}_active")) == "true",
            last_rotated: opt(&format!("{prefix}_last_rotated")),
            last_used: if with_use {
                opt(&format!("{prefix}_last_used_date"))
            } else {
                None
            },
            region: if with_use {
                opt(&format!("{prefix}_last_used_region"))
            } else {
                None
            },
            service: if with_use {
                opt(&format!("{prefix}_last_used_service"))
            } else {
                None
            },
        };
        rows.push(ReportRow {
            user: get("user").to_string(),
            arn: get("arn").to_string(),
            created: opt("user_creation_time"),
            password_enabled: get("password_enabled").to_string(),
            password_last_used: opt("password_last_used"),
            mfa_active: get("mfa_active") == "true",
            keys: [slot("access_key_1", true), slot("access_key_2", true)],
            certs: [slot("cert_1", false), slot("cert_2", false)],
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &[u8]) -> Result<Bundle, String> {
        let mut b = Bundle::default();
        read_bytes(name, text, &mut b).map(|_| b)
    }

    #[test]
    fn bad_inputs_name_file_and_position() {
        let e = read("a.json", b"{\"UserDetailList\": [\n  {\"UserName\": \"x\",").unwrap_err();
        assert!(e.starts_with("a.json:2:"), "{e}");
        assert!(e.contains("truncated"), "{e}");
        assert!(read("e.json", b"  \n").unwrap_err().contains("empty file"));
        assert!(
            read("b.bin", b"\x7fELF\x00\x01")
                .unwrap_err()
                .contains("binary")
        );
        assert!(
            read("n.txt", b"hello world")
                .unwrap_err()
                .contains("not recognised")
        );
        let e = read("c.csv", b"user,arn,user_creation_time\nroot,arn:x,N/A\n").unwrap_err();
        assert!(
            e.starts_with("c.csv:1: credential report lacks columns: password_enabled"),
            "{e}"
        );
        let e = read("j.json", b"{\"Foo\": 1}").unwrap_err();
        assert!(e.contains("not AWS evidence"), "{e}");
        let e = read("t.json", b"{\"UserDetailList\": 5}").unwrap_err();
        assert!(e.starts_with("t.json:1:"), "{e}");
    }

    #[test]
    fn reads_pages_and_both_report_encodings() {
        let b = read(
            "p.json",
            b"{\"UserDetailList\":[],\"IsTruncated\":true}\n{\"RoleDetailList\":[]}",
        )
        .unwrap();
        assert_eq!(b.pages.len(), 2);
        let csv = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\nbot,arn:aws:iam::123456789012:user/bot,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2020-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
        let enc = base64::engine::general_purpose::STANDARD.encode(csv);
        let json = format!(
            "{{\"Content\":\"{enc}\",\"ReportFormat\":\"text/csv\",\"GeneratedTime\":\"2020-02-01T00:00:00Z\"}}"
        );
        let b = read("r.json", json.as_bytes()).unwrap();
        assert_eq!(b.reports[0].rows[0].user, "bot");
        assert!(b.reports[0].rows[0].keys[0].active);
        let b = read("r.csv", csv.as_bytes()).unwrap();
        assert_eq!(b.reports[0].rows.len(), 1);
        let bad = csv.replace(",false,N/A,false,N/A\n", "\n");
        let e = read("r2.csv", bad.as_bytes()).unwrap_err();
        assert!(e.starts_with("r2.csv:2: row has"), "{e}");
    }
}
