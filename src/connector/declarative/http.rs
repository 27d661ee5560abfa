//! HTTP for declarative connectors: authentication (with a token cache), error bodies in 200
//! responses, and the provider's error text. Retries, waits, counting, size caps and
//! redaction are the shared layer's ([`crate::http`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use tokio::sync::Mutex;

use super::manifest::{Auth, AuthKind, ErrorWhen, Retry};
use super::template::{Template, Vars, parse_path, to_text, walk};
use crate::http::{Failure, Layer, Pending, Policy};
use crate::secret::Secret;

pub use crate::http::{Redactor, Stats};

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

/// Everything a connector run shares: the client, its authenticator, the HTTP layer.
pub struct Http {
    client: reqwest::Client,
    layer: Layer,
    auth: Option<Authenticator>,
    error_when: Option<(Vec<super::template::Seg>, ErrorWhen)>,
    /// Counters.
    pub stats: Arc<Stats>,
    /// Secret redaction.
    pub redact: Arc<Redactor>,
}

/// The error message of a 200 body that `error_when` marks as an error.
fn error_message(body: &Value, path: &[super::template::Seg], ew: &ErrorWhen) -> Option<String> {
    if !walk(body, path).is_some_and(|v| *v == ew.equals) {
        return None;
    }
    Some(
        ew.message
            .as_deref()
            .and_then(|m| parse_path(m).ok())
            .and_then(|p| walk(body, &p).map(to_text))
            .unwrap_or_else(|| "error".into()),
    )
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
            .connect_timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let error_when = match error_when {
            Some(e) => Some((parse_path(&e.path)?, e)),
            None => None,
        };
        let layer = Layer::new(
            Policy {
                max_attempts: retry.max_attempts.max(1),
                backoff: Duration::from_millis(retry.backoff_ms),
                max_wait: Duration::from_secs(retry.max_wait_seconds),
                ..Policy::default()
            },
            redact.clone(),
        );
        Ok(Self {
            client,
            stats: layer.stats.clone(),
            layer,
            auth,
            error_when,
            redact,
        })
    }

    /// Obtains (or reuses) the access token now: an authentication failure is found before
    /// any stream is read.
    pub async fn authenticate(&self) -> Result<(), String> {
        if let Some(a) = &self.auth {
            a.header(self).await.map_err(|e| self.redact.clean(&e))?;
        }
        Ok(())
    }

    /// GETs a JSON document through the HTTP layer (which retries 429, 5xx, rate limits,
    /// transport errors and retryable error bodies); a refused token is refreshed once.
    pub async fn get(
        &self,
        url: &str,
        headers: &[(String, String)],
    ) -> Result<Response, FetchError> {
        let shown = self
            .redact
            .clean(&crate::http::scrub_url(&redact_query(url)));
        let mut reauthed = false;
        loop {
            // The header of the last attempt, to invalidate exactly that token on a 401.
            let used: std::sync::Mutex<Option<HeaderValue>> = std::sync::Mutex::new(None);
            let send = || {
                let used = &used;
                async move {
                    let mut req = self.client.get(url);
                    for (k, v) in headers {
                        req = req.header(k, v);
                    }
                    if let Some(a) = &self.auth {
                        let (name, value) = a.header(self).await?;
                        if let Ok(mut u) = used.lock() {
                            *u = Some(value.clone());
                        }
                        req = req.header(name, value);
                    }
                    req.send()
                        .await
                        .map(Pending::from_reqwest)
                        .map_err(|e| format!("request failed: {}", e.without_url()))
                }
            };
            let retry_body = |r: &crate::http::Reply| {
                let Some((path, ew)) = &self.error_when else {
                    return false;
                };
                (200..300).contains(&r.status)
                    && serde_json::from_slice::<Value>(&r.body)
                        .ok()
                        .and_then(|b| error_message(&b, path, ew))
                        .is_some_and(|m| ew.retry.contains(&m))
            };
            let reply = match self.layer.execute(send, &retry_body).await {
                Ok(r) => r,
                Err(Failure::GaveUp(r)) => {
                    let body = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
                    let msg = match &self.error_when {
                        Some((path, ew)) if (200..300).contains(&r.status) => {
                            error_message(&body, path, ew).unwrap_or_default()
                        }
                        _ => error_text(&body),
                    };
                    return Err(FetchError::Status(
                        r.status,
                        format!(
                            "{} (gave up after {} attempts)",
                            short(&self.redact.clean(&msg)),
                            self.layer.policy.max_attempts
                        ),
                    ));
                }
                Err(e) => {
                    return Err(FetchError::Other(format!(
                        "{} at {shown}",
                        self.redact.clean(&e.to_string())
                    )));
                }
            };
            let status = reply.status;
            if status == 401 && !reauthed && self.auth.as_ref().is_some_and(|a| a.refreshable()) {
                // An expired or revoked token: fetch a new one once.
                let used = used.lock().ok().and_then(|mut u| u.take());
                if let (Some(a), Some(v)) = (&self.auth, &used) {
                    a.invalidate(v).await;
                }
                reauthed = true;
                continue;
            }
            let text = String::from_utf8_lossy(&reply.body);
            let body: Value = if text.trim().is_empty() {
                Value::Null
            } else {
                match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(e) if (200..300).contains(&status) => {
                        return Err(FetchError::Other(format!(
                            "the response is not JSON ({e}) at {shown}"
                        )));
                    }
                    Err(_) => Value::Null,
                }
            };
            if !(200..300).contains(&status) {
                return Err(FetchError::Status(
                    status,
                    short(&self.redact.clean(&error_text(&body))),
                ));
            }
            if let Some((path, ew)) = &self.error_when
                && let Some(msg) = error_message(&body, path, ew)
            {
                let msg = short(&self.redact.clean(&msg));
                if ew.skip.contains(&msg) {
                    return Err(FetchError::Skip(msg));
                }
                return Err(FetchError::Other(format!(
                    "the provider answered an error: {msg}"
                )));
            }
            return Ok(Response {
                headers: reply.headers,
                body,
            });
        }
    }
}

