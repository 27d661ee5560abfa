//! `nhi scan` on the example bundle and the real public exports.

use crate::util::*;

const ACME: &[&str] = &[
    "--aws-evidence",
    "examples/acme/evidence",
    "--config",
    "examples/acme/nhi.yaml",
];

#[test]
fn acme_example_shows_its_defects() {
    let (run, r) = scan_json(ACME);
    assert_eq!(
        run.code, 1,
        "findings at or above high exit 1: {}",
        run.stderr
    );
    let rules = all_rules(&r);
    for code in [
        "owner-missing",
        "owner-departed",
        "purpose-missing",
        "expiry-missing",
        "identity-expired",
        "credential-unrotated",
        "credential-unused",
        "credential-never-used",
        "multiple-active-keys",
        "root-access-key",
        "admin-privilege",
        "privilege-escalation",
        "wildcard-permission",
        "trust-any-principal",
        "oidc-trust-unbounded",
        "cross-account-trust-unknown",
        "confused-deputy",
        "human-use-of-nhi",
        "ai-agent-ungoverned",
        "ai-agent-overprivileged",
    ] {
        assert!(
            rules.contains(code),
            "{code} missing from the example's findings"
        );
    }
    // Counter-examples stay clean.
    assert_eq!(rules_on(&r, "user/deploy-bot"), Vec::<String>::new());
    assert_eq!(
        rules_on(&r, "user/svc-user-provisioner"),
        Vec::<String>::new(),
        "explicit Deny wins"
    );
    assert_eq!(
        rules_on(&r, "role/ecs-capacity-provisioner"),
        Vec::<String>::new(),
        "PassRole limited to ecs-tasks"
    );
    assert_eq!(
        rules_on(&r, "role/github-actions-infra"),
        Vec::<String>::new()
    );
    assert_eq!(rules_on(&r, "role/org-audit-reader"), Vec::<String>::new());
    assert_eq!(
        rules_on(&r, "user/alice"),
        Vec::<String>::new(),
        "humans are not audited as NHIs"
    );
    assert_eq!(
        rules_on(
            &r,
            "role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
        ),
        Vec::<String>::new()
    );
    // Attribution carries its source.
    let backup = r["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "backup-s3-sync")
        .unwrap();
    assert_eq!(backup["owner"]["source"], "config:ownership[0]");
    assert_eq!(r["summary"]["partial"], false);
    insta::assert_json_snapshot!("acme_findings", r["findings"]);
    insta::assert_json_snapshot!(
        "acme_summary",
        (&r["summary"], &r["coverage"], &r["sources"])
    );
}

#[test]
fn acme_table_output() {
    let mut args = vec!["scan", "--format", "table", "--as-of", "2026-11-15"];
    args.extend_from_slice(ACME);
    let run = nhi(&args);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("Findings (") && run.stdout.contains("root-access-key"));
    insta::assert_snapshot!("acme_table", run.stdout);
}

