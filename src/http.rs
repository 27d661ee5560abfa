//! The one HTTP layer of every connector (GitHub through octocrab, the declarative connectors
//! through reqwest, and every connector after them). It decides, in one place:
//!
//! - retries: 429, 5xx, secondary rate limits (403 with `Retry-After`, an exhausted
//!   `x-ratelimit-remaining`, or a rate-limit reason in the body), transport errors, timeouts
//!   and bodies cut off mid-way, with exponential backoff or the provider's `Retry-After` /
//!   `x-ratelimit-reset` / `x-rate-limit-reset`, every wait bounded;
//! - request counting (requests, retries, waits, cached answers, tokens) for coverage;
//! - response-size caps enforced while the body streams in, so a chunked body or a token
//!   endpoint's body stops at the cap instead of filling memory;
//! - error redaction: every message passes the [`Redactor`] before it leaves;
//! - where credentials may be sent ([`check_url`]), how provider URLs are scrubbed before they
//!   become names, evidence, fingerprints or cache keys ([`scrub_url`]), and how `link`
//!   headers are read ([`next_link`]).
//!
//! A connector supplies only the transport: a closure that sends one request and hands back
//! the status, the headers and the body as a stream of chunks ([`Pending`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
pub use http::HeaderMap;

use crate::secret::Secret;

/// Replaces every known secret in a text with `***`.
#[derive(Debug, Default)]
pub struct Redactor {
    secrets: std::sync::RwLock<Vec<Secret>>,
}

impl Redactor {
    /// Adds a value to hide (values under 4 characters are not worth hiding and would
    /// garble messages).
    pub fn add(&self, s: &str) {
        let s = s.trim();
        if s.len() >= 4
            && let Ok(mut v) = self.secrets.write()
            && !v.iter().any(|x| x.expose() == s)
        {
            v.push(Secret::new(s));
            // Longest first, so a secret that contains another is hidden whole.
            v.sort_by_key(|x| std::cmp::Reverse(x.expose().len()));
        }
    }

    /// The text with every secret replaced (also as it appears percent-encoded in a URL or
    /// form), and every URL in it scrubbed.
    pub fn clean(&self, text: &str) -> String {
        let mut out = text.to_string();
        if let Ok(v) = self.secrets.read() {
            for s in v.iter().map(Secret::expose) {
                if out.contains(s) {
                    out = out.replace(s, "***");
                }
                let enc =
                    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
                        .to_string();
                if enc != *s && out.contains(enc.as_str()) {
                    out = out.replace(enc.as_str(), "***");
                }
            }
        }
        out
    }
}

/// Request counters, reported in coverage and read by benches.
#[derive(Debug, Default)]
pub struct Stats {
    /// Requests sent (retries and token requests included).
    pub requests: AtomicU64,
    /// Retries after 429, 5xx, a rate limit, a transport error or a retryable error body.
    pub retries: AtomicU64,
    /// Milliseconds spent waiting before retries and for rate-limit resets.
    pub waited_ms: AtomicU64,
    /// Answered 304 Not Modified from a cache.
    pub cached: AtomicU64,
    /// Access tokens obtained.
    pub tokens: AtomicU64,
}

/// A copy of the counters at one moment (subtract two for the cost of one part of a scan).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests sent.
    pub requests: u64,
    /// Retries.
    pub retries: u64,
    /// Milliseconds waited.
    pub waited_ms: u64,
    /// Answered from a cache.
    pub cached: u64,
    /// Tokens obtained.
    pub tokens: u64,
}

impl Stats {
    /// The counters now.
    pub fn counts(&self) -> Counts {
        Counts {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            waited_ms: self.waited_ms.load(Ordering::Relaxed),
            cached: self.cached.load(Ordering::Relaxed),
            tokens: self.tokens.load(Ordering::Relaxed),
        }
    }
}

impl std::ops::Sub for Counts {
    type Output = Counts;
    fn sub(self, o: Counts) -> Counts {
        Counts {
            requests: self.requests.saturating_sub(o.requests),
            retries: self.retries.saturating_sub(o.retries),
            waited_ms: self.waited_ms.saturating_sub(o.waited_ms),
            cached: self.cached.saturating_sub(o.cached),
            tokens: self.tokens.saturating_sub(o.tokens),
        }
    }
}

