//! `nhi scan --github ORG` against a loopback server answering with GitHub's own published
//! response examples (../shared/data/github, read in place), varied per scenario: pagination through `link`
//! headers, a primary rate limit then success after the reset, a secondary limit with
//! retry-after, a 404 for an Enterprise-only endpoint, ETag'd answers (304 on a second scan),
//! a 403 on one repository's deploy keys (its other endpoints still read).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::util::*;

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        serde_json::from_str(
            &std::fs::read_to_string(shared("github/ghec-nhi-endpoints.json")).unwrap(),
        )
        .unwrap()
    })
}

/// GitHub's published 200 example of an operation.
fn example(template: &str) -> Value {
    example_named(template, None)
}

/// A named 200 example (the first when no name is given).
fn example_named(template: &str, name: Option<&str>) -> Value {
    let content =
        &spec()["paths"][template]["get"]["responses"]["200"]["content"]["application/json"];
    let examples = content["examples"].as_object().unwrap();
    let ex = match name {
        Some(n) => &examples[n],
        None => examples.values().next().unwrap(),
    };
    match ex.get("$ref").and_then(Value::as_str) {
        Some(r) => spec()["components"]["examples"][r.rsplit('/').next().unwrap()]["value"].clone(),
        None => ex["value"].clone(),
    }
}

/// Answers with a body and an ETag; a request carrying that ETag gets 304.
struct Etagged(Value, Option<String>);

impl Respond for Etagged {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let body = self.0.to_string();
        let etag = format!("\"{:x}\"", md5ish(&body));
        if req
            .headers
            .get("if-none-match")
            .and_then(|v| v.to_str().ok())
            == Some(etag.as_str())
        {
            return ResponseTemplate::new(304).insert_header("etag", etag.as_str());
        }
        let mut r = ResponseTemplate::new(200)
            .insert_header("etag", etag.as_str())
            .insert_header("x-ratelimit-remaining", "4999")
            .insert_header("content-type", "application/json")
            .set_body_string(body);
        if let Some(l) = &self.1 {
            r = r.insert_header("link", l.as_str());
        }
        r
    }
}

fn md5ish(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

async fn serve(server: &MockServer, p: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(Etagged(body, None))
        .mount(server)
        .await;
}

/// Fails the first `n` requests with a response, then lets the next mock answer.
struct FirstN(AtomicUsize, usize, ResponseTemplate, Value);

impl Respond for FirstN {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if self.0.fetch_add(1, Ordering::SeqCst) < self.1 {
            return self.2.clone();
        }
        Etagged(self.3.clone(), None).respond(req)
    }
}

