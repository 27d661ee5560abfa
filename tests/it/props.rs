//! Property tests: every parser, given mutations of a valid input (truncations, insertions,
//! deletions, replaced characters) and arbitrary text, never panics, and every error it
//! returns names the input it was given. A fixed seed and case count keep CI deterministic;
//! a panic found becomes a named regression test below.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};

/// A mutation of `base` (char-boundary safe) or, one time in eight, arbitrary text.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    let chars: Vec<char> = base.chars().collect();
    let n = chars.len().max(1);
    prop_oneof![
        7 => (0..n, 0..4usize, any::<String>(), 0..8usize).prop_map(move |(at, op, text, len)| {
            let mut c = chars.clone();
            let at = at.min(c.len());
            match op {
                0 => c.truncate(at),
                1 => {
                    for (i, ch) in text.chars().enumerate() {
                        c.insert((at + i).min(c.len()), ch);
                    }
                }
                2 => {
                    let end = (at + len).min(c.len());
                    c.drain(at..end);
                }
                _ => {
                    if let Some(x) = c.get_mut(at) {
                        *x = text.chars().next().unwrap_or('\u{0}');
                    }
                }
            }
            c.into_iter().collect()
        }),
        1 => any::<String>(),
    ]
}

/// Runs `check` on `cases` inputs from `strategy` with a fixed seed.
fn run<S: Strategy>(cases: u32, strategy: S, check: impl Fn(S::Value))
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x6e68_6900_5eed),
        ..Config::default()
    });
    runner
        .run(&strategy, |v| {
            check(v);
            Ok(())
        })
        .unwrap();
}

const AUTHZ: &str = include_str!("../../examples/acme/evidence/authorization-details.json");
const NHI_YAML: &str = include_str!("../../examples/acme/nhi.yaml");
const CSV: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\nci-bot,arn:aws:iam::123456789012:user/ci-bot,2024-01-02T03:04:05+00:00,false,N/A,N/A,N/A,false,true,2024-01-02T03:04:05+00:00,2026-10-01T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:Pass*"],"Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/ci-*"}}},{"Effect":"Deny","NotAction":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#;
const TEMPLATES: &str = "https://{{ config.domain }}/api/{{ parent.id | urlencode }}?q={{ record['@odata.nextLink'] | default('x') }}";

/// CloudTrail records composed from the documented record fields (this project's own).
const CLOUDTRAIL: &str = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2026-11-01T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","sourceIPAddress":"198.51.100.1","userAgent":"aws-cli/2.13.0","errorCode":"AccessDenied","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/ci","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE000000001"},"requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/deploy"},"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLE000000001"}}},{"eventTime":"2026-11-01T10:01:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/deploy/i-0123456789abcdef","accessKeyId":"ASIAEXAMPLE000000001","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::111122223333:role/deploy"},"ec2RoleDelivery":"2.0"}}}]}"#;

fn names(err: &str, input: &str) {
    assert!(err.contains(input), "the error names {input}: {err}");
}

#[test]
fn evidence_files_never_panic_and_errors_name_the_file() {
    run(300, mutated(AUTHZ), |text| {
        let mut b = nhi_audit::connector::aws::evidence::Bundle::default();
        if let Err(e) =
            nhi_audit::connector::aws::evidence::read_bytes("fuzz.json", text.as_bytes(), &mut b)
        {
            names(&e, "fuzz.json");
        }
    });
}

#[test]
fn activity_logs_never_panic_and_errors_name_the_file() {
    run(300, mutated(CLOUDTRAIL), |text| {
        // As text, as JSON Lines of the records, and as a gzip object cut anywhere.
        match nhi_audit::activity::read_one("trail.json", text.as_bytes().to_vec()) {
            Ok(a) => {
                let mut inv = nhi_audit::model::Inventory::default();
                nhi_audit::activity::apply(&mut inv, a);
            }
            Err(e) => names(&e, "trail.json"),
        }
        let lines = text.replace("},{", "}\n{");
        if let Err(e) = nhi_audit::activity::read_one("trail.jsonl", lines.into_bytes()) {
            names(&e, "trail.jsonl");
        }
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        let cut = bytes.len() * (text.len() % 7 + 1) / 8;
        if let Err(e) = nhi_audit::activity::read_one("trail.json.gz", bytes[..cut].to_vec()) {
            names(&e, "trail.json.gz");
        }
    });
}