#[test]
fn table_fits_the_given_width() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhi"))
        .args(["scan", "-f", "table", "--as-of", "2026-11-15"])
        .args(ACME)
        .current_dir(root())
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text
        .lines()
        .filter(|l| l.starts_with('│') || l.starts_with('┌'))
    {
        assert!(line.chars().count() <= 100, "line wider than 100: {line}");
    }
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn cloudmapper_demo_defects() {
    let (run, r) = scan_json(&[
        "--aws-evidence",
        "../shared/data/aws/cloudmapper-demo-authz-details.json",
        "--aws-evidence",
        "../shared/data/aws/cloudmapper-demo-credential-report.json",
    ]);
    // Both documents are of account 123456789012: a complete scan.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(r["summary"]["partial"], false);
    assert_eq!(
        rules_on(&r, "role/bad_role")
            .iter()
            .filter(|c| *c == "trust-any-principal")
            .count(),
        1
    );
    assert!(rules_on(&r, ":root").contains(&"root-access-key".to_string()));
    let admin: Vec<_> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "admin-privilege")
        .collect();
    assert!(!admin.is_empty(), "the *:* policies are admin");
    insta::assert_json_snapshot!("cloudmapper_demo", r, { ".tool.version" => "[version]" });
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn cloudsplaining_example_defects() {
    let (run, r) = scan_json(&[
        "--aws-evidence",
        "../shared/data/aws/cloudsplaining-example-authz-details.json",
    ]);
    assert_eq!(run.code, 3, "no credential report: partial: {}", run.stderr);
    assert!(rules_on(&r, "user/obama").contains(&"admin-privilege".to_string()));
    assert!(
        rules_on(&r, "role/MyRole").contains(&"privilege-escalation".to_string()),
        "iam:PassRole + ec2 …"
    );
    let cov = &r["coverage"][0];
    assert_eq!(cov["status"], "partial");
    assert!(
        cov["gaps"][0]["rules_affected"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "credential-unrotated")
    );
    insta::assert_json_snapshot!("cloudsplaining_example", r, { ".tool.version" => "[version]" });
}

#[test]
fn output_is_deterministic_and_written_to_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let out_s = out.to_str().unwrap();
    let mut args = vec![
        "scan",
        "--as-of",
        "2026-11-15",
        "-o",
        out_s,
        "--fail-on",
        "never",
    ];
    args.extend_from_slice(ACME);
    assert_eq!(nhi(&args).code, 0, "--fail-on never");
    let a = std::fs::read_to_string(&out).unwrap();
    assert_eq!(nhi(&args).code, 0);
    let b = std::fs::read_to_string(&out).unwrap();
    assert_eq!(a, b);
    // JSON is the default away from a terminal.
    assert!(a.starts_with("{\n  \"schema_version\""));
}

#[test]
fn fail_on_threshold() {
    let mut args = vec!["--fail-on", "critical"];
    args.extend_from_slice(ACME);
    assert_eq!(scan_json(&args).0.code, 1);
    let run = nhi(&[
        "scan",
        "--fail-on",
        "severe",
        "--aws-evidence",
        "examples/acme/evidence",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--fail-on"), "{}", run.stderr);
}

#[test]
fn as_of_moves_the_clock() {
    let mut args = vec!["--as-of", "2026-06-01"];
    args.extend_from_slice(ACME);
    let (_, early) = scan_json(&args);
    let (_, late) = scan_json(ACME);
    assert!(
        !rules_on(&early, "user/contractor-migration").contains(&"identity-expired".to_string())
    );
    assert!(rules_on(&late, "user/contractor-migration").contains(&"identity-expired".to_string()));
    assert_eq!(early["as_of"], "2026-06-01T00:00:00Z");
}

#[test]
fn baseline_marks_new_and_known_and_fail_on_new() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let old_s = old.to_str().unwrap();
    let mut args = vec!["scan", "--as-of", "2026-11-15", "-o", old_s];
    args.extend_from_slice(ACME);
    assert_eq!(nhi(&args).code, 1);

    // Unchanged evidence: everything is known, and --fail-on-new passes.
    let mut args = vec!["--baseline", old_s, "--fail-on-new"];
    args.extend_from_slice(ACME);
    let (run, r) = scan_json(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["state"] == "known")
    );

    // deploy-bot gains AdministratorAccess: one new critical finding.
    let ev = dir.path().join("evidence");
    std::fs::create_dir(&ev).unwrap();
    std::fs::copy(
        root().join("examples/acme/evidence/credential-report.csv"),
        ev.join("credential-report.csv"),
    )
    .unwrap();
    let mut authz: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/acme/evidence/authorization-details.json"))
            .unwrap(),
    )
    .unwrap();
    let bot = authz["UserDetailList"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|u| u["UserName"] == "deploy-bot")
        .unwrap();
    bot["AttachedManagedPolicies"].as_array_mut().unwrap().push(serde_json::json!({
        "PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"
    }));
    std::fs::write(ev.join("authorization-details.json"), authz.to_string()).unwrap();
    let ev_s = ev.to_str().unwrap();
    let (run, r) = scan_json(&[
        "--aws-evidence",
        ev_s,
        "--config",
        "examples/acme/nhi.yaml",
        "--baseline",
        old_s,
        "--fail-on-new",
    ]);
    assert_eq!(run.code, 1, "a new critical finding fails: {}", run.stderr);
    let new: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] == "new")
        .collect();
    assert_eq!(new.len(), 1, "{new:#?}");
    assert_eq!(new[0]["rule"], "admin-privilege");
    assert!(
        new[0]["identity"]
            .as_str()
            .unwrap()
            .ends_with("user/deploy-bot")
    );

    // A baseline that is not a report is an input error naming the file and position.
    std::fs::write(dir.path().join("bad.json"), "{\"schema_version\": 1}").unwrap();
    let bad = dir.path().join("bad.json");
    let run = nhi(&[
        "scan",
        "--aws-evidence",
        ev_s,
        "--baseline",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("bad.json:1:") && run.stderr.contains("not an nhi JSON report"),
        "{}",
        run.stderr
    );
}