/// How persistent one connector's requests are.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The first backoff; doubled each attempt (the provider's wait takes precedence).
    pub backoff: Duration,
    /// The longest single wait; a provider asking for longer fails the request.
    pub max_wait: Duration,
    /// The largest body read; larger is an error, detected while the body streams in.
    pub max_body: u64,
    /// The longest a request may take, from sending to the last byte of its body.
    pub timeout: Duration,
    /// Stop after this many requests (None: no budget).
    pub budget: Option<u64>,
}

/// The largest response body read by default (64 MiB).
pub const MAX_BODY: u64 = 64 << 20;

/// The request timeout: `NHI_HTTP_TIMEOUT_SECONDS` (documented in docs/configuration.md), or
/// 60 s.
pub fn default_timeout() -> Duration {
    std::env::var("NHI_HTTP_TIMEOUT_SECONDS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(Duration::from_secs(60), Duration::from_secs)
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(300),
            max_body: MAX_BODY,
            timeout: default_timeout(),
            budget: None,
        }
    }
}

/// A response body as a stream of chunks.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<bytes::Bytes, String>> + Send>>;

/// What a transport hands back for one request: status and headers, the body still to read.
pub struct Pending {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body, not yet read.
    pub body: BodyStream,
}

impl Pending {
    /// From a reqwest response.
    pub fn from_reqwest(r: reqwest::Response) -> Self {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = futures_util::stream::unfold(Some(r), |r| async move {
            let mut r = r?;
            match r.chunk().await {
                Ok(Some(c)) => Some((Ok(c), Some(r))),
                Ok(None) => None,
                Err(e) => Some((
                    Err(format!(
                        "the response body was cut off: {}",
                        e.without_url()
                    )),
                    None,
                )),
            }
        });
        Self {
            status,
            headers,
            body: Box::pin(body),
        }
    }

    /// From an `http` response whose body implements `http_body::Body` (octocrab's).
    pub fn from_http<B>(r: http::Response<B>) -> Self
    where
        B: http_body::Body<Data = bytes::Bytes> + Send + Unpin + 'static,
        B::Error: std::fmt::Display,
    {
        let (parts, body) = r.into_parts();
        let body = futures_util::stream::unfold(Some(body), |b| async move {
            use http_body_util::BodyExt;
            let mut b = b?;
            loop {
                match b.frame().await {
                    None => return None,
                    Some(Err(e)) => {
                        return Some((Err(format!("the response body was cut off: {e}")), None));
                    }
                    Some(Ok(f)) => {
                        if let Ok(d) = f.into_data() {
                            return Some((Ok(d), Some(b)));
                        }
                    }
                }
            }
        });
        Self {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: Box::pin(body),
        }
    }
}

/// A response read whole (within the cap).
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Why a request gave no usable response. Messages are redacted.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The request budget is spent.
    Budget,
    /// The provider asked to wait longer than allowed.
    WaitTooLong {
        /// What it asked for.
        asked: Duration,
        /// What is allowed.
        allowed: Duration,
    },
    /// The request could not be sent or answered (after retries): a transport error, a
    /// timeout, a body cut off mid-way.
    Transport(String),
    /// The body is larger than the cap.
    TooLarge(u64),
    /// Still rate limited or failing after the last attempt: the last reply.
    GaveUp(Reply),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Budget => f.write_str("the request budget is spent"),
            Failure::WaitTooLong { asked, allowed } => write!(
                f,
                "the provider asked to wait {} s, more than the {} s allowed",
                asked.as_secs(),
                allowed.as_secs()
            ),
            Failure::Transport(m) => f.write_str(m),
            Failure::TooLarge(cap) => write!(f, "the response is larger than {} MiB", cap >> 20),
            Failure::GaveUp(r) => write!(f, "HTTP {} after every retry", r.status),
        }
    }
}

enum Verdict {
    Done,
    Retry(Option<Duration>),
}

