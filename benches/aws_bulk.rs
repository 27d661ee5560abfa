//! The AWS connector's bulk path against its per-entity path, on moto.
//!
//! Seeds 2,000 users with an access key each and 500 roles in a fresh moto account, then reads
//! the account both ways and prints requests made and wall time. Needs a moto server
//! (tests/moto/server.py, as .ci/run starts it): `NHI_MOTO_URL=http://127.0.0.1:PORT cargo bench
//! --bench aws_bulk`. Sizes: NHI_BENCH_USERS, NHI_BENCH_ROLES. See benches/README.md.

use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use futures_util::StreamExt;
use nhi_audit::connector::aws::live::{AwsSettings, AwsTarget, collect};
use nhi_audit::progress::Line;

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Ok(url) = std::env::var("NHI_MOTO_URL") else {
        eprintln!("aws_bulk: set NHI_MOTO_URL to a running moto server (see benches/README.md)");
        return;
    };
    // Benchmarks reach moto the way users reach AWS: the standard variables.
    unsafe {
        std::env::set_var("AWS_ENDPOINT_URL", &url);
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::set_var("AWS_REGION", "us-east-1");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
    let (users, roles) = (size("NHI_BENCH_USERS", 2000), size("NHI_BENCH_ROLES", 500));
    let acct = format!("{:012}", 300_000_000_000u64 + u64::from(std::process::id()));
    let role_arn = format!("arn:aws:iam::{acct}:role/nhi-audit");

    let base = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let seed = aws_config::sts::AssumeRoleProvider::builder(&role_arn)
        .session_name("seed")
        .configure(&base)
        .build()
        .await;
    let iam = aws_sdk_iam::Client::new(
        &base
            .to_builder()
            .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(seed))
            .build(),
    );
    let t = Instant::now();
    futures_util::stream::iter(0..users)
        .map(|i| {
            let iam = iam.clone();
            async move {
                let name = format!("bench-user-{i:05}");
                iam.create_user()
                    .user_name(&name)
                    .send()
                    .await
                    .expect("create user");
                iam.create_access_key()
                    .user_name(&name)
                    .send()
                    .await
                    .expect("create key");
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    futures_util::stream::iter(0..roles)
        .map(|i| {
            let iam = iam.clone();
            async move {
                iam.create_role()
                    .role_name(format!("bench-role-{i:05}"))
                    .assume_role_policy_document(trust)
                    .send()
                    .await
                    .expect("create role");
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    println!(
        "seeded {users} users with keys and {roles} roles in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let settings = |per_entity| AwsSettings {
        targets: vec![AwsTarget {
            role_arn: role_arn.clone(),
            ..Default::default()
        }],
        per_entity,
        entity_concurrency: 8,
        account_timeout: Duration::from_secs(3600),
        ..AwsSettings::default()
    };
    let mut rows = Vec::new();
    for (name, per_entity) in [("bulk", false), ("per-entity", true)] {
        let t = Instant::now();
        let (accounts, failures) = collect(&settings(per_entity), &Line::default()).await;
        let took = t.elapsed();
        assert!(failures.is_empty(), "{failures:?}");
        let a = &accounts[0];
        let pages = a
            .files
            .iter()
            .find(|f| f.name == "authorization-details.json")
            .map_or(0, |f| f.content.matches("\"IsTruncated\"").count());
        rows.push((name, a.requests, pages, took));
    }
    println!(
        "{:<12} {:>9} {:>6} {:>10}",
        "path", "requests", "pages", "wall (s)"
    );
    for (name, req, pages, took) in &rows {
        println!(
            "{name:<12} {req:>9} {pages:>6} {:>10.2}",
            took.as_secs_f64()
        );
    }
    let (bulk, per) = (&rows[0], &rows[1]);
    // GetCallerIdentity + ListAccountAliases + pages + GenerateCredentialReport (polled) + GetCredentialReport.
    let budget = bulk.2 as u64 + 5 + 2;
    let speedup = per.3.as_secs_f64() / bulk.3.as_secs_f64();
    println!(
        "bulk requests {} (target <= pages + report calls + 5 = {budget}); per-entity/bulk wall time {speedup:.1}x (target >= 10x)",
        bulk.1
    );
    if bulk.1 > budget || speedup < 10.0 {
        println!("TARGET MISSED");
        std::process::exit(1);
    }
}