#[test]
fn suppressions_with_expiry_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = std::fs::read_to_string(root().join("examples/acme/nhi.yaml")).unwrap();
    cfg.push_str("\nsuppressions:\n");
    for (rule, id) in [
        ("oidc-trust-unbounded", "*"),
        ("trust-any-principal", "*"),
        ("root-access-key", "*"),
        ("admin-privilege", "*:user/terraform"),
    ] {
        cfg.push_str(&format!(
            "  - rule: {rule}\n    identity: \"{id}\"\n    reason: \"accepted during the Q4 migration\"\n    owner: security-team@acme.example\n    expires: 2026-12-31\n"
        ));
    }
    let path = dir.path().join("nhi.yaml");
    std::fs::write(&path, cfg).unwrap();
    let p = path.to_str().unwrap();
    let (run, r) = scan_json(&[
        "--aws-evidence",
        "examples/acme/evidence",
        "--config",
        p,
        "--fail-on",
        "critical",
    ]);
    assert_eq!(
        run.code, 0,
        "every critical finding is suppressed: {}",
        run.stderr
    );
    let suppressed: Vec<_> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["state"] == "suppressed")
        .collect();
    assert_eq!(
        suppressed.len(),
        5,
        "suppressed findings stay in the report"
    );
    assert_eq!(
        suppressed[0]["suppression"]["reason"],
        "accepted during the Q4 migration"
    );

    // After the expiry date the findings are back, and each lapsed acceptance is reported.
    let (run, r) = scan_json(&[
        "--aws-evidence",
        "examples/acme/evidence",
        "--config",
        p,
        "--fail-on",
        "critical",
        "--as-of",
        "2027-01-15",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["state"] != "suppressed")
    );
    assert_eq!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "suppression-expired")
            .count(),
        5
    );
}

#[test]
fn blast_radius_orders_the_report() {
    let (_, r) = scan_json(ACME);
    let top = r["summary"]["largest_blast_radius"].as_array().unwrap();
    assert_eq!(top.len(), 10);
    assert!(
        top.windows(2)
            .all(|w| w[0]["score"].as_u64() >= w[1]["score"].as_u64())
    );
    assert!(
        top[0]["identity"]
            .as_str()
            .unwrap()
            .ends_with("user/terraform")
    );
    for i in r["identities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| !i["blast_radius"].is_null())
    {
        let b = &i["blast_radius"];
        let sum: u64 = b["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["points"].as_u64().unwrap())
            .sum();
        assert_eq!(
            b["score"].as_u64().unwrap(),
            sum,
            "every term shown for {}",
            i["id"]
        );
    }
    // Humans carry none.
    let alice = r["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "alice")
        .unwrap();
    assert!(alice.get("blast_radius").is_none());
}