// One composed event per other log format, written by this project from each provider's
// documented field names (GitHub audit log, Graph signIn in the diagnostic-settings shape,
// Okta LogEvent, Reports API activity, Slack audit entry, GitLab audit event); values are
// its own.
const GITHUB_AUDIT: &str = r#"[{"@timestamp":1606929874512,"action":"git.push","actor":"ci-app[bot]","org":"acme","repo":"acme/api","actor_ip":"192.0.2.9","programmatic_access_type":"GitHub App server-to-server token","token_id":77,"hashed_token":"q1w2e3="},{"created_at":"2026-11-01 10:00:00.000","action":"repo.create","actor":"ann","org":"acme","programmatic_access_type":"Fine-grained personal access token","token_id":"42"}]"#;
const ENTRA_SIGNIN: &str = r#"{"records":[{"time":"2026-11-01T10:00:00Z","category":"ServicePrincipalSignInLogs","tenantId":"11111111-2222-3333-4444-555555555555","properties":{"createdDateTime":"2026-11-01T10:00:00Z","appId":"app-1","servicePrincipalId":"sp-1","servicePrincipalName":"etl","ipAddress":"192.0.2.7","servicePrincipalCredentialKeyId":"key-1","status":{"errorCode":7000215},"resourceDisplayName":"Microsoft Graph"}},{"time":"2026-11-01T11:00:00Z","category":"SignInLogs","properties":{"createdDateTime":"2026-11-01T11:00:00Z","appId":"app-2","userPrincipalName":"a@example.com","ipAddress":"192.0.2.8","isInteractive":true,"status":{"errorCode":0}}}]}"#;
const OKTA_LOG: &str = r#"[{"published":"2026-11-01T10:00:00.000Z","eventType":"user.lifecycle.create","uuid":"u-1","actor":{"id":"00u1","type":"User","alternateId":"admin@example.com"},"client":{"ipAddress":"192.0.2.3","userAgent":{"rawUserAgent":"okta-sdk-go/2"}},"outcome":{"result":"SUCCESS"},"target":[{"id":"00u2","type":"User"}],"transaction":{"type":"WEB","id":"t1","detail":{"requestApiTokenId":"00Tabc"}}},{"published":"2026-11-01T10:05:00.000Z","eventType":"app.oauth2.as.token.grant.access_token","uuid":"u-2","actor":{"id":"0oa9","type":"PublicClientApp"},"outcome":{"result":"FAILURE","reason":"invalid_client"}}]"#;
const GOOGLE_ACTIVITIES: &str = r#"{"kind":"admin#reports#activities","items":[{"kind":"admin#reports#activity","id":{"time":"2026-11-01T10:00:00.000Z","applicationName":"token","customerId":"C1","uniqueQualifier":"1"},"actor":{"email":"ann@example.com","profileId":"1001","callerType":"USER"},"ipAddress":"192.0.2.4","events":[{"type":"auth","name":"authorize","parameters":[{"name":"client_id","value":"42.apps.googleusercontent.com"},{"name":"app_name","value":"Reporter"},{"name":"scope","multiValue":["https://www.googleapis.com/auth/drive"]}]}]},{"kind":"admin#reports#activity","id":{"time":"2026-11-01T11:00:00.000Z","applicationName":"login"},"actor":{"email":"ann@example.com"},"events":[{"type":"login","name":"login_success"}]}]}"#;
const SLACK_AUDIT: &str = r#"{"entries":[{"id":"e-1","date_create":1700000000,"action":"file_downloaded","actor":{"type":"app","app":{"id":"A0123","name":"exporter"}},"entity":{"type":"file","file":{"id":"F1","name":"q3.xlsx"}},"context":{"location":{"type":"enterprise","id":"E1"},"ip_address":"192.0.2.5","ua":"python-slack-sdk/3"}},{"id":"e-2","date_create":1700000060,"action":"user_login","actor":{"type":"user","user":{"id":"W1","email":"a@example.com"}},"context":{"ip_address":"192.0.2.6","ua":"Mozilla/5.0"}}],"response_metadata":{"next_cursor":""}}"#;
const GITLAB_AUDIT: &str = r#"[{"id":1,"author_id":7,"entity_id":6,"entity_type":"Project","details":{"custom_message":"Project archived","author_name":"ci bot","author_class":"User","ip_address":"192.0.2.3","entity_path":"acme/api","target_details":"acme/api"},"created_at":"2026-11-01T10:00:00.000Z"},{"id":2,"author_id":7,"entity_id":60,"entity_type":"Group","event_type":"group_created","details":{"add":"group","entity_path":"acme"},"ip_address":"192.0.2.3","created_at":"2026-11-01T10:05:00.000Z"}]"#;

#[test]
fn other_activity_logs_never_panic_and_errors_name_the_file() {
    for (file, sample) in [
        ("audit.json", GITHUB_AUDIT),
        ("signins.json", ENTRA_SIGNIN),
        ("okta.json", OKTA_LOG),
        ("google.json", GOOGLE_ACTIVITIES),
        ("slack.json", SLACK_AUDIT),
        ("gitlab.json", GITLAB_AUDIT),
    ] {
        // The composed sample itself is read whole.
        let a = nhi_audit::activity::read_one(file, sample.as_bytes().to_vec())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(a.events(), 2, "{file}");
        run(
            150,
            mutated(sample),
            |text| match nhi_audit::activity::read_one(file, text.as_bytes().to_vec()) {
                Ok(a) => {
                    let mut inv = nhi_audit::model::Inventory::default();
                    nhi_audit::activity::apply(&mut inv, a);
                }
                Err(e) => names(&e, file),
            },
        );
    }
}

