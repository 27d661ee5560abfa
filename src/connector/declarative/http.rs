//! HTTP for declarative connectors: authentication (with a token cache), retries on 429 and
//! 5xx honouring `Retry-After`, error bodies in 200 responses, request counts, and redaction
//! of every secret from every message.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use tokio::sync::Mutex;

use super::manifest::{Auth, AuthKind, ErrorWhen, Retry};
use super::template::{Template, Vars, parse_path, to_text, walk};
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

    /// The text with every secret replaced.
    pub fn clean(&self, text: &str) -> String {
        let mut out = text.to_string();
        if let Ok(v) = self.secrets.read() {
            for s in v.iter().map(Secret::expose) {
                if out.contains(s) {
                    out = out.replace(s, "***");
                }
                // Also as it appears percent-encoded in a URL or form.
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
    /// Requests sent (retries included, token requests included).
    pub requests: AtomicU64,
    /// Retries after 429, 5xx or a retryable error body.
    pub retries: AtomicU64,
    /// Milliseconds spent waiting before retries.
    pub waited_ms: AtomicU64,
    /// Access tokens obtained.
    pub tokens: AtomicU64,
}

/// Why a request failed.
#[derive(Debug, Clone)]
pub enum FetchError {
    /// An HTTP status (after retries), with the provider's message.
    Status(u16, String),
    /// A 200 response with an error body listed as "skip" (a missing scope or plan).
    Skip(String),
    /// Anything else: transport, a non-JSON body, an exhausted wait.
    Other(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Status(s, m) => write!(f, "HTTP {s}: {m}"),
            FetchError::Skip(m) | FetchError::Other(m) => f.write_str(m),
        }
    }
}

/// A successful response.
#[derive(Debug)]
pub struct Response {
    /// The headers.
    pub headers: HeaderMap,
    /// The JSON body (null for an empty body).
    pub body: Value,
}

/// Everything a connector run shares: the client, its authenticator, counters, redaction.
pub struct Http {
    client: reqwest::Client,
    retry: Retry,
    auth: Option<Authenticator>,
    error_when: Option<(Vec<super::template::Seg>, ErrorWhen)>,
    /// Counters.
    pub stats: Arc<Stats>,
    /// Secret redaction.
    pub redact: Arc<Redactor>,
}

impl Http {
    /// A client for one connector run.
    pub fn new(
        retry: Retry,
        auth: Option<Authenticator>,
        error_when: Option<ErrorWhen>,
        redact: Arc<Redactor>,
    ) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("nhi-audit/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let error_when = match error_when {
            Some(e) => Some((parse_path(&e.path)?, e)),
            None => None,
        };
        Ok(Self {
            client,
            retry,
            auth,
            error_when,
            stats: Arc::new(Stats::default()),
            redact,
        })
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let ms = self
            .retry
            .backoff_ms
            .saturating_mul(1u64 << attempt.min(16))
            .min(self.retry.max_wait_seconds.saturating_mul(1000));
        Duration::from_millis(ms)
    }

    async fn wait(&self, d: Duration) -> Result<(), FetchError> {
        if d > Duration::from_secs(self.retry.max_wait_seconds) {
            return Err(FetchError::Other(format!(
                "the provider asked to wait {}s, more than the {}s allowed (retry.max_wait_seconds)",
                d.as_secs(),
                self.retry.max_wait_seconds
            )));
        }
        self.stats
            .waited_ms
            .fetch_add(d.as_millis() as u64, Ordering::Relaxed);
        tokio::time::sleep(d).await;
        Ok(())
    }

    /// Obtains (or reuses) the access token now: an authentication failure is found before
    /// any stream is read.
    pub async fn authenticate(&self) -> Result<(), String> {
        if let Some(a) = &self.auth {
            a.header(self).await.map_err(|e| self.redact.clean(&e))?;
        }
        Ok(())
    }

    /// GETs a JSON document, retrying 429, 5xx and retryable error bodies.
    pub async fn get(
        &self,
        url: &str,
        headers: &[(String, String)],
    ) -> Result<Response, FetchError> {
        let mut attempt = 0u32;
        let mut reauthed = false;
        loop {
            let mut req = self.client.get(url);
            for (k, v) in headers {
                req = req.header(k, v);
            }
            let mut used = None;
            if let Some(a) = &self.auth {
                let (name, value) = a
                    .header(self)
                    .await
                    .map_err(|e| FetchError::Other(self.redact.clean(&e)))?;
                used = Some(value.clone());
                req = req.header(name, value);
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    let transient = e.is_timeout() || e.is_connect();
                    let msg = self.redact.clean(&e.without_url().to_string());
                    if attempt + 1 < self.retry.max_attempts && transient {
                        self.stats.retries.fetch_add(1, Ordering::Relaxed);
                        self.wait(self.backoff(attempt)).await?;
                        attempt += 1;
                        continue;
                    }
                    return Err(FetchError::Other(format!("request failed: {msg}")));
                }
            };
            let status = resp.status().as_u16();
            let headers_out = resp.headers().clone();
            if resp.content_length().is_some_and(|n| n > MAX_BODY) {
                return Err(FetchError::Other(format!(
                    "the response is larger than {} MiB at {}",
                    MAX_BODY >> 20,
                    self.redact.clean(&redact_query(url))
                )));
            }
            let text = match resp.text().await {
                Ok(t) if t.len() as u64 <= MAX_BODY => t,
                Ok(_) => {
                    return Err(FetchError::Other(format!(
                        "the response is larger than {} MiB at {}",
                        MAX_BODY >> 20,
                        self.redact.clean(&redact_query(url))
                    )));
                }
                Err(e) => {
                    // A body cut off mid-way is not an empty page.
                    if attempt + 1 < self.retry.max_attempts {
                        self.stats.retries.fetch_add(1, Ordering::Relaxed);
                        self.wait(self.backoff(attempt)).await?;
                        attempt += 1;
                        continue;
                    }
                    return Err(FetchError::Other(format!(
                        "the response could not be read: {}",
                        self.redact.clean(&e.without_url().to_string())
                    )));
                }
            };
            let body: Value = if text.trim().is_empty() {
                Value::Null
            } else {
                match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(e) if (200..300).contains(&status) => {
                        return Err(FetchError::Other(format!(
                            "the response is not JSON ({e}) at {}",
                            self.redact.clean(&redact_query(url))
                        )));
                    }
                    Err(_) => Value::Null,
                }
            };
            let retry_after = retry_after(&headers_out);
            if status == 401 && !reauthed && self.auth.as_ref().is_some_and(|a| a.refreshable()) {
                // An expired or revoked token: fetch a new one once.
                if let (Some(a), Some(v)) = (&self.auth, &used) {
                    a.invalidate(v).await;
                }
                reauthed = true;
                continue;
            }
            // Google reports some rate limits as 403 with a reason in the body.
            let throttled_403 = status == 403 && {
                let t = body.to_string();
                t.contains("rateLimitExceeded") || t.contains("userRateLimitExceeded")
            };
            if status == 429 || throttled_403 || (500..600).contains(&status) {
                if attempt + 1 < self.retry.max_attempts {
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    self.wait(retry_after.unwrap_or_else(|| self.backoff(attempt)))
                        .await?;
                    attempt += 1;
                    continue;
                }
                return Err(FetchError::Status(
                    status,
                    format!(
                        "{} (gave up after {} attempts)",
                        short(&self.redact.clean(&error_text(&body))),
                        attempt + 1
                    ),
                ));
            }
            if !(200..300).contains(&status) {
                return Err(FetchError::Status(
                    status,
                    short(&self.redact.clean(&error_text(&body))),
                ));
            }
            if let Some((path, ew)) = &self.error_when
                && walk(&body, path).is_some_and(|v| *v == ew.equals)
            {
                let msg = ew
                    .message
                    .as_deref()
                    .and_then(|m| parse_path(m).ok())
                    .and_then(|p| walk(&body, &p).map(to_text))
                    .unwrap_or_else(|| "error".into());
                if ew.retry.contains(&msg) && attempt + 1 < self.retry.max_attempts {
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    self.wait(retry_after.unwrap_or_else(|| self.backoff(attempt)))
                        .await?;
                    attempt += 1;
                    continue;
                }
                let msg = short(&self.redact.clean(&msg));
                if ew.skip.contains(&msg) {
                    return Err(FetchError::Skip(msg));
                }
                return Err(FetchError::Other(format!(
                    "the provider answered an error: {msg}"
                )));
            }
            return Ok(Response {
                headers: headers_out,
                body,
            });
        }
    }
}

