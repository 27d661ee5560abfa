//! One fault matrix for every connector that speaks HTTP: GitHub and every built-in
//! declarative manifest are driven through the same table of faults by a raw loopback server
//! (raw, so that it can cut a body short, stream an endless chunked body, or never answer).
//!
//! For each connector, one endpoint answers well (its records must be kept), one endpoint
//! carries the fault, and every other path answers 404. A fault that persists must end with
//! the good records kept, a coverage gap naming the faulted endpoint and saying why, exit code
//! 3, and no credential in anything printed; the server echoes the credential it was sent into
//! its error bodies, so redaction is tested too. A fault that clears (500, then 200) must give
//! the same report as a run without it.
//!
//! The bodies served here are composed for these tests from the providers' documented fields
//! (GitHub) or taken from each manifest's own `examples` (themselves composed by the project).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::util::*;

/// The faults, one row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// 429 with `Retry-After: 0`, on every attempt.
    RateLimited,
    /// 403 secondary rate limit with `Retry-After: 0`, on every attempt.
    SecondaryLimit,
    /// 500 on the first attempt, then the good answer.
    ServerErrorThenOk,
    /// Never answers (the client's timeout is 1 s).
    Timeout,
    /// Announces 1000 bytes, sends a few, closes.
    Truncated,
    /// A chunked body that never ends (larger than the 64 MiB cap).
    OversizedChunked,
    /// 200 with a body that is not JSON.
    MalformedJson,
    /// 401 on every attempt.
    Unauthorized,
}

/// The table: each fault and the words the coverage gap must use for it (any one).
const MATRIX: &[(Fault, &[&str])] = &[
    (Fault::RateLimited, &["429"]),
    (Fault::SecondaryLimit, &["403"]),
    (Fault::ServerErrorThenOk, &[]),
    (Fault::Timeout, &["timed out"]),
    (Fault::Truncated, &["cut off"]),
    (Fault::OversizedChunked, &["larger than"]),
    (Fault::MalformedJson, &["not JSON"]),
    (Fault::Unauthorized, &["401", "not permitted"]),
];

/// Credentials planted in the inputs; none may appear in any output.
const PLANTED_TOKEN: &str = "planted-credential-5f3c9a1e7b";
const PLANTED_ACCESS_TOKEN: &str = "planted-access-token-d41d8cd98f";

/// Which requests a route answers: a path pattern and query pairs that must be present.
#[derive(Clone)]
struct Matcher {
    path: regex::Regex,
    query: Vec<(String, String)>,
}

impl Matcher {
    fn exact(path: &str) -> Self {
        Self {
            path: regex::Regex::new(&format!("^{}$", regex::escape(path))).unwrap(),
            query: vec![],
        }
    }

    fn matches(&self, target: &str) -> bool {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        self.path.is_match(path) && self.query.iter().all(|q| pairs.contains(q))
    }
}

struct Routes {
    /// Good routes and their bodies.
    good: Vec<(Matcher, Value)>,
    /// The faulted route, its fault and the body it answers once the fault clears.
    faulted: (Matcher, Option<Fault>, Value),
    /// A token endpoint's path.
    token: Option<String>,
    /// Requests seen on the faulted path.
    hits: AtomicUsize,
}

