//! Declarative SaaS connectors: the engine feature by feature against loopback servers
//! (wiremock), every built-in manifest against its recorded examples, a user-written manifest
//! loaded from a file, and the scan pipeline with the rules on connector data.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use nhi_audit::connector::declarative::run::{RunOutput, run};
use nhi_audit::connector::declarative::{Manifest, Selected};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::util::*;

pub(crate) fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A manifest around one stream, with the given auth block (YAML) and inputs.
fn manifest(auth: &str, stream: &str) -> Manifest {
    let yaml = format!(
        r#"id: test
name: Test
description: engine test
inputs:
  base_url: {{ type: url, required: true, description: root }}
  token_url: {{ type: url, default: "{{{{ config.base_url }}}}/token", description: token endpoint }}
  secret: {{ type: string, secret: true, description: a secret }}
  key: {{ type: string, secret: true, description: a PEM key }}
account: test
{auth}
requests:
  base_url: "{{{{ config.base_url }}}}"
  retry: {{ max_attempts: 3, backoff_ms: 10, max_wait_seconds: 5 }}
  error_when: {{ path: ok, equals: false, message: error, skip: [missing_scope], retry: [ratelimited] }}
streams:
{stream}
"#
    );
    Manifest::parse(&yaml, "test.yaml").unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

const EMIT: &str = r#"    emit:
      - kind: access-token
        id: "{{ record.id }}"
        name: "{{ record.name }}""#;

fn go(rt: &tokio::runtime::Runtime, m: Manifest, inputs: Value) -> RunOutput {
    let given: BTreeMap<String, Value> = serde_json::from_value(inputs).unwrap();
    let sel = Selected::resolve(m, &given, "test").unwrap();
    let progress = nhi_audit::progress::Progress::new(true);
    let line = progress.source("test");
    rt.block_on(run(&sel, &line))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn names(out: &RunOutput) -> Vec<String> {
    out.inventory
        .identities
        .iter()
        .map(|i| i.name.clone())
        .collect()
}

fn gaps(out: &RunOutput) -> Vec<String> {
    out.inventory.coverage[0]
        .gaps
        .iter()
        .map(|g| format!("{}: {}", g.what, g.reason))
        .collect()
}

fn page(items: &[(u32, &str)]) -> Vec<Value> {
    items
        .iter()
        .map(|(id, n)| json!({"id": id, "name": n}))
        .collect()
}

#[test]
fn paginates_by_next_url_in_the_body() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    let uri = server.uri();
    rt.block_on(async {
        Mock::given(path("/items"))
            .and(query_param("skiptoken", "2"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"value": page(&[(3, "c")])})),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/items"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "value": page(&[(1, "a"), (2, "b")]),
                "@odata.nextLink": format!("{uri}/items?skiptoken=2")
            })))
            .mount(&server)
            .await;
    });
    let m = manifest(
        "",
        &format!(
            "  - name: items\n    path: /items\n    records: value\n    paginate: {{ type: next-url, path: \"['@odata.nextLink']\" }}\n{EMIT}"
        ),
    );
    let out = go(&rt, m, json!({"base_url": uri}));
    assert_eq!(names(&out), ["a", "b", "c"]);
    assert_eq!(out.requests, 2);
}

#[test]
fn a_next_url_on_another_host_is_not_followed() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(path("/items"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "value": page(&[(1, "a")]),
                "next": "https://attacker.example/steal"
            })))
            .mount(&server),
    );
    let m = manifest(
        "auth: { type: bearer, token: \"{{ config.secret }}\" }",
        &format!(
            "  - name: items\n    path: /items\n    records: value\n    paginate: {{ type: next-url, path: next }}\n{EMIT}"
        ),
    );
    let out = go(
        &rt,
        m,
        json!({"base_url": server.uri(), "secret": "s3cret-token-value"}),
    );
    assert!(gaps(&out)[0].contains("another host"), "{:?}", gaps(&out));
    assert_eq!(out.requests, 1);
}

#[test]
fn paginates_by_cursor_into_a_parameter() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    rt.block_on(async {
        Mock::given(path("/list"))
            .and(query_param("cursor", "c2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "ok": true, "items": page(&[(2, "b")]), "response_metadata": {"next_cursor": ""}
            })))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/list"))
            .and(query_param("limit", "1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "ok": true, "items": page(&[(1, "a")]), "response_metadata": {"next_cursor": "c2"}
            })))
            .mount(&server)
            .await;
    });
    let m = manifest(
        "",
        &format!(
            "  - name: list\n    path: /list\n    query: {{ limit: \"1\" }}\n    records: items\n    paginate: {{ type: cursor, path: response_metadata.next_cursor, param: cursor }}\n{EMIT}"
        ),
    );
    let out = go(&rt, m, json!({"base_url": server.uri()}));
    assert_eq!(names(&out), ["a", "b"]);
    // The second request kept the stream's own parameters.
    let reqs = rt.block_on(server.received_requests()).unwrap();
    assert!(reqs[1].url.query().unwrap().contains("limit=1"));
}

