//! Secrets are a type: every settings and request type that holds a credential value, built
//! with planted values and formatted with `{:?}`, shows none of them.

use std::collections::BTreeMap;

use nhi_audit::connector::ScanRequest;
use nhi_audit::connector::declarative::http::Redactor;
use nhi_audit::connector::declarative::{Manifest, Selected};
use nhi_audit::connector::github::GithubSettings;
use nhi_audit::secret::Secret;
use serde_json::Value;

const PLANTED: &[&str] = &[
    "planted-github-token-0123456789",
    "-----BEGIN PRIVATE KEY-----planted-app-key",
    "planted-entra-client-secret-7",
    "planted-okta-api-token-42",
    "planted-literal-in-nhi-yaml-99",
];

fn assert_clean(what: &str, text: &str) {
    for p in PLANTED {
        assert!(!text.contains(p), "{what} shows a planted secret: {text}");
    }
}

fn selected(id: &str, inputs: &[(&str, &str)]) -> Selected {
    let m = Manifest::builtin(id).expect("built in").expect("loads");
    let given: BTreeMap<String, Value> = inputs
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    Selected::resolve(m, &given, "test").expect("inputs resolve")
}

#[test]
fn no_settings_or_request_type_prints_a_secret() {
    let github = GithubSettings {
        orgs: vec!["acme".into()],
        api_url: "https://api.github.com".into(),
        app: Some((1, 2, Secret::new(PLANTED[1]))),
        token: Some(Secret::new(PLANTED[0])),
        ..GithubSettings::default()
    };
    assert_clean("GithubSettings", &format!("{github:?}"));

    let entra = selected(
        "entra-id",
        &[
            ("tenant_id", "contoso.onmicrosoft.com"),
            ("client_id", "00001111-aaaa-2222-bbbb-3333cccc4444"),
            ("client_secret", PLANTED[2]),
        ],
    );
    let okta = selected(
        "okta",
        &[("domain", "acme.okta.com"), ("token", PLANTED[3])],
    );
    // The secrets are held, just not shown.
    assert_eq!(entra.secrets["client_secret"].expose(), PLANTED[2]);
    assert_clean("Selected", &format!("{entra:?} {okta:?}"));

    let redactor = Redactor::default();
    let auth = entra
        .authenticator(&redactor)
        .expect("renders")
        .expect("has auth");
    assert_clean("Authenticator", &format!("{auth:?}"));
    assert_clean("Redactor", &format!("{redactor:?}"));
    assert_eq!(redactor.clean(&format!("x {} y", PLANTED[2])), "x *** y");

    let cfg = nhi_audit::config::Config::parse(
        &format!(
            "connectors:\n  okta:\n    domain: acme.okta.com\n    token: {}\n",
            PLANTED[4]
        ),
        "nhi.yaml",
    )
    .expect("parses");
    assert_clean("Config", &format!("{cfg:?}"));

    let req = ScanRequest {
        github: Some(github),
        connectors: vec![entra, okta],
        ..ScanRequest::default()
    };
    assert_clean("ScanRequest", &format!("{req:?}"));
    assert_clean("ScanRequest (pretty)", &format!("{req:#?}"));
}

#[test]
fn credentials_are_never_sent_over_plain_http_to_github() {
    for (args, env) in [
        (
            vec![
                "scan",
                "--github",
                "acme",
                "--github-api-url",
                "http://ghe.example.com/api/v3",
            ],
            vec![],
        ),
        (
            vec!["scan", "--github", "acme"],
            vec![("GITHUB_API_URL", "http://ghe.example.com/api/v3")],
        ),
    ] {
        let r = crate::util::nhi_with(&crate::util::root(), &args, &env);
        assert_eq!(r.code, 2, "a usage error: {r:?}");
        assert!(
            r.stderr.contains("--github-api-url"),
            "names the flag: {r:?}"
        );
        assert!(r.stderr.contains("uses http"), "{r:?}");
    }
}

#[test]
fn embedded_directories_match_what_the_binary_carries() {
    let names = |dir: &str, strip: bool| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(crate::util::root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml"))
            .map(|n| {
                if strip {
                    n.trim_end_matches(".yaml").to_string()
                } else {
                    n
                }
            })
            .collect();
        v.sort();
        v
    };
    let embedded =
        |list: &[(&str, &str)]| list.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>();
    assert_eq!(
        names("connectors", true),
        embedded(nhi_audit::embedded::BUILTIN_MANIFESTS)
    );
    assert_eq!(
        names("data/secret-rules", false),
        embedded(nhi_audit::embedded::BUILTIN_SECRET_RULES)
    );
    // And the contents are the files' own.
    for (n, text) in nhi_audit::embedded::BUILTIN_MANIFESTS {
        let on_disk =
            std::fs::read_to_string(crate::util::root().join(format!("connectors/{n}.yaml")))
                .unwrap();
        assert_eq!(&on_disk, text, "{n}");
    }
}
