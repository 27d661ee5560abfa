//! Bad input: one clear line naming the file and position, exit code 2, no panic.

use crate::util::*;

fn scan_file(name: &str, body: &[u8]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, body).unwrap();
    let r = nhi(&["scan", "--aws-evidence", p.to_str().unwrap()]);
    assert!(!r.stderr.contains("panicked"), "{r:?}");
    r
}

fn one_error_line(r: &Run) -> &str {
    assert_eq!(r.code, 2, "{r:?}");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {r:?}");
    lines[0]
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn truncated_json() {
    let full = std::fs::read_to_string(
        root().join("../shared/data/aws/cloudmapper-demo-authz-details.json"),
    )
    .unwrap();
    let cut = &full[..full.len() / 2];
    let r = scan_file("authz.json", cut.as_bytes());
    let line = one_error_line(&r);
    assert!(
        line.contains("authz.json:") && line.contains("truncated JSON"),
        "{line}"
    );
    let expected_line = cut.lines().count();
    assert!(
        line.contains(&format!(":{expected_line}:")),
        "names the last line {expected_line}: {line}"
    );
}

#[test]
fn csv_with_missing_columns() {
    let r = scan_file("report.csv", b"user,arn,user_creation_time,password_enabled\n<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported\n");
    let line = one_error_line(&r);
    assert!(
        line.contains("report.csv:1: credential report lacks columns: password_last_used"),
        "{line}"
    );
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn unknown_file_in_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("../shared/data/aws/cloudmapper-demo-authz-details.json"),
        dir.path().join("a.json"),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "meeting notes").unwrap();
    let r = nhi(&["scan", "--aws-evidence", dir.path().to_str().unwrap()]);
    let line = one_error_line(&r);
    assert!(
        line.contains("notes.txt:1:1: not recognised as AWS evidence"),
        "{line}"
    );
}

#[test]
fn binary_and_empty_files() {
    let r = scan_file("blob.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    assert!(one_error_line(&r).contains("blob.json: binary file"));
    let r = scan_file("latin1.csv", b"user,arn\n\xe9t\xe9\n");
    assert!(one_error_line(&r).contains("latin1.csv:2: not UTF-8"));
    let r = scan_file("empty.json", b"");
    assert!(one_error_line(&r).contains("empty.json: empty file"));
}

#[test]
fn bad_policy_document() {
    let r = scan_file(
        "authz.json",
        br#"{"RoleDetailList":[{"RoleName":"r","Arn":"arn:aws:iam::123456789012:role/r","AssumeRolePolicyDocument":"%7Bnot-json"}]}"#,
    );
    let line = one_error_line(&r);
    assert!(
        line.contains("authz.json") && line.contains("trust policy of role `r`"),
        "{line}"
    );
}

#[test]
fn wrong_date_in_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("nhi.yaml");
    std::fs::write(
        &cfg,
        "ownership:\n  - match: { name: \"x*\" }\n    owner: a\n    expiry: 2026-02-30\n",
    )
    .unwrap();
    let r = nhi(&[
        "scan",
        "--config",
        cfg.to_str().unwrap(),
        "--aws-evidence",
        "examples/acme/evidence",
    ]);
    let line = one_error_line(&r);
    assert!(
        line.contains("nhi.yaml:4:13: bad date `2026-02-30`"),
        "{line}"
    );
}

#[test]
fn unknown_key_in_config_and_missing_source() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nhi.yaml"),
        "thresholds:\n  rotation_dayz: 30\n",
    )
    .unwrap();
    // ./nhi.yaml is read by default.
    let r = nhi_in(
        dir.path(),
        &[
            "scan",
            "--aws-evidence",
            root().join("examples/acme/evidence").to_str().unwrap(),
        ],
    );
    let line = one_error_line(&r);
    assert!(
        line.contains("nhi.yaml:2:3: unknown field `rotation_dayz`"),
        "{line}"
    );
    let r = nhi(&["scan"]);
    assert!(one_error_line(&r).contains("nothing to scan"));
    let r = nhi(&["scan", "--aws-evidence", "no/such/path"]);
    assert!(one_error_line(&r).contains("no/such/path: cannot read"));
}