#[test]
fn paginates_by_link_header() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    let uri = server.uri();
    rt.block_on(async {
        Mock::given(path("/tokens"))
            .and(query_param("after", "x"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(page(&[(2, "b")]))))
            .with_priority(1)
            .mount(&server)
            .await;
        // Okta sends `self` and `next` as two separate headers.
        Mock::given(path("/tokens"))
            .respond_with(
                ResponseTemplate::new(200)
                    .append_header("link", format!("<{uri}/tokens>; rel=\"self\""))
                    .append_header("link", format!("<{uri}/tokens?after=x>; rel=\"next\""))
                    .set_body_json(json!(page(&[(1, "a")]))),
            )
            .mount(&server)
            .await;
    });
    let m = manifest(
        "",
        &format!(
            "  - name: tokens\n    path: /tokens\n    paginate: {{ type: link-header }}\n{EMIT}"
        ),
    );
    let out = go(&rt, m, json!({"base_url": uri}));
    assert_eq!(names(&out), ["a", "b"]);
}

#[test]
fn paginates_by_page_number_and_by_offset() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    rt.block_on(async {
        for (p, items) in [
            ("1", page(&[(1, "a"), (2, "b")])),
            ("2", page(&[(3, "c")])),
            ("3", page(&[])),
        ] {
            Mock::given(path("/p"))
                .and(query_param("page", p))
                .and(query_param("per_page", "2"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!(items)))
                .mount(&server)
                .await;
        }
        for (o, items) in [
            ("0", page(&[(1, "a"), (2, "b")])),
            ("2", page(&[(3, "c"), (4, "d")])),
            ("4", page(&[])),
        ] {
            Mock::given(path("/o"))
                .and(query_param("offset", o))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"rows": items})))
                .mount(&server)
                .await;
        }
    });
    let m = manifest(
        "",
        &format!(
            "  - name: p\n    path: /p\n    paginate: {{ type: page, param: page, page_size: 2, size_param: per_page }}\n{EMIT}\n  - name: o\n    path: /o\n    records: rows\n    paginate: {{ type: offset, param: offset, page_size: 2 }}\n{}",
            EMIT.replace("access-token", "oauth-grant")
        ),
    );
    let out = go(&rt, m, json!({"base_url": server.uri()}));
    let n = names(&out);
    assert_eq!(n.len(), 7, "{n:?}");
    // An empty page ends both (a server may cap the page size below the one asked for).
    assert_eq!(out.requests, 6);
    assert!(gaps(&out).is_empty(), "{:?}", gaps(&out));
}

#[test]
fn fans_out_over_a_parent_stream_and_skips_a_denied_partition() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    rt.block_on(async {
        Mock::given(path("/users"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(
                (1..=6).map(|i| json!({"id": format!("u{i}")})).collect::<Vec<_>>()
            )))
            .mount(&server)
            .await;
        Mock::given(path("/users/u3/tokens"))
            .respond_with(
                ResponseTemplate::new(404).set_body_json(json!({"message": "no licence"})),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(|req: &Request| {
                let user = req
                    .url
                    .path()
                    .split('/')
                    .nth(2)
                    .unwrap_or_default()
                    .to_string();
                ResponseTemplate::new(200)
                    .set_delay(Duration::from_millis(50))
                    .set_body_json(
                        json!([{"id": format!("{user}-t"), "name": format!("{user} token")}]),
                    )
            })
            .mount(&server)
            .await;
    });
    let m = manifest(
        "",
        &format!(
            "  - name: users\n    path: /users\n  - name: tokens\n    parent: users\n    concurrency: 3\n    skip_on: [404]\n    rules_affected: [owner-missing]\n    path: \"/users/{{{{ parent.id }}}}/tokens\"\n{EMIT}"
        ),
    );
    let out = go(&rt, m, json!({"base_url": server.uri()}));
    // Records keep the parents' order whatever order the answers came in.
    assert_eq!(
        names(&out),
        ["u1 token", "u2 token", "u4 token", "u5 token", "u6 token"]
    );
    let g = gaps(&out);
    assert_eq!(g.len(), 1);
    assert!(
        g[0].contains("1 partition(s): /users/u3/tokens")
            && g[0].contains("skipped: HTTP 404: no licence"),
        "{g:?}"
    );
    assert_eq!(
        out.inventory.coverage[0].gaps[0].rules_affected,
        ["owner-missing"]
    );
}

