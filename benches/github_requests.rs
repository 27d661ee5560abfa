//! Requests the GitHub connector makes for an organisation of 500 repositories, on a loopback
//! server: on a first scan, and on a repeated scan with nothing changed (answered by 304s from
//! the ETag cache). `cargo bench --bench github_requests`; see benches/README.md.

use std::time::Instant;

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use nhi_audit::connector::ScanRequest;
use nhi_audit::connector::github::GithubSettings;
use nhi_audit::progress::Progress;

/// A JSON body with an ETag; a matching If-None-Match gets 304.
struct Etagged(Value, Option<String>);

impl Respond for Etagged {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body = self.0.to_string();
        let etag = format!("\"{}\"", body.len() ^ 0x5bd1e995);
        if req
            .headers
            .get("if-none-match")
            .and_then(|v| v.to_str().ok())
            == Some(etag.as_str())
        {
            return ResponseTemplate::new(304).insert_header("etag", etag.as_str());
        }
        let mut r = ResponseTemplate::new(200)
            .insert_header("etag", etag.as_str())
            .set_body_string(body);
        if let Some(l) = &self.1 {
            r = r.insert_header("link", l.as_str());
        }
        r
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let repos: usize = std::env::var("NHI_BENCH_REPOS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let server = MockServer::start().await;
    let base = server.uri();
    for (p, body) in [
        ("/orgs/bench/members", json!([{"login": "octocat"}])),
        ("/orgs/bench/outside_collaborators", json!([])),
        (
            "/orgs/bench/installations",
            json!({"total_count": 0, "installations": []}),
        ),
        ("/orgs/bench/personal-access-tokens", json!([])),
        ("/orgs/bench/personal-access-token-requests", json!([])),
        ("/orgs/bench/credential-authorizations", json!([])),
        (
            "/orgs/bench/actions/secrets",
            json!({"total_count": 0, "secrets": []}),
        ),
        (
            "/orgs/bench/dependabot/secrets",
            json!({"total_count": 0, "secrets": []}),
        ),
        (
            "/orgs/bench/codespaces/secrets",
            json!({"total_count": 0, "secrets": []}),
        ),
        ("/orgs/bench/hooks", json!([])),
        (
            "/orgs/bench/actions/runners",
            json!({"total_count": 0, "runners": []}),
        ),
        (
            "/orgs/bench/actions/oidc/customization/sub",
            json!({"include_claim_keys": ["repo"]}),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(Etagged(body, None))
            .mount(&server)
            .await;
    }
    // Repositories, 100 a page.
    let pages = repos.div_ceil(100);
    for page in 1..=pages {
        let list: Vec<Value> = ((page - 1) * 100..(page * 100).min(repos))
            .map(|i| json!({"name": format!("repo-{i:04}")}))
            .collect();
        let next = (page < pages).then(|| {
            format!(
                "<{base}/orgs/bench/repos?per_page=100&page={}>; rel=\"next\"",
                page + 1
            )
        });
        let m = Mock::given(method("GET")).and(path("/orgs/bench/repos"));
        let m = if page == 1 {
            m.respond_with(Etagged(json!(list), next)).with_priority(5)
        } else {
            m.and(query_param("page", page.to_string()))
                .respond_with(Etagged(json!(list), next))
                .with_priority(1)
        };
        m.mount(&server).await;
    }
    let per_repo: [(&str, Value); 6] = [
        (
            "keys",
            json!([{"id": 1, "title": "deploy", "read_only": true, "added_by": "octocat", "created_at": "2024-01-01T00:00:00Z"}]),
        ),
        (
            "actions/secrets",
            json!({"total_count": 1, "secrets": [{"name": "TOKEN", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}]}),
        ),
        (
            "dependabot/secrets",
            json!({"total_count": 0, "secrets": []}),
        ),
        (
            "environments",
            json!({"total_count": 0, "environments": []}),
        ),
        ("hooks", json!([])),
        (
            "actions/oidc/customization/sub",
            json!({"use_default": true}),
        ),
    ];
    for (suffix, body) in per_repo {
        Mock::given(method("GET"))
            .and(path_regex(format!(r"^/repos/bench/repo-\d+/{suffix}$")))
            .respond_with(Etagged(body, None))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path_regex(
            r"^/repos/bench/repo-\d+/contents/\.github/CODEOWNERS$",
        ))
        .respond_with(Etagged(
            json!({"content": "KiBAYmVuY2gvcGxhdGZvcm0K"}),
            None,
        ))
        .mount(&server)
        .await;

    let cache = tempfile::tempdir().expect("a temporary directory");
    let req = ScanRequest {
        github: Some(GithubSettings {
            orgs: vec!["bench".into()],
            api_url: base.clone(),
            concurrency: 8,
            max_requests: None,
            max_wait: std::time::Duration::from_secs(60),
            cache_dir: Some(cache.path().to_path_buf()),
            app: None,
            token: None,
        }),
        ..ScanRequest::default()
    };
    let org_calls = 12 + pages as u64;
    let mut rows = Vec::new();
    for run in ["first", "repeated"] {
        let t = Instant::now();
        let inv = nhi_audit::connector::discover(&req, &Progress::new(true))
            .await
            .expect("the scan runs");
        let took = t.elapsed();
        let read: Vec<Value> = inv.coverage[0]
            .read
            .iter()
            .map(|s| Value::String(s.clone()))
            .collect();
        let line = read
            .iter()
            .filter_map(Value::as_str)
            .find(|s| s.contains("answered from the cache"))
            .unwrap_or("")
            .to_string();
        let requests: u64 = line
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let cached: u64 = line
            .split("request(s), ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        rows.push((run, requests, cached, took, inv.identities.len()));
    }
    println!(
        "{:<9} {:>9} {:>11} {:>10} {:>11}",
        "scan", "requests", "304 cached", "wall (s)", "identities"
    );
    for (run, req, cached, took, ids) in &rows {
        println!(
            "{run:<9} {req:>9} {cached:>11} {:>10.2} {ids:>11}",
            took.as_secs_f64()
        );
    }
    let (first, second) = (&rows[0], &rows[1]);
    let per_repo = (first.1 - org_calls) as f64 / repos as f64;
    let hit = second.2 as f64 / second.1.max(1) as f64;
    println!(
        "first scan: {per_repo:.1} requests per repository plus {org_calls} org-level (target <= 8); repeated scan: {:.0}% answered by 304 (target >= 90%)",
        hit * 100.0
    );
    if per_repo > 8.0 || hit < 0.9 {
        println!("TARGET MISSED");
        std::process::exit(1);
    }
}
