//! `nhi scan --activity` on the other providers' logs: GitHub organisation audit log, Entra ID
//! sign-ins, Okta System Log and Google Workspace Reports API activities. The real samples are
//! read in place from ../shared/data/activity; the `*.tests.jsonl` rule-test files there wrap
//! each event (`{"rule_file",…,"log"}`), so their `log` values are written to a temporary
//! JSON Lines file first (the parsers read the providers' shapes, not that wrapper). Broken
//! records are composed here.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::*;

fn scan(args: &[&str]) -> (Run, Value) {
    let mut all = vec![
        "scan",
        "-f",
        "json",
        "--as-of",
        "2026-01-01",
        "--fail-on",
        "never",
    ];
    all.extend_from_slice(args);
    let r = nhi(&all);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {r:?}"));
    (r, v)
}

/// The `log` values of a rule-test file, as JSON Lines in `dir`, plus `extra` lines.
fn logs_of(rel: &str, dir: &Path, extra: &[&str]) -> PathBuf {
    let text = std::fs::read_to_string(shared(rel)).unwrap();
    let name = Path::new(rel).file_name().unwrap().to_string_lossy();
    let out = dir.join(name.replace(".tests.jsonl", ".jsonl"));
    let mut f = std::fs::File::create(&out).unwrap();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let t: Value = serde_json::from_str(line).unwrap();
        writeln!(f, "{}", t["log"]).unwrap();
    }
    for e in extra {
        writeln!(f, "{e}").unwrap();
    }
    out
}