/// A message cut to 300 characters (after redaction, so no secret is cut in half).
fn short(s: &str) -> String {
    crate::text::first_chars(s, 300).to_string()
}

/// The error for an auth input that is not there.
fn missing(name: &str) -> String {
    format!(
        "authentication needs `{name}`, and its input is empty (set it in nhi.yaml under connectors, or its environment variable)"
    )
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
                Err(missing(k))
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

    /// A rendered input; `new` checked that the auth kind's required ones are there.
    fn field(&self, name: &str) -> Result<&str, String> {
        self.fields
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| missing(name))
    }

    /// A rendered secret input, checked like [`Self::field`].
    fn secret(&self, name: &str) -> Result<&Secret, String> {
        self.secrets.get(name).ok_or_else(|| missing(name))
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
                format!("Bearer {}", self.secret("token")?.expose()),
            ),
            AuthKind::ApiKey => (
                self.header
                    .clone()
                    .unwrap_or_else(|| "authorization".into()),
                format!("{}{}", self.prefix, self.secret("value")?.expose()),
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
        let pem = Secret::new(self.secret("private_key")?.expose().replace("\\n", "\n"));
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
        let token_url = self.field("token_url")?;
        let now = chrono::Utc::now().timestamp();
        // The form holds the client secret or a signed assertion: each kept as a Secret.
        let mut form: Vec<(&str, Secret)> = Vec::new();
        match self.kind {
            AuthKind::Oauth2ClientCredentials => {
                form.push(("grant_type", Secret::new("client_credentials")));
                let client_id = self.field("client_id")?;
                form.push(("client_id", Secret::new(client_id)));
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
                        "iss": client_id,
                        "sub": client_id,
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
                let mut claims = serde_json::Map::new();
                claims.insert("iss".into(), self.field("issuer")?.into());
                claims.insert("aud".into(), token_url.into());
                claims.insert("iat".into(), now.into());
                claims.insert("exp".into(), (now + 3600).into());
                if let Some(s) = self.fields.get("scope") {
                    claims.insert("scope".into(), Value::String(s.clone()));
                }
                if let Some(s) = self.fields.get("subject") {
                    claims.insert("sub".into(), Value::String(s.clone()));
                }
                let claims = Value::Object(claims);
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
        let send = || {
            let body = body.expose().to_owned();
            async move {
                http.client
                    .post(token_url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("accept", "application/json")
                    .body(body)
                    .send()
                    .await
                    .map(Pending::from_reqwest)
                    .map_err(|e| format!("{}", e.without_url()))
            }
        };
        let at = crate::http::scrub_url(&redact_query(token_url));
        let reply = http
            .layer
            .execute(send, &|_| false)
            .await
            .map_err(|e| match e {
                Failure::GaveUp(r) => format!(
                    "the token endpoint {at} refused: HTTP {}: {}",
                    r.status,
                    short(&http.redact.clean(&error_text(
                        &serde_json::from_slice(&r.body).unwrap_or(Value::Null)
                    )))
                ),
                other => format!(
                    "token request to {at} failed: {}",
                    http.redact.clean(&other.to_string())
                ),
            })?;
        let status = reply.status;
        let v: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        if !(200..300).contains(&status) {
            return Err(format!(
                "the token endpoint {at} refused: HTTP {status}: {}",
                short(&http.redact.clean(&error_text(&v)))
            ));
        }
        let token = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| format!("the token endpoint {at} answered without an access_token"))?
            .to_string();
        let life = match v.get("expires_in") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        }
        .unwrap_or(3600)
        .clamp(1, 86_400);
        http.stats
            .tokens
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok((Secret::new(token), Duration::from_secs(life.max(1))))
    }
}