/// The wait a rate-limited response asks for: `Retry-After` (seconds or an HTTP date), or
/// the reset time of an exhausted budget (`x-ratelimit-reset`, GitHub; `x-rate-limit-reset`,
/// Okta), in epoch seconds.
pub fn rate_limit_wait(h: &HeaderMap) -> Option<Duration> {
    if let Some(v) = h.get("retry-after").and_then(|v| v.to_str().ok()) {
        let v = v.trim();
        if let Ok(s) = v.parse::<u64>() {
            return Some(Duration::from_secs(s));
        }
        let t = chrono::DateTime::parse_from_rfc2822(v).ok()?;
        let d = t.with_timezone(&chrono::Utc) - chrono::Utc::now();
        return Some(d.to_std().unwrap_or(Duration::ZERO));
    }
    let reset = ["x-ratelimit-reset", "x-rate-limit-reset"]
        .iter()
        .find_map(|k| h.get(*k)?.to_str().ok()?.trim().parse::<i64>().ok())?;
    let d = reset.saturating_sub(chrono::Utc::now().timestamp());
    Some(Duration::from_secs(d.clamp(0, 86_400) as u64))
}

fn exhausted(h: &HeaderMap) -> bool {
    ["x-ratelimit-remaining", "x-rate-limit-remaining"]
        .iter()
        .any(|k| {
            h.get(*k)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim() == "0")
        })
}

fn classify(r: &Reply, retry_body: &(dyn Fn(&Reply) -> bool + Sync)) -> Verdict {
    let wait = || rate_limit_wait(&r.headers);
    match r.status {
        429 => Verdict::Retry(wait()),
        403 if r.headers.contains_key("retry-after") || exhausted(&r.headers) => {
            Verdict::Retry(wait())
        }
        403 => {
            // Secondary limits without headers (GitHub), Google's quota reasons.
            let t = r.text().to_ascii_lowercase();
            if t.contains("secondary rate limit")
                || t.contains("ratelimitexceeded")
                || t.contains("userratelimitexceeded")
            {
                Verdict::Retry(None)
            } else {
                Verdict::Done
            }
        }
        500..=599 => Verdict::Retry(wait()),
        _ if retry_body(r) => Verdict::Retry(wait()),
        _ => Verdict::Done,
    }
}

enum Read {
    TooLarge,
    Broken(String),
}

