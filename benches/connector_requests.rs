//! Requests and wall time of a declarative connector fanning out over 1,000 users on a
//! loopback server that answers each per-user request after 20 ms, at fan-out concurrency 1, 4
//! and 16: the request count must not depend on concurrency, and the wall time must fall with
//! it. `cargo bench --bench connector_requests`; see benches/README.md.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use nhi_audit::connector::declarative::run::run;
use nhi_audit::connector::declarative::{Manifest, Selected};
use nhi_audit::progress::Progress;

fn manifest(concurrency: usize) -> Manifest {
    let yaml = format!(
        r#"id: bench
name: Bench
description: fan-out benchmark
inputs:
  base_url: {{ type: url, required: true, description: root }}
account: bench
auth: {{ type: bearer, token: bench-token }}
requests:
  base_url: "{{{{ config.base_url }}}}"
streams:
  - name: users
    path: /users
    records: users
    paginate: {{ type: cursor, path: next, param: cursor }}
  - name: tokens
    parent: users
    concurrency: {concurrency}
    path: "/users/{{{{ parent.id }}}}/tokens"
    records: items
    emit:
      - kind: oauth-grant
        id: "{{{{ parent.id }}}}:{{{{ record.clientId }}}}"
        name: "{{{{ record.displayText }}}}"
        scopes: "{{{{ record.scopes }}}}"
"#
    );
    Manifest::parse(&yaml, "bench.yaml").expect("the bench manifest parses")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let users: usize = std::env::var("NHI_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let server = MockServer::start().await;
    let per_page = 500;
    Mock::given(method("GET"))
        .and(path("/users"))
        .respond_with(move |req: &Request| {
            let start: usize = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "cursor")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let end = (start + per_page).min(users);
            let page: Vec<Value> = (start..end)
                .map(|i| json!({"id": format!("u{i}")}))
                .collect();
            let next = if end < users {
                end.to_string()
            } else {
                String::new()
            };
            ResponseTemplate::new(200).set_body_json(json!({"users": page, "next": next}))
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(|_: &Request| {
            ResponseTemplate::new(200)
                .set_delay(Duration::from_millis(20))
                .set_body_json(json!({"items": [
                    {"clientId": "c1", "displayText": "App one", "scopes": ["openid"]},
                    {"clientId": "c2", "displayText": "App two", "scopes": ["email"]}
                ]}))
        })
        .mount(&server)
        .await;
    println!("concurrency  requests  identities  wall (s)");
    for c in [1usize, 4, 16] {
        let given = BTreeMap::from([("base_url".to_string(), Value::String(server.uri()))]);
        let sel = Selected::resolve(manifest(c), &given, "bench").expect("inputs resolve");
        let progress = Progress::new(true);
        let line = progress.source("bench");
        let t = Instant::now();
        let out = run(&sel, &line).await.expect("the run succeeds");
        println!(
            "{c:>11}  {:>8}  {:>10}  {:>8.2}",
            out.requests,
            out.inventory.identities.len(),
            t.elapsed().as_secs_f64()
        );
    }
    println!(
        "expected: {} requests ({} user pages + {users} per-user requests) at every concurrency",
        users.div_ceil(per_page) + users,
        users.div_ceil(per_page)
    );
}
