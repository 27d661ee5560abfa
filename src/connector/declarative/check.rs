//! `nhi connectors check`: runs a manifest offline against a loopback HTTP server that answers
//! with the manifest's recorded example responses, then compares the identities it emits
//! with the ones the manifest expects.
//!
//! The server is strict in the ways a provider is, so the check exercises the engine fully:
//! the first request is answered 429 with `Retry-After: 1`; every recorded list of two or
//! more records is split over two pages in the stream's own pagination style (next URL in
//! the body, cursor, or `link` header); a token endpoint answers with the recorded token
//! response; and every API request must carry the credentials.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::Selected;
use super::manifest::{Manifest, PageKind};
use super::template::{Seg, parse_path, walk};
use crate::model::Identity;

/// The outcome of checking one manifest.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The manifest's id.
    pub id: String,
    /// Where it was read from.
    pub file: String,
    /// What did not hold (empty: the check passed).
    pub problems: Vec<String>,
    /// Identities emitted.
    pub identities: usize,
    /// Credentials emitted.
    pub credentials: usize,
    /// Requests the engine sent.
    pub requests: u64,
    /// Streams whose second page was requested.
    pub paged: Vec<String>,
    /// What the run emitted (for `--print`).
    pub inventory: Option<crate::model::Inventory>,
}

struct Route {
    stream: String,
    re: regex::Regex,
    body: Value,
    records: Vec<Seg>,
    page: Option<(PageKind, Option<String>, Option<String>)>,
    start: u64,
}

#[derive(Default)]
struct State {
    routes: Vec<Route>,
    token: Option<Value>,
    throttled: bool,
    after_throttle: u64,
    token_requests: u64,
    unauthenticated: Vec<String>,
    unmatched: Vec<String>,
    paged: BTreeSet<String>,
    auth_header: Option<String>,
}

const PAGE2: &str = "nhi-page-2";

/// A throwaway RSA key for signing example JWTs (generated for nhi's examples; it opens
/// nothing).
const EXAMPLE_KEY: &str = include_str!("../../../data/example-rsa-key.pem");