/// The largest response body read (64 MiB): larger is an error, never an unbounded read.
const MAX_BODY: u64 = 64 << 20;

/// A message cut to 300 characters (after redaction, so no secret is cut in half).
fn short(s: &str) -> String {
    s.chars().take(300).collect()
}

/// A URL without its query (queries may carry cursors; never secrets, but keep logs short).
pub fn redact_query(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}

/// The provider's error text from an error body (Graph, Google, Okta, GitLab, Slack shapes).
fn error_text(body: &Value) -> String {
    // OAuth token endpoints: `error` and `error_description`.
    if let (Some(Value::String(e)), Some(Value::String(d))) =
        (body.get("error"), body.get("error_description"))
    {
        return format!("{e}: {d}");
    }
    let candidates = [
        "/error/message",
        "/error_description",
        "/errorSummary",
        "/message",
        "/error",
        "/error/status",
    ];
    for c in candidates {
        if let Some(v) = body.pointer(c)
            && !v.is_null()
            && !v.is_object()
        {
            return to_text(v);
        }
    }
    "no error message".into()
}

/// `Retry-After`: seconds, or an HTTP date.
pub fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let Some(v) = h.get("retry-after").and_then(|v| v.to_str().ok()) else {
        // Okta (`x-rate-limit-reset`) and GitHub-style (`x-ratelimit-reset`): epoch seconds.
        let reset = ["x-rate-limit-reset", "x-ratelimit-reset"]
            .iter()
            .find_map(|k| h.get(*k)?.to_str().ok()?.trim().parse::<i64>().ok())?;
        let d = reset.saturating_sub(chrono::Utc::now().timestamp());
        return Some(Duration::from_secs(d.clamp(0, 86_400) as u64));
    };
    let v = v.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let t = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let d = t.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(d.to_std().unwrap_or(Duration::ZERO))
}

