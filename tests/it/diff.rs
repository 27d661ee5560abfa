//! `nhi diff` on two scans of the example, the second of changed evidence.

use serde_json::{Value, json};

use crate::util::*;

/// Writes a changed copy of the example evidence: one user offboarded, one AI-agent role
/// added, one owner changed, one key rotated.
fn changed_evidence(dir: &std::path::Path) -> std::path::PathBuf {
    let ev = dir.join("evidence");
    std::fs::create_dir(&ev).unwrap();
    let src = root().join("examples/acme/evidence");
    let mut authz: Value = serde_json::from_str(
        &std::fs::read_to_string(src.join("authorization-details.json")).unwrap(),
    )
    .unwrap();
    authz["UserDetailList"]
        .as_array_mut()
        .unwrap()
        .retain(|u| u["UserName"] != "legacy-reporting");
    let bot = authz["UserDetailList"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|u| u["UserName"] == "deploy-bot")
        .unwrap();
    for t in bot["Tags"].as_array_mut().unwrap() {
        if t["Key"] == "owner" {
            t["Value"] = json!("release-team@acme.example");
        }
    }
    authz["RoleDetailList"].as_array_mut().unwrap().push(json!({
        "RoleName": "bedrock-agent-new",
        "Arn": "arn:aws:iam::210987654321:role/bedrock-agent-new",
        "CreateDate": "2026-11-10T00:00:00+00:00",
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Tags": []
    }));
    std::fs::write(ev.join("authorization-details.json"), authz.to_string()).unwrap();

    let csv_text = std::fs::read_to_string(src.join("credential-report.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let rotated = headers
        .iter()
        .position(|h| h == "access_key_1_last_rotated")
        .unwrap();
    let used = headers
        .iter()
        .position(|h| h == "access_key_1_last_used_date")
        .unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&headers).unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[0] == "legacy-reporting" {
            continue;
        }
        let mut row: Vec<String> = rec.iter().map(String::from).collect();
        if &rec[0] == "svc-partner-sftp" {
            row[rotated] = "2026-11-10T09:00:00+00:00".into();
            row[used] = "2026-11-14T02:00:00+00:00".into();
        }
        w.write_record(&row).unwrap();
    }
    std::fs::write(ev.join("credential-report.csv"), w.into_inner().unwrap()).unwrap();
    ev
}

#[test]
fn diff_of_two_scans() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    let ev = changed_evidence(dir.path());
    let cfg = [
        "--config",
        "examples/acme/nhi.yaml",
        "--as-of",
        "2026-11-15",
        "--fail-on",
        "never",
    ];
    for (evidence, out) in [(root().join("examples/acme/evidence"), &old), (ev, &new)] {
        let mut args = vec![
            "scan",
            "--aws-evidence",
            evidence.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(&cfg);
        assert_eq!(nhi(&args).code, 0);
    }
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let r = nhi(&["diff", o, n, "--format", "json"]);
    assert_eq!(
        r.code, 1,
        "new high findings (ai-agent-ungoverned): {}",
        r.stderr
    );
    let d: Value = serde_json::from_str(&r.stdout).unwrap();
    let ids = |k: &str, f: &str| -> Vec<String> {
        d[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x[f].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids("identities_added", "id"),
        ["aws:iam::210987654321:role/bedrock-agent-new"]
    );
    assert_eq!(
        ids("identities_removed", "id"),
        ["aws:iam::210987654321:user/legacy-reporting"]
    );
    assert_eq!(
        ids("owners_changed", "identity"),
        ["aws:iam::210987654321:user/deploy-bot"]
    );
    assert_eq!(
        ids("credentials_rotated", "credential"),
        ["aws:iam::210987654321:user/svc-partner-sftp#access-key-1"]
    );
    assert_eq!(
        ids("credentials_removed", "credential"),
        ["aws:iam::210987654321:user/legacy-reporting#access-key-1"]
    );
    let new_rules = ids("findings_new", "rule");
    assert!(
        new_rules.contains(&"ai-agent-ungoverned".to_string()),
        "{new_rules:?}"
    );
    let resolved: Vec<(String, String)> = d["findings_resolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                f["identity"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(resolved.contains(&(
        "owner-departed".into(),
        "aws:iam::210987654321:user/legacy-reporting".into()
    )));
    assert!(
        resolved.contains(&(
            "credential-unused".into(),
            "aws:iam::210987654321:user/svc-partner-sftp".into()
        )),
        "rotated key is fresh: {resolved:?}"
    );

    assert_eq!(
        nhi(&["diff", o, n, "--fail-on", "critical", "-f", "json"]).code,
        0,
        "no new critical finding"
    );
    assert_eq!(
        nhi(&["diff", o, o, "-f", "json"]).code,
        0,
        "no change, no failure"
    );
    let md = nhi(&["diff", o, n, "--format", "markdown", "--fail-on", "never"]);
    assert_eq!(md.code, 0);
    insta::assert_snapshot!("diff_markdown", md.stdout);
    let table = nhi(&["diff", o, n, "--format", "table", "--fail-on", "never"]);
    assert!(table.stdout.contains("Identities removed (offboarded) (1)"));
    insta::assert_snapshot!("diff_table", table.stdout);
}