/// Checks one manifest. An error means the check could not run at all.
pub async fn check(m: Manifest) -> Result<CheckReport, String> {
    let id = m.id.value.clone();
    let file = m.file.clone();
    let Some(ex) = m.examples.clone() else {
        return Ok(CheckReport {
            id,
            file,
            problems: vec!["the manifest has no `examples`: nothing to check".into()],
            identities: 0,
            credentials: 0,
            requests: 0,
            paged: vec![],
            inventory: None,
        });
    };
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot open a loopback port: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let origin = format!("http://127.0.0.1:{port}");
    // Inputs: the example's, with every URL input moved to the loopback server.
    // `${example:rsa-key}` stands for a throwaway RSA key shipped for examples (a JWT
    // assertion needs a real key to sign with; the loopback server does not verify it).
    let inputs: BTreeMap<String, Value> = ex
        .inputs
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) if s == "${example:rsa-key}" => Value::String(EXAMPLE_KEY.into()),
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect();
    let mut sel = Selected::resolve(m, &inputs, "examples.inputs")?;
    let manifest = sel.manifest.clone();
    for (name, input) in &manifest.inputs {
        if input.kind != super::manifest::InputType::Url {
            continue;
        }
        if let Some(Value::String(u)) = sel.inputs.get(name).cloned()
            && let Ok(parsed) = reqwest::Url::parse(&u)
        {
            let mut moved = format!("{origin}{}", parsed.path().trim_end_matches('/'));
            if let Some(q) = parsed.query() {
                moved.push('?');
                moved.push_str(q);
            }
            sel.inputs.insert(name.clone(), Value::String(moved));
        }
    }
    let cfg = sel.config();
    let vars = super::template::Vars::default().with("config", &cfg);
    let base = manifest.requests.base_url.text(&vars).unwrap_or_default();
    let base_path = reqwest::Url::parse(&base)
        .map(|u| u.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    let mut state = State {
        token: ex.token.as_ref().map(|t| t.body.clone()),
        auth_header: manifest.auth.as_ref().map(|a| {
            a.header
                .clone()
                .unwrap_or_else(|| "authorization".into())
                .to_ascii_lowercase()
        }),
        ..State::default()
    };
    for r in &ex.responses {
        let Some(sname) = &r.stream else { continue };
        let Some(s) = manifest.stream(&sname.value) else {
            continue;
        };
        let re = regex::Regex::new(&format!(
            "^{}{}$",
            regex::escape(&base_path),
            s.path.pattern()
        ))
        .map_err(|e| format!("stream {}: {e}", sname.value))?;
        let records = s
            .records
            .as_ref()
            .map(|r| parse_path(&r.value))
            .transpose()?
            .unwrap_or_default();
        let page = s
            .paginate
            .as_ref()
            .map(|p| (p.kind.value, p.path.clone(), p.param.clone()));
        let start = s.paginate.as_ref().and_then(|p| p.start).unwrap_or(1);
        state.routes.push(Route {
            start,
            stream: sname.value.clone(),
            re,
            body: r.body.clone(),
            records,
            page,
        });
    }
    let state = Arc::new(Mutex::new(state));
    let server = tokio::spawn(serve(listener, state.clone(), origin.clone()));
    let progress = crate::progress::Progress::new(true);
    let line = progress.source(&id);
    let result = super::run::run(&sel, &line).await;
    server.abort();
    let mut problems = Vec::new();
    let st = state
        .lock()
        .map_err(|_| "server state poisoned".to_string())?;
    let mut inventory = None;
    let (identities, credentials, requests) = match result {
        Ok(out) => {
            for c in &out.inventory.coverage {
                for g in &c.gaps {
                    problems.push(format!("coverage gap: {}: {}", g.what, g.reason));
                }
            }
            let idn = out.inventory.identities.len();
            let crn = out.inventory.credentials.len();
            compare(&out.inventory, &ex.expect, &mut problems);
            let requests = out.requests;
            inventory = Some(out.inventory);
            (idn, crn, requests)
        }
        Err(e) => {
            problems.push(format!("the run failed: {e}"));
            (0, 0, 0)
        }
    };
    if !st.throttled || st.after_throttle == 0 {
        problems.push("the 429 with Retry-After was not retried".into());
    }
    if manifest.auth.as_ref().is_some_and(|a| {
        matches!(
            a.kind.value,
            super::manifest::AuthKind::Oauth2ClientCredentials
                | super::manifest::AuthKind::JwtBearer
        )
    }) && st.token_requests != 1
    {
        problems.push(format!(
            "expected one token request (then the cached token), saw {}",
            st.token_requests
        ));
    }
    for u in &st.unauthenticated {
        problems.push(format!("request without credentials: {u}"));
    }
    for u in &st.unmatched {
        problems.push(format!("no recorded response for {u}"));
    }
    for r in &st.routes {
        let splittable = walk(&r.body, &r.records)
            .and_then(Value::as_array)
            .is_some_and(|a| a.len() >= 2);
        let pages_by_body = r.page.is_some();
        if splittable && pages_by_body && !st.paged.contains(&r.stream) {
            problems.push(format!(
                "stream {}: the second page was not requested",
                r.stream
            ));
        }
    }
    Ok(CheckReport {
        id,
        file,
        problems,
        identities,
        credentials,
        requests,
        paged: st.paged.iter().cloned().collect(),
        inventory,
    })
}