fn activity_read(v: &Value) -> String {
    v["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["source"] == "activity")
        .map(|c| c["read"].to_string())
        .unwrap_or_default()
}

fn activity_gaps(v: &Value) -> String {
    v["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["source"] == "activity")
        .map(|c| c["gaps"].to_string())
        .unwrap_or_default()
}

fn identity<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no identity {id}: {}", v["identities"]))
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn github_audit_events_join_app_bots_to_their_installation() {
    let dir = tempfile::tempdir().unwrap();
    let log = logs_of(
        "activity/github-audit/panther-analysis/GitHub.Audit.tests.jsonl",
        dir.path(),
        &[],
    );
    let (r, v) = scan(&["--activity", log.to_str().unwrap()]);
    // 36 of the 107 rule-test events carry no usable time: each is a gap naming its line.
    assert_eq!(r.code, 3, "{}", r.stderr);
    let read = activity_read(&v);
    assert!(read.contains("71 event(s) from 1 file(s)"), "{read}");
    assert!(
        read.contains("69 by callers that are not identities"),
        "{read}"
    );
    let gaps = activity_gaps(&v);
    assert!(
        gaps.contains("GitHub.Audit.jsonl:47: no @timestamp or created_at"),
        "{gaps}"
    );
    // `github-actions[bot]` with a server-to-server token: the App's installation.
    let bot = identity(&v, "github:YourCompany/installation/github-actions");
    let a = &bot["activity"];
    assert_eq!(a["sources"][0]["source"], "github-audit");
    assert_eq!(a["sources"][0]["events"], 1);
    assert_eq!(a["actions"]["github:workflows.created_workflow_run"], 1);
    assert_eq!(bot["attributes"]["observed_only"], true);
    identity(&v, "github:my-org/installation/secret-scanning");

    // The REST `GET /orgs/{org}/audit-log` example: people only, counted, none joined.
    let (r, v) = scan(&[
        "--activity",
        shared("activity/github-audit/rest-api-description/audit-log-example.json")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let read = activity_read(&v);
    assert!(
        read.contains("3 event(s) from 1 file(s); 3 by callers"),
        "{read}"
    );
}

#[test]
fn a_github_audit_event_with_a_bad_time_names_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.json");
    std::fs::write(
        &log,
        r#"[{"@timestamp": 1606929874512, "action": "git.push", "actor": "ci-app[bot]", "org": "acme", "repo": "acme/api", "actor_ip": "192.0.2.9"},
            {"@timestamp": "tomorrow", "action": "repo.create", "actor": "ann", "org": "acme"}]"#,
    )
    .unwrap();
    let (r, v) = scan(&["--activity", log.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let gaps = activity_gaps(&v);
    assert!(gaps.contains("audit.json [1]: time"), "{gaps}");
    let bot = identity(&v, "github:acme/installation/ci-app");
    assert_eq!(bot["activity"]["networks"]["192.0.2.9"], 1);
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn entra_service_principal_sign_ins_join_with_their_key_and_network() {
    let dir = tempfile::tempdir().unwrap();
    let log = logs_of(
        "activity/entra-signin/panther-analysis/Azure.Audit.tests.jsonl",
        dir.path(),
        &[
            r#"{"time": "not a time", "category": "ServicePrincipalSignInLogs", "properties": {"servicePrincipalId": "x"}}"#,
        ],
    );
    let (r, v) = scan(&["--activity", log.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    // 27 sign-ins (audit and policy records beside them are not sign-ins), 9 of them by
    // the two service principals.
    let read = activity_read(&v);
    assert!(
        read.contains("27 event(s) from 1 file(s); 18 by callers"),
        "{read}"
    );
    assert!(
        activity_gaps(&v).contains("Azure.Audit.jsonl:49: time `"),
        "{}",
        activity_gaps(&v)
    );
    let good = identity(
        &v,
        "entra-id:85e54ec3-85ee-4b03-9e3b-863075eb9b62:service-principal/4b6986ec-c49c-40c0-89ce-b2ac51213e39",
    );
    let a = &good["activity"];
    assert_eq!(a["sources"][0]["events"], 2);
    assert_eq!(a["networks"]["12.12.12.12"], 2);
    assert_eq!(
        a["credentials"]["2afc776a-4e79-4588-b2ad-f62c94d6bea8"]["events"],
        2
    );
    // `some-service-principal` failing with an invalid client secret (7000215) seven times.
    let failing = identity(
        &v,
        "entra-id:a2aa49aa-2c0c-49d2-af87-f402c421df0b:service-principal/b1c34143-e405-4058-8e29-84596ad737b8",
    );
    assert_eq!(failing["activity"]["sources"][0]["events"], 7);
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn okta_api_token_requests_join_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let log = logs_of(
        "activity/okta/panther-analysis/Okta.SystemLog.tests.jsonl",
        dir.path(),
        &[],
    );
    let (r, v) = scan(&["--activity", log.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let read = activity_read(&v);
    assert!(
        read.contains("69 event(s) from 1 file(s); 63 by callers"),
        "{read}"
    );
    assert!(
        activity_gaps(&v).contains("Okta.SystemLog.jsonl:41: published `"),
        "{}",
        activity_gaps(&v)
    );
    // `transaction.detail.requestApiTokenId` 00T1bjatrp6Nl1dOc5d7: three rate-limit warnings.
    let token = identity(&v, "okta:unknown:access-token/00T1bjatrp6Nl1dOc5d7");
    let a = &token["activity"];
    assert_eq!(a["sources"][0]["events"], 3);
    assert_eq!(a["networks"]["11.22.33.44"], 3);
    assert_eq!(a["actions"]["okta:system.org.rate_limit.warning"], 3);
    assert_eq!(a["credentials"]["00T1bjatrp6Nl1dOc5d7"]["events"], 3);

    // The System Log API example (`GET /api/v1/logs`, a JSON array): one person's sign-in.
    let (r, v) = scan(&[
        "--activity",
        shared("activity/okta/okta-openapi-spec/ListLogs.json")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(activity_read(&v).contains("1 event(s) from 1 file(s); 1 by callers"));
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn google_token_events_join_the_users_oauth_grant() {
    let dir = tempfile::tempdir().unwrap();
    let log = logs_of(
        "activity/google-workspace/panther-analysis/GSuite.ActivityEvent.tests.jsonl",
        dir.path(),
        &[],
    );
    let (r, v) = scan(&["--activity", log.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let read = activity_read(&v);
    assert!(
        read.contains("94 event(s) from 1 file(s); 91 by callers"),
        "{read}"
    );
    assert!(
        activity_gaps(&v).contains("GSuite.ActivityEvent.jsonl:23: no id.time"),
        "{}",
        activity_gaps(&v)
    );
    // Three `token` `authorize` events by user 123456789012345678901 for one client.
    let grant = identity(
        &v,
        "google-workspace:example.com:oauth-grant/123456789012345678901:123456789012-abcdefghijklmnopqrstuvwxyz123456.apps.googleusercontent.com",
    );
    let a = &grant["activity"];
    assert_eq!(a["sources"][0]["events"], 3);
    assert_eq!(a["networks"]["192.0.2.1"], 3);
    assert_eq!(a["actions"]["google:token.authorize"], 3);
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn slack_audit_entries_are_read_and_app_actors_join_their_app() {
    let dir = tempfile::tempdir().unwrap();
    // No public sample has an app actor (SOURCES.md): one is composed from the documented
    // entry fields and appended, beside one with a bad date.
    let log = logs_of(
        "activity/slack/panther-analysis/Slack.AuditLogs.tests.jsonl",
        dir.path(),
        &[
            r#"{"date_create": 1700000000, "action": "file_downloaded", "actor": {"type": "app", "app": {"id": "A0EXPORT1", "name": "exporter"}}, "entity": {"type": "file", "file": {"id": "F1", "name": "q3.xlsx"}}, "context": {"location": {"type": "enterprise", "id": "E0ACME"}, "ip_address": "192.0.2.5", "ua": "python-slack-sdk/3"}}"#,
            r#"{"date_create": "someday", "action": "user_login", "actor": {"type": "user"}}"#,
        ],
    );
    let (r, v) = scan(&["--activity", log.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    // 34 of the 66 rule-test entries carry a date; every actor there is a person.
    let read = activity_read(&v);
    assert!(
        read.contains("35 event(s) from 1 file(s); 34 by callers"),
        "{read}"
    );
    // The 32 undated entries and the bad date: 33 gaps, the first five named with their line.
    let gaps = activity_gaps(&v);
    assert!(
        gaps.contains("33 unusable record(s)")
            && gaps.contains("Slack.AuditLogs.jsonl:16: no date_create"),
        "{gaps}"
    );
    let app = identity(&v, "slack:E0ACME:app/A0EXPORT1");
    assert_eq!(app["activity"]["networks"]["192.0.2.5"], 1);
    assert_eq!(app["activity"]["actions"]["slack:file_downloaded"], 1);

    // The SDK's response fixture (`{"entries":[…]}`): two people's logins.
    let (r, v) = scan(&[
        "--activity",
        shared("activity/slack/python-slack-sdk/audit_logs_response_test_logs.json")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(activity_read(&v).contains("2 event(s) from 1 file(s); 2 by callers"));
}

/// GitLab's documented example responses: read and counted (the connector's identities are
/// tokens, which audit events do not name), with a window per top-level group.
#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn gitlab_audit_events_are_read_with_a_window_per_group() {
    let (r, v) = scan(&[
        "--activity",
        shared("activity/gitlab/gitlab-docs/instance_audit_events.json")
            .to_str()
            .unwrap(),
        "--activity",
        shared("activity/gitlab/gitlab-docs/group_audit_events.json")
            .to_str()
            .unwrap(),
        "--activity",
        shared("activity/gitlab/gitlab-docs/project_audit_events.json")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let read = activity_read(&v);
    assert!(
        read.contains("8 event(s) from 3 file(s); 8 by callers"),
        "{read}"
    );
    let cov = v["coverage"].to_string();
    assert!(cov.contains("activity:gitlab-audit:flightjs"), "{cov}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("audit.json");
    std::fs::write(
        &bad,
        r#"[{"author_id": 1, "entity_type": "Group", "details": {"add": "group"}, "created_at": "2019-08-27T18:36:44.162Z"},
            {"author_id": 1, "entity_type": "Group", "details": {}, "created_at": "yesterday"}]"#,
    )
    .unwrap();
    let (r, v) = scan(&["--activity", bad.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(activity_gaps(&v).contains("audit.json [1]: created_at"));
}

/// Every sample is recognised by exactly one format (each line of a JSON Lines file, or the
/// whole document).
#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn each_sample_is_claimed_by_exactly_one_format() {
    let dir = tempfile::tempdir().unwrap();
    let samples = [
        (
            logs_of(
                "activity/github-audit/panther-analysis/GitHub.Audit.tests.jsonl",
                dir.path(),
                &[],
            ),
            "github-audit",
        ),
        (
            shared("activity/github-audit/rest-api-description/audit-log-example.json"),
            "github-audit",
        ),
        (
            logs_of(
                "activity/entra-signin/panther-analysis/Azure.Audit.tests.jsonl",
                dir.path(),
                &[],
            ),
            "entra-signin",
        ),
        (
            logs_of(
                "activity/okta/panther-analysis/Okta.SystemLog.tests.jsonl",
                dir.path(),
                &[],
            ),
            "okta-system-log",
        ),
        (
            shared("activity/okta/okta-openapi-spec/ListLogs.json"),
            "okta-system-log",
        ),
        (
            shared("activity/okta/okta-openapi-spec/ListLogsWithAdditionalSecurityContext.json"),
            "okta-system-log",
        ),
        (
            shared(
                "activity/okta/panther-analysis/scenarios/okta-add-administrator__brute_force_logins.jsonl",
            ),
            "okta-system-log",
        ),
        (
            logs_of(
                "activity/google-workspace/panther-analysis/GSuite.ActivityEvent.tests.jsonl",
                dir.path(),
                &[],
            ),
            "google-workspace",
        ),
        (
            shared(
                "activity/google-workspace/panther-analysis/scenarios/gsuite-sensitive-files__shared_files.jsonl",
            ),
            "google-workspace",
        ),
        (
            logs_of(
                "activity/slack/panther-analysis/Slack.AuditLogs.tests.jsonl",
                dir.path(),
                &[],
            ),
            "slack-audit",
        ),
        (
            shared("activity/slack/python-slack-sdk/audit_logs_response_test_logs.json"),
            "slack-audit",
        ),
        (
            shared("activity/gitlab/gitlab-docs/instance_audit_events.json"),
            "gitlab-audit",
        ),
        (
            shared("activity/gitlab/gitlab-docs/project_audit_events.json"),
            "gitlab-audit",
        ),
        (
            shared("activity/cloudtrail/aws-cli/lookup-events-1.json"),
            "cloudtrail",
        ),
    ];
    for (path, want) in samples {
        let text = std::fs::read_to_string(&path).unwrap();
        let docs: Vec<Value> = match serde_json::from_str(&text) {
            Ok(v) => vec![v],
            Err(_) => text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
        };
        let claimed: Vec<&str> = nhi_audit::activity::FORMATS
            .iter()
            .filter(|f| docs.iter().any(|d| (f.recognises)(d)))
            .map(|f| f.id)
            .collect();
        assert_eq!(claimed, [want], "{}", path.display());
    }
}
