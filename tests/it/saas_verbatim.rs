//! Every built-in SaaS manifest against the providers' own published example responses, read
//! in place from `../shared/data/saas/` (never copied into the repository). The manifests'
//! recorded examples are composed by the project from the documented fields; these tests
//! check that what the providers print in their API references yields the identities the
//! manifests promise. A stream with no published example answers an empty list (or, for a
//! parent stream, a small list composed here).

use nhi_audit::connector::declarative::Manifest;
use serde_json::{Value, json};

use crate::connectors::{rt, scan_connector, serve_examples};
use crate::util::{rules_on, shared};

/// A file of `../shared/data/saas/`, parsed.
fn published(rel: &str) -> Value {
    let p = shared(&format!("saas/{rel}"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A built-in manifest whose recorded answers are replaced: the token response (when given)
/// and every stream's body, each of which must be given.
fn answering(id: &str, token: Option<Value>, bodies: &[(&str, Value)]) -> Manifest {
    let mut m = Manifest::builtin(id).expect("built in").expect("loads");
    let ex = m.examples.as_mut().expect("has examples");
    if let Some(t) = token {
        ex.token.as_mut().expect("has a token response").body = t;
    }
    for r in &mut ex.responses {
        let stream = &r.stream.as_ref().expect("names its stream").value;
        r.body = bodies
            .iter()
            .find(|(s, _)| s == stream)
            .unwrap_or_else(|| panic!("{id}: no answer given for stream {stream}"))
            .1
            .clone();
    }
    m
}

/// The report's identity with this id (connector:account:kind/local).
fn identity<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no identity {id} in {}", ids(report).join("\n")))
}

/// Every identity id of a report, sorted.
fn ids(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// The fingerprints (`kind handle`) of an identity's credentials, sorted, with their expiry
/// days (empty: none).
fn credentials(report: &Value, id: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = report["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["identity"] == id)
        .map(|c| {
            let day = c["expires"].as_str().map(|t| t[..10].to_string());
            (
                c["fingerprint"].as_str().unwrap().to_string(),
                day.unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

fn scopes(i: &Value) -> Vec<&str> {
    i["privileges"]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

/// The coverage notes of a report, as one text.
fn coverage(report: &Value) -> String {
    report["coverage"].to_string()
}

/// The Authorization headers the loopback server received on GET requests.
fn bearer_tokens(rt: &tokio::runtime::Runtime, server: &wiremock::MockServer) -> Vec<String> {
    rt.block_on(server.received_requests())
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .map(|r| {
            r.headers
                .get("authorization")
                .map(|h| h.to_str().unwrap().to_string())
                .unwrap_or_default()
        })
        .collect()
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn entra_id_on_microsoft_graph_published_examples() {
    let token = published("microsoft/token-client-credentials.json");
    // The list example has no credentials and no object id; the get example is a whole
    // application; addPassword's answer is the only published passwordCredential (its
    // secretText left out: a GET never returns it).
    let mut listed = published("microsoft/applications.json");
    let mut single = published("microsoft/application-get.json");
    single.as_object_mut().unwrap().remove("@odata.context");
    let mut secret = published("microsoft/application-addpassword.json");
    secret.as_object_mut().unwrap().remove("secretText");
    single["passwordCredentials"] = json!([secret]);
    listed["value"].as_array_mut().unwrap().push(single);
    let m = answering(
        "entra-id",
        Some(token.clone()),
        &[
            (
                "service_principals",
                published("microsoft/serviceprincipals.json"),
            ),
            ("applications", listed),
            (
                "application_owners",
                published("microsoft/application-owners.json"),
            ),
            (
                "app_role_assignments",
                published("microsoft/serviceprincipal-approleassignments.json"),
            ),
            (
                "oauth2_permission_grants",
                published("microsoft/oauth2permissiongrants.json"),
            ),
            (
                "agent_identities",
                published("microsoft/agentidentities.json"),
            ),
            (
                "sign_ins",
                published("microsoft/beta-reports-serviceprincipalsigninactivities.json"),
            ),
        ],
    );
    let rt = rt();
    let server = serve_examples(&rt, &m, "");
    let (r, v) = scan_connector(
        "entra-id",
        &format!(
            "connectors:\n  entra-id:\n    tenant_id: contoso.onmicrosoft.com\n    client_id: c1\n    client_secret: example-secret-value\n    sign_in_activity: true\n    base_url: {u}\n    token_url: {u}/t/token\n",
            u = server.uri()
        ),
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let t = "entra-id:contoso.onmicrosoft.com:";
    assert_eq!(
        ids(&v),
        [
            format!("{t}ai-agent/1b7313c4-05d0-4a08-88e3-7b76c003a0a2"),
            format!("{t}app/00000000-0000-0000-0000-000000000000"),
            format!("{t}app/631a96bc-a705-4eda-9f99-fdaf9f54f6a2"),
            format!("{t}oauth-grant/AVs6JuUDjkCFV7q2gd8QTOQDNpSH5-lPk9HjD3Sarjk"),
            format!("{t}oauth-grant/AVs6JuUDjkCFV7q2gd8QTPimBBgj5iBFj0C6GwwRxC0"),
            format!("{t}service-principal/59e617e5-e447-4adc-8b88-00af644d7c92"),
            format!("{t}service-principal/8e881353-1735-45af-af21-ee1344582a4d"),
        ]
    );
    // The published access token is the one every Graph request carries.
    let sent = bearer_tokens(&rt, &server);
    let want = format!("Bearer {}", token["access_token"].as_str().unwrap());
    assert!(
        !sent.is_empty() && sent.iter().all(|h| *h == want),
        "{sent:?}"
    );

    let app = identity(&v, &format!("{t}app/00000000-0000-0000-0000-000000000000"));
    assert_eq!(app["kind"], "app");
    assert_eq!(app["name"], "My app");
    assert_eq!(app["owner"]["value"], "id-value");
    assert_eq!(app["attributes"]["sign_in_audience"], "AzureADMyOrg");
    assert!(credentials(&v, app["id"].as_str().unwrap()).is_empty());

    let got = identity(&v, &format!("{t}app/631a96bc-a705-4eda-9f99-fdaf9f54f6a2"));
    assert_eq!(got["name"], "Display name");
    assert_eq!(got["owner"]["value"], "id-value");
    assert_eq!(got["attributes"]["publisher"], "publisher_contoso");
    assert_eq!(
        got["attributes"]["object_id"],
        "03ef14b0-ca33-4840-8f4f-d6e91916010e"
    );
    assert_eq!(
        credentials(&v, got["id"].as_str().unwrap()),
        [(
            "client-secret f0b0b335-1d71-4883-8f98-567911bfdca6".to_string(),
            "2021-09-09".to_string()
        )]
    );
    let on = rules_on(&v, "app/631a96bc-a705-4eda-9f99-fdaf9f54f6a2");
    assert!(
        on.contains(&"credential-expired".to_string())
            && on.contains(&"weak-credential-type".to_string()),
        "{on:?}"
    );

    let sp = identity(
        &v,
        &format!("{t}service-principal/59e617e5-e447-4adc-8b88-00af644d7c92"),
    );
    assert_eq!(sp["kind"], "service-principal");
    assert_eq!(sp["name"], "foo");
    assert_eq!(sp["active"], true);
    assert_eq!(
        sp["attributes"]["app_id"],
        "65415bb1-9267-4313-bbf5-ae259732ee12"
    );
    assert_eq!(sp["attributes"]["publisher"], "Contoso");
    // The assignment's principal is not among the listed service principals: its app role id
    // resolves through the scope catalogue's Graph ids.
    let assigned = identity(
        &v,
        &format!("{t}service-principal/8e881353-1735-45af-af21-ee1344582a4d"),
    );
    assert_eq!(assigned["name"], "dxprovisioning-graphapi-client");
    assert_eq!(scopes(assigned), ["Mail.ReadWrite"]);
    assert_eq!(assigned["privileges"]["level"], "write");
    assert_eq!(
        assigned["attributes"]["application_permissions_on"],
        "Microsoft Graph"
    );

    let read = identity(
        &v,
        &format!("{t}oauth-grant/AVs6JuUDjkCFV7q2gd8QTPimBBgj5iBFj0C6GwwRxC0"),
    );
    assert_eq!(read["kind"], "oauth-grant");
    assert_eq!(read["name"], "263a5b01-03e5-408e-8557-bab681df104c");
    assert_eq!(scopes(read), ["User.Read", "Group.ReadWrite.All"]);
    assert_eq!(read["attributes"]["tenant_wide_consent"], true);
    let broad = identity(
        &v,
        &format!("{t}oauth-grant/AVs6JuUDjkCFV7q2gd8QTOQDNpSH5-lPk9HjD3Sarjk"),
    );
    assert_eq!(scopes(broad).len(), 34);
    assert_eq!(broad["privileges"]["level"], "admin");
    let on = rules_on(
        &v,
        "oauth-grant/AVs6JuUDjkCFV7q2gd8QTOQDNpSH5-lPk9HjD3Sarjk",
    );
    for rule in [
        "admin-privilege",
        "consent-tenant-wide",
        "oauth-scope-sensitive",
    ] {
        assert!(on.contains(&rule.to_string()), "{rule}: {on:?}");
    }

    let agent = identity(
        &v,
        &format!("{t}ai-agent/1b7313c4-05d0-4a08-88e3-7b76c003a0a2"),
    );
    assert_eq!(agent["kind"], "ai-agent");
    assert_eq!(agent["name"], "My Agent Identity");
    assert_eq!(
        agent["attributes"]["blueprint"],
        "00001111-aaaa-2222-bbbb-3333cccc4444"
    );
    assert!(
        rules_on(&v, "ai-agent/1b7313c4-05d0-4a08-88e3-7b76c003a0a2")
            .contains(&"ai-agent-ungoverned".to_string())
    );
    // The sign-in report was read (its non-ISO offsets notwithstanding); its apps are not
    // among the published applications, so no last use is attributed.
    let cov = coverage(&v);
    assert!(
        cov.contains("sign_ins: 2 records") && cov.contains("applications: 2 records"),
        "{cov}"
    );
    assert!(app["last_used"].is_null() && got["last_used"].is_null());
    assert!(!r.stdout.contains("example-secret-value"));
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn okta_on_the_management_api_specs_published_examples() {
    // The spec's apps list example is a SAML app; its only OIDC app object is a create
    // response: listed together, as an org with both would list them.
    let mut apps = published("okta/apps.json");
    apps.as_array_mut()
        .unwrap()
        .push(published("okta/app-oidc-client.json"));
    let m = answering(
        "okta",
        None,
        &[
            ("api_tokens", published("okta/api-tokens.json")),
            ("apps", apps),
            ("app_grants", published("okta/app-grants.json")),
            ("app_client_secrets", json!([])),
            ("service_clients", json!([])),
        ],
    );
    let rt = rt();
    let server = serve_examples(&rt, &m, "");
    let (r, v) = scan_connector(
        "okta",
        &format!(
            "connectors:\n  okta:\n    domain: example.okta.com\n    token: example-okta-token\n    base_url: {}\n",
            server.uri()
        ),
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let t = "okta:example.okta.com:";
    assert_eq!(
        ids(&v),
        [
            format!("{t}access-token/00T1234567890abcdefg"),
            format!("{t}access-token/00Tabcdefg1234567890"),
            format!("{t}app/0oafxqCAJWWGELFTYASJ"),
        ],
        "the SAML app is people's sign-on, not emitted"
    );
    assert!(
        bearer_tokens(&rt, &server)
            .iter()
            .all(|h| h == "SSWS example-okta-token")
    );

    let tok = identity(&v, &format!("{t}access-token/00Tabcdefg1234567890"));
    assert_eq!(tok["kind"], "access-token");
    assert_eq!(tok["name"], "My API Token");
    assert_eq!(tok["owner"]["value"], "00uabcdefg1234567890");
    assert_eq!(tok["attributes"]["network"], "ANYWHERE");
    assert_eq!(tok["attributes"]["token_window"], "P30D");
    assert_eq!(
        credentials(&v, tok["id"].as_str().unwrap()),
        [(
            "token 00Tabcdefg1234567890".to_string(),
            "2021-12-11".to_string()
        )]
    );
    // The second token has no network block: it defaults to ANYWHERE.
    let other = identity(&v, &format!("{t}access-token/00T1234567890abcdefg"));
    assert_eq!(other["name"], "Another API Token");
    assert_eq!(other["attributes"]["network"], "ANYWHERE");
    assert_eq!(other["attributes"]["token_window"], "PT5M");
    for id in ["00Tabcdefg1234567890", "00T1234567890abcdefg"] {
        let on = rules_on(&v, &format!("access-token/{id}"));
        assert!(
            on.contains(&"credential-expired".to_string()),
            "{id}: {on:?}"
        );
    }

    let app = identity(&v, &format!("{t}app/0oafxqCAJWWGELFTYASJ"));
    assert_eq!(app["kind"], "app");
    assert_eq!(app["name"], "Sample Client profile");
    assert_eq!(app["active"], true);
    assert_eq!(app["attributes"]["client_id"], "0oahonkqCRR6TSNlg4");
    assert_eq!(app["attributes"]["application_type"], "native");
    assert_eq!(
        app["attributes"]["token_endpoint_auth_method"],
        "client_secret_post"
    );
    assert_eq!(scopes(app), ["okta.users.read", "okta.apps.manage"]);
    assert_eq!(app["privileges"]["level"], "admin");
    assert!(credentials(&v, app["id"].as_str().unwrap()).is_empty());
    let on = rules_on(&v, "app/0oafxqCAJWWGELFTYASJ");
    assert!(
        on.contains(&"admin-privilege".to_string())
            && on.contains(&"oauth-scope-sensitive".to_string()),
        "{on:?}"
    );
    // The app's client secret, printed in the spec's create response, is never reported.
    assert!(!r.stdout.contains("wj9bOsLK0BRNJqy7KMMnaE7m8qrW51bPO2n1"));
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn slack_on_the_web_api_specs_published_example() {
    let m = answering(
        "slack",
        None,
        &[(
            "approved_apps",
            published("slack/admin.apps.approved.list.json"),
        )],
    );
    let rt = rt();
    let server = serve_examples(&rt, &m, "");
    let (r, v) = scan_connector(
        "slack",
        &format!(
            "connectors:\n  slack:\n    enterprise_id: E0AS553RN\n    token: example-slack-token\n    base_url: {}\n",
            server.uri()
        ),
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(ids(&v), ["slack:E0AS553RN:app/A0W7UKG8E"]);
    let app = identity(&v, "slack:E0AS553RN:app/A0W7UKG8E");
    assert_eq!(app["kind"], "app");
    assert_eq!(app["name"], "My Test App");
    assert_eq!(app["description"], "test app");
    assert_eq!(scopes(app), ["bot"]);
    assert_eq!(app["privileges"]["level"], "write");
    let a = &app["attributes"];
    assert_eq!(a["approved_by"], "W0G82F4FD");
    assert_eq!(a["approved_by_type"], "user");
    assert_eq!(a["approved_at"], "2019-11-21T00:38:27Z");
    assert_eq!(a["is_internal"], false);
    assert_eq!(a["slack_sensitive_scopes"], true);
    assert!(credentials(&v, "slack:E0AS553RN:app/A0W7UKG8E").is_empty());
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn gitlab_on_the_api_documentations_published_examples() {
    // GitLab publishes no example for the group-level lists; the project list (a parent
    // stream) is composed here: one project, so each published list is read once.
    let m = answering(
        "gitlab",
        None,
        &[
            (
                "personal_access_tokens",
                published("gitlab/personal_access_tokens.json"),
            ),
            ("group_access_tokens", json!([])),
            ("group_deploy_tokens", json!([])),
            ("subgroups", json!([])),
            (
                "projects",
                json!([{"id": 77, "name": "web", "path_with_namespace": "acme-infra/web"}]),
            ),
            (
                "project_access_tokens",
                published("gitlab/project_access_tokens.json"),
            ),
            (
                "project_deploy_tokens",
                published("gitlab/project_deploy_tokens.json"),
            ),
            (
                "project_deploy_keys",
                published("gitlab/project_deploy_keys.json"),
            ),
        ],
    );
    let rt = rt();
    let server = serve_examples(&rt, &m, "");
    let (r, v) = scan_connector(
        "gitlab",
        &format!(
            "connectors:\n  gitlab:\n    group: acme-infra\n    token: example-gitlab-token\n    base_url: {}\n",
            server.uri()
        ),
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let t = "gitlab:acme-infra:";
    assert_eq!(
        ids(&v),
        [
            format!("{t}access-token/4"),
            format!("{t}access-token/42"),
            format!("{t}access-token/43"),
            format!("{t}access-token/deploy-token-1"),
            format!("{t}deploy-key/77-1"),
            format!("{t}deploy-key/77-3"),
        ]
    );

    let pat = identity(&v, &format!("{t}access-token/4"));
    assert_eq!(pat["kind"], "access-token");
    assert_eq!(pat["name"], "Test Token");
    assert_eq!(pat["owner"]["value"], "gitlab user 3");
    assert_eq!(pat["attributes"]["token_type"], "personal");
    assert_eq!(scopes(pat), ["api"]);
    assert_eq!(pat["last_used"], "2021-10-06T17:58:37.550Z");
    assert_eq!(
        credentials(&v, pat["id"].as_str().unwrap()),
        [("token 4".to_string(), String::new())]
    );
    assert!(rules_on(&v, "access-token/4").contains(&"credential-no-expiry".to_string()));

    let live = identity(&v, &format!("{t}access-token/42"));
    assert_eq!(live["name"], "acme-infra/web: token");
    assert_eq!(live["active"], true);
    assert_eq!(live["attributes"]["token_type"], "project");
    assert_eq!(live["attributes"]["access_level"], 40);
    assert_eq!(
        credentials(&v, live["id"].as_str().unwrap()),
        [("token 42".to_string(), "2021-01-31".to_string())]
    );
    let revoked = identity(&v, &format!("{t}access-token/43"));
    assert_eq!(revoked["name"], "acme-infra/web: token-2");
    assert_eq!(revoked["active"], false);
    assert_eq!(scopes(revoked), ["read_api"]);
    assert_eq!(revoked["privileges"]["level"], "read");

    let deploy = identity(&v, &format!("{t}access-token/deploy-token-1"));
    assert_eq!(deploy["name"], "acme-infra/web: MyToken");
    assert_eq!(deploy["attributes"]["username"], "gitlab+deploy-token-1");
    assert_eq!(scopes(deploy), ["read_repository", "read_registry"]);
    assert_eq!(
        credentials(&v, deploy["id"].as_str().unwrap()),
        [("token 1".to_string(), "2020-02-14".to_string())]
    );

    let key = identity(&v, &format!("{t}deploy-key/77-1"));
    assert_eq!(key["kind"], "deploy-key");
    assert_eq!(key["name"], "acme-infra/web: Public key");
    assert_eq!(key["privileges"]["level"], "read");
    assert_eq!(key["attributes"]["read_only"], true);
    assert_eq!(
        credentials(&v, key["id"].as_str().unwrap()),
        [(
            "ssh-key SHA256:Jrs3LD1Ji30xNLtTVf9NDCj7kkBgPBb2pjvTZ3HfIgU".to_string(),
            String::new()
        )]
    );
    let other = identity(&v, &format!("{t}deploy-key/77-3"));
    assert_eq!(other["name"], "acme-infra/web: Another Public key");
    assert_eq!(
        credentials(&v, other["id"].as_str().unwrap()),
        [(
            "ssh-key SHA256:lGI/Ys/Wx7PfMhUO1iuBH92JQKYN+3mhJZvWO4Q5ims".to_string(),
            String::new()
        )]
    );
    assert!(!rules_on(&v, "deploy-key/77-1").contains(&"deploy-key-write".to_string()));
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn google_workspace_uses_the_published_token_response() {
    // Google publishes only the token endpoint's answer (the Directory API prints schemas):
    // the users and tokens answers are the manifest's own composed ones.
    let token = published("google/token-jwt-bearer.json");
    let mut m = Manifest::builtin("google-workspace").unwrap().unwrap();
    m.examples.as_mut().unwrap().token.as_mut().unwrap().body = token.clone();
    let rt = rt();
    let server = serve_examples(&rt, &m, "");
    let key = crate::util::root().join("data/example-rsa-key.pem");
    let (r, v) = scan_connector(
        "google-workspace",
        &format!(
            "connectors:\n  google-workspace:\n    admin_email: admin@example.com\n    client_email: sa@example.iam.gserviceaccount.com\n    private_key: \"${{file:{}}}\"\n    domain: example.com\n    base_url: {u}\n    token_url: {u}/token\n",
            key.display(),
            u = server.uri()
        ),
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    // One token request (a JWT-bearer grant), then the published access token on every call.
    let reqs = rt.block_on(server.received_requests()).unwrap();
    let posts: Vec<_> = reqs
        .iter()
        .filter(|q| q.method.as_str() == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    assert!(
        String::from_utf8_lossy(&posts[0].body)
            .contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer")
    );
    let sent = bearer_tokens(&rt, &server);
    let want = format!("Bearer {}", token["access_token"].as_str().unwrap());
    assert!(
        !sent.is_empty() && sent.iter().all(|h| *h == want),
        "{sent:?}"
    );
    // Three users (one suspended) with the same three grants each.
    assert_eq!(ids(&v).len(), 9, "{:?}", ids(&v));
    let g = identity(
        &v,
        "google-workspace:example.com:oauth-grant/100000000000000000003:000000000001-example.apps.googleusercontent.com",
    );
    assert_eq!(g["kind"], "oauth-grant");
    assert_eq!(g["name"], "ChatGPT");
    assert_eq!(g["owner"]["value"], "carol@example.com");
    assert_eq!(g["active"], false);
}