fn compare(
    inv: &crate::model::Inventory,
    expect: &[super::manifest::Expect],
    problems: &mut Vec<String>,
) {
    let got: BTreeMap<&str, &Identity> =
        inv.identities.iter().map(|i| (i.id.as_str(), i)).collect();
    let want: BTreeSet<&str> = expect.iter().map(|e| e.id.as_str()).collect();
    for id in got.keys().filter(|k| !want.contains(*k)) {
        problems.push(format!("unexpected identity {id}"));
    }
    for e in expect {
        let Some(i) = got.get(e.id.as_str()) else {
            problems.push(format!("missing identity {}", e.id));
            continue;
        };
        let mut diff = |field: &str, want: String, got: String| {
            if want != got {
                problems.push(format!("{}: {field} is `{got}`, expected `{want}`", e.id));
            }
        };
        if let Some(n) = &e.name {
            diff("name", n.clone(), i.name.clone());
        }
        if let Some(o) = &e.owner {
            diff(
                "owner",
                o.clone(),
                i.owner.value.clone().unwrap_or_default(),
            );
        }
        if let Some(a) = e.active {
            diff("active", a.to_string(), i.active.to_string());
        }
        if let Some(s) = &e.scopes {
            diff("scopes", s.join(" "), i.privileges.scopes.join(" "));
        }
        if let Some(p) = &e.privilege {
            diff(
                "privilege",
                p.clone(),
                format!("{:?}", i.privileges.level).to_lowercase(),
            );
        }
        let day = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        if let Some(c) = &e.created {
            diff("created", c.clone(), day(i.created));
        }
        if let Some(c) = &e.last_used {
            diff("last_used", c.clone(), day(i.last_used));
        }
        let creds: Vec<&crate::model::Credential> = inv.credentials_of(&i.id).collect();
        if let Some(h) = &e.credentials {
            let got: Vec<String> = creds.iter().map(|c| c.fingerprint.clone()).collect();
            diff("credentials", h.join(", "), got.join(", "));
        }
        if let Some(x) = &e.expires {
            let got: Vec<String> = creds.iter().map(|c| day(c.expires)).collect();
            diff("credential expiry", x.join(", "), got.join(", "));
        }
        for (k, v) in &e.attributes {
            let got = i.attributes.get(k).cloned().unwrap_or(Value::Null);
            diff(&format!("attribute {k}"), v.to_string(), got.to_string());
        }
    }
}

async fn serve(listener: TcpListener, state: Arc<Mutex<State>>, origin: String) {
    while let Ok((sock, _)) = listener.accept().await {
        let state = state.clone();
        let origin = origin.clone();
        tokio::spawn(async move {
            let _ = handle(sock, state, &origin).await;
        });
    }
}

async fn handle(
    mut sock: TcpStream,
    state: Arc<Mutex<State>>,
    origin: &str,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if let Some(ix) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break ix + 4;
        }
        if buf.len() > 1 << 20 {
            return Ok(());
        }
    };
    let head = String::from_utf8_lossy(buf.get(..head_end).unwrap_or_default()).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_string();
    let mut headers = BTreeMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if len > 1 << 20 {
        return Ok(());
    }
    while buf.len() < head_end.saturating_add(len) {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
    }
    let form = String::from_utf8_lossy(buf.get(head_end..).unwrap_or_default()).to_string();
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let (status, extra, body) = respond(&state, &method, &target, &headers, &form, origin);
    let text = body.to_string();
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Status",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        text.len()
    );
    for (k, v) in extra {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&text);
    sock.write_all(out.as_bytes()).await?;
    sock.shutdown().await
}

type Answer = (u16, Vec<(String, String)>, Value);

