//! The other commands: rules, init, completions, schema, help.

use crate::util::*;

#[test]
fn rules_list_and_explain() {
    let r = nhi(&["rules"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout.lines().count(), nhi_audit::rules::RULES.len());
    assert!(r.stdout.contains("oidc-trust-unbounded") && r.stdout.contains("CIS-AWS-1.13"));
    let r = nhi(&["rules", "explain", "credential-unrotated"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("# credential-unrotated\n"));
    assert!(r.stdout.contains("## How to fix it"));
    let r = nhi(&["rules", "explain", "nope"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown rule code `nope`"));
}

#[test]
fn init_writes_a_config_that_scans() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(nhi_in(dir.path(), &["init"]).code, 0);
    let text = std::fs::read_to_string(dir.path().join("nhi.yaml")).unwrap();
    assert!(text.contains("rotation_days: 90"));
    assert_eq!(nhi_in(dir.path(), &["init"]).code, 2, "does not overwrite");
    assert_eq!(nhi_in(dir.path(), &["init", "--force"]).code, 0);
    let ev = root().join("examples/acme/evidence");
    let r = nhi_in(
        dir.path(),
        &[
            "scan",
            "--as-of",
            "2026-11-15",
            "--aws-evidence",
            ev.to_str().unwrap(),
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn help_documents_exit_codes() {
    let r = nhi(&["scan", "--help"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("Exit codes:")
            && r.stdout
                .contains("3  a source could not be read completely")
    );
    insta::assert_snapshot!("scan_help", r.stdout);
    let r = nhi(&["--bogus"]);
    assert_eq!(r.code, 2);
}

#[test]
fn hostile_names_are_escaped_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let authz = r#"{"UserDetailList":[{"UserName":"evil\u001b]8;;http://x\u0007bot","Arn":"arn:aws:iam::123456789012:user/evil","Tags":[{"Key":"owner","Value":"\u001b[31mred\u202e"}]}]}"#;
    std::fs::write(dir.path().join("a.json"), authz).unwrap();
    let r = nhi(&[
        "scan",
        "-f",
        "table",
        "--as-of",
        "2026-11-15",
        "--aws-evidence",
        dir.path().join("a.json").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3);
    assert!(
        !r.stdout.contains('\u{1b}') && !r.stdout.contains('\u{202e}'),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\\u{1b}[31mred"));
}

#[test]
fn completions_and_schema_commands_print_the_committed_files() {
    let r = nhi(&["completions", "bash"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout == std::fs::read_to_string(root().join("completions/nhi.bash")).unwrap(),
        "completions differ"
    );
    let r = nhi(&["completions", "tcsh"]);
    assert_eq!(r.code, 2, "unsupported shell is a usage error");
    let r = nhi(&["schema"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout == std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap(),
        "schema differs"
    );
}

#[test]
fn report_re_renders_and_re_evaluates_a_saved_scan() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved.json");
    let s = saved.to_str().unwrap();
    let acme = [
        "--config",
        "examples/acme/nhi.yaml",
        "--as-of",
        "2026-11-15",
    ];
    let mut args = vec!["scan", "--aws-evidence", "examples/acme/evidence", "-o", s];
    args.extend_from_slice(&acme);
    assert_eq!(nhi(&args).code, 1);

    // Same configuration and clock: byte-identical JSON.
    let mut args = vec!["report", s, "--format", "json"];
    args.extend_from_slice(&acme);
    let r = nhi(&args);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout == std::fs::read_to_string(&saved).unwrap(),
        "round trip differs"
    );

    // An earlier clock: the contractor's user has not expired yet.
    let r = nhi(&[
        "report",
        s,
        "-f",
        "json",
        "--config",
        "examples/acme/nhi.yaml",
        "--as-of",
        "2026-06-01",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(!rules_on(&v, "user/contractor-migration").contains(&"identity-expired".to_string()));

    // Without the example's configuration its ownership rules no longer attribute owners.
    let r = nhi_in(
        dir.path(),
        &["report", s, "-f", "json", "--as-of", "2026-11-15"],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(rules_on(&v, "user/backup-s3-sync").contains(&"owner-missing".to_string()));
    let r = nhi(&[
        "report",
        s,
        "-f",
        "markdown",
        "--config",
        "examples/acme/nhi.yaml",
        "--as-of",
        "2026-11-15",
    ]);
    assert!(r.stdout.starts_with("# Non-human identity audit"));

    let r = nhi(&["report", "examples/acme/nhi.yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not an nhi JSON report"), "{}", r.stderr);
}
