//! Running a manifest: streams in order, pagination, fan-out over a parent stream with bounded
//! concurrency, per-status skips recorded as coverage, then indexes and emits.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures_util::StreamExt;
use serde_json::Value;

use super::http::{FetchError, Http, Redactor, redact_query};
use super::manifest::{PageKind, Stream};
use super::template::{Indexes, Template, Vars, parse_path, to_text, walk};
use super::{Selected, check_url};
use crate::connector::ConnectorError;
use crate::model::{Coverage, CoverageStatus, Inventory, Source};

/// One record and the parent record it was read under.
#[derive(Debug, Clone)]
pub struct Rec {
    /// The parent stream's record (fan-out), if any.
    pub parent: Option<Arc<Value>>,
    /// The record.
    pub record: Arc<Value>,
}

/// What a run produced.
#[derive(Debug)]
pub struct RunOutput {
    /// Identities, credentials, the source and its coverage.
    pub inventory: Inventory,
    /// Requests sent (token requests and retries included).
    pub requests: u64,
    /// Retries.
    pub retries: u64,
    /// Records read per stream.
    pub records: BTreeMap<String, usize>,
}

/// A partition's records (None: nothing could be read), and its path and what went wrong
/// (records read before a page limit or a cycle are kept).
type PartitionResult = (Option<Vec<Value>>, Option<(String, FetchError)>);

struct Failure {
    stream: String,
    skipped: bool,
    reason: String,
    partition: Option<String>,
}