async fn read_capped(mut body: BodyStream, cap: u64) -> Result<Vec<u8>, Read> {
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(Read::Broken)?;
        if out.len() as u64 + chunk.len() as u64 > cap {
            return Err(Read::TooLarge);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// One connector's HTTP layer: its policy, counters, redaction and wait gate.
#[derive(Debug)]
pub struct Layer {
    /// The policy.
    pub policy: Policy,
    /// Counters.
    pub stats: Arc<Stats>,
    /// Secret redaction for every message.
    pub redact: Arc<Redactor>,
    /// Serialises waits so concurrent requests do not all wake into the same limit.
    gate: tokio::sync::Mutex<()>,
}

impl Layer {
    /// A layer with a policy and a redactor.
    pub fn new(policy: Policy, redact: Arc<Redactor>) -> Self {
        Self {
            policy,
            stats: Arc::new(Stats::default()),
            redact,
            gate: tokio::sync::Mutex::new(()),
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.policy
            .backoff
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.policy.max_wait)
    }

    /// Waits `d`, unless it is longer than the policy allows.
    pub async fn wait(&self, d: Duration) -> Result<(), Failure> {
        if d > self.policy.max_wait {
            return Err(Failure::WaitTooLong {
                asked: d,
                allowed: self.policy.max_wait,
            });
        }
        let _g = self.gate.lock().await;
        tokio::time::sleep(d).await;
        self.stats
            .waited_ms
            .fetch_add(d.as_millis() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Sends a request through `send` until it gives a final answer: retries what can be
    /// retried, waits what the provider asks (bounded), reads the body within the cap and the
    /// timeout. `retry_body` marks 2xx answers whose body says "try again" (Slack's
    /// `ratelimited`). A non-retryable error status is returned as a [`Reply`] for the
    /// caller to judge; a retryable one still failing after the last attempt is
    /// [`Failure::GaveUp`].
    pub async fn execute<F, Fut>(
        &self,
        send: F,
        retry_body: &(dyn Fn(&Reply) -> bool + Sync),
    ) -> Result<Reply, Failure>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Pending, String>>,
    {
        let mut attempt = 0u32;
        loop {
            if self
                .policy
                .budget
                .is_some_and(|b| self.stats.requests.load(Ordering::Relaxed) >= b)
            {
                return Err(Failure::Budget);
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let last = attempt + 1 >= self.policy.max_attempts;
            let timeout = self.policy.timeout;
            let cap = self.policy.max_body;
            let outcome = tokio::time::timeout(timeout, async {
                let p = send().await.map_err(Read::Broken)?;
                if p.headers
                    .get("content-length")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .is_some_and(|n| n > cap)
                {
                    return Err(Read::TooLarge);
                }
                let body = read_capped(p.body, cap).await?;
                Ok(Reply {
                    status: p.status,
                    headers: p.headers,
                    body,
                })
            })
            .await;
            let reply = match outcome {
                Err(_) => Err(format!("timed out after {} s", timeout.as_secs())),
                Ok(Err(Read::TooLarge)) => return Err(Failure::TooLarge(cap)),
                Ok(Err(Read::Broken(e))) => Err(self.redact.clean(&e)),
                Ok(Ok(r)) => Ok(r),
            };
            let reply = match reply {
                Ok(r) => r,
                Err(msg) if last => return Err(Failure::Transport(msg)),
                Err(_) => {
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    self.wait(self.backoff(attempt)).await?;
                    attempt += 1;
                    continue;
                }
            };
            match classify(&reply, retry_body) {
                Verdict::Retry(_) if last => return Err(Failure::GaveUp(reply)),
                Verdict::Retry(d) => {
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    self.wait(d.unwrap_or_else(|| self.backoff(attempt)))
                        .await?;
                    attempt += 1;
                }
                Verdict::Done => {
                    // Spend a budget evenly: when it is gone, wait for its reset.
                    if (200..300).contains(&reply.status)
                        && exhausted(&reply.headers)
                        && let Some(d) = rate_limit_wait(&reply.headers)
                    {
                        self.wait(d).await?;
                    }
                    return Ok(reply);
                }
            }
        }
    }
}

/// An absolute https URL, or http to a loopback host (a test or local server): credentials
/// are never sent in clear over a network.
pub fn check_url(s: &str) -> Result<(), String> {
    let shown = scrub_url(s);
    let s = shown.as_str();
    let u = url::Url::parse(s).map_err(|e| format!("`{s}` is not a URL: {e}"))?;
    match u.scheme() {
        "https" => Ok(()),
        "http"
            if match u.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            } =>
        {
            Ok(())
        }
        "http" => Err(format!(
            "`{s}` uses http: credentials would cross the network in clear (use https; http is allowed only to localhost)"
        )),
        other => Err(format!("`{s}`: unsupported scheme `{other}`")),
    }
}

/// Query parameters whose value is itself a credential (SAS `sig`, tokens, keys, OAuth codes).
const SECRET_PARAMS: &[&str] = &[
    "sig",
    "signature",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "key",
    "api_key",
    "apikey",
    "code",
    "secret",
    "client_secret",
    "password",
    "pass",
    "pwd",
    "auth",
    "x-amz-signature",
    "x-amz-security-token",
    "x-goog-signature",
];

/// What replaces a scrubbed credential in a URL.
pub const SCRUBBED: &str = "REDACTED";

/// Paths that are themselves the credential, by host: (host suffix, path prefix kept). The
/// rest of the path after the prefix is replaced (Slack and Discord webhooks, Teams incoming
/// webhooks in their old and new host forms).
const SECRET_PATHS: &[(&str, &str)] = &[
    ("hooks.slack.com", "/services/"),
    ("hooks.slack.com", "/workflows/"),
    ("hooks.slack.com", "/triggers/"),
    ("discord.com", "/api/webhooks/"),
    ("discordapp.com", "/api/webhooks/"),
    ("webhook.office.com", "/webhookb2/"),
    ("outlook.office.com", "/webhook/"),
    ("outlook.office365.com", "/webhook/"),
    ("chat.googleapis.com", "/v1/spaces/"),
];

/// A provider URL with its credentials removed: userinfo (`https://user:pass@host/`), the
/// values of credential-bearing query parameters (`sig=`, `token=`, `key=`, `code=`, …), and
/// the paths that are themselves a credential (Slack, Discord and Teams webhooks). Text that
/// is not a URL is returned as it is. Applied before a URL becomes a name, evidence, a
/// fingerprint or a cache key.
pub fn scrub_url(s: &str) -> String {
    let Ok(mut u) = url::Url::parse(s.trim()) else {
        return s.to_string();
    };
    if u.cannot_be_a_base() {
        return s.to_string();
    }
    let mut changed = false;
    if !u.username().is_empty() || u.password().is_some() {
        let _ = u.set_username("");
        let _ = u.set_password(None);
        changed = true;
    }
    if u.query().is_some() {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let secret = SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str());
                changed |= secret;
                (
                    k.into_owned(),
                    if secret {
                        SCRUBBED.to_string()
                    } else {
                        v.into_owned()
                    },
                )
            })
            .collect();
        if changed {
            u.query_pairs_mut().clear().extend_pairs(pairs);
        }
    }
    let host = u.host_str().unwrap_or_default().to_ascii_lowercase();
    for (suffix, prefix) in SECRET_PATHS {
        let on_host = host == *suffix || host.ends_with(&format!(".{suffix}"));
        if on_host && u.path().starts_with(prefix) && u.path().len() > prefix.len() {
            u.set_path(&format!("{prefix}{SCRUBBED}"));
            changed = true;
        }
    }
    if u.fragment().is_some_and(|f| f.contains("token")) {
        u.set_fragment(None);
        changed = true;
    }
    if changed {
        u.to_string()
    } else {
        s.to_string()
    }
}

/// The `rel="next"` target of a `link` header value (RFC 8288): several links separated by
/// commas outside `<…>` (a URL may hold commas), parameters in any case, quoted or not.
pub fn next_link(link: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in link.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth <= 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    for part in parts {
        let mut pieces = part.split(';');
        let target = pieces.next()?.trim();
        let is_next = pieces.any(|p| {
            let p = p.trim().to_ascii_lowercase().replace(' ', "");
            p.strip_prefix("rel=")
                .map(|v| v.trim_matches('"').split_whitespace().any(|r| r == "next"))
                .unwrap_or(false)
        });
        if is_next {
            let t = target.trim_start_matches('<').trim_end_matches('>').trim();
            return (!t.is_empty()).then(|| t.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        assert_eq!(
            next_link(r#"<https://x/a?after=1>; rel="next", <https://x/a>; rel="self""#),
            Some("https://x/a?after=1".into())
        );
        assert_eq!(next_link(r#"<https://x/a>; rel="self""#), None);
        assert_eq!(
            next_link(r#"<https://x/a?ids=1,2>; rel="next""#),
            Some("https://x/a?ids=1,2".into())
        );
        assert_eq!(
            next_link(r#"<https://x/p2>; REL=next, <https://x/p9>; rel="last""#),
            Some("https://x/p2".into())
        );
        assert_eq!(next_link(""), None);
        assert_eq!(next_link("<>; rel=next"), None);
    }

    #[test]
    fn urls_lose_their_credentials() {
        let cases = [
            (
                "https://bob:hunter2@ci.example.com/hook",
                "https://ci.example.com/hook",
            ),
            (
                "https://hooks.slack.com/services/T0001/B0002/abcdefSECRET",
                "https://hooks.slack.com/services/REDACTED",
            ),
            (
                "https://acme.webhook.office.com/webhookb2/1111@2222/IncomingWebhook/abc/3333",
                "https://acme.webhook.office.com/webhookb2/REDACTED",
            ),
            (
                "https://prod-01.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers&sig=S3CR3T",
                "https://prod-01.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers&sig=REDACTED",
            ),
            (
                "https://example.com/cb?token=abc&page=2&code=xyz&KEY=k",
                "https://example.com/cb?token=REDACTED&page=2&code=REDACTED&KEY=REDACTED",
            ),
            (
                "https://api.github.com/orgs/acme",
                "https://api.github.com/orgs/acme",
            ),
            ("not a url", "not a url"),
        ];
        for (given, want) in cases {
            assert_eq!(scrub_url(given), want, "{given}");
        }
        assert!(
            check_url("http://u:pw@example.com/")
                .unwrap_err()
                .contains("example.com")
        );
        assert!(
            !check_url("http://u:pw@example.com/")
                .unwrap_err()
                .contains("pw")
        );
        assert!(check_url("http://127.0.0.2:8080/").is_ok());
        assert!(check_url("http://localhost/").is_ok());
        assert!(check_url("ftp://example.com/").is_err());
    }
}
