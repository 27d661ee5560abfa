//! `nhi scan --aws` and `nhi evidence aws` against a real IAM API: moto in server mode, started
//! by .ci/run (tests/moto/server.py). Scenarios are seeded through the IAM API; what the API
//! cannot do (back-dating keys and sign-ins) goes through the launcher's control endpoint.
//!
//! Isolation: every test works in its own AWS account. On the open server, a client reaches
//! an account by assuming a role in it (moto ties the returned keys to that account); on the
//! server that enforces IAM policies, by the keys of a user bootstrapped in it.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicU32, Ordering};

use aws_config::BehaviorVersion;
use aws_sdk_iam::Client;
use serde_json::{Value, json};

use crate::util::*;

const AS_OF: &str = "2027-06-01";

struct Moto {
    url: String,
    control: String,
}

fn open_server() -> Moto {
    Moto {
        url: tool("NHI_MOTO_URL"),
        control: tool("NHI_MOTO_CONTROL"),
    }
}

fn enforcing_server() -> Moto {
    Moto {
        url: tool("NHI_MOTO_ENFORCING_URL"),
        control: tool("NHI_MOTO_ENFORCING_CONTROL"),
    }
}

/// A fresh account id for this test process and call.
fn account() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = u64::from(N.fetch_add(1, Ordering::Relaxed));
    let pid = u64::from(std::process::id());
    format!("{:012}", 200_000_000_000 + (pid % 100_000) * 1_000 + n)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// POSTs JSON to the launcher's control endpoint.
fn control(base: &str, path: &str, body: Value) -> Value {
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).expect("the moto control endpoint listens");
    let body = body.to_string();
    write!(s, "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, reply) = out.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
        "{path}: {out}"
    );
    serde_json::from_str(reply).unwrap_or(Value::Null)
}

/// An IAM client in `acct`, seeding through the API.
fn client(m: &Moto, acct: &str, keys: Option<(&str, &str)>) -> Client {
    rt().block_on(async {
        let (id, secret) = keys.unwrap_or(("testing", "testing"));
        let base = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&m.url)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_iam::config::Credentials::new(
                id, secret, None, None, "test",
            ))
            .load()
            .await;
        if keys.is_some() {
            return Client::new(&base);
        }
        let role =
            aws_config::sts::AssumeRoleProvider::builder(format!("arn:aws:iam::{acct}:role/seed"))
                .session_name("seed")
                .configure(&base)
                .build()
                .await;
        Client::new(
            &base
                .to_builder()
                .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(role))
                .build(),
        )
    })
}

fn env(m: &Moto) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", m.url.clone()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", "/nonexistent".into()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent".into()),
    ]
}

fn run(m: &Moto, args: &[&str], extra: &[(&str, String)]) -> Run {
    let mut e = env(m);
    for (k, v) in extra {
        e.retain(|(x, _)| x != k);
        e.push((k, v.clone()));
    }
    let e: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
    nhi_with(&root(), args, &e)
}

fn trust(principal: Value, condition: Option<Value>) -> String {
    let mut st = json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
    if principal.get("Federated").is_some() {
        st["Action"] = json!("sts:AssumeRoleWithWebIdentity");
    }
    if let Some(c) = condition {
        st["Condition"] = c;
    }
    json!({"Version": "2012-10-17", "Statement": [st]}).to_string()
}