fn respond(s: &mut TcpStream, status: &str, extra: &str, body: &str) {
    let _ = write!(
        s,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
}

fn handle(mut s: TcpStream, routes: &Routes) {
    let mut reader = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let path = target.split('?').next().unwrap_or("/").to_string();
    let (mut length, mut auth) = (0usize, String::new());
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("authorization:") || lower.starts_with("private-token:") {
            auth = h
                .split_once(':')
                .map(|x| x.1.trim().to_string())
                .unwrap_or_default();
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    if routes.token.as_deref() == Some(path.as_str()) {
        let t = json!({"token_type": "Bearer", "expires_in": 3600, "access_token": PLANTED_ACCESS_TOKEN});
        return respond(&mut s, "200 OK", "", &t.to_string());
    }
    let (faulted, fault, ok) = &routes.faulted;
    if !faulted.matches(&target) {
        if let Some((_, b)) = routes.good.iter().find(|(m, _)| m.matches(&target)) {
            return respond(&mut s, "200 OK", "", &b.to_string());
        }
        return respond(&mut s, "404 Not Found", "", r#"{"message":"Not Found"}"#);
    }
    let n = routes.hits.fetch_add(1, Ordering::SeqCst);
    // Error bodies echo the credential the request carried: redaction must hide it.
    let echo = json!({"message": format!("credential {auth} refused"), "error": format!("credential {auth} refused")}).to_string();
    match fault {
        None => respond(&mut s, "200 OK", "", &ok.to_string()),
        Some(Fault::RateLimited) => {
            respond(&mut s, "429 Too Many Requests", "retry-after: 0\r\n", &echo)
        }
        Some(Fault::SecondaryLimit) => respond(
            &mut s,
            "403 Forbidden",
            "retry-after: 0\r\n",
            &json!({"message": format!("You have exceeded a secondary rate limit ({auth})")})
                .to_string(),
        ),
        Some(Fault::ServerErrorThenOk) if n == 0 => {
            respond(&mut s, "500 Internal Server Error", "", &echo)
        }
        Some(Fault::ServerErrorThenOk) => respond(&mut s, "200 OK", "", &ok.to_string()),
        Some(Fault::Timeout) => std::thread::sleep(Duration::from_secs(4)),
        Some(Fault::Truncated) => {
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n{{\"value\": [{{\"id\""
            );
        }
        Some(Fault::OversizedChunked) => {
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            );
            let chunk = vec![b' '; 1 << 20];
            for _ in 0..80 {
                if write!(s, "{:x}\r\n", chunk.len()).is_err()
                    || s.write_all(&chunk).is_err()
                    || s.write_all(b"\r\n").is_err()
                {
                    return;
                }
            }
        }
        Some(Fault::MalformedJson) => respond(&mut s, "200 OK", "", "{\"value\": [{\"id\": "),
        Some(Fault::Unauthorized) => respond(&mut s, "401 Unauthorized", "", &echo),
    }
}

/// Serves the routes on a loopback port until the test ends; returns the origin.
fn serve(routes: Arc<Routes>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let r = routes.clone();
            std::thread::spawn(move || handle(s, &r));
        }
    });
    origin
}

/// Scan arguments and environment for a server origin and a scratch directory.
type ArgsFn = dyn Fn(&str, &std::path::Path) -> (Vec<String>, Vec<(String, String)>);

/// What one connector needs for the matrix.
struct Subject {
    /// Good routes and bodies.
    good: Vec<(Matcher, Value)>,
    /// The faulted route and its good body.
    faulted: (Matcher, Value),
    /// Words that name the faulted endpoint in a coverage gap.
    names: String,
    /// The token endpoint path.
    token: Option<String>,
    /// Writes nhi.yaml for the server's origin and gives the scan arguments and environment.
    args: Box<ArgsFn>,
}

fn run(subject: &Subject, fault: Option<Fault>) -> (Run, Value) {
    let routes = Arc::new(Routes {
        good: subject.good.clone(),
        faulted: (subject.faulted.0.clone(), fault, subject.faulted.1.clone()),
        token: subject.token.clone(),
        hits: AtomicUsize::new(0),
    });
    let origin = serve(routes);
    let dir = tempfile::tempdir().unwrap();
    let (args, env) = (subject.args)(&origin, dir.path());
    let mut all: Vec<&str> = vec!["scan", "--format", "json", "--as-of", "2026-11-15"];
    all.extend(args.iter().map(String::as_str));
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("NHI_HTTP_TIMEOUT_SECONDS", "1"));
    let r = nhi_with(&root(), &all, &env);
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{fault:?}: not a JSON report ({e}): {r:?}"));
    (r, v)
}

fn gaps(report: &Value) -> Vec<String> {
    report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["gaps"].as_array().cloned().unwrap_or_default())
        .map(|g| {
            format!(
                "{} — {}",
                g["what"].as_str().unwrap(),
                g["reason"].as_str().unwrap()
            )
        })
        .collect()
}

fn identity_ids(report: &Value) -> Vec<String> {
    report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// Drives one connector through every row of the matrix.
fn matrix(subject: Subject) {
    let (_, baseline) = run(&subject, None);
    let kept = identity_ids(&baseline);
    assert!(
        !kept.is_empty(),
        "the good endpoint yields identities: {baseline}"
    );
    for (fault, words) in MATRIX {
        let (r, report) = run(&subject, Some(*fault));
        let all = format!("{}{}", r.stdout, r.stderr);
        for secret in [PLANTED_TOKEN, PLANTED_ACCESS_TOKEN] {
            assert!(
                !all.contains(secret),
                "{fault:?}: a credential is printed: {all}"
            );
        }
        let named: Vec<String> = gaps(&report)
            .into_iter()
            .filter(|g| g.contains(&subject.names))
            .collect();
        if *fault == Fault::ServerErrorThenOk {
            assert!(named.is_empty(), "{fault:?}: the fault cleared: {named:?}");
            let mut a = report.clone();
            let mut b = baseline.clone();
            // Coverage counts requests, and sources name the server's port: both differ.
            for v in [&mut a, &mut b] {
                v["coverage"] = Value::Null;
                v["sources"] = Value::Null;
            }
            let differ: Vec<&String> = a
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, v)| b.get(k.as_str()) != Some(v))
                .map(|(k, _)| k)
                .collect();
            assert!(
                differ.is_empty(),
                "{fault:?}: the same report as without the fault; differ: {differ:?}: {a} {b}"
            );
            continue;
        }
        assert_eq!(r.code, 3, "{fault:?}: a partial scan: {}", r.stderr);
        let ids = identity_ids(&report);
        assert!(
            ids.iter().any(|i| kept.contains(i)),
            "{fault:?}: records read so far are kept: {ids:?}"
        );
        assert!(
            named.iter().any(|g| words.iter().any(|w| g.contains(w))),
            "{fault:?}: a gap names {} and says why ({words:?}): {:#?}",
            subject.names,
            gaps(&report)
        );
    }
}