/// The organisation `acme`: GitHub's examples, with a few changes that make each rule fire.
async fn acme(server: &MockServer, enterprise: bool) {
    let base = server.uri();
    let org = "/orgs/acme";
    // Members (after a primary rate limit that resets in a second) and outside collaborators.
    let reset = (chrono::Utc::now().timestamp() + 1).to_string();
    let limited = ResponseTemplate::new(403)
        .insert_header("x-ratelimit-remaining", "0")
        .insert_header("x-ratelimit-reset", reset.as_str())
        .set_body_json(json!({"message": "API rate limit exceeded"}));
    Mock::given(method("GET"))
        .and(path(format!("{org}/members")))
        .respond_with(FirstN(
            AtomicUsize::new(0),
            1,
            limited,
            example("/orgs/{org}/members"),
        ))
        .mount(server)
        .await;
    serve(
        server,
        &format!("{org}/outside_collaborators"),
        example("/orgs/{org}/outside_collaborators"),
    )
    .await;

    let mut inst = example("/orgs/{org}/installations");
    let mut ai = inst["installations"][0].clone();
    ai["id"] = json!(99);
    ai["app_slug"] = json!("coderabbitai");
    ai["repository_selection"] = json!("all");
    ai["permissions"] = json!({"contents": "write", "pull_requests": "write", "metadata": "read"});
    inst["installations"].as_array_mut().unwrap().push(ai);
    serve(server, &format!("{org}/installations"), inst).await;

    let mut pats = example("/orgs/{org}/personal-access-tokens");
    let mut forever = pats[0].clone();
    forever["id"] = json!(2);
    forever["token_id"] = json!(2);
    forever["token_name"] = json!("release-bot");
    forever["token_expires_at"] = Value::Null;
    forever["token_last_used_at"] = json!("2026-11-01T00:00:00Z");
    forever["permissions"] =
        json!({"organization": {"administration": "write"}, "repository": {"contents": "write"}});
    pats.as_array_mut().unwrap().push(forever);
    serve(server, &format!("{org}/personal-access-tokens"), pats).await;
    // Token requests: GitHub answers them only to an App.
    Mock::given(method("GET"))
        .and(path(format!("{org}/personal-access-token-requests")))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(
                json!({"message": "Resource not accessible by personal access token"}),
            ),
        )
        .mount(server)
        .await;
    if enterprise {
        // Enterprise Cloud with SAML: GitHub's example authorizations, one expiring soon, one
        // with a lifetime of years.
        let mut auths = example("/orgs/{org}/credential-authorizations");
        auths[0]["authorized_credential_expires_at"] = json!("2026-11-30T00:00:00Z");
        auths[0]["credential_accessed_at"] = json!("2026-11-10T00:00:00Z");
        auths[1]["credential_authorized_at"] = json!("2024-01-01T00:00:00Z");
        auths[1]["authorized_credential_expires_at"] = json!("2028-01-01T00:00:00Z");
        auths[1]["credential_accessed_at"] = json!("2026-06-01T00:00:00Z");
        serve(server, &format!("{org}/credential-authorizations"), auths).await;
    } else {
        // Not Enterprise Cloud: no SAML credential authorizations.
        Mock::given(method("GET"))
            .and(path(format!("{org}/credential-authorizations")))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})))
            .mount(server)
            .await;
    }
    serve(
        server,
        &format!("{org}/actions/secrets"),
        example("/orgs/{org}/actions/secrets"),
    )
    .await;
    serve(
        server,
        &format!("{org}/dependabot/secrets"),
        example("/orgs/{org}/dependabot/secrets"),
    )
    .await;
    serve(
        server,
        &format!("{org}/codespaces/secrets"),
        example("/orgs/{org}/codespaces/secrets"),
    )
    .await;
    // Org webhooks, after a secondary rate limit.
    Mock::given(method("GET"))
        .and(path(format!("{org}/hooks")))
        .respond_with(FirstN(
            AtomicUsize::new(0),
            1,
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"message": "secondary rate limit"})),
            example("/orgs/{org}/hooks"),
        ))
        .mount(server)
        .await;
    serve(
        server,
        &format!("{org}/actions/runners"),
        example("/orgs/{org}/actions/runners"),
    )
    .await;
    serve(
        server,
        &format!("{org}/actions/oidc/customization/sub"),
        example("/orgs/{org}/actions/oidc/customization/sub"),
    )
    .await;

    // Repositories over two pages: Hello-World, then api and broken.
    let repo = example("/orgs/{org}/repos")[0].clone();
    let named = |n: &str| {
        let mut r = repo.clone();
        r["name"] = json!(n);
        r["archived"] = json!(false);
        r
    };
    let page2 = format!("{base}/orgs/acme/repos?per_page=100&page=2");
    Mock::given(method("GET"))
        .and(path(format!("{org}/repos")))
        .and(wiremock::matchers::query_param("page", "2"))
        .respond_with(Etagged(json!([named("api"), named("broken")]), None))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{org}/repos")))
        .respond_with(Etagged(
            json!([named("Hello-World")]),
            Some(format!("<{page2}>; rel=\"next\"")),
        ))
        .with_priority(2)
        .mount(server)
        .await;

    for name in ["Hello-World", "api", "broken"] {
        let r = format!("/repos/acme/{name}");
        let mut keys = example("/repos/{owner}/{repo}/keys");
        if name == "api" {
            keys[0]["read_only"] = json!(false);
            keys[0]["added_by"] = json!("departed-dev");
            keys[0]["id"] = json!(7);
        }
        if name == "broken" {
            // Deploy keys need administration: read; the token lacks it here, and GitHub
            // answers 403. The repository's other endpoints still answer.
            Mock::given(method("GET"))
                .and(path(format!("{r}/keys")))
                .respond_with(ResponseTemplate::new(403).set_body_json(
                    json!({"message": "Resource not accessible by personal access token"}),
                ))
                .mount(server)
                .await;
        } else {
            serve(server, &format!("{r}/keys"), keys).await;
        }
        serve(
            server,
            &format!("{r}/actions/secrets"),
            example("/repos/{owner}/{repo}/actions/secrets"),
        )
        .await;
        serve(
            server,
            &format!("{r}/dependabot/secrets"),
            example("/repos/{owner}/{repo}/dependabot/secrets"),
        )
        .await;
        serve(
            server,
            &format!("{r}/environments"),
            example("/repos/{owner}/{repo}/environments"),
        )
        .await;
        serve(
            server,
            &format!("{r}/environments/staging/secrets"),
            example("/repos/{owner}/{repo}/environments/{environment_name}/secrets"),
        )
        .await;
        let mut hooks = example("/repos/{owner}/{repo}/hooks");
        if name == "api" {
            hooks[0]["config"]["insecure_ssl"] = json!("1");
            hooks[0]["config"]["secret"] = json!("********");
        }
        serve(server, &format!("{r}/hooks"), hooks).await;
        serve(
            server,
            &format!("{r}/actions/oidc/customization/sub"),
            example("/repos/{owner}/{repo}/actions/oidc/customization/sub"),
        )
        .await;
        let mut file = example_named(
            "/repos/{owner}/{repo}/contents/{path}",
            Some("response-if-content-is-a-file"),
        );
        use base64::Engine;
        file["content"] = json!(
            base64::engine::general_purpose::STANDARD
                .encode("# owners\n*  @acme/platform\n/docs/ @acme/docs\n")
        );
        serve(server, &format!("{r}/contents/.github/CODEOWNERS"), file).await;
    }
}