/// Runs one manifest against its provider.
pub async fn run(
    sel: &Selected,
    line: &crate::progress::Line,
) -> Result<RunOutput, ConnectorError> {
    let m = &sel.manifest;
    let id = m.id.value.clone();
    let redact = Arc::new(Redactor::default());
    let cfg = sel.config();
    let vars = Vars::default().with("config", &cfg);
    let account = m.account.text(&vars).ok_or_else(|| {
        ConnectorError::Input(format!(
            "connector {id}: the account is empty (`account: {}`)",
            m.account.source()
        ))
    })?;
    let base =
        m.requests.base_url.text(&vars).ok_or_else(|| {
            ConnectorError::Input(format!("connector {id}: the base URL is empty"))
        })?;
    check_url(&base).map_err(|e| ConnectorError::Input(format!("connector {id}: {e}")))?;
    let base = base.trim_end_matches('/').to_string();
    let auth = sel
        .authenticator(&redact)
        .map_err(|e| ConnectorError::Input(format!("connector {id}: {}", redact.clean(&e))))?;
    let http = Http::new(
        m.requests.retry.clone(),
        auth,
        m.requests.error_when.clone(),
        redact.clone(),
    )
    .map_err(ConnectorError::Input)?;
    let source_id = format!("{id}:{account}");
    let mut cov = Coverage::new(source_id.clone());
    line.update("authenticating");
    if let Err(e) = http.authenticate().await {
        return Err(ConnectorError::Unavailable(format!(
            "connector {id} ({account}): authentication failed: {e}"
        )));
    }
    let mut store: BTreeMap<String, Vec<Rec>> = BTreeMap::new();
    let mut failures: Vec<Failure> = Vec::new();
    let mut counts = BTreeMap::new();
    for s in &m.streams {
        let name = s.name.value.clone();
        // A stream's `when` over config alone decides once; one over `parent` decides per
        // partition (in fetch_partition).
        if let Some(w) = &s.when
            && s.parent.is_none()
            && !w.truthy(&vars)
        {
            cov.read
                .push(format!("{name}: not read (turned off by its `when`)"));
            continue;
        }
        line.update(format!("reading {name}"));
        let parents: Vec<Option<Arc<Value>>> = match &s.parent {
            None => vec![None],
            Some(p) => match store.get(&p.value) {
                Some(recs) => recs.iter().map(|r| Some(r.record.clone())).collect(),
                None => {
                    failures.push(Failure {
                        stream: name.clone(),
                        skipped: false,
                        reason: format!("its parent stream `{}` was not read", p.value),
                        partition: None,
                    });
                    continue;
                }
            },
        };
        let conc = s.concurrency.unwrap_or(m.requests.concurrency).max(1);
        let results: Vec<(Option<Arc<Value>>, PartitionResult)> =
            futures_util::stream::iter(parents.into_iter().map(|p| {
                let http = &http;
                let cfg = &cfg;
                let base = &base;
                let headers = &m.requests.headers;
                async move {
                    let r = fetch_partition(http, s, headers, base, cfg, p.as_deref()).await;
                    (p, r)
                }
            }))
            .buffered(conc)
            .collect()
            .await;
        let mut recs = Vec::new();
        // A fan-out over a parent with no records read nothing, successfully.
        let mut ok = results.is_empty();
        for (p, (records, err)) in results {
            if records.is_some() {
                ok = true;
            }
            recs.extend(records.into_iter().flatten().map(|record| Rec {
                parent: p.clone(),
                record: Arc::new(record),
            }));
            match err {
                None => {}
                Some((partition, e)) => {
                    let skipped = match &e {
                        FetchError::Status(code, _) => s.skip_on.contains(code),
                        FetchError::Skip(_) => true,
                        FetchError::Other(_) => false,
                    };
                    failures.push(Failure {
                        stream: name.clone(),
                        skipped,
                        reason: redact.clean(&e.to_string()),
                        partition: (s.parent.is_some()).then(|| redact.clean(&partition)),
                    })
                }
            }
        }
        counts.insert(name.clone(), recs.len());
        if ok {
            cov.read.push(format!("{name}: {} records", recs.len()));
            store.insert(name, recs);
        }
    }
    // Coverage: failures grouped per stream and reason, a few partitions named.
    let mut grouped: BTreeMap<(String, String, bool), Vec<String>> = BTreeMap::new();
    for f in failures {
        grouped
            .entry((f.stream, f.reason, f.skipped))
            .or_default()
            .extend(f.partition);
    }
    for ((stream, reason, skipped), parts) in grouped {
        let s = m.stream(&stream);
        let what = if parts.is_empty() {
            format!("{id} stream {stream}")
        } else {
            let shown: Vec<&str> = parts.iter().take(3).map(String::as_str).collect();
            format!(
                "{id} stream {stream} for {} partition(s): {}{}",
                parts.len(),
                shown.join(", "),
                if parts.len() > 3 { ", …" } else { "" }
            )
        };
        let mut why = if skipped {
            format!("skipped: {reason}")
        } else {
            format!("failed: {reason}")
        };
        if let Some(req) = s.and_then(|s| s.requires.as_deref()) {
            why.push_str(&format!("; requires {req}"));
        }
        let rules: Vec<&str> = s
            .map(|s| s.rules_affected.iter().map(|r| r.value.as_str()).collect())
            .unwrap_or_default();
        cov.gap(what, why, &rules);
    }
    if store.is_empty() && !m.streams.is_empty() && !cov.gaps.is_empty() {
        cov.status = CoverageStatus::Failed;
    }
    // Indexes, then emits.
    let mut indexes = Indexes::new();
    for s in &m.streams {
        let Some(recs) = store.get(&s.name.value) else {
            continue;
        };
        for ix in &s.index {
            let table = indexes.entry(ix.name.value.clone()).or_default();
            for r in recs {
                let rv = Vars::default()
                    .with("config", &cfg)
                    .with("record", &r.record);
                let rv = match &r.parent {
                    Some(p) => rv.with("parent", p),
                    None => rv,
                };
                let items: Vec<Value> = match &ix.each {
                    Some(e) => match e.eval(&rv) {
                        Value::Array(a) => a,
                        Value::Null => vec![],
                        other => vec![other],
                    },
                    None => vec![Value::Null],
                };
                for item in &items {
                    let iv = if ix.each.is_some() {
                        rv.clone().with("item", item)
                    } else {
                        rv.clone()
                    };
                    let Some(key) = ix.key.text(&iv) else {
                        continue;
                    };
                    let value = match &ix.value {
                        Some(v) => v.eval(&iv),
                        None if ix.each.is_some() => item.clone(),
                        None => (*r.record).clone(),
                    };
                    table.entry(key).or_insert(value);
                }
            }
        }
    }
    let mut b = super::emit::Builder::new(m, &account, &source_id, &cfg, &indexes);
    for s in &m.streams {
        if s.emit.is_empty() {
            continue;
        }
        if let Some(recs) = store.get(&s.name.value) {
            for r in recs {
                b.record(s, r);
            }
        }
    }
    let (identities, credentials, notes) = b.finish();
    cov.read.extend(notes);
    let requests = http.stats.requests.load(Ordering::Relaxed);
    let retries = http.stats.retries.load(Ordering::Relaxed);
    cov.read.push(format!(
        "{requests} requests ({retries} retried, {} access token(s), waited {:.1}s)",
        http.stats.tokens.load(Ordering::Relaxed),
        http.stats.waited_ms.load(Ordering::Relaxed) as f64 / 1000.0
    ));
    let inventory = Inventory {
        identities,
        credentials,
        coverage: vec![cov],
        sources: vec![Source {
            id: source_id,
            connector: id,
            locations: vec![base],
        }],
        leaks: Vec::new(),
    };
    Ok(RunOutput {
        inventory,
        requests,
        retries,
        records: counts,
    })
}

