//! GitHub's REST API through octocrab's raw GET, with what a large organisation needs: the
//! `x-ratelimit-*` headers read on every response (waiting for the reset instead of failing),
//! secondary limits (403/429 with `retry-after`) backed off, `link`-header pagination,
//! conditional requests with ETags cached on disk (keyed by URL, never holding a token), a
//! request budget, and counts of everything for the coverage section.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use http::header::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::http::{Failure, Layer, Pending, Policy, Redactor};

pub use crate::http::Stats;

/// Why a GET did not give a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GetError {
    /// 404: the endpoint or resource does not exist for this org (e.g. not Enterprise Cloud).
    NotFound,
    /// 401/403 without a rate limit: a permission is missing.
    Forbidden(String),
    /// The request budget is spent.
    Budget,
    /// Anything else, after retries.
    Failed(String),
}

impl std::fmt::Display for GetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GetError::NotFound => f.write_str("404 Not Found"),
            GetError::Forbidden(m) => write!(f, "forbidden: {m}"),
            GetError::Budget => f.write_str("the request budget (--github-max-requests) is spent"),
            GetError::Failed(m) => f.write_str(m),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Cached {
    etag: String,
    link: Option<String>,
    body: String,
}

/// A GitHub API client for one scan.
pub struct Client {
    octo: octocrab::Octocrab,
    base: String,
    cache_dir: Option<PathBuf>,
    layer: Layer,
}

/// One page of an answer.
pub struct Page {
    /// The body.
    pub body: String,
    /// The next page's URL, from the `link` header.
    pub next: Option<String>,
}

/// GitHub's error `message`, or the status.
fn message(body: &str, status: u16) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(String::from))
        .unwrap_or_else(|| format!("HTTP {status}"))
}

impl Client {
    /// A client for `base` (e.g. `https://api.github.com`). `redact` holds the credentials in
    /// use, hidden from every message.
    pub fn new(
        octo: octocrab::Octocrab,
        base: &str,
        cache_dir: Option<PathBuf>,
        budget: Option<u64>,
        max_wait: Duration,
        redact: Arc<Redactor>,
    ) -> Self {
        let policy = Policy {
            budget,
            max_wait,
            ..Policy::default()
        };
        Self {
            octo,
            base: base.trim_end_matches('/').to_string(),
            cache_dir,
            layer: Layer::new(policy, redact),
        }
    }

    /// The counters.
    pub fn stats(&self) -> &Stats {
        &self.layer.stats
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// What octocrab is given: a path relative to the API base (octocrab joins it, and sends
    /// credentials only with requests it routes to the base itself, never to another host).
    fn relative<'a>(&self, url: &'a str) -> &'a str {
        url.strip_prefix(self.base.as_str())
            .filter(|r| r.is_empty() || r.starts_with('/'))
            .unwrap_or(url)
    }

    fn cache_file(&self, url: &str) -> Option<PathBuf> {
        let dir = self.cache_dir.as_ref()?;
        let key: String = Sha256::digest(crate::http::scrub_url(url).as_bytes())
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        Some(dir.join(format!("{key}.json")))
    }

    /// GETs one page through the HTTP layer, honouring rate limits and the ETag cache.
    pub async fn get(&self, path: &str) -> Result<Page, GetError> {
        let url = self.url(path);
        let shown = self.layer.redact.clean(&crate::http::scrub_url(&url));
        let cache = self.cache_file(&url);
        let cached: Option<Cached> = cache.as_ref().and_then(|p| super::cache::read(p));
        let mut headers = HeaderMap::new();
        headers.insert(
            "accept",
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            "x-github-api-version",
            HeaderValue::from_static("2022-11-28"),
        );
        if let Some(v) = cached
            .as_ref()
            .and_then(|c| HeaderValue::from_str(&c.etag).ok())
        {
            headers.insert("if-none-match", v);
        }
        let rel = self.relative(&url);
        let send = || {
            let headers = headers.clone();
            async move {
                self.octo
                    ._get_with_headers(rel, Some(headers))
                    .await
                    .map(Pending::from_http)
                    .map_err(|e| e.to_string())
            }
        };
        let reply = match self.layer.execute(send, &|_| false).await {
            Ok(r) => r,
            Err(Failure::Budget) => return Err(GetError::Budget),
            Err(Failure::GaveUp(r)) => {
                return Err(GetError::Failed(format!(
                    "{shown}: HTTP {} after every retry: {}",
                    r.status,
                    self.layer.redact.clean(&message(&r.text(), r.status))
                )));
            }
            Err(e) => return Err(GetError::Failed(format!("{shown}: {e}"))),
        };
        let status = reply.status;
        match status {
            304 => {
                let c = cached.ok_or_else(|| {
                    GetError::Failed(format!("{shown}: 304 without a cached copy"))
                })?;
                self.layer.stats.cached.fetch_add(1, Ordering::Relaxed);
                Ok(Page {
                    next: c.link.as_deref().and_then(crate::http::next_link),
                    body: c.body,
                })
            }
            200..=299 => {
                let body = String::from_utf8(reply.body.clone())
                    .map_err(|_| GetError::Failed(format!("{shown}: the body is not UTF-8")))?;
                let link = reply.header("link").map(str::to_string);
                if let (Some(p), Some(etag)) = (&cache, reply.header("etag")) {
                    super::cache::write(
                        p,
                        &Cached {
                            etag: etag.to_string(),
                            link: link.clone(),
                            body: super::cache::scrub_body(&body),
                        },
                    );
                }
                Ok(Page {
                    next: link.as_deref().and_then(crate::http::next_link),
                    body,
                })
            }
            404 => Err(GetError::NotFound),
            401 | 403 => Err(GetError::Forbidden(
                self.layer.redact.clean(&message(&reply.text(), status)),
            )),
            _ => Err(GetError::Failed(format!("{shown}: HTTP {status}"))),
        }
    }

    /// GETs every page of a list; `items` picks the list out of a page (an array, or a field
    /// of a wrapper object such as `{total_count, secrets}`).
    pub async fn get_all<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        items: Option<&str>,
    ) -> Result<Vec<T>, GetError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{sep}per_page=100"));
        let mut out = Vec::new();
        while let Some(p) = next {
            let page = self.get(&p).await?;
            let v: serde_json::Value = serde_json::from_str(&page.body).map_err(|e| {
                GetError::Failed(format!(
                    "{}: the response is not JSON: {e}",
                    crate::http::scrub_url(&p)
                ))
            })?;
            let list = match items {
                Some(k) => v
                    .get(k)
                    .cloned()
                    .unwrap_or(serde_json::Value::Array(vec![])),
                None => v,
            };
            let mut parsed: Vec<T> = serde_json::from_value(list)
                .map_err(|e| GetError::Failed(format!("{p}: unexpected shape: {e}")))?;
            out.append(&mut parsed);
            next = page.next;
        }
        Ok(out)
    }

    /// GETs one object.
    pub async fn get_one<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<T, GetError> {
        let page = self.get(path).await?;
        serde_json::from_str(&page.body)
            .map_err(|e| GetError::Failed(format!("{path}: unexpected shape: {e}")))
    }
}