fn scan(server: &MockServer, cache: &std::path::Path) -> (Run, Value) {
    let uri = server.uri();
    let cache = cache.to_str().unwrap().to_string();
    let r = nhi_with(
        &root(),
        &[
            "scan",
            "--github",
            "acme",
            "--github-api-url",
            &uri,
            "-f",
            "json",
            "--as-of",
            "2026-11-15",
            "--fail-on",
            "never",
        ],
        &[
            ("GITHUB_TOKEN", "test-token-not-a-secret"),
            ("NHI_CACHE_DIR", &cache),
        ],
    );
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {r:?}"));
    (r, v)
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn an_organisation_from_githubs_examples() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(async {
        let s = MockServer::start().await;
        acme(&s, false).await;
        s
    });
    let cache = tempfile::tempdir().unwrap();
    let (r, v) = scan(&server, cache.path());
    assert_eq!(
        r.code, 3,
        "some endpoints are unavailable: partial: {}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("test-token-not-a-secret")
            && !r.stdout.contains("test-token-not-a-secret")
    );
    let requests = rt.block_on(server.received_requests()).unwrap();
    assert!(
        requests.iter().all(
            |q| q.headers.get("authorization").and_then(|v| v.to_str().ok())
                == Some("Bearer test-token-not-a-secret")
        ),
        "every request carries the token from GITHUB_TOKEN, including next pages"
    );
    let on = |suffix: &str| rules_on(&v, suffix);
    assert!(
        on("installation/coderabbitai").contains(&"shadow-ai".to_string()),
        "{:?}",
        on("installation/coderabbitai")
    );
    assert!(on("installation/coderabbitai").contains(&"token-broad-scope".to_string()));
    assert!(on("installation/coderabbitai").contains(&"ai-agent-overprivileged".to_string()));
    assert!(on("fine-grained-token/2").contains(&"credential-no-expiry".to_string()));
    assert!(on("fine-grained-token/2").contains(&"admin-privilege".to_string()));
    assert!(on("fine-grained-token/98716").contains(&"credential-expired".to_string()));
    assert!(on("fine-grained-token/98716").contains(&"credential-never-used".to_string()));
    assert!(on("acme/api/deploy-key/7").contains(&"deploy-key-write".to_string()));
    assert!(
        on("acme/api/deploy-key/7").contains(&"owner-departed".to_string()),
        "departed-dev is not a member"
    );
    assert!(
        !on("acme/Hello-World/deploy-key/1").contains(&"owner-departed".to_string()),
        "octocat is a member"
    );
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "webhook-no-secret")
    );
    assert!(on("acme/api/webhook/12345678").contains(&"webhook-insecure-ssl".to_string()));
    assert!(on("acme/actions-secret/GIST_ID").contains(&"credential-unrotated".to_string()));
    // CODEOWNERS attribute repository-level secrets.
    let ids = v["identities"].as_array().unwrap();
    let sec = ids
        .iter()
        .find(|i| {
            i["id"]
                .as_str()
                .unwrap()
                .starts_with("github:acme/Hello-World/actions-secret/")
        })
        .unwrap();
    assert_eq!(sec["owner"]["value"], "acme/platform");
    assert_eq!(sec["owner"]["source"], "codeowners:.github/CODEOWNERS");
    // Both pages of repositories; the broken one in coverage, the others reported.
    assert!(
        ids.iter()
            .any(|i| i["id"].as_str().unwrap().starts_with("github:acme/api/"))
    );
    let cov = v["coverage"][0].to_string();
    // The repository whose deploy keys answer 403: that endpoint is its own gap, naming the
    // rules it blinds, and the repository's webhooks and secrets are still reported.
    let gaps = v["coverage"][0]["gaps"].as_array().unwrap();
    let keys_gap = gaps
        .iter()
        .find(|g| g["what"] == "deploy keys of broken")
        .unwrap_or_else(|| panic!("a gap for broken's deploy keys: {cov}"));
    assert!(
        keys_gap["reason"].as_str().unwrap().contains("forbidden"),
        "{keys_gap}"
    );
    assert!(
        keys_gap["rules_affected"]
            .as_array()
            .unwrap()
            .contains(&json!("deploy-key-write")),
        "{keys_gap}"
    );
    assert!(
        !gaps
            .iter()
            .any(|g| g["what"].as_str().unwrap().contains("webhooks of")),
        "webhooks were read: {cov}"
    );
    assert!(
        ids.iter().any(|i| i["id"]
            .as_str()
            .unwrap()
            .starts_with("github:acme/broken/webhook/")),
        "broken's webhooks are reported although its deploy keys are not"
    );
    assert!(
        ids.iter().any(|i| i["id"]
            .as_str()
            .unwrap()
            .starts_with("github:acme/broken/actions-secret/")),
        "broken's secrets are reported"
    );
    assert!(!ids.iter().any(|i| {
        i["id"]
            .as_str()
            .unwrap()
            .starts_with("github:acme/broken/deploy-key/")
    }),);
    assert!(
        cov.contains("SAML credential authorizations") && cov.contains("Enterprise Cloud"),
        "{cov}"
    );
    assert!(
        cov.contains("fine-grained token requests") && cov.contains("GitHub App"),
        "{cov}"
    );
    assert!(cov.contains("s waited for rate limits"), "{cov}");
    let waited = v["coverage"][0]["read"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r.as_str().unwrap().contains("waited"))
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !waited.contains(" 0.0 s waited"),
        "the rate limits were waited out: {waited}"
    );

    // A second scan with the same cache: unchanged pages cost 304s.
    let (_, again) = scan(&server, cache.path());
    let read = again["coverage"][0]["read"].to_string();
    let nums: Vec<u64> = read
        .split("request(s), ")
        .nth(1)
        .map(|s| s.split(' ').next().unwrap().parse().unwrap())
        .into_iter()
        .collect();
    assert!(
        nums.first().is_some_and(|n| *n > 20),
        "most answers came from the cache: {read}"
    );
    assert_eq!(
        rules_on(&again, "acme/api/deploy-key/7"),
        rules_on(&v, "acme/api/deploy-key/7")
    );
    // The cache is owner-only and never holds the token.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = cache.path().join("github");
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700, "the cache directory is owner-only");
        let entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(entries.len() > 10, "answers were cached: {}", entries.len());
        for p in entries {
            assert_eq!(mode(&p), 0o600, "{} is owner-only", p.display());
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(
                !text.contains("test-token-not-a-secret"),
                "{} holds the token",
                p.display()
            );
        }
    }
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn an_enterprise_organisation_with_saml_authorizations() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(async {
        let s = MockServer::start().await;
        acme(&s, true).await;
        s
    });
    let cache = tempfile::tempdir().unwrap();
    let (r, v) = scan(&server, cache.path());
    assert_eq!(
        r.code, 3,
        "token requests need an App: partial: {}",
        r.stderr
    );
    let on = |suffix: &str| rules_on(&v, suffix);
    let octocat = on("credential-authorization/161195");
    assert!(
        octocat.contains(&"weak-credential-type".to_string()),
        "{octocat:?}"
    );
    assert!(
        octocat.contains(&"credential-expiring".to_string()),
        "{octocat:?}"
    );
    assert!(
        octocat.contains(&"token-broad-scope".to_string()),
        "classic `repo` scope: {octocat:?}"
    );
    let hubot = on("credential-authorization/161196");
    assert!(
        hubot.contains(&"owner-departed".to_string()),
        "hubot is not a member: {hubot:?}"
    );
    assert!(
        hubot.contains(&"credential-lifetime-excessive".to_string()),
        "{hubot:?}"
    );
    assert!(
        hubot.contains(&"credential-unused".to_string()),
        "{hubot:?}"
    );
    // The token's last eight characters are its handle, for matching leaked tokens.
    let creds = v["credentials"].as_array().unwrap();
    assert!(creds.iter().any(|c| c["fingerprint"] == "71c3fc11"));
    // Runners and org-level items are in the inventory; owner-missing fires where nothing says.
    assert!(
        v["identities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "runner")
    );
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "owner-missing")
    );
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn a_github_app_mints_its_installation_token() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("app.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&key)
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let cfg = dir.path().join("nhi.yaml");
    std::fs::write(
        &cfg,
        format!(
            "github:\n  app:\n    app_id: 1\n    installation_id: 42\n    private_key_file: {}\n",
            key.display()
        ),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(async {
        let s = MockServer::start().await;
        let expires = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        Mock::given(method("POST"))
            .and(path("/app/installations/42/access_tokens"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({
                "token": "ghs_minted_for_the_test",
                "expires_at": expires,
                "permissions": {"members": "read", "organization_administration": "read", "metadata": "read"},
                "repository_selection": "all"
            })))
            .mount(&s)
            .await;
        acme(&s, true).await;
        s
    });
    let uri = server.uri();
    let r = nhi_with(
        &root(),
        &[
            "scan",
            "--github",
            "acme",
            "--github-api-url",
            &uri,
            "--config",
            cfg.to_str().unwrap(),
            "-f",
            "json",
            "--as-of",
            "2026-11-15",
            "--fail-on",
            "never",
        ],
        &[("NHI_CACHE_DIR", dir.path().join("cache").to_str().unwrap())],
    );
    assert!(matches!(r.code, 0 | 3), "{}", r.stderr);
    let requests = rt.block_on(server.received_requests()).unwrap();
    let minted = requests
        .iter()
        .filter(|q| q.url.path() == "/app/installations/42/access_tokens")
        .count();
    assert_eq!(
        minted, 1,
        "the installation token is minted once and reused"
    );
    let jwt = requests
        .iter()
        .find(|q| q.url.path() == "/app/installations/42/access_tokens")
        .unwrap();
    let auth = jwt.headers.get("authorization").unwrap().to_str().unwrap();
    assert!(
        auth.starts_with("Bearer ey"),
        "the App signs a JWT: {}",
        &auth[..10]
    );
    let with_token = requests
        .iter()
        .filter(|q| {
            q.headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.ends_with("ghs_minted_for_the_test"))
        })
        .count();
    let sample: Vec<String> = requests
        .iter()
        .take(3)
        .map(|q| format!("{} {:?}", q.url.path(), q.headers.get("authorization")))
        .collect();
    assert!(
        with_token > 20,
        "API calls use the installation token ({with_token}): {sample:?}"
    );
    assert!(
        !r.stdout.contains("ghs_minted_for_the_test")
            && !r.stderr.contains("ghs_minted_for_the_test")
    );
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn a_webhook_url_with_credentials_leaves_no_trace_in_any_format() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // GitHub's example webhook, its URL given userinfo, a token query and a Slack path: all
    // three are credentials the hook's owner pasted in, and none may leave the connector.
    let server = rt.block_on(async {
        let s = MockServer::start().await;
        let mut hooks = example("/orgs/{org}/hooks");
        hooks[0]["config"]["url"] =
            json!("https://relay:pw-planted-1@hooks.example.com/in?token=tok-planted-2&team=x");
        serve(&s, "/orgs/leaky/hooks", hooks).await;
        let mut repo = example("/orgs/{org}/repos")[0].clone();
        repo["name"] = json!("svc");
        repo["archived"] = json!(false);
        serve(&s, "/orgs/leaky/repos", json!([repo])).await;
        let mut hooks = example("/repos/{owner}/{repo}/hooks");
        hooks[0]["config"]["url"] =
            json!("https://hooks.slack.com/services/T0PLANTED/B0PLANTED/slackpathplanted3");
        serve(&s, "/repos/leaky/svc/hooks", hooks).await;
        s
    });
    let uri = server.uri();
    let cache = tempfile::tempdir().unwrap();
    let planted = [
        "pw-planted-1",
        "tok-planted-2",
        "slackpathplanted3",
        "T0PLANTED",
    ];
    let mut seen_hosts = 0;
    for format in ["json", "table", "markdown", "csv", "sarif", "html"] {
        let r = nhi_with(
            &root(),
            &[
                "scan",
                "--github",
                "leaky",
                "--github-api-url",
                &uri,
                "-f",
                format,
                "--as-of",
                "2026-11-15",
                "--fail-on",
                "never",
            ],
            &[
                ("GITHUB_TOKEN", "test-token-not-a-secret"),
                ("NHI_CACHE_DIR", cache.path().to_str().unwrap()),
            ],
        );
        assert_eq!(r.code, 3, "endpoints not served are gaps: {}", r.stderr);
        for p in planted {
            assert!(!r.stdout.contains(p), "{format} output carries {p}");
            assert!(!r.stderr.contains(p), "{format} messages carry {p}");
        }
        if r.stdout.contains("hooks.example.com") && r.stdout.contains("hooks.slack.com") {
            seen_hosts += 1;
        }
        if format == "json" {
            let v: Value = serde_json::from_str(&r.stdout).unwrap();
            let hooks: Vec<&Value> = v["identities"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["kind"] == "webhook")
                .collect();
            assert_eq!(hooks.len(), 2, "both webhooks are in the inventory");
            assert!(hooks.iter().any(|h| {
                h["attributes"]["url"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("https://hooks.example.com/in?token="))
            }));
        }
    }
    assert!(seen_hosts >= 2, "the hosts themselves are reported");
    for entry in std::fs::read_dir(cache.path().join("github")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for p in planted {
            assert!(!text.contains(p), "the cache carries {p}");
        }
    }
}