/// A loopback server that answers after a pause and records how many requests it held at
/// once: fan-out is concurrent, and never more than the stream's `concurrency`.
#[test]
fn fan_out_concurrency_is_bounded() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = rt();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let now = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let (n2, m2) = (now.clone(), max.clone());
    rt.spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (now, max) = (n2.clone(), m2.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
                let body = if path == "/users" {
                    json!((1..=8).map(|i| json!({"id": i})).collect::<Vec<_>>())
                } else {
                    let held = now.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(held, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(60)).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    json!([{"id": path, "name": path}])
                }
                .to_string();
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    let m = manifest(
        "",
        &format!(
            "  - name: users\n    path: /users\n  - name: tokens\n    parent: users\n    concurrency: 3\n    path: \"/users/{{{{ parent.id }}}}/tokens\"\n{EMIT}"
        ),
    );
    let out = go(
        &rt,
        m,
        json!({"base_url": format!("http://127.0.0.1:{port}")}),
    );
    assert_eq!(out.inventory.identities.len(), 8);
    let max = max.load(Ordering::SeqCst);
    assert!(
        (2..=3).contains(&max),
        "at most 3 in flight, and more than one: {max}"
    );
}

#[test]
fn retries_429_with_retry_after_and_5xx_with_backoff() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    rt.block_on(async {
        Mock::given(path("/a"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/a"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(page(&[(1, "a")]))))
            .mount(&server)
            .await;
        // An HTTP date in the past: retry at once.
        Mock::given(path("/b"))
            .respond_with(
                ResponseTemplate::new(503)
                    .insert_header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/b"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(page(&[(2, "b")]))))
            .mount(&server)
            .await;
        Mock::given(path("/c"))
            .respond_with(ResponseTemplate::new(500).set_body_json(json!({"message": "boom"})))
            .mount(&server)
            .await;
    });
    let m = manifest(
        "",
        &format!(
            "  - name: a\n    path: /a\n{EMIT}\n  - name: b\n    path: /b\n{}\n  - name: c\n    path: /c\n{}",
            EMIT.replace("access-token", "app"),
            EMIT.replace("access-token", "oauth-grant")
        ),
    );
    let started = Instant::now();
    let out = go(&rt, m, json!({"base_url": server.uri()}));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(names(&out), ["a", "b"]);
    assert_eq!(out.retries, 4);
    let g = gaps(&out);
    assert!(
        g[0].contains("stream c") && g[0].contains("HTTP 500: boom (gave up after 3 attempts)"),
        "{g:?}"
    );
    assert_eq!(out.requests, 7);
}

#[test]
fn an_error_body_in_a_200_answer_is_retried_or_skipped() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    rt.block_on(async {
        Mock::given(path("/x"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"ok": false, "error": "ratelimited"})),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/x"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"ok": true, "items": page(&[(1, "a")])})),
            )
            .mount(&server)
            .await;
        Mock::given(path("/y"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"ok": false, "error": "missing_scope"})),
            )
            .mount(&server)
            .await;
        Mock::given(path("/z"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"ok": false, "error": "invalid_auth"})),
            )
            .mount(&server)
            .await;
    });
    let m = manifest(
        "",
        &format!(
            "  - name: x\n    path: /x\n    records: items\n{EMIT}\n  - name: y\n    path: /y\n    records: items\n  - name: z\n    path: /z\n    records: items"
        ),
    );
    let out = go(&rt, m, json!({"base_url": server.uri()}));
    assert_eq!(names(&out), ["a"]);
    let g = gaps(&out);
    assert!(
        g[0].contains("stream y") && g[0].contains("skipped: missing_scope"),
        "{g:?}"
    );
    assert!(
        g[1].contains("stream z")
            && g[1].contains("failed: the provider answered an error: invalid_auth"),
        "{g:?}"
    );
}

#[test]
fn static_credentials_bearer_and_prefixed_api_key() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    rt.block_on(async {
        Mock::given(path("/b"))
            .and(header("authorization", "Bearer tok-123456"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(page(&[(1, "a")]))))
            .mount(&server)
            .await;
        Mock::given(path("/k"))
            .and(header("authorization", "SSWS tok-123456"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(page(&[(1, "a")]))))
            .mount(&server)
            .await;
    });
    let uri = server.uri();
    let out = go(
        &rt,
        manifest(
            "auth: { type: bearer, token: \"{{ config.secret }}\" }",
            &format!("  - name: b\n    path: /b\n{EMIT}"),
        ),
        json!({"base_url": uri, "secret": "tok-123456"}),
    );
    assert_eq!(names(&out), ["a"]);
    let out = go(
        &rt,
        manifest(
            "auth: { type: api-key, header: Authorization, prefix: \"SSWS \", value: \"{{ config.secret }}\" }",
            &format!("  - name: k\n    path: /k\n{EMIT}"),
        ),
        json!({"base_url": uri, "secret": "tok-123456"}),
    );
    assert_eq!(names(&out), ["a"]);
}

/// Runs `nhi scan --connector SPEC` from a scratch directory with this nhi.yaml, as JSON at
/// the fixed clock; the report is null when the run printed none.
pub(crate) fn scan_connector(spec: &str, config: &str, env: &[(&str, &str)]) -> (Run, Value) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("nhi.yaml");
    std::fs::write(&cfg, config).unwrap();
    let r = nhi_with(
        dir.path(),
        &[
            "scan",
            "--connector",
            spec,
            "--config",
            cfg.to_str().unwrap(),
            "-f",
            "json",
            "--as-of",
            "2026-11-15",
            "--fail-on",
            "never",
        ],
        env,
    );
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r, v)
}

