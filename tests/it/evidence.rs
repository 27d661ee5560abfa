//! Every shape of AWS evidence the scan must accept, derived from the real public exports.

use base64::Engine;
use serde_json::Value;

use crate::util::*;

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(shared("aws").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn findings_key(r: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["identity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// URL-encodes every policy document, as the IAM API (not the CLI) returns them.
fn url_encode_policies(v: &mut Value) {
    fn enc(doc: &mut Value) {
        let s = serde_json::to_string(doc).unwrap();
        let e: String = s
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        *doc = Value::String(e);
    }
    for list in ["UserDetailList", "RoleDetailList", "GroupDetailList"] {
        for e in v[list].as_array_mut().unwrap() {
            for k in ["UserPolicyList", "RolePolicyList", "GroupPolicyList"] {
                if let Some(ps) = e.get_mut(k).and_then(|p| p.as_array_mut()) {
                    for p in ps {
                        enc(&mut p["PolicyDocument"]);
                    }
                }
            }
            if let Some(t) = e.get_mut("AssumeRolePolicyDocument") {
                enc(t);
            }
        }
    }
    for p in v["Policies"].as_array_mut().unwrap() {
        for ver in p["PolicyVersionList"].as_array_mut().unwrap() {
            enc(&mut ver["Document"]);
        }
    }
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn url_encoded_pages_and_base64_report_give_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let authz = fixture("cloudsplaining-example-authz-details.json");
    // The decoded export as the CLI prints it.
    std::fs::write(
        dir.path().join("plain.json"),
        serde_json::to_string_pretty(&authz).unwrap(),
    )
    .unwrap();
    let (_, plain) = scan_json(&[
        "--aws-evidence",
        dir.path().join("plain.json").to_str().unwrap(),
    ]);

    // URL-encoded documents, split into three pages in one file (the raw API's pagination).
    let mut enc = authz.clone();
    url_encode_policies(&mut enc);
    let page = |keys: &[&str], truncated: bool| {
        let mut m = serde_json::Map::new();
        for k in keys {
            m.insert(k.to_string(), enc[*k].clone());
        }
        m.insert("IsTruncated".into(), Value::Bool(truncated));
        if truncated {
            m.insert("Marker".into(), Value::String("next".into()));
        }
        serde_json::to_string(&Value::Object(m)).unwrap()
    };
    let pages = format!(
        "{}\n{}\n{}\n",
        page(&["UserDetailList"], true),
        page(&["GroupDetailList", "RoleDetailList"], true),
        page(&["Policies"], false)
    );
    let paged = dir.path().join("paged");
    std::fs::create_dir(&paged).unwrap();
    std::fs::write(paged.join("pages.json"), pages).unwrap();
    let (_, encoded) = scan_json(&["--aws-evidence", paged.to_str().unwrap()]);
    assert!(!plain["findings"].as_array().unwrap().is_empty());
    assert_eq!(findings_key(&plain), findings_key(&encoded));
    assert_eq!(
        encoded["coverage"][0]["read"][0],
        "authorization details (3 pages)"
    );
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn credential_report_base64_plain_and_csv_agree() {
    let dir = tempfile::tempdir().unwrap();
    let report = fixture("cloudmapper-demo-credential-report.json");
    let csv = report["Content"].as_str().unwrap().to_string();
    let mut b64 = report.clone();
    b64["Content"] = Value::String(base64::engine::general_purpose::STANDARD.encode(&csv));
    let files = [
        ("plain.json", serde_json::to_string(&report).unwrap()),
        ("b64.json", serde_json::to_string(&b64).unwrap()),
        ("raw.csv", csv),
    ];
    let mut results = Vec::new();
    for (name, body) in files {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        let (run, r) = scan_json(&["--aws-evidence", p.to_str().unwrap()]);
        assert_eq!(run.code, 3, "no authorization details: partial");
        results.push(findings_key(&r));
    }
    assert!(results[0].contains(&(
        "root-access-key".into(),
        "aws:iam::123456789012:root".into()
    )));
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0], results[2]);
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn several_accounts_in_one_run() {
    let (_, r) = scan_json(&[
        "--aws-evidence",
        "../shared/data/aws/cloudsplaining-example-authz-details.json",
        "--aws-evidence",
        "../shared/data/aws/cloudmapper-demo-authz-details.json",
        "--aws-evidence",
        "examples/acme/evidence",
    ]);
    let sources: Vec<&str> = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 3, "{sources:?}");
    let accounts: std::collections::BTreeSet<&str> = r["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["account"].as_str().unwrap())
        .collect();
    assert_eq!(accounts.len(), 3, "{accounts:?}");
    assert!(r["identities"].as_array().unwrap().iter().all(|i| {
        let id = i["id"].as_str().unwrap();
        id.starts_with("aws:iam::") && id.contains(i["account"].as_str().unwrap())
    }));
}

#[test]
fn api_answers_with_malformed_or_unknown_policies_are_gaps_not_errors() {
    use nhi_audit::connector::aws::{
        build::build_as,
        evidence::{Bundle, read_bytes},
    };
    let page = br#"{"RoleDetailList":[
        {"RoleName":"r","Arn":"arn:aws:iam::123456789012:role/r","AssumeRolePolicyDocument":"%7Bnot-json"},
        {"RoleName":"odd","Arn":"arn:aws:iam::123456789012:role/odd","AssumeRolePolicyDocument":{"Statement":[
          {"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be","AWS":"AIDAJQABLZS4A3QDU576Q"},"Action":"sts:AssumeRole"}]}}]}"#;
    let mut b = Bundle::default();
    read_bytes("aws/123456789012/authorization-details.json", page, &mut b).unwrap();
    // From the API: the bad document is left out and named in coverage.
    let inv = build_as(b, "aws", false).unwrap();
    assert_eq!(inv.identities.len(), 2);
    let gaps = serde_json::to_string(&inv.coverage).unwrap();
    assert!(gaps.contains("trust policy of role `r`"), "{gaps}");
    // From a file: an input error naming the file.
    let mut b = Bundle::default();
    read_bytes("ev/a.json", page, &mut b).unwrap();
    let e = build_as(b, "aws-evidence", true).unwrap_err();
    assert!(
        e.contains("ev/a.json") && e.contains("trust policy of role `r`"),
        "{e}"
    );
}
