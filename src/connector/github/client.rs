//! GitHub's REST API through octocrab's raw GET, with what a large organisation needs: the
//! `x-ratelimit-*` headers read on every response (waiting for the reset instead of failing),
//! secondary limits (403/429 with `retry-after`) backed off, `link`-header pagination,
//! conditional requests with ETags cached on disk (keyed by URL, never holding a token), a
//! request budget, and counts of everything for the coverage section.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::header::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Counters for the coverage section.
#[derive(Debug, Default)]
pub struct Stats {
    /// Requests sent.
    pub requests: AtomicU64,
    /// Answered 304 Not Modified from the cache.
    pub cached: AtomicU64,
    /// Milliseconds spent waiting for rate limits.
    pub waited_ms: AtomicU64,
}

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
    budget: Option<u64>,
    max_wait: Duration,
    /// Counters.
    pub stats: Stats,
    /// Serialises waits so concurrent requests do not all wake into the same limit.
    gate: tokio::sync::Mutex<()>,
}

/// One page of an answer.
pub struct Page {
    /// The body.
    pub body: String,
    /// The next page's URL, from the `link` header.
    pub next: Option<String>,
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

impl Client {
    /// A client for `base` (e.g. `https://api.github.com`).
    pub fn new(
        octo: octocrab::Octocrab,
        base: &str,
        cache_dir: Option<PathBuf>,
        budget: Option<u64>,
        max_wait: Duration,
    ) -> Self {
        Self {
            octo,
            base: base.trim_end_matches('/').to_string(),
            cache_dir,
            budget,
            max_wait,
            stats: Stats::default(),
            gate: tokio::sync::Mutex::new(()),
        }
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
        let key: String = Sha256::digest(url.as_bytes())
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        Some(dir.join(format!("{key}.json")))
    }

    async fn wait(&self, d: Duration) -> Result<(), GetError> {
        if d > self.max_wait {
            return Err(GetError::Failed(format!(
                "rate limited for {} s, longer than the allowed wait ({} s)",
                d.as_secs(),
                self.max_wait.as_secs()
            )));
        }
        let _g = self.gate.lock().await;
        tokio::time::sleep(d).await;
        self.stats
            .waited_ms
            .fetch_add(d.as_millis() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// GETs one page, honouring rate limits and the ETag cache.
    pub async fn get(&self, path: &str) -> Result<Page, GetError> {
        let url = self.url(path);
        let cache = self.cache_file(&url);
        let cached: Option<Cached> = cache
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok());
        for attempt in 0..6u32 {
            if self
                .budget
                .is_some_and(|b| self.stats.requests.load(Ordering::Relaxed) >= b)
            {
                return Err(GetError::Budget);
            }
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
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let resp = match self
                .octo
                ._get_with_headers(self.relative(&url), Some(headers))
                .await
            {
                Ok(r) => r,
                Err(e) => {
                    // A transport or authentication error: a couple of retries, then give up.
                    if attempt < 2 {
                        self.wait(Duration::from_millis(200 << attempt)).await?;
                        continue;
                    }
                    return Err(GetError::Failed(format!("{url}: {e}")));
                }
            };
            let status = resp.status().as_u16();
            let h = resp.headers().clone();
            let remaining = header(&h, "x-ratelimit-remaining").and_then(|v| v.parse::<u64>().ok());
            let reset = header(&h, "x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok());
            let retry_after = header(&h, "retry-after").and_then(|v| v.parse::<u64>().ok());
            let until_reset = || {
                let now = chrono::Utc::now().timestamp();
                Duration::from_secs(reset.map_or(60, |r| (r - now).max(1) as u64))
            };
            match status {
                304 => {
                    let c = cached.ok_or_else(|| {
                        GetError::Failed(format!("{url}: 304 without a cached copy"))
                    })?;
                    self.stats.cached.fetch_add(1, Ordering::Relaxed);
                    return Ok(Page {
                        next: c.link.as_deref().and_then(crate::http::next_link),
                        body: c.body,
                    });
                }
                200..=299 => {
                    let body = self
                        .octo
                        .body_to_string(resp)
                        .await
                        .map_err(|e| GetError::Failed(format!("{url}: {e}")))?;
                    let link = header(&h, "link");
                    if let (Some(p), Some(etag)) = (&cache, header(&h, "etag")) {
                        if let Some(dir) = p.parent() {
                            let _ = std::fs::create_dir_all(dir);
                        }
                        let entry = Cached {
                            etag,
                            link: link.clone(),
                            body: body.clone(),
                        };
                        let _ = std::fs::write(p, serde_json::to_vec(&entry).unwrap_or_default());
                    }
                    // Spend the budget evenly: when it is gone, wait for the reset.
                    if remaining == Some(0) {
                        self.wait(until_reset()).await?;
                    }
                    return Ok(Page {
                        next: link.as_deref().and_then(crate::http::next_link),
                        body,
                    });
                }
                403 | 429 if retry_after.is_some() => {
                    // Secondary rate limit.
                    self.wait(Duration::from_secs(retry_after.unwrap_or(60)))
                        .await?;
                }
                403 | 429 if remaining == Some(0) => {
                    self.wait(until_reset()).await?;
                }
                404 => return Err(GetError::NotFound),
                401 | 403 => {
                    let body = self.octo.body_to_string(resp).await.unwrap_or_default();
                    let msg = serde_json::from_str::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v["message"].as_str().map(String::from))
                        .unwrap_or_else(|| format!("HTTP {status}"));
                    return Err(GetError::Forbidden(msg));
                }
                500..=599 if attempt < 3 => {
                    self.wait(Duration::from_millis(500 << attempt)).await?;
                }
                _ => return Err(GetError::Failed(format!("{url}: HTTP {status}"))),
            }
        }
        Err(GetError::Failed(format!(
            "{url}: still failing after retries"
        )))
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
            let v: serde_json::Value = serde_json::from_str(&page.body)
                .map_err(|e| GetError::Failed(format!("{p}: not JSON: {e}")))?;
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