fn form(req: &Request) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(&req.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn verify_jwt(token: &str) -> Value {
    let pem =
        std::fs::read(root().join("tests/fixtures/connectors/example-rsa-key.pub.pem")).unwrap();
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(&pem).unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.validate_aud = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, &key, &v)
        .expect("a valid RS256 signature")
        .claims
}

fn token_server(rt: &tokio::runtime::Runtime, expires_in: u64) -> MockServer {
    let server = rt.block_on(MockServer::start());
    rt.block_on(async {
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(move |req: &Request| {
                let f = form(req);
                let n = f.len();
                ResponseTemplate::new(200).set_body_json(json!({
                    "access_token": format!("issued-{n}-{}", f["grant_type"].len()),
                    "token_type": "Bearer",
                    "expires_in": expires_in
                }))
            })
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(header("authorization", "Bearer issued-4-18"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(page(&[(1, "a")]))))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(header("authorization", "Bearer issued-5-18"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(page(&[(1, "a")]))))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(header("authorization", "Bearer issued-2-43"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(page(&[(1, "a")]))))
            .mount(&server)
            .await;
    });
    server
}

fn posts(rt: &tokio::runtime::Runtime, server: &MockServer) -> Vec<Request> {
    rt.block_on(server.received_requests())
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .collect()
}

const THREE: &str = "  - name: a\n    path: /a\n  - name: b\n    path: /b\n  - name: c\n    path: /c\n    emit:\n      - { kind: app, id: \"{{ record.id }}\", name: \"{{ record.name }}\" }";

#[test]
fn oauth2_client_credentials_with_a_secret_fetches_one_token() {
    let rt = rt();
    let server = token_server(&rt, 3600);
    let m = manifest(
        "auth: { type: oauth2-client-credentials, token_url: \"{{ config.token_url }}\", client_id: my-client, client_secret: \"{{ config.secret }}\", scope: \"https://graph.example/.default\" }",
        THREE,
    );
    let out = go(
        &rt,
        m,
        json!({"base_url": server.uri(), "secret": "client-secret-value"}),
    );
    assert_eq!(names(&out), ["a"]);
    assert!(gaps(&out).is_empty(), "{:?}", gaps(&out));
    let p = posts(&rt, &server);
    assert_eq!(p.len(), 1, "the token is cached for its lifetime");
    let f = form(&p[0]);
    assert_eq!(f["grant_type"], "client_credentials");
    assert_eq!(f["client_id"], "my-client");
    assert_eq!(f["client_secret"], "client-secret-value");
    assert_eq!(f["scope"], "https://graph.example/.default");
}

#[test]
fn oauth2_client_credentials_with_a_signed_assertion() {
    let rt = rt();
    let server = token_server(&rt, 3600);
    let key = std::fs::read_to_string(root().join("data/example-rsa-key.pem")).unwrap();
    let m = manifest(
        "auth: { type: oauth2-client-credentials, token_url: \"{{ config.token_url }}\", client_id: my-client, private_key: \"{{ config.key }}\", thumbprint: abc, scope: s }",
        THREE,
    );
    let out = go(&rt, m, json!({"base_url": server.uri(), "key": key}));
    assert_eq!(names(&out), ["a"]);
    let p = posts(&rt, &server);
    assert_eq!(p.len(), 1);
    let f = form(&p[0]);
    assert!(!f.contains_key("client_secret"));
    assert_eq!(
        f["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    let claims = verify_jwt(&f["client_assertion"]);
    assert_eq!(claims["iss"], "my-client");
    assert_eq!(claims["sub"], "my-client");
    assert_eq!(claims["aud"], format!("{}/token", server.uri()));
    let header = jsonwebtoken::decode_header(&f["client_assertion"]).unwrap();
    assert_eq!(header.x5t.as_deref(), Some("abc"));
}

#[test]
fn jwt_bearer_grant_impersonates_a_subject_and_refreshes_before_expiry() {
    let rt = rt();
    let server = token_server(&rt, 1);
    let key = std::fs::read_to_string(root().join("data/example-rsa-key.pem")).unwrap();
    let m = manifest(
        "auth: { type: jwt-bearer, token_url: \"{{ config.token_url }}\", issuer: sa@example.iam.gserviceaccount.com, subject: admin@example.com, private_key: \"{{ config.key }}\", key_id: k1, scope: \"a b\" }",
        "  - name: a\n    path: /a\n  - name: b\n    path: /b\n    when: \"{{ config.base_url | len | eq(0) | not }}\"\n    emit:\n      - { kind: app, id: \"{{ record.id }}\", name: \"{{ record.name }}\" }",
    );
    let out = go(
        &rt,
        m.clone(),
        json!({"base_url": server.uri(), "key": key}),
    );
    assert_eq!(names(&out), ["a"]);
    let p = posts(&rt, &server);
    let f = form(&p[0]);
    assert_eq!(
        f["grant_type"],
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    let claims = verify_jwt(&f["assertion"]);
    assert_eq!(claims["iss"], "sa@example.iam.gserviceaccount.com");
    assert_eq!(claims["sub"], "admin@example.com");
    assert_eq!(claims["scope"], "a b");
    assert_eq!(
        jsonwebtoken::decode_header(&f["assertion"])
            .unwrap()
            .kid
            .as_deref(),
        Some("k1")
    );
    // A one-second token is refreshed halfway through its life.
    let before = p.len();
    std::thread::sleep(Duration::from_millis(600));
    let _ = go(&rt, m, json!({"base_url": server.uri(), "key": key}));
    assert!(posts(&rt, &server).len() > before);
}

#[test]
fn an_expired_token_is_refreshed_once_on_401() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    rt.block_on(async {
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"access_token": "t-1234", "expires_in": 3600})),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(401))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(page(&[(1, "a")]))))
            .mount(&server)
            .await;
    });
    let m = manifest(
        "auth: { type: oauth2-client-credentials, token_url: \"{{ config.token_url }}\", client_id: c, client_secret: \"{{ config.secret }}\" }",
        &format!("  - name: a\n    path: /a\n{EMIT}"),
    );
    let out = go(&rt, m, json!({"base_url": server.uri(), "secret": "sssss"}));
    assert_eq!(names(&out), ["a"]);
    // One token at the start, a second after the 401.
    assert_eq!(posts(&rt, &server).len(), 2);
}

