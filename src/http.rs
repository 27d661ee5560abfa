//! The one HTTP layer of every connector (GitHub through octocrab, the declarative connectors
//! through reqwest, and every connector after them). It decides, in one place: where
//! credentials may be sent, how provider URLs are scrubbed before they become names,
//! evidence, fingerprints or cache keys, and how `link` headers are read.

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