fn respond(
    state: &Mutex<State>,
    method: &str,
    target: &str,
    headers: &BTreeMap<String, String>,
    form: &str,
    origin: &str,
) -> Answer {
    let Ok(mut guard) = state.lock() else {
        return (500, vec![], Value::Null);
    };
    // The state itself, so that a route and the other fields can be borrowed apart.
    let st = &mut *guard;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let q: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if method == "POST" {
        st.token_requests += 1;
        let grant = url::form_urlencoded::parse(form.as_bytes())
            .find(|(k, _)| k == "grant_type")
            .map(|(_, v)| v.into_owned());
        return match (&st.token, grant) {
            (Some(t), Some(_)) => (200, vec![], t.clone()),
            (None, _) => (
                404,
                vec![],
                serde_json::json!({"error": "no recorded token response"}),
            ),
            (_, None) => (
                400,
                vec![],
                serde_json::json!({"error": "invalid_request", "error_description": "grant_type is missing"}),
            ),
        };
    }
    if !st.throttled {
        st.throttled = true;
        return (
            429,
            vec![("retry-after".into(), "1".into())],
            serde_json::json!({"error": {"message": "throttled (recorded-example server)"}}),
        );
    }
    st.after_throttle += 1;
    if let Some(h) = &st.auth_header
        && headers.get(h).is_none_or(|v| v.trim().is_empty())
    {
        st.unauthenticated.push(path.to_string());
    }
    let Some(route) = st.routes.iter().find(|r| r.re.is_match(path)) else {
        st.unmatched.push(path.to_string());
        return (
            404,
            vec![],
            serde_json::json!({"error": {"message": "no recorded response"}}),
        );
    };
    let mut body = route.body.clone();
    let mut extra = Vec::new();
    let records = walk(&body, &route.records)
        .and_then(Value::as_array)
        .cloned();
    let Some((kind, page_path, param)) = route.page.clone() else {
        return (200, extra, body);
    };
    let Some(records) = records else {
        return (200, extra, body);
    };
    // Numbered and offset pages: the first half, the second half, then empty pages.
    if matches!(kind, PageKind::Page | PageKind::Offset) {
        let split = if records.len() >= 2 {
            records.len().div_ceil(2)
        } else {
            records.len()
        };
        let value: u64 = param
            .as_ref()
            .and_then(|p| q.get(p))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let index = match kind {
            PageKind::Page => value.saturating_sub(route.start),
            _ if value == 0 => 0,
            _ if value == split as u64 => 1,
            _ => 2,
        };
        let (first, second) = halves(&records, split);
        let slice = match index {
            0 => first.to_vec(),
            1 => second.to_vec(),
            _ => Vec::new(),
        };
        if index == 1 && !slice.is_empty() {
            st.paged.insert(route.stream.clone());
        }
        set(&mut body, &route.records, Value::Array(slice));
        return (200, extra, body);
    }
    if records.len() < 2 {
        return (200, extra, body);
    }
    let (first, rest) = halves(&records, records.len().div_ceil(2));
    let second = match kind {
        PageKind::NextUrl | PageKind::LinkHeader => q.get("nhi_page").is_some_and(|v| v == "2"),
        PageKind::Cursor => param
            .as_ref()
            .and_then(|p| q.get(p))
            .is_some_and(|v| v == PAGE2),
        PageKind::Page | PageKind::Offset => false,
    };
    let (slice, marker): (Vec<Value>, Option<Value>) = if second {
        st.paged.insert(route.stream.clone());
        (rest.to_vec(), None)
    } else {
        let next = match kind {
            PageKind::NextUrl | PageKind::LinkHeader => {
                let sep = if query.is_empty() { "" } else { "&" };
                Some(Value::String(format!(
                    "{origin}{path}?{query}{sep}nhi_page=2"
                )))
            }
            PageKind::Cursor => Some(Value::String(PAGE2.into())),
            _ => None,
        };
        (first.to_vec(), next)
    };
    set(&mut body, &route.records, Value::Array(slice));
    match (kind, &page_path) {
        (PageKind::NextUrl | PageKind::Cursor, Some(pp)) => {
            if let Ok(segs) = parse_path(pp) {
                set(
                    &mut body,
                    &segs,
                    marker.clone().unwrap_or(Value::String(String::new())),
                );
            }
        }
        (PageKind::LinkHeader, _) => {
            if let Some(Value::String(u)) = &marker {
                extra.push(("link".into(), format!("<{u}>; rel=\"next\"")));
            }
        }
        _ => {}
    }
    (200, extra, body)
}

/// The records before `split` and from it on (all of them first when `split` is past the end).
fn halves(records: &[Value], split: usize) -> (&[Value], &[Value]) {
    records.split_at_checked(split).unwrap_or((records, &[]))
}

/// Sets a value at a path, creating objects on the way.
fn set(v: &mut Value, path: &[Seg], new: Value) {
    let Some((first, rest)) = path.split_first() else {
        *v = new;
        return;
    };
    match first {
        Seg::Key(k) => {
            if !v.is_object() {
                *v = Value::Object(Default::default());
            }
            if let Value::Object(m) = v {
                set(m.entry(k.clone()).or_insert(Value::Null), rest, new);
            }
        }
        Seg::Index(i) => {
            if let Some(e) = v.as_array_mut().and_then(|a| a.get_mut(*i)) {
                set(e, rest, new);
            }
        }
    }
}