#[test]
fn a_secret_never_reaches_an_error_or_the_report() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    let secret = "very-secret-client-value-42";
    rt.block_on(
        // A token endpoint that echoes what it was sent (some do, in error descriptions).
        Mock::given(method("POST"))
            .respond_with(|req: &Request| {
                ResponseTemplate::new(400).set_body_json(json!({
                    "error": "invalid_client",
                    "error_description": format!("bad client: {}", String::from_utf8_lossy(&req.body))
                }))
            })
            .mount(&server),
    );
    let (r, report) = scan_connector(
        "entra-id",
        &format!(
            "connectors:\n  entra-id:\n    tenant_id: t1\n    client_id: c1\n    client_secret: \"${{env:TEST_ENTRA_SECRET}}\"\n    base_url: {u}\n    token_url: {u}/token\n",
            u = server.uri()
        ),
        &[("TEST_ENTRA_SECRET", secret)],
    );
    assert_eq!(r.code, 3, "{r:?}");
    let cov = report["coverage"].to_string();
    assert!(
        cov.contains("authentication failed") && cov.contains("invalid_client"),
        "{cov}"
    );
    assert_eq!(report["coverage"][0]["source"], "entra-id");
    assert!(cov.contains("***"), "{cov}");
    for out in [&r.stdout, &r.stderr] {
        assert!(
            !out.contains(secret) && !out.contains("very-secret"),
            "secret leaked: {out}"
        );
    }
}