#[test]
fn credential_reports_never_panic_and_errors_name_the_file() {
    run(300, mutated(CSV), |text| {
        if let Err(e) =
            nhi_audit::connector::aws::evidence::parse_credential_csv("report.csv", &text)
        {
            names(&e, "report.csv");
        }
        let mut b = nhi_audit::connector::aws::evidence::Bundle::default();
        if let Err(e) =
            nhi_audit::connector::aws::evidence::read_bytes("report.csv", text.as_bytes(), &mut b)
        {
            names(&e, "report.csv");
        }
    });
}

#[test]
fn policy_documents_never_panic() {
    run(300, mutated(POLICY), |text| {
        if let Ok(doc) = nhi_audit::policy::PolicyDocument::from_text(&text) {
            for st in &doc.statement {
                let _ = st.describe();
            }
        }
        let encoded =
            percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let _ = nhi_audit::policy::PolicyDocument::from_text(&encoded);
    });
}

#[test]
fn nhi_yaml_never_panics_and_errors_name_the_file() {
    run(300, mutated(NHI_YAML), |text| {
        if let Err(e) = nhi_audit::config::Config::parse(&text, "fuzz-nhi.yaml") {
            names(&e.to_string(), "fuzz-nhi.yaml");
        }
    });
}

#[test]
fn connector_manifests_never_panic_and_errors_name_the_file() {
    for (name, text) in nhi_audit::embedded::BUILTIN_MANIFESTS {
        let text: &'static str = text;
        run(60, mutated(text), |t| {
            if let Err(e) =
                nhi_audit::connector::declarative::Manifest::parse(&t, "fuzz-manifest.yaml")
            {
                names(&e.to_string(), "fuzz-manifest.yaml");
            }
        });
        let _ = name;
    }
}

#[test]
fn templates_never_panic_and_evaluate_over_any_body() {
    use nhi_audit::connector::declarative::template::{Template, Vars};
    run(400, (mutated(TEMPLATES), any::<String>()), |(t, body)| {
        if let Ok(t) = Template::parse(&t) {
            // A SaaS response body as the engine sees it: any JSON value.
            let v: serde_json::Value =
                serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body));
            let vars = Vars::default()
                .with("config", &v)
                .with("parent", &v)
                .with("record", &v);
            let _ = t.text(&vars);
            let _ = t.eval(&vars);
        }
    });
}

#[test]
fn secret_rule_files_never_panic_and_errors_name_the_file() {
    for (_, text) in nhi_audit::embedded::BUILTIN_SECRET_RULES.iter().take(4) {
        let text: &'static str = text;
        run(50, mutated(text), |t| {
            if let Err(e) = nhi_audit::connector::repo::rules::parse(&t, "fuzz-rules.yaml") {
                names(&e, "fuzz-rules.yaml");
            }
        });
    }
}

#[test]
fn saved_reports_never_panic_in_report_and_diff() {
    let (_, report) = crate::util::scan_json(&[
        "--aws-evidence",
        "examples/acme/evidence",
        "--config",
        "examples/acme/nhi.yaml",
    ]);
    let text: &'static str = Box::leak(report.to_string().into_boxed_str());
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, text).unwrap();
    let path = dir.path().join("fuzz-report.json");
    // Each case runs the binary twice: fewer cases, the same seed.
    run(24, mutated(text), |t| {
        std::fs::write(&path, &t).unwrap();
        for args in [
            vec!["report", path.to_str().unwrap(), "--format", "table"],
            vec!["diff", good.to_str().unwrap(), path.to_str().unwrap()],
        ] {
            let r = crate::util::nhi(&args);
            assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
            assert!([0, 1, 2, 3].contains(&r.code), "{args:?}: {r:?}");
            if r.code == 2 {
                names(&r.stderr, "fuzz-report.json");
            }
        }
    });
}

#[test]
fn link_headers_and_urls_never_panic() {
    let link = r#"<https://api.github.com/orgs/acme/repos?page=2>; rel="next", <https://api.github.com/orgs/acme/repos?page=9>; rel="last""#;
    run(500, mutated(link), |t| {
        if let Some(n) = nhi_audit::http::next_link(&t) {
            assert!(!n.is_empty());
        }
        let s = nhi_audit::http::scrub_url(&t);
        // Scrubbing is idempotent.
        assert_eq!(nhi_audit::http::scrub_url(&s), s);
        let _ = nhi_audit::http::check_url(&t);
    });
}

/// Regression: a webhook URL with credentials in userinfo and query keeps none of them.
#[test]
fn regression_scrub_keeps_no_userinfo() {
    let s = nhi_audit::http::scrub_url("https://a:b@hooks.slack.com/services/T/B/C?token=t");
    assert!(
        !s.contains("a:b") && !s.contains("/T/B/C") && !s.contains("token=t"),
        "{s}"
    );
}