/// Seeds the scenarios of the issue in `acct`; returns nothing, the test asserts on findings.
fn seed_scenarios(m: &Moto, acct: &str) {
    let iam = client(m, acct, None);
    let rt = rt();
    rt.block_on(async {
        let user = |name: &str, tags: Vec<(&str, &str)>| {
            let mut req = iam.create_user().user_name(name);
            for (k, v) in tags {
                req = req.tags(aws_sdk_iam::types::Tag::builder().key(k).value(v).build().unwrap());
            }
            req.send()
        };
        let key = |name: &'static str| iam.create_access_key().user_name(name).send();
        let mut keys = std::collections::BTreeMap::new();
        for (name, tags) in [
            ("old-key-bot", vec![]),
            ("never-used-bot", vec![]),
            ("two-keys-bot", vec![]),
            ("console-bot", vec![]),
            ("tagged-bot", vec![("owner", "platform@acme.example"), ("purpose", "nightly export"), ("expires", "2027-12-31")]),
            ("expired-bot", vec![("owner", "platform@acme.example"), ("expires", "2027-01-31")]),
        ] {
            user(name, tags).send_ok().await;
        }
        for name in ["old-key-bot", "never-used-bot", "two-keys-bot", "two-keys-bot", "console-bot", "tagged-bot", "expired-bot"] {
            let k = key(name).await.unwrap();
            let id = k.access_key().unwrap().access_key_id().to_string();
            keys.entry(name).or_insert_with(Vec::new).push(id);
        }
        iam.create_login_profile().user_name("console-bot").password("Correct-Horse-9!").send().await.unwrap();
        let admin = trust(json!({"Service": "ec2.amazonaws.com"}), None);
        iam.create_role().role_name("admin-role").assume_role_policy_document(admin).send().await.unwrap();
        iam.attach_role_policy().role_name("admin-role").policy_arn("arn:aws:iam::aws:policy/AdministratorAccess").send().await.unwrap();
        let gh = json!({"Federated": format!("arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com")});
        let aud = json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}});
        let wide = json!({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}});
        iam.create_role().role_name("gh-no-sub").assume_role_policy_document(trust(gh.clone(), Some(aud))).send().await.unwrap();
        iam.create_role().role_name("gh-wide-sub").assume_role_policy_document(trust(gh, Some(wide))).send().await.unwrap();
        let bedrock = trust(json!({"Service": "bedrock.amazonaws.com"}), None);
        iam.create_role().role_name("bedrock-agent").assume_role_policy_document(bedrock).send().await.unwrap();

        // Dates the API cannot set.
        let back = |user: &str, id: &str, created: &str, used: Option<&str>| {
            let mut b = json!({"account": acct, "user": user, "access_key_id": id, "created": created});
            if let Some(u) = used {
                b["last_used"] = json!(u);
            }
            control(&m.control, "/backdate-key", b);
        };
        back("old-key-bot", &keys["old-key-bot"][0], "2026-09-01T10:00:00Z", Some("2027-05-30T10:00:00Z"));
        back("never-used-bot", &keys["never-used-bot"][0], "2027-05-01T10:00:00Z", None);
        for id in &keys["two-keys-bot"] {
            back("two-keys-bot", id, "2027-05-20T10:00:00Z", Some("2027-05-31T10:00:00Z"));
        }
        for who in ["console-bot", "tagged-bot", "expired-bot"] {
            back(who, &keys[who][0], "2027-05-20T10:00:00Z", Some("2027-05-31T10:00:00Z"));
        }
        control(&m.control, "/password-used", json!({"account": acct, "user": "console-bot", "last_used": "2027-05-29T08:00:00Z"}));
    });
}

trait SendOk {
    async fn send_ok(self);
}

impl<F, T, E: std::fmt::Debug> SendOk for F
where
    F: std::future::Future<Output = Result<T, E>>,
{
    async fn send_ok(self) {
        self.await.unwrap();
    }
}

fn scan(m: &Moto, args: &[&str]) -> (Run, Value) {
    let mut all = vec!["scan", "-f", "json", "--as-of", AS_OF, "--fail-on", "never"];
    all.extend_from_slice(args);
    let r = run(m, &all, &[]);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {r:?}"));
    (r, v)
}