/// Rendered authentication settings and the cached token.
#[derive(Debug)]
pub struct Authenticator {
    kind: AuthKind,
    fields: std::collections::BTreeMap<&'static str, String>,
    secrets: std::collections::BTreeMap<&'static str, Secret>,
    header: Option<String>,
    prefix: String,
    cache: Mutex<Option<(Secret, Instant)>>,
}

impl Authenticator {
    /// Renders the auth block against the inputs. Secret values are registered for redaction.
    pub fn new(a: &Auth, vars: &Vars<'_>, redact: &Redactor) -> Result<Self, String> {
        let mut fields = std::collections::BTreeMap::new();
        let mut secrets = std::collections::BTreeMap::new();
        let pairs: [(&'static str, &Option<Template>, bool); 11] = [
            ("token", &a.token, true),
            ("value", &a.value, true),
            ("token_url", &a.token_url, false),
            ("client_id", &a.client_id, false),
            ("client_secret", &a.client_secret, true),
            ("private_key", &a.private_key, true),
            ("key_id", &a.key_id, false),
            ("thumbprint", &a.thumbprint, false),
            ("issuer", &a.issuer, false),
            ("subject", &a.subject, false),
            ("scope", &a.scope, false),
        ];
        for (name, t, secret) in pairs {
            if let Some(t) = t
                && let Some(v) = t.text(vars)
            {
                if secret {
                    redact.add(&v);
                    secrets.insert(name, Secret::new(v));
                } else {
                    fields.insert(name, v);
                }
            }
        }
        let need = |k: &str| -> Result<(), String> {
            if fields.contains_key(k) || secrets.contains_key(k) {
                Ok(())
            } else {
                Err(format!(
                    "authentication needs `{k}`, and its input is empty (set it in nhi.yaml under connectors, or its environment variable)"
                ))
            }
        };
        match a.kind.value {
            AuthKind::Bearer => need("token")?,
            AuthKind::ApiKey => need("value")?,
            AuthKind::Oauth2ClientCredentials => {
                need("token_url")?;
                need("client_id")?;
                if !secrets.contains_key("client_secret") {
                    need("private_key")?;
                }
            }
            AuthKind::JwtBearer => {
                need("token_url")?;
                need("issuer")?;
                need("private_key")?;
            }
        }
        if let Some(u) = fields.get("token_url") {
            super::check_url(u)?;
        }
        Ok(Self {
            kind: a.kind.value,
            fields,
            secrets,
            header: a.header.clone(),
            prefix: a.prefix.clone().unwrap_or_default(),
            cache: Mutex::new(None),
        })
    }

    fn refreshable(&self) -> bool {
        matches!(
            self.kind,
            AuthKind::Oauth2ClientCredentials | AuthKind::JwtBearer
        )
    }

    /// Forgets the cached token, if it is still the one that was refused (a concurrent
    /// request may have replaced it already).
    async fn invalidate(&self, used: &HeaderValue) {
        let mut cache = self.cache.lock().await;
        if cache
            .as_ref()
            .is_some_and(|(t, _)| used.as_bytes() == format!("Bearer {}", t.expose()).as_bytes())
        {
            *cache = None;
        }
    }

    /// The header to send, fetching a token when none is cached or it is about to expire.
    async fn header(&self, http: &Http) -> Result<(HeaderName, HeaderValue), String> {
        let (name, value) = match self.kind {
            AuthKind::Bearer => (
                "authorization".to_string(),
                format!("Bearer {}", self.secrets["token"].expose()),
            ),
            AuthKind::ApiKey => (
                self.header
                    .clone()
                    .unwrap_or_else(|| "authorization".into()),
                format!("{}{}", self.prefix, self.secrets["value"].expose()),
            ),
            AuthKind::Oauth2ClientCredentials | AuthKind::JwtBearer => {
                let mut cache = self.cache.lock().await;
                let fresh = cache.as_ref().filter(|(_, until)| Instant::now() < *until);
                let token = match fresh {
                    Some((t, _)) => t.clone(),
                    None => {
                        let (t, life) = self.fetch_token(http).await?;
                        http.redact.add(t.expose());
                        // Refresh a minute early (or halfway, for short-lived tokens).
                        let margin = (life / 2).min(Duration::from_secs(60));
                        let until = Instant::now()
                            .checked_add(life - margin)
                            .unwrap_or_else(Instant::now);
                        *cache = Some((t.clone(), until));
                        t
                    }
                };
                (
                    "authorization".to_string(),
                    format!("Bearer {}", token.expose()),
                )
            }
        };
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("bad auth header name `{name}`"))?;
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            "the credential contains characters not allowed in a header".to_string()
        })?;
        value.set_sensitive(true);
        Ok((name, value))
    }

    fn sign(&self, claims: Value) -> Result<Secret, String> {
        let pem = Secret::new(self.secrets["private_key"].expose().replace("\\n", "\n"));
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.expose().as_bytes())
            .map_err(|e| format!("the private key is not an RSA key in PEM form: {e}"))?;
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = self.fields.get("key_id").cloned();
        header.x5t = self.fields.get("thumbprint").cloned();
        jsonwebtoken::encode(&header, &claims, &key)
            .map(Secret::new)
            .map_err(|e| format!("cannot sign: {e}"))
    }

    async fn fetch_token(&self, http: &Http) -> Result<(Secret, Duration), String> {
        let token_url = &self.fields["token_url"];
        let now = chrono::Utc::now().timestamp();
        // The form holds the client secret or a signed assertion: each kept as a Secret.
        let mut form: Vec<(&str, Secret)> = Vec::new();
        match self.kind {
            AuthKind::Oauth2ClientCredentials => {
                form.push(("grant_type", Secret::new("client_credentials")));
                form.push(("client_id", Secret::new(self.fields["client_id"].clone())));
                if let Some(s) = self.secrets.get("client_secret") {
                    form.push(("client_secret", s.clone()));
                } else {
                    let jti = format!(
                        "{:x}",
                        sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(
                            format!("{now}{:?}", Instant::now())
                        ))
                    );
                    let assertion = self.sign(serde_json::json!({
                        "iss": self.fields["client_id"],
                        "sub": self.fields["client_id"],
                        "aud": token_url,
                        "iat": now,
                        "nbf": now,
                        "exp": now + 300,
                        "jti": jti,
                    }))?;
                    form.push((
                        "client_assertion_type",
                        Secret::new("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                    ));
                    http.redact.add(assertion.expose());
                    form.push(("client_assertion", assertion));
                }
                if let Some(s) = self.fields.get("scope") {
                    form.push(("scope", Secret::new(s.clone())));
                }
            }
            AuthKind::JwtBearer => {
                let mut claims = serde_json::json!({
                    "iss": self.fields["issuer"],
                    "aud": token_url,
                    "iat": now,
                    "exp": now + 3600,
                });
                if let Some(s) = self.fields.get("scope") {
                    claims["scope"] = Value::String(s.clone());
                }
                if let Some(s) = self.fields.get("subject") {
                    claims["sub"] = Value::String(s.clone());
                }
                form.push((
                    "grant_type",
                    Secret::new("urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ));
                let assertion = self.sign(claims)?;
                http.redact.add(assertion.expose());
                form.push(("assertion", assertion));
            }
            AuthKind::Bearer | AuthKind::ApiKey => unreachable!("static credentials"),
        }
        let body = Secret::new(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form.iter().map(|(k, v)| (*k, v.expose())))
                .finish(),
        );
        let mut attempt = 0u32;
        loop {
            http.stats.requests.fetch_add(1, Ordering::Relaxed);
            let resp = http
                .client
                .post(token_url)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(body.expose().to_owned())
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "token request to {} failed: {}",
                        redact_query(token_url),
                        e.without_url()
                    )
                })?;
            let status = resp.status().as_u16();
            let ra = retry_after(resp.headers());
            let v: Value = resp
                .text()
                .await
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or(Value::Null);
            if (status == 429 || status >= 500) && attempt + 1 < http.retry.max_attempts {
                http.stats.retries.fetch_add(1, Ordering::Relaxed);
                http.wait(ra.unwrap_or_else(|| http.backoff(attempt)))
                    .await
                    .map_err(|e| e.to_string())?;
                attempt += 1;
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(format!(
                    "the token endpoint {} refused: HTTP {status}: {}",
                    redact_query(token_url),
                    short(&http.redact.clean(&error_text(&v)))
                ));
            }
            let token = v
                .get("access_token")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    format!(
                        "the token endpoint {} answered without an access_token",
                        redact_query(token_url)
                    )
                })?
                .to_string();
            let life = match v.get("expires_in") {
                Some(Value::Number(n)) => n.as_u64(),
                Some(Value::String(s)) => s.parse().ok(),
                _ => None,
            }
            .unwrap_or(3600)
            .clamp(1, 86_400);
            http.stats.tokens.fetch_add(1, Ordering::Relaxed);
            return Ok((Secret::new(token), Duration::from_secs(life.max(1))));
        }
    }
}
