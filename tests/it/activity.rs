//! `nhi scan --activity`: CloudTrail read in every delivered shape, joined to the inventory,
//! and the rules that only behaviour reveals. The real samples are read in place from
//! ../shared/data/activity; the events composed here (from CloudTrail's documented record
//! fields) are this project's own.

use std::io::Write;

use serde_json::{Value, json};

use crate::util::*;

const INVICTUS: &str = "activity/cloudtrail/invictus-aws_dataset/AWSLogs";

fn scan(args: &[&str]) -> (Run, Value) {
    let mut all = vec![
        "scan",
        "-f",
        "json",
        "--as-of",
        "2023-07-11",
        "--fail-on",
        "never",
    ];
    all.extend_from_slice(args);
    let r = nhi(&all);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {r:?}"));
    (r, v)
}

fn findings<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn identity<'a>(v: &'a Value, suffix: &str) -> &'a Value {
    v["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no identity {suffix}"))
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn the_s3_delivered_sample_is_read_whole_and_the_stolen_instance_credentials_are_found() {
    let dir = shared(INVICTUS);
    let (r, v) = scan(&["--activity", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "every object is read: {}", r.stderr);
    let cov = v["coverage"].to_string();
    assert!(cov.contains("2900 event(s) from 55 file(s)"), "{cov}");
    assert!(
        cov.contains("2023-07-10T11:42:18+00:00 to 2023-07-10T12:37:50+00:00"),
        "{cov}"
    );
    // The instance-profile session used from a second network with another SDK.
    let off = findings(&v, "credential-used-off-workload");
    assert_eq!(off.len(), 1, "{off:?}");
    assert!(
        off[0]["identity"]
            .as_str()
            .unwrap()
            .ends_with("role/stratus-red-team-ec2-steal-credentials-role")
    );
    let ev = off[0]["evidence"].to_string();
    assert!(
        ev.contains("ASIATFQR7NSC36DZQP7P")
            && ev.contains("192.168.10.20")
            && ev.contains("aws-sdk-go-v2"),
        "{ev}"
    );
    assert!(ev.contains("3.225.16.109 with amazon-ssm-agent"), "{ev}");
    // Sessions are joined to what issued them; long-term keys to their users.
    let role = identity(&v, "role/stratus-red-team-ec2-steal-credentials-role");
    let sessions = role["activity"]["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert!(
        sessions
            .iter()
            .all(|s| s["issued_by"] == "ec2.amazonaws.com" && s["workload"] == true)
    );
    let bert = identity(&v, "user/bert-jan");
    assert!(
        bert["activity"]["credentials"]["AKIATFQR7NSC8Q4X20BJ"]["events"]
            .as_u64()
            .unwrap()
            > 2000
    );
    // An AssumeRole by bert-jan: the role records who assumed it.
    let chained = identity(&v, "role/stratus-red-team-ec2-get-password-data-role");
    let by = chained["activity"]["assumed_by"].as_object().unwrap();
    assert!(
        by.keys().any(|k| k.ends_with("user/bert-jan"))
            && by.values().all(|b| b["via"] == "AssumeRole"),
        "{by:?}"
    );
    // No discovery ran: every acting identity is unknown to the inventory, at medium.
    let unknown = findings(&v, "unknown-actor");
    assert_eq!(unknown.len(), v["identities"].as_array().unwrap().len());
    assert!(unknown.iter().all(|f| f["severity"] == "medium"));
    // The role that enumerated and was denied 29 times within minutes.
    let burst = findings(&v, "access-denied-burst");
    assert!(
        burst.iter().any(|f| f["identity"]
            .as_str()
            .unwrap()
            .ends_with("get-password-data-role")),
        "{burst:?}"
    );
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn lookup_events_output_and_documentation_records_are_read() {
    let lookup = shared("activity/cloudtrail/aws-cli/lookup-events-1.json");
    let web = shared(
        "activity/cloudtrail/awsdocs/iam-user-guide-04-stscloudtrailexample-assumerole.json",
    );
    let (r, v) = scan(&[
        "--activity",
        lookup.to_str().unwrap(),
        "--activity",
        web.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let cov = v["coverage"][0]["read"].to_string();
    assert!(cov.contains("from 2 file(s)"), "{cov}");
    // lookup-events: a console sign-in by an assumed role, from the CloudTrailEvent string.
    assert!(
        v["identities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["activity"]["console_sign_ins"].as_u64() == Some(1)),
        "{}",
        v["identities"]
    );
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn a_named_file_that_is_not_a_usable_log_is_a_usage_error_naming_the_position() {
    // The documentation's own block is not valid JSON (a missing comma): named, it is exit 2.
    let bad = shared(
        "activity/cloudtrail/awsdocs/iam-user-guide-07-stscloudtrailexample_web-identity.json.txt",
    );
    let r = nhi(&["scan", "--activity", bad.to_str().unwrap(), "-f", "json"]);
    assert_eq!(r.code, 2, "{r:?}");
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("web-identity.json.txt"))
        .unwrap_or_default();
    assert!(
        line.contains("not JSON or JSON Lines")
            && line.split(':').filter(|p| p.parse::<u32>().is_ok()).count() >= 2,
        "names the file, line and column: {}",
        r.stderr
    );
    // A file that is JSON but no activity log.
    let other = shared("aws/cloudmapper-demo-authz-details.json");
    let r = nhi(&["scan", "--activity", other.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not an activity log"), "{}", r.stderr);
}

/// One real delivered object, and a copy of it cut in half, in one directory: the damaged one
/// is a coverage gap naming it (exit 3), the other's events are kept; named alone, it is exit 2.
#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn a_damaged_gzip_object_is_a_gap_and_the_others_are_kept() {
    let src = shared(INVICTUS).join(
        "218007301253/CloudTrail/us-east-1/2023/07/10/218007301253_CloudTrail_us-east-1_20230710T1200Z_iLj9fb7yyUG9X4Bf.json.gz",
    );
    let bytes = std::fs::read(&src).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.json.gz"), &bytes).unwrap();
    std::fs::write(dir.path().join("cut.json.gz"), &bytes[..bytes.len() / 2]).unwrap();
    let (r, v) = scan(&["--activity", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let gaps = v["coverage"][0]["gaps"].to_string();
    assert!(
        gaps.contains("cut.json.gz") && gaps.contains("damaged gzip"),
        "{gaps}"
    );
    assert!(
        v["coverage"][0]["read"]
            .to_string()
            .contains("from 1 file(s)")
    );
    assert!(!v["identities"].as_array().unwrap().is_empty());
    let r = nhi(&[
        "scan",
        "--activity",
        dir.path().join("cut.json.gz").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("cut.json.gz") && r.stderr.contains("damaged gzip"));
}

/// Events composed from CloudTrail's documented fields for identities of a real evidence
/// export: they join to the inventory, move `last_used` forward, and only the identity that
/// discovery did not see is an unknown actor (high: its account was discovered).
#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn events_join_to_the_discovered_inventory() {
    let evidence = shared("aws/cloudmapper-demo-authz-details.json");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("events.jsonl");
    let mut f = std::fs::File::create(&log).unwrap();
    let role_call = |t: &str, name: &str, ip: &str| {
        json!({
            "eventVersion": "1.08", "eventTime": t, "eventSource": "s3.amazonaws.com",
            "eventName": name, "awsRegion": "eu-west-1", "sourceIPAddress": ip,
            "userAgent": "Boto3/1.28.0 md/Botocore#1.31.0",
            "userIdentity": {
                "type": "AssumedRole", "principalId": "AROAEXAMPLEROLEID:batch",
                "arn": "arn:aws:sts::123456789012:assumed-role/exfiller/batch",
                "accountId": "123456789012", "accessKeyId": "ASIAEXAMPLESESSION01",
                "sessionContext": {"sessionIssuer": {"type": "Role",
                    "arn": "arn:aws:iam::123456789012:role/exfiller", "accountId": "123456789012"}}
            },
            "eventType": "AwsApiCall", "recipientAccountId": "123456789012"
        })
    };
    for (t, n) in [
        ("2023-05-20T10:00:00Z", "ListBuckets"),
        ("2023-07-01T10:00:00Z", "ListBuckets"),
        ("2023-07-09T08:30:00Z", "GetObject"),
    ] {
        writeln!(f, "{}", role_call(t, n, "198.51.100.10")).unwrap();
    }
    let ghost = json!({
        "eventTime": "2023-07-05T12:00:00Z", "eventSource": "iam.amazonaws.com",
        "eventName": "ListUsers", "sourceIPAddress": "203.0.113.9", "userAgent": "aws-cli/2.13.0",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/ghost",
            "accountId": "123456789012", "accessKeyId": "AKIAEXAMPLEGHOST0001", "userName": "ghost"}
    });
    writeln!(f, "{ghost}").unwrap();
    drop(f);
    let (r, v) = scan(&[
        "--aws-evidence",
        evidence.to_str().unwrap(),
        "--activity",
        log.to_str().unwrap(),
    ]);
    assert!(r.code == 0 || r.code == 3, "{}", r.stderr);
    let exfiller = identity(&v, ":role/exfiller");
    assert!(
        exfiller
            .get("attributes")
            .and_then(|a| a.get("observed_only"))
            .is_none()
    );
    assert_eq!(exfiller["activity"]["sources"][0]["events"], 3);
    assert_eq!(exfiller["activity"]["actions"]["s3:GetObject"], 1);
    assert_eq!(exfiller["last_used"], "2023-07-09T08:30:00Z");
    // Fifty days of logs: exfiller (granted s3:*) used s3, so nothing it holds is unused;
    // level3, granted s3 and silent all along, is reported, as is bad_role (every service).
    let unused = findings(&v, "privilege-unused");
    let on = |suffix: &str| {
        unused
            .iter()
            .filter(|f| f["identity"].as_str().unwrap().ends_with(suffix))
            .collect::<Vec<_>>()
    };
    assert!(on(":role/exfiller").is_empty(), "{unused:?}");
    let level3 = on(":role/level3");
    assert_eq!(level3.len(), 1);
    assert!(
        level3[0]["evidence"]
            .to_string()
            .contains("used in 50 day(s): nothing; granted: s3"),
        "{:?}",
        level3[0]
    );
    assert!(
        on(":role/bad_role")[0]["title"]
            .as_str()
            .unwrap()
            .contains("may call every service")
    );
    let unknown = findings(&v, "unknown-actor");
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(
        unknown[0]["identity"]
            .as_str()
            .unwrap()
            .ends_with("user/ghost")
    );
    assert_eq!(unknown[0]["severity"], "high");
}

/// A GitHub Actions workflow federated into AWS, composed from the documented fields of
/// `AssumeRoleWithWebIdentity` records and of the calls made with the session it returns
/// (CloudTrail user guide, "Logging IAM and AWS STS API calls"): no public sample of this
/// chain exists. A user's `AssumeRole` into the same role is the second chain.
fn oidc_scenario(dir: &std::path::Path) -> std::path::PathBuf {
    let acct = "111122223333";
    let provider = format!("arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com");
    let role = format!("arn:aws:iam::{acct}:role/deploy");
    let assume = |t: &str, subject: &str, key: &str| {
        json!({
            "eventVersion": "1.08", "eventTime": t, "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRoleWithWebIdentity", "awsRegion": "eu-west-1",
            "sourceIPAddress": "192.0.2.50", "userAgent": "aws-sdk-js/3.400.0 configure-aws-credentials",
            "userIdentity": {"type": "WebIdentityUser",
                "principalId": format!("{provider}:sts.amazonaws.com:{subject}"),
                "userName": subject, "identityProvider": provider},
            "requestParameters": {"roleArn": role, "roleSessionName": "GitHubActions"},
            "responseElements": {
                "credentials": {"accessKeyId": key, "expiration": "Nov 1, 2026, 11:00:00 AM"},
                "subjectFromWebIdentityToken": subject,
                "assumedRoleUser": {"arn": format!("arn:aws:sts::{acct}:assumed-role/deploy/GitHubActions")},
                "provider": provider, "audience": "sts.amazonaws.com"},
            "eventType": "AwsApiCall", "recipientAccountId": acct
        })
    };
    let call = |t: &str, source: &str, name: &str, key: &str| {
        json!({
            "eventVersion": "1.08", "eventTime": t, "eventSource": source, "eventName": name,
            "sourceIPAddress": "192.0.2.50", "userAgent": "aws-cli/2.15.0 md/command#s3.cp",
            "userIdentity": {"type": "AssumedRole",
                "arn": format!("arn:aws:sts::{acct}:assumed-role/deploy/GitHubActions"),
                "accountId": acct, "accessKeyId": key,
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": role, "accountId": acct},
                    "webIdFederationData": {"federatedProvider": provider}}},
            "eventType": "AwsApiCall", "recipientAccountId": acct
        })
    };
    let records = vec![
        assume(
            "2026-11-01T10:00:00Z",
            "repo:acme/api:pull_request",
            "ASIAEXAMPLEPULLREQ01",
        ),
        call(
            "2026-11-01T10:00:05Z",
            "s3.amazonaws.com",
            "PutObject",
            "ASIAEXAMPLEPULLREQ01",
        ),
        call(
            "2026-11-01T10:00:09Z",
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            "ASIAEXAMPLEPULLREQ01",
        ),
        assume(
            "2026-11-02T09:00:00Z",
            "repo:acme/api:ref:refs/heads/main",
            "ASIAEXAMPLEMAINREF01",
        ),
        call(
            "2026-11-02T09:00:04Z",
            "s3.amazonaws.com",
            "PutObject",
            "ASIAEXAMPLEMAINREF01",
        ),
        // Someone else's call, which is in no chain of the role.
        json!({"eventTime": "2026-11-02T09:30:00Z", "eventSource": "iam.amazonaws.com",
            "eventName": "ListRoles", "userIdentity": {"type": "IAMUser",
            "arn": format!("arn:aws:iam::{acct}:user/ops"), "accountId": acct}}),
    ];
    let p = dir.join("trail.json");
    std::fs::write(
        &p,
        serde_json::to_string(&json!({ "Records": records })).unwrap(),
    )
    .unwrap();
    p
}

#[test]
fn the_trail_draws_an_oidc_chain_from_the_subject_to_the_sessions_calls() {
    let dir = tempfile::tempdir().unwrap();
    let log = oidc_scenario(dir.path());
    let id = "aws:iam::111122223333:role/deploy";
    let r = nhi(&[
        "trail",
        id,
        "--activity",
        log.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let t: Value = serde_json::from_str(&r.stdout).unwrap();
    let chains = t["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 2, "{chains:?}");
    assert!(
        chains[0]["started_by"]
            .as_str()
            .unwrap()
            .starts_with("repo:acme/api:pull_request (via")
    );
    assert_eq!(chains[0]["via"], "AssumeRoleWithWebIdentity");
    assert_eq!(chains[0]["calls"], 2);
    assert_eq!(
        chains[0]["actions"],
        json!(["s3:PutObject", "lambda:UpdateFunctionCode20150331v2"])
    );
    assert_eq!(chains[1]["calls"], 1);
    // The role's events, with the issuing calls, oldest first, and not the user's ListRoles.
    let events = t["events"].as_array().unwrap();
    assert_eq!(events.len(), 5, "{events:?}");
    assert_eq!(events[0]["issued"], "ASIAEXAMPLEPULLREQ01");
    assert!(events.iter().all(|e| e["action"] != "iam:ListRoles"));
    // As text: the chain drawn, and --since cuts the first day.
    let r = nhi(&[
        "trail",
        id,
        "--activity",
        log.to_str().unwrap(),
        "-f",
        "table",
    ]);
    assert!(
        r.stdout.contains("repo:acme/api:pull_request (via arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com) --AssumeRoleWithWebIdentity--> aws:iam::111122223333:role/deploy"),
        "{}",
        r.stdout
    );
    let r = nhi(&[
        "trail",
        id,
        "--activity",
        log.to_str().unwrap(),
        "-f",
        "json",
        "--since",
        "2026-11-02",
    ]);
    let t: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(t["events"].as_array().unwrap().len(), 2);
    // A least-privilege policy of what the role's sessions called.
    let r = nhi(&["trail", id, "--activity", log.to_str().unwrap(), "--policy"]);
    assert_eq!(r.code, 0, "{r:?}");
    let p: Value = serde_json::from_str(&r.stdout).unwrap();
    let actions: Vec<&str> = p["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap())
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(actions, ["lambda:UpdateFunctionCode", "s3:PutObject"]);
    // The scan reports the pull-request subject, and not the main branch.
    let (_, v) = scan(&["--activity", log.to_str().unwrap()]);
    let f = findings(&v, "oidc-subject-unexpected");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0]["title"]
            .as_str()
            .unwrap()
            .contains("repo:acme/api:pull_request")
    );
    let role = identity(&v, ":role/deploy");
    assert_eq!(role["activity"]["assumed_by"].as_object().unwrap().len(), 2);
}