#[test]
#[cfg_attr(not(nhi_ci), ignore = "needs moto (.ci/run starts it)")]
fn scenarios_give_their_findings() {
    let m = open_server();
    let acct = account();
    seed_scenarios(&m, &acct);
    let role = format!("arn:aws:iam::{acct}:role/nhi-audit");
    let (r, v) = scan(&m, &["--aws-role-arn", &role, "--aws-access-key-ids"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let on = |name: &str| rules_on(&v, &format!(":{name}"));
    assert!(
        on("user/old-key-bot").contains(&"credential-unrotated".into()),
        "{:?}",
        on("user/old-key-bot")
    );
    assert!(on("user/never-used-bot").contains(&"credential-never-used".into()));
    assert!(on("user/two-keys-bot").contains(&"multiple-active-keys".into()));
    assert!(on("user/console-bot").contains(&"human-use-of-nhi".into()));
    assert!(on("role/admin-role").contains(&"admin-privilege".into()));
    assert!(on("role/gh-no-sub").contains(&"oidc-trust-unbounded".into()));
    assert!(on("role/gh-wide-sub").contains(&"oidc-trust-unbounded".into()));
    assert!(on("role/bedrock-agent").contains(&"ai-agent-ungoverned".into()));
    assert!(on("user/expired-bot").contains(&"identity-expired".into()));
    let tagged = on("user/tagged-bot");
    for r in [
        "owner-missing",
        "purpose-missing",
        "expiry-missing",
        "identity-expired",
        "credential-unrotated",
    ] {
        assert!(!tagged.contains(&r.to_string()), "tagged-bot: {tagged:?}");
    }
    let ids = v["identities"].as_array().unwrap();
    let t = ids.iter().find(|i| i["name"] == "tagged-bot").unwrap();
    assert_eq!(t["owner"]["source"], "tag:owner");
    assert_eq!(t["purpose"]["value"], "nightly export");
    assert_eq!(t["expiry_date"], "2027-12-31");
    assert!(ids.iter().all(|i| {
        i["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("aws:iam::{acct}:"))
    }));
    // Key ids from ListAccessKeys are the credentials' fingerprints.
    assert!(
        v["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["fingerprint"].as_str().unwrap().starts_with("AKIA"))
    );
    let cov = &v["coverage"][0];
    assert_eq!(cov["source"], format!("aws:{acct}"));
    assert_eq!(cov["status"], "complete", "{cov}");
}

#[test]
#[cfg_attr(not(nhi_ci), ignore = "needs moto (.ci/run starts it)")]
fn evidence_export_scans_the_same() {
    let m = open_server();
    let acct = account();
    seed_scenarios(&m, &acct);
    let role = format!("arn:aws:iam::{acct}:role/nhi-audit");
    let (r, live) = scan(&m, &["--aws-role-arn", &role, "--aws-access-key-ids"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let r = run(
        &m,
        &[
            "evidence",
            "aws",
            "--out",
            out,
            "--aws-role-arn",
            &role,
            "--aws-access-key-ids",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let acct_dir = dir.path().join(&acct);
    for f in [
        "authorization-details.json",
        "credential-report.json",
        "access-keys.json",
    ] {
        assert!(acct_dir.join(f).is_file(), "{f} written");
    }
    let (r, offline) = scan_json(&[
        "--aws-evidence",
        out,
        "--as-of",
        AS_OF,
        "--fail-on",
        "never",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for k in ["identities", "credentials", "findings"] {
        let strip = |v: &Value| -> Value {
            let mut v = v[k].clone();
            for x in v.as_array_mut().unwrap() {
                if let Some(o) = x.as_object_mut() {
                    o.remove("source");
                }
            }
            v
        };
        assert!(
            strip(&live) == strip(&offline),
            "{k} differ between --aws and --aws-evidence of the export"
        );
    }
}

#[test]
#[cfg_attr(not(nhi_ci), ignore = "needs moto (.ci/run starts it)")]
fn two_accounts_in_one_run() {
    let m = open_server();
    let (a, b) = (account(), account());
    for acct in [&a, &b] {
        let iam = client(&m, acct, None);
        rt().block_on(async {
            iam.create_role()
                .role_name("any")
                .assume_role_policy_document(trust(json!({"AWS": "*"}), None))
                .send()
                .await
                .unwrap();
        });
    }
    let (ra, rb) = (
        format!("arn:aws:iam::{a}:role/nhi-audit"),
        format!("arn:aws:iam::{b}:role/nhi-audit"),
    );
    // One account from nhi.yaml (with an external id), one from the command line.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("nhi.yaml");
    std::fs::write(&cfg, format!("aws:\n  accounts:\n    - role_arn: {ra}\n      external_id: audit-2027\n  concurrency: 2\n")).unwrap();
    let (r, v) = scan(
        &m,
        &[
            "--aws",
            "--config",
            cfg.to_str().unwrap(),
            "--aws-role-arn",
            &rb,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sources: Vec<&str> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let mut expected = vec![format!("aws:{a}"), format!("aws:{b}")];
    expected.sort();
    assert_eq!(sources, expected);
    for acct in [&a, &b] {
        assert!(
            rules_on(&v, &format!("aws:iam::{acct}:role/any"))
                .contains(&"trust-any-principal".to_string())
        );
    }
}

#[test]
#[cfg_attr(not(nhi_ci), ignore = "needs moto (.ci/run starts it)")]
fn an_account_with_no_users_and_the_current_credentials() {
    let m = open_server();
    let acct = account();
    // The scanner's own user: its keys put the scan in this account.
    let iam = client(&m, &acct, None);
    let (id, secret) = rt().block_on(async {
        iam.create_user().user_name("scanner").send().await.unwrap();
        let k = iam
            .create_access_key()
            .user_name("scanner")
            .send()
            .await
            .unwrap();
        let k = k.access_key().unwrap();
        (
            k.access_key_id().to_string(),
            k.secret_access_key().to_string(),
        )
    });
    let r = run(
        &m,
        &[
            "scan",
            "--aws",
            "-f",
            "json",
            "--as-of",
            AS_OF,
            "--fail-on",
            "never",
        ],
        &[("AWS_ACCESS_KEY_ID", id), ("AWS_SECRET_ACCESS_KEY", secret)],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["sources"][0]["id"], format!("aws:{acct}"));
    let names: Vec<&str> = v["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["scanner"]);
}

#[test]
#[cfg_attr(not(nhi_ci), ignore = "needs moto (.ci/run starts it)")]
fn denied_bulk_calls_fall_back_and_a_denied_role_is_partial() {
    let m = enforcing_server();
    let acct = account();
    let denied_acct = account();
    let admin = control(
        &m.control,
        "/bootstrap",
        json!({"account": acct, "user": "seed-admin"}),
    );
    let iam = client(
        &m,
        &acct,
        Some((
            admin["access_key_id"].as_str().unwrap(),
            admin["secret_access_key"].as_str().unwrap(),
        )),
    );
    let (id, secret) = rt().block_on(async {
        let policy = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": ["iam:GetAccountAuthorizationDetails", "iam:GenerateCredentialReport", "iam:GetCredentialReport"], "Resource": "*"},
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": format!("arn:aws:iam::{denied_acct}:role/*")},
        ]});
        iam.create_user().user_name("auditor").send().await.unwrap();
        iam.put_user_policy().user_name("auditor").policy_name("audit").policy_document(policy.to_string()).send().await.unwrap();
        let k = iam.create_access_key().user_name("auditor").send().await.unwrap();
        iam.create_user().user_name("ci-bot").send().await.unwrap();
        iam.create_access_key().user_name("ci-bot").send().await.unwrap();
        iam.attach_user_policy().user_name("ci-bot").policy_arn("arn:aws:iam::aws:policy/AdministratorAccess").send().await.unwrap();
        iam.create_role()
            .role_name("open-role")
            .assume_role_policy_document(trust(json!({"AWS": "*"}), None))
            .send()
            .await
            .unwrap();
        let k = k.access_key().unwrap();
        (k.access_key_id().to_string(), k.secret_access_key().to_string())
    });
    let role = format!("arn:aws:iam::{denied_acct}:role/nhi-audit");
    let r = run(
        &m,
        &[
            "scan",
            "--aws",
            "--aws-role-arn",
            &role,
            "-f",
            "json",
            "--as-of",
            AS_OF,
            "--fail-on",
            "never",
        ],
        &[
            ("AWS_ACCESS_KEY_ID", id),
            ("AWS_SECRET_ACCESS_KEY", secret),
            ("AWS_ENDPOINT_URL", m.url.clone()),
        ],
    );
    assert_eq!(r.code, 3, "one account failed: partial: {}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    // The readable account is fully reported through per-entity calls.
    assert!(
        rules_on(&v, "user/ci-bot").contains(&"admin-privilege".to_string()),
        "{}",
        v["coverage"]
    );
    assert!(rules_on(&v, "role/open-role").contains(&"trust-any-principal".to_string()));
    let cov: Vec<&Value> = v["coverage"].as_array().unwrap().iter().collect();
    let mine = cov
        .iter()
        .find(|c| c["source"] == format!("aws:{acct}"))
        .unwrap();
    let read = mine["read"].to_string();
    assert!(
        read.contains("GetAccountAuthorizationDetails denied") && read.contains("read per entity"),
        "{read}"
    );
    assert!(read.contains("credential report unavailable"), "{read}");
    let failed = cov.iter().find(|c| c["status"] == "failed").unwrap();
    assert!(failed["source"].as_str().unwrap().contains(&denied_acct));
    assert!(
        failed["gaps"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("AccessDenied"),
        "{failed}"
    );
    // Credentials came from per-user calls: the keys are there.
    assert!(
        v["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["identity"].as_str().unwrap().ends_with("user/ci-bot"))
    );
}

#[test]
#[cfg_attr(not(nhi_ci), ignore = "needs moto (.ci/run starts it)")]
fn a_credential_report_that_never_completes() {
    let m = open_server();
    let acct = account();
    let iam = client(&m, &acct, None);
    rt().block_on(async {
        iam.create_user().user_name("bot").send().await.unwrap();
        iam.create_access_key()
            .user_name("bot")
            .send()
            .await
            .unwrap();
    });
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("nhi.yaml");
    // moto answers STARTED to the first GenerateCredentialReport: no time to wait for it.
    std::fs::write(&cfg, "aws:\n  credential_report_wait_seconds: 0\n").unwrap();
    let role = format!("arn:aws:iam::{acct}:role/nhi-audit");
    let (r, v) = scan(
        &m,
        &["--aws-role-arn", &role, "--config", cfg.to_str().unwrap()],
    );
    assert_eq!(
        r.code, 3,
        "the root user's keys are unknown: partial: {}",
        r.stderr
    );
    let cov = v["coverage"][0].to_string();
    assert!(
        cov.contains("not ready within 0 s") && cov.contains("read per user"),
        "{cov}"
    );
    // The per-user fallback still found the key.
    assert!(
        v["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["identity"].as_str().unwrap().ends_with("user/bot"))
    );
}