#[test]
fn credentials_are_not_sent_in_clear_over_a_network() {
    let (r, _) = scan_connector(
        "gitlab",
        "connectors:\n  gitlab:\n    group: g\n    token: t\n    base_url: http://gitlab.example.com/api/v4\n",
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("uses http: credentials would cross the network in clear"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_missing_required_input_or_unknown_input_is_a_usage_error() {
    let (r, _) = scan_connector("okta", "connectors:\n  okta:\n    token: t\n", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("input `domain` is required")
            && r.stderr.contains("connectors.okta.domain"),
        "{}",
        r.stderr
    );
    let (r, _) = scan_connector(
        "okta",
        "connectors:\n  okta:\n    domain: d\n    tokn: t\n",
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("nhi.yaml:4:11: connector okta has no input `tokn`"),
        "{}",
        r.stderr
    );
    // A value of the wrong type, named by its position.
    let (r, _) = scan_connector(
        "gitlab",
        "connectors:\n  gitlab:\n    group: g\n    token: t\n    personal_access_tokens: maybe\n",
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("nhi.yaml:5:29: connectors.gitlab.personal_access_tokens: expected true or false, got `maybe`"),
        "{}",
        r.stderr
    );
    let (r, _) = scan_connector("no-such-thing", "", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no such connector or file") && r.stderr.contains("entra-id"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_manifest_names_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let good =
        std::fs::read_to_string(root().join("tests/fixtures/connectors/acme-vault.yaml")).unwrap();
    let cases = [
        // An unknown field.
        (
            "    skip_on: [404]\n",
            "    skip_on: [404]\n    retries: 3\n",
            "unknown field `retries`",
            "retries",
        ),
        // A bad template.
        (
            "name: \"{{ record.name }}\"",
            "name: \"{{ record.name | nosuch }}\"",
            "unknown filter `nosuch`",
            "nosuch",
        ),
        // An input that is not declared.
        (
            "\"/orgs/{{ config.org | urlencode }}/projects\"",
            "\"/orgs/{{ config.organisation }}/projects\"",
            "unknown input `organisation`",
            "config.organisation",
        ),
        // A secret outside auth.
        (
            "\"/orgs/{{ config.org | urlencode }}/projects\"",
            "\"/orgs/{{ config.api_key }}/projects\"",
            "input `api_key` is a secret",
            "config.api_key }}/",
        ),
        // A rule code that does not exist.
        (
            "    skip_on: [404]\n",
            "    skip_on: [404]\n    rules_affected: [owner-missing, credential-unrotaed]\n",
            "`credential-unrotaed` in rules_affected is not a rule code",
            "credential-unrotaed",
        ),
        // A parent declared after its child.
        (
            "    parent: projects\n",
            "    parent: nowhere\n",
            "parent stream `nowhere` must be declared before",
            "nowhere",
        ),
    ];
    for (from, to, msg, marker) in cases {
        assert!(good.contains(from), "{from}");
        let text = good.replacen(from, to, 1);
        let line = 1 + text[..text.find(marker).unwrap()].matches('\n').count();
        let bad = dir.path().join("bad.yaml");
        std::fs::write(&bad, &text).unwrap();
        let r = nhi_in(dir.path(), &["connectors", "check", "bad.yaml"]);
        assert_eq!(r.code, 2, "{r:?}");
        assert!(r.stderr.contains(msg), "{msg}: {}", r.stderr);
        let prefix = format!("bad.yaml:{line}:");
        assert!(r.stderr.contains(&prefix), "{prefix}: {}", r.stderr);
        assert!(r.stderr.lines().count() == 1, "{}", r.stderr);
    }
}

#[test]
fn every_built_in_manifest_yields_its_expected_identities_from_its_recorded_examples() {
    let r = nhi(&["connectors", "check"]);
    assert_eq!(r.code, 0, "{r:?}");
    for id in ["entra-id", "google-workspace", "slack", "okta", "gitlab"] {
        assert!(
            r.stdout
                .contains(&format!("ok    {id} (connectors/{id}.yaml)")),
            "{id}: {}",
            r.stdout
        );
    }
    // Two records or more were split over two pages, in each manifest's own style.
    for paged in ["applications", "users", "api_tokens", "group_access_tokens"] {
        assert!(r.stdout.contains(paged), "{paged}: {}", r.stdout);
    }
}

#[test]
fn a_check_fails_when_an_example_does_not_yield_what_it_expects() {
    let dir = tempfile::tempdir().unwrap();
    let good =
        std::fs::read_to_string(root().join("tests/fixtures/connectors/acme-vault.yaml")).unwrap();
    let bad = dir.path().join("acme.yaml");
    std::fs::write(
        &bad,
        good.replacen(
            "owner: alice@acme.example",
            "owner: mallory@acme.example",
            1,
        ),
    )
    .unwrap();
    let r = nhi_in(dir.path(), &["connectors", "check", "acme.yaml"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout
            .contains("owner is `alice@acme.example`, expected `mallory@acme.example`"),
        "{}",
        r.stdout
    );
}

#[test]
fn connectors_list_shows_streams_auth_and_inputs() {
    let r = nhi(&[
        "connectors",
        "list",
        "tests/fixtures/connectors/acme-vault.yaml",
    ]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("entra-id  Microsoft Entra ID"));
    assert!(r.stdout.contains("auth: oauth2-client-credentials"));
    assert!(r.stdout.contains("tokens (per users)"));
    assert!(
        r.stdout
            .contains("acme-vault  Acme Vault  (tests/fixtures/connectors/acme-vault.yaml)")
    );
    assert!(r.stdout.contains("api_key (secret)"));
}

/// Serves a manifest's recorded examples (one answer per stream path, the token response on
/// POST) so `nhi scan` runs the whole pipeline on them.
pub(crate) fn serve_examples(
    rt: &tokio::runtime::Runtime,
    m: &Manifest,
    prefix: &str,
) -> MockServer {
    let server = rt.block_on(MockServer::start());
    let ex = m.examples.clone().unwrap();
    rt.block_on(async {
        if let Some(t) = &ex.token {
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(200).set_body_json(t.body.clone()))
                .mount(&server)
                .await;
        }
        for r in &ex.responses {
            let s = m.stream(&r.stream.as_ref().unwrap().value).unwrap();
            let re = format!("^{prefix}{}$", s.path.pattern());
            // Numbered pages after the first are empty (the recorded answer is one page).
            let page_param = s
                .paginate
                .as_ref()
                .filter(|p| {
                    p.kind.value == nhi_audit::connector::declarative::manifest::PageKind::Page
                })
                .and_then(|p| p.param.clone());
            let records = s
                .records
                .as_ref()
                .map(|r| r.value.clone())
                .unwrap_or_default();
            let body = r.body.clone();
            Mock::given(method("GET"))
                .and(wiremock::matchers::path_regex(re))
                .respond_with(move |req: &Request| {
                    let later = page_param.as_ref().is_some_and(|p| {
                        req.url
                            .query_pairs()
                            .any(|(k, v)| k == p.as_str() && v != "1")
                    });
                    let mut b = body.clone();
                    if later {
                        if records.is_empty() {
                            b = json!([]);
                        } else {
                            b[records.as_str()] = json!([]);
                        }
                    }
                    ResponseTemplate::new(200).set_body_json(b)
                })
                .mount(&server)
                .await;
        }
    });
    server
}

#[test]
fn an_entra_tenant_scanned_end_to_end_shows_the_rules_on_its_data() {
    let rt = rt();
    let m = Manifest::builtin("entra-id").unwrap().unwrap();
    let server = serve_examples(&rt, &m, "");
    let (r, v) = scan_connector(
        "entra-id",
        &format!(
            "connectors:\n  entra-id:\n    tenant_id: contoso.onmicrosoft.com\n    client_id: c1\n    client_secret: example-secret-value\n    sign_in_activity: true\n    base_url: {u}\n    token_url: {u}/t/token\n",
            u = server.uri()
        ),
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    // A tenant-wide grant of Directory.AccessAsUser.All to an app the tenant does not own.
    let grant = "oauth-grant/etVHeqLds7r07d9wpMDjGes1DZLMg7rPcgM8UWYLvRc";
    let on = rules_on(&v, grant);
    for rule in [
        "admin-privilege",
        "consent-tenant-wide",
        "oauth-scope-sensitive",
        "owner-missing",
    ] {
        assert!(on.contains(&rule.to_string()), "{rule}: {on:?}");
    }
    let app = "app/b33a24d7-b5aa-41b4-bf36-462ec748e662";
    let on = rules_on(&v, app);
    for rule in ["credential-expired", "weak-credential-type"] {
        assert!(on.contains(&rule.to_string()), "{rule}: {on:?}");
    }
    // Certificates are not weak credentials; each of the app's two client secrets is.
    let mut weak: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "weak-credential-type")
        .map(|f| f["credential"].as_str().unwrap())
        .collect();
    weak.sort();
    assert_eq!(weak.len(), 2, "{weak:?}");
    assert!(weak[0].ends_with("client-secret-73715518-5b2e-4c60-bbdf-28f90cb6c2e6"));
    assert!(weak[1].ends_with("client-secret-f83d5065-f8fa-4424-8e1f-5200366c8056"));
    // The agent identity is an AI agent with no owner, purpose or expiry, holding an
    // application permission that writes every application.
    let agent = "ai-agent/9cdd7b5d-926b-4d13-9a7c-32cb1ba9782b";
    let on = rules_on(&v, agent);
    for rule in ["ai-agent-ungoverned", "ai-agent-overprivileged"] {
        assert!(on.contains(&rule.to_string()), "{rule}: {on:?}");
    }
    // An AI vendor's app by name, registered in the tenant.
    let ai = rules_on(&v, "app/5065c964-ac6e-4207-80aa-198bcda5eac4");
    assert!(ai.contains(&"shadow-ai".to_string()), "{ai:?}");
    // App owners come from Graph, with their source.
    let i = v["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"].as_str().unwrap().ends_with(app))
        .unwrap();
    assert_eq!(
        i["owner"],
        json!({"value": "priya.raman@contoso.com", "source": "Graph application owners"})
    );
    assert_eq!(i["last_used"], "2026-11-14T06:00:12Z");
    // Coverage: what was read, with request counts.
    let cov = v["coverage"].to_string();
    assert!(
        cov.contains("applications: 3 records") && cov.contains("access token(s)"),
        "{cov}"
    );
    assert!(!r.stdout.contains("example-secret-value"));
}

#[test]
fn a_user_written_manifest_runs_from_a_file_without_recompiling() {
    let rt = rt();
    let m = Manifest::load(
        root()
            .join("tests/fixtures/connectors/acme-vault.yaml")
            .to_str()
            .unwrap(),
    )
    .unwrap();
    let server = serve_examples(&rt, &m, "/v2");
    let manifest = root().join("tests/fixtures/connectors/acme-vault.yaml");
    let (r, v) = scan_connector(
        manifest.to_str().unwrap(),
        &format!(
            "connectors:\n  acme-vault:\n    org: acme\n    base_url: {}/v2\nai_agents:\n  saas_apps:\n    - name: OpenAI ChatGPT connectors\n      names: [\"ChatGPT*\"]\n",
            server.uri()
        ),
        &[("ACME_VAULT_KEY", "acme-key-from-env")],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(v["identities"].as_array().unwrap().len(), 2);
    let reqs = rt.block_on(server.received_requests()).unwrap();
    assert!(reqs.iter().all(|q| {
        q.headers
            .get("x-acme-key")
            .is_some_and(|h| h == "acme-key-from-env")
    }));
    // The key with an end date past the scan clock expired; the other never expires.
    let bot = rules_on(&v, "service-account/mu_1");
    assert!(bot.contains(&"credential-expired".to_string()), "{bot:?}");
    assert!(bot.contains(&"credential-no-expiry".to_string()), "{bot:?}");
    // Matched by app name from the nhi.yaml extension of the AI catalogue.
    let ai = rules_on(&v, "service-account/mu_2");
    assert!(
        ai.contains(&"shadow-ai".to_string()) && ai.contains(&"ai-agent-ungoverned".to_string()),
        "{ai:?}"
    );
    assert!(!r.stdout.contains("acme-key-from-env"));
}

#[test]
fn an_ai_vendor_app_is_recognised_from_the_shipped_catalogue() {
    let rt = rt();
    let m = Manifest::builtin("google-workspace").unwrap().unwrap();
    let server = serve_examples(&rt, &m, "");
    let key = root().join("data/example-rsa-key.pem");
    let (r, v) = scan_connector(
        "google-workspace",
        &format!(
            "connectors:\n  google-workspace:\n    admin_email: admin@example.com\n    client_email: sa@example.iam.gserviceaccount.com\n    private_key: \"${{file:{}}}\"\n    domain: example.com\n    base_url: {u}\n    token_url: {u}/token\n",
            key.display(),
            u = server.uri()
        ),
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let chat = rules_on(
        &v,
        "100000000000000000001:000000000001-example.apps.googleusercontent.com",
    );
    assert!(chat.contains(&"shadow-ai".to_string()), "{chat:?}");
    assert!(
        chat.contains(&"oauth-scope-sensitive".to_string()),
        "{chat:?}"
    );
    let mail = rules_on(
        &v,
        "100000000000000000001:000000000002-example.apps.googleusercontent.com",
    );
    assert!(
        mail.contains(&"oauth-scope-sensitive".to_string())
            && !mail.contains(&"shadow-ai".to_string()),
        "{mail:?}"
    );
    // The owner is the user who granted the token.
    assert!(
        !rules_on(&v, "000000000002-example.apps.googleusercontent.com")
            .contains(&"owner-missing".to_string())
    );
}

#[test]
fn a_pagination_cycle_stops_and_keeps_what_was_read() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    let uri = server.uri();
    rt.block_on(async {
        Mock::given(path("/c"))
            .and(query_param("p", "b"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"value": page(&[(2, "b")]), "next": format!("{uri}/c?p=a")}),
                ),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/c"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"value": page(&[(1, "a")]), "next": format!("{uri}/c?p=b")}),
                ),
            )
            .mount(&server)
            .await;
    });
    let m = manifest(
        "",
        &format!(
            "  - name: c\n    path: /c\n    records: value\n    paginate: {{ type: next-url, path: next }}\n{EMIT}"
        ),
    );
    let out = go(&rt, m, json!({"base_url": uri}));
    assert_eq!(names(&out), ["a", "b"]);
    assert!(
        gaps(&out)[0].contains("pagination cycle"),
        "{:?}",
        gaps(&out)
    );
    assert_eq!(out.requests, 3);
}

#[test]
fn shared_headers_are_sent_and_a_parent_based_when_skips_partitions() {
    let rt = rt();
    let server = rt.block_on(MockServer::start());
    rt.block_on(async {
        Mock::given(path("/apps"))
            .and(header("x-api-version", "7"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"id": 1, "mode": "OIDC"}, {"id": 2, "mode": "SAML"}
            ])))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(header("x-api-version", "8"))
            .respond_with(|req: &Request| {
                ResponseTemplate::new(200)
                    .set_body_json(json!([{"id": req.url.path(), "name": req.url.path()}]))
            })
            .mount(&server)
            .await;
    });
    let yaml = format!(
        "id: t\nname: t\ndescription: t\ninputs:\n  base_url: {{ type: url, required: true, description: r }}\naccount: t\nrequests:\n  base_url: \"{{{{ config.base_url }}}}\"\n  headers: {{ X-Api-Version: \"7\" }}\nstreams:\n  - name: apps\n    path: /apps\n  - name: grants\n    parent: apps\n    when: \"{{{{ parent.mode | eq('OIDC') }}}}\"\n    headers: {{ x-api-version: \"8\" }}\n    path: \"/apps/{{{{ parent.id }}}}/grants\"\n{EMIT}\n"
    );
    let m = Manifest::parse(&yaml, "t.yaml").unwrap();
    let out = go(&rt, m, json!({"base_url": server.uri()}));
    assert_eq!(names(&out), ["/apps/1/grants"]);
    assert!(gaps(&out).is_empty(), "{:?}", gaps(&out));
    assert_eq!(out.requests, 2);
}

#[test]
fn a_public_input_cannot_default_to_a_secret_one() {
    let yaml = "id: t\nname: t\ndescription: t\ninputs:\n  token: { type: string, secret: true, description: s }\n  label: { type: string, default: \"x-{{ config.token }}\", description: l }\naccount: t\nrequests: { base_url: \"https://example.com\" }\nstreams: []\n";
    let e = Manifest::parse(yaml, "t.yaml").unwrap_err();
    assert!(e.message.contains("default refers to `token`"), "{e}");
}