#[test]
fn github_through_the_fault_matrix() {
    let mut good = vec![(
        Matcher::exact("/orgs/acme/members"),
        json!([{"login": "octocat"}]),
    )];
    good.push((
        Matcher::exact("/orgs/acme/installations"),
        json!({"total_count": 1, "installations": [{
            "id": 101, "app_slug": "release-bot", "app_id": 7,
            "repository_selection": "all",
            "permissions": {"contents": "write", "metadata": "read"},
            "created_at": "2025-02-01T10:00:00Z", "suspended_at": null
        }]}),
    ));
    let hooks = json!([{
        "id": 9, "active": true, "events": ["push"],
        "config": {"url": "https://ci.example.com/hook", "content_type": "json", "insecure_ssl": "0", "secret": "********"},
        "created_at": "2025-03-01T10:00:00Z"
    }]);
    matrix(Subject {
        good,
        faulted: (Matcher::exact("/orgs/acme/hooks"), hooks),
        names: "org webhooks".into(),
        token: None,
        args: Box::new(|origin, dir| {
            let cfg = dir.join("nhi.yaml");
            std::fs::write(&cfg, "github:\n  cache: false\n").unwrap();
            (
                vec![
                    "--github".into(),
                    "acme".into(),
                    "--github-api-url".into(),
                    origin.into(),
                    "--config".into(),
                    cfg.display().to_string(),
                ],
                vec![("GITHUB_TOKEN".into(), PLANTED_TOKEN.into())],
            )
        }),
    });
}