/// Reads every page of one partition (the stream, or the stream under one parent record).
/// The error carries the partition's path for coverage.
async fn fetch_partition(
    http: &Http,
    s: &Stream,
    defaults: &BTreeMap<String, Template>,
    base: &str,
    cfg: &Value,
    parent: Option<&Value>,
) -> PartitionResult {
    match read_pages(http, s, defaults, base, cfg, parent).await {
        Ok(v) => (Some(v), None),
        Err(Partial {
            records,
            label,
            error,
        }) => (records, Some((label, error))),
    }
}

/// Why a partition stopped early, with the records read until then, if any count.
struct Partial {
    records: Option<Vec<Value>>,
    label: String,
    error: FetchError,
}

async fn read_pages(
    http: &Http,
    s: &Stream,
    defaults: &BTreeMap<String, Template>,
    base: &str,
    cfg: &Value,
    parent: Option<&Value>,
) -> Result<Vec<Value>, Partial> {
    let mut vars = Vars::default().with("config", cfg);
    if let Some(p) = parent {
        vars = vars.with("parent", p);
    }
    if parent.is_some()
        && let Some(w) = &s.when
        && !w.truthy(&vars)
    {
        return Ok(Vec::new());
    }
    let path = to_text(&s.path.eval(&vars));
    let label = redact_query(&path);
    let fail = |e: FetchError| Partial {
        records: None,
        label: label.clone(),
        error: e,
    };
    let mut first = if path.starts_with("http://") || path.starts_with("https://") {
        path.clone()
    } else {
        format!(
            "{base}{}{path}",
            if path.starts_with('/') { "" } else { "/" }
        )
    };
    let origin = |u: &str| reqwest::Url::parse(u).ok().map(|u| u.origin());
    if origin(&first) != origin(base) {
        return Err(fail(FetchError::Other(format!(
            "`{label}` is not on the API host; not requested"
        ))));
    }
    let mut url = reqwest::Url::parse(&first)
        .map_err(|e| fail(FetchError::Other(format!("bad URL `{label}`: {e}"))))?;
    {
        let mut q = url.query_pairs_mut();
        for (k, t) in &s.query {
            let v = t.eval(&vars);
            if !v.is_null() {
                q.append_pair(k, &to_text(&v));
            }
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    first = url.to_string();
    // Shared headers, then the stream's own (which win).
    let mut merged: BTreeMap<String, String> = BTreeMap::new();
    for (k, t) in defaults.iter().chain(&s.headers) {
        if let Some(v) = t.text(&vars) {
            merged.insert(k.to_ascii_lowercase(), v);
        }
    }
    let headers: Vec<(String, String)> = merged.into_iter().collect();
    let records_path = match &s.records {
        Some(r) => parse_path(&r.value).map_err(|e| fail(FetchError::Other(e)))?,
        None => Vec::new(),
    };
    let pg = s.paginate.as_ref();
    let set_param = |u: &str, k: &str, v: &str| -> String {
        let Ok(mut url) = reqwest::Url::parse(u) else {
            return u.to_string();
        };
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(a, _)| a != k)
            .map(|(a, b)| (a.into_owned(), b.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair(k, v);
        url.to_string()
    };
    let mut next = first.clone();
    let mut page_no = pg.and_then(|p| p.start).unwrap_or(1);
    let mut offset: u64 = 0;
    if let Some(p) = pg {
        match p.kind.value {
            PageKind::Page | PageKind::Offset => {
                if let (Some(sp), Some(size)) = (&p.size_param, p.page_size) {
                    next = set_param(&next, sp, &size.to_string());
                }
                let v = if p.kind.value == PageKind::Page {
                    page_no
                } else {
                    0
                };
                next = set_param(&next, p.param.as_deref().unwrap_or("page"), &v.to_string());
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut pages = 0u64;
    let mut seen = std::collections::HashSet::new();
    seen.insert(next.clone());
    loop {
        let resp = match http.get(&next, &headers).await {
            Ok(r) => r,
            // A failure after the first page keeps what was read.
            Err(e) => {
                return Err(Partial {
                    records: (pages > 0).then_some(out),
                    label: label.clone(),
                    error: e,
                });
            }
        };
        let records = match walk(&resp.body, &records_path) {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![other.clone()],
        };
        let n = records.len() as u64;
        out.extend(records);
        pages += 1;
        let Some(p) = pg else { break };
        let following = match p.kind.value {
            PageKind::NextUrl => p
                .path
                .as_deref()
                .and_then(|path| parse_path(path).ok())
                .and_then(|segs| walk(&resp.body, &segs).map(to_text))
                .filter(|u| !u.is_empty())
                .map(|u| absolute(base, &u)),
            PageKind::Cursor => p
                .path
                .as_deref()
                .and_then(|path| parse_path(path).ok())
                .and_then(|segs| walk(&resp.body, &segs).map(to_text))
                .filter(|c| !c.is_empty())
                .map(|c| set_param(&first, p.param.as_deref().unwrap_or("cursor"), &c)),
            PageKind::LinkHeader => resp
                .headers
                .get_all("link")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(crate::http::next_link)
                .map(|u| absolute(base, &u)),
            // Numbered and offset pages end with an empty page: a server that caps the page
            // size below the one asked for must not truncate the list.
            PageKind::Page => (n > 0).then(|| {
                page_no += 1;
                set_param(
                    &next,
                    p.param.as_deref().unwrap_or("page"),
                    &page_no.to_string(),
                )
            }),
            PageKind::Offset => (n > 0).then(|| {
                offset += n;
                set_param(
                    &next,
                    p.param.as_deref().unwrap_or("offset"),
                    &offset.to_string(),
                )
            }),
        };
        let Some(u) = following else { break };
        let stop = |why: String, out: Vec<Value>| Partial {
            records: Some(out),
            label: label.clone(),
            error: FetchError::Other(why),
        };
        // A next page on another host would receive the credentials: never followed.
        if origin(&u) != origin(base) {
            return Err(stop(
                format!(
                    "the next page is on another host ({}); not followed",
                    redact_query(&u)
                ),
                out,
            ));
        }
        if !seen.insert(u.clone()) {
            return Err(stop(
                format!(
                    "the server sent a page already read (a pagination cycle) after {pages} pages; stopped"
                ),
                out,
            ));
        }
        if pages >= p.max_pages {
            return Err(stop(
                format!(
                    "stopped after {pages} pages (paginate.max_pages); {} records read",
                    out.len()
                ),
                out,
            ));
        }
        next = u;
    }
    Ok(out)
}

fn absolute(base: &str, u: &str) -> String {
    if u.starts_with("http://") || u.starts_with("https://") {
        return u.to_string();
    }
    match reqwest::Url::parse(base).and_then(|b| b.join(u)) {
        Ok(j) => j.to_string(),
        Err(_) => u.to_string(),
    }
}