/// A built-in manifest: its first stream answers with its own example, its second top-level
/// stream carries the fault.
fn manifest_subject(id: &str) -> Subject {
    use nhi_audit::connector::declarative::manifest::InputType;
    use nhi_audit::connector::declarative::template::Vars;
    use nhi_audit::connector::declarative::{Manifest, Selected};

    let m = Manifest::builtin(id).unwrap().unwrap();
    let ex = m
        .examples
        .clone()
        .expect("built-in manifests have examples");
    let key = root().join("data/example-rsa-key.pem");
    let mut inputs: BTreeMap<String, Value> = ex.inputs.clone();
    for (name, input) in &m.inputs {
        if input.secret {
            let v = if name.contains("key") {
                Value::String(format!("${{file:{}}}", key.display()))
            } else {
                Value::String(PLANTED_TOKEN.into())
            };
            inputs.insert(name.clone(), v);
        }
    }
    let sel = Selected::resolve(m.clone(), &inputs, "test").unwrap();
    // Every URL input moved to the loopback origin (keeping its path), as `connectors check`
    // does; the placeholder is replaced per run.
    let mut url_paths = BTreeMap::new();
    for (name, input) in &m.inputs {
        if input.kind == InputType::Url
            && let Some(Value::String(u)) = sel.inputs.get(name)
        {
            let p = url::Url::parse(u).unwrap();
            url_paths.insert(name.clone(), p.path().trim_end_matches('/').to_string());
        }
    }
    let mut cfg = sel.config();
    for (name, p) in &url_paths {
        cfg[name] = Value::String(format!("http://127.0.0.1:1{p}"));
    }
    let vars = Vars::default().with("config", &cfg);
    let base = m.requests.base_url.text(&vars).unwrap();
    let base_path = url::Url::parse(&base)
        .unwrap()
        .path()
        .trim_end_matches('/')
        .to_string();
    // The good stream: the first stream (top-level). The faulted one: the next stream that
    // answers a different request (its own path, or its own query on the same path).
    let first = &m.streams[0];
    assert!(
        first.parent.is_none(),
        "{id}: the first stream is top-level"
    );
    let second = &m.streams[1];
    let body_of = |name: &str| {
        ex.responses
            .iter()
            .find(|r| r.stream.as_ref().is_some_and(|s| s.value == name))
            .or_else(|| ex.responses.first())
            .map(|r| r.body.clone())
            .unwrap_or_else(|| panic!("{id}: an example for stream {name}"))
    };
    // A stream's requests as a pattern: config references rendered, other expressions (the
    // parent's fields) any path segment; its static query pairs.
    // For a child stream, `parent` pins one partition: the last record of the parent's example.
    let parent_record: Option<Value> = {
        use nhi_audit::connector::declarative::template::{parse_path, walk};
        let body = body_of(&first.name.value);
        first
            .records
            .as_ref()
            .and_then(|r| parse_path(&r.value).ok())
            .and_then(|segs| walk(&body, &segs).cloned())
            .or(Some(body))
            .and_then(|v| v.as_array().and_then(|a| a.last().cloned()))
    };
    let matcher = |s: &nhi_audit::connector::declarative::manifest::Stream, pin: Option<&Value>| {
        let src = s.path.source();
        let mut pattern = format!("^{}", regex::escape(&base_path));
        let mut rest = src;
        while let Some(open) = rest.find("{{") {
            pattern.push_str(&regex::escape(&rest[..open]));
            let close = rest[open..]
                .find("}}")
                .map(|c| open + c + 2)
                .unwrap_or(rest.len());
            let expr = &rest[open..close];
            let t = nhi_audit::connector::declarative::template::Template::parse(expr).unwrap();
            if expr.contains("config.") {
                pattern.push_str(&regex::escape(&t.text(&vars).unwrap_or_default()));
            } else if let Some(p) = pin {
                let with = Vars::default().with("config", &cfg).with("parent", p);
                pattern.push_str(&regex::escape(&t.text(&with).unwrap_or_default()));
            } else {
                pattern.push_str("[^/]+");
            }
            rest = &rest[close..];
        }
        pattern.push_str(&regex::escape(rest));
        pattern.push('$');
        let query = s
            .query
            .iter()
            .filter(|(_, t)| !t.source().contains("{{"))
            .filter_map(|(k, t)| t.text(&vars).map(|v| (k.clone(), v)))
            .collect();
        Matcher {
            path: regex::Regex::new(&pattern).unwrap(),
            query,
        }
    };
    let good_m = matcher(first, None);
    let mut good = vec![(good_m.clone(), body_of(&first.name.value))];
    // A child stream: every partition answers well but one, so the others' records are kept.
    let pin = second.parent.as_ref().and(parent_record.as_ref());
    if second.parent.is_some() {
        assert!(pin.is_some(), "{id}: the parent's example has records");
        good.insert(0, (matcher(second, None), body_of(&second.name.value)));
    }
    let mut faulted_m = matcher(second, pin);
    faulted_m.query.retain(|q| !good_m.query.contains(q));
    if faulted_m.path.as_str() == good_m.path.as_str() {
        assert!(!faulted_m.query.is_empty(), "{id}: the two streams differ");
    }
    let faulted = (faulted_m, body_of(&second.name.value));
    let token = url_paths.get("token_url").cloned();
    let id_owned = id.to_string();
    Subject {
        good,
        faulted,
        names: format!("{id} stream {}", second.name.value),
        token,
        args: Box::new(move |origin, dir| {
            let mut given = inputs.clone();
            for (name, p) in &url_paths {
                given.insert(name.clone(), Value::String(format!("{origin}{p}")));
            }
            let cfg = dir.join("nhi.yaml");
            std::fs::write(&cfg, json!({"connectors": {&id_owned: given}}).to_string()).unwrap();
            (
                vec![
                    "--connector".into(),
                    id_owned.clone(),
                    "--config".into(),
                    cfg.display().to_string(),
                ],
                vec![],
            )
        }),
    }
}

#[test]
fn every_built_in_manifest_through_the_fault_matrix() {
    let ids: Vec<&str> = nhi_audit::embedded::BUILTIN_MANIFESTS
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert!(ids.len() >= 5, "{ids:?}");
    // Each manifest on its own thread: the rows with waits overlap.
    let results: Vec<_> = ids
        .iter()
        .map(|id| {
            let id = id.to_string();
            std::thread::spawn(move || matrix(manifest_subject(&id)))
        })
        .collect();
    let failures: Vec<String> = results
        .into_iter()
        .zip(&ids)
        .filter_map(|(h, id)| {
            h.join().err().map(|e| {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                format!("{id}: {msg}")
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
