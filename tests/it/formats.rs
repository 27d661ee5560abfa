//! Every format from the same report; hostile provider text made inert in each.

use crate::util::*;

const ACME: &[&str] = &[
    "--aws-evidence",
    "examples/acme/evidence",
    "--config",
    "examples/acme/nhi.yaml",
];

fn render(format: &str, extra: &[&str]) -> Run {
    let mut args = vec!["scan", "--as-of", "2026-11-15", "--format", format];
    args.extend_from_slice(ACME);
    args.extend_from_slice(extra);
    nhi(&args)
}

#[test]
fn markdown_groups_findings_by_owner() {
    let r = render("markdown", &[]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("# Non-human identity audit\n"));
    assert!(
        r.stdout.contains("### bob@acme\\.example (") && r.stdout.contains("### no owner ("),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.find("### no owner").unwrap() > r.stdout.find("### bob@acme").unwrap(),
        "unowned last"
    );
    insta::assert_snapshot!(
        "acme_markdown",
        r.stdout.replace(env!("CARGO_PKG_VERSION"), "[version]")
    );
}

#[test]
fn csv_findings_and_identities() {
    let r = render("csv", &[]);
    assert_eq!(r.code, 1);
    let mut rdr = csv::Reader::from_reader(r.stdout.as_bytes());
    assert_eq!(&rdr.headers().unwrap()[0], "severity");
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let (_, json) = scan_json(ACME);
    assert_eq!(rows.len(), json["findings"].as_array().unwrap().len());
    insta::assert_snapshot!("acme_csv", r.stdout);
    let r = render("csv", &["--csv-identities"]);
    let mut rdr = csv::Reader::from_reader(r.stdout.as_bytes());
    assert_eq!(&rdr.headers().unwrap()[0], "id");
    assert_eq!(
        rdr.records().count(),
        json["identities"].as_array().unwrap().len()
    );
    insta::assert_snapshot!("acme_csv_identities", r.stdout);
}

const HOSTILE_NAME: &str = "<script>alert(1)</script>";
const HOSTILE_OWNER: &str = "=HYPERLINK(\"http://evil.example/?x\",\"click\")";
const HOSTILE_PURPOSE: &str = "[docs](javascript:alert(1)) ![x](http://evil.example/p.png) | cell";
const HOSTILE_TEAM: &str = "\u{1b}]8;;http://evil.example\u{7}link\u{1b}]8;;\u{7} \u{202e}reversed";

fn hostile_evidence(dir: &std::path::Path) -> String {
    let tags = serde_json::json!([
        {"Key": "owner", "Value": HOSTILE_OWNER},
        {"Key": "purpose", "Value": HOSTILE_PURPOSE},
        {"Key": "expires", "Value": "+1d"},
        {"Key": "team", "Value": HOSTILE_TEAM},
    ]);
    let doc = serde_json::json!({"RoleDetailList": [{
        "RoleName": HOSTILE_NAME,
        "Arn": "arn:aws:iam::123456789012:role/<script>alert(1)</script>",
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]},
        "Tags": tags,
    }]});
    let p = dir.join("hostile.json");
    std::fs::write(&p, serde_json::to_string(&doc).unwrap()).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn hostile_text_is_inert_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let ev = hostile_evidence(dir.path());
    let run = |f: &str, extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--as-of",
            "2026-11-15",
            "--format",
            f,
            "--aws-evidence",
            &ev,
            "--fail-on",
            "never",
        ];
        args.extend_from_slice(extra);
        let r = nhi(&args);
        assert_eq!(r.code, 3, "partial (no credential report): {r:?}");
        r.stdout
    };
    // JSON keeps the text exactly (JSON escaping makes it data).
    let json: serde_json::Value = serde_json::from_str(&run("json", &[])).unwrap();
    assert_eq!(json["identities"][0]["name"], HOSTILE_NAME);
    assert_eq!(json["identities"][0]["owner"]["value"], HOSTILE_OWNER);

    for (f, extra) in [
        ("table", &[][..]),
        ("markdown", &[]),
        ("csv", &[]),
        ("csv", &["--csv-identities"][..]),
        ("html", &[]),
        ("sarif", &[]),
    ] {
        let out = run(f, extra);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
            "{f}: control characters survive"
        );
        if f == "markdown" {
            assert!(!out.contains("<script>"), "raw HTML");
            assert!(
                !out.contains("](javascript") && !out.contains("]("),
                "a link survives"
            );
            assert!(!out.contains("http://"), "an autolink survives");
            assert!(out.contains("\\<script\\>alert\\(1\\)\\</script\\>"));
        }
        if f == "html" {
            assert_eq!(
                out.matches("<script").count(),
                1,
                "only the report's own script"
            );
            assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
            assert!(
                !out.contains("<a ") && !out.contains("<img"),
                "no injected element"
            );
        }
        if f == "sarif" {
            let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
            assert_eq!(
                v["runs"][0]["results"][0]["properties"]["identity"],
                json["identities"][0]["id"]
            );
        }
        if f == "csv" {
            let mut rdr = csv::ReaderBuilder::new().from_reader(out.as_bytes());
            for rec in rdr.records() {
                for cell in rec.unwrap().iter() {
                    assert!(
                        !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                        "{f}: formula cell {cell:?}"
                    );
                }
            }
            assert!(
                out.contains("'=HYPERLINK"),
                "{f}: the owner cell is neutralised"
            );
        }
    }
}

/// A tool the CI installs (`.ci/run`); locally the test is skipped when it is missing, in CI
/// (CI=true) a missing tool fails the test.
#[test]
fn sarif_structure() {
    let r = render("sarif", &[]);
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), nhi_audit::rules::RULES.len());
    let results = run["results"].as_array().unwrap();
    let (_, json) = scan_json(ACME);
    assert_eq!(results.len(), json["findings"].as_array().unwrap().len());
    let mut fps = std::collections::BTreeSet::new();
    for res in results {
        let ix = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[ix]["id"], res["ruleId"]);
        assert!(
            fps.insert(
                res["partialFingerprints"]["nhiFindingFingerprint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            )
        );
        let loc = &res["locations"][0];
        assert!(
            loc["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .unwrap()
                .starts_with("aws:iam::")
        );
        assert_eq!(
            loc["physicalLocation"]["artifactLocation"]["uri"],
            "examples/acme/evidence/authorization-details.json"
        );
    }
    assert!(rules.iter().all(|r| {
        r["properties"]["controls"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    }));
    insta::assert_snapshot!(
        "acme_sarif",
        r.stdout.replace(env!("CARGO_PKG_VERSION"), "[version]")
    );
}

#[test]
#[cfg_attr(
    not(nhi_ci),
    ignore = "needs Microsoft's SARIF validator (.ci/run installs it)"
)]
fn sarif_validates_with_microsoft_multitool() {
    let tool = tool("NHI_SARIF_MULTITOOL");
    let dir = tempfile::tempdir().unwrap();
    let hostile = hostile_evidence(dir.path());
    let cases: [(&str, Vec<&str>); 2] = [
        ("acme.sarif", ACME.to_vec()),
        ("hostile.sarif", vec!["--aws-evidence", hostile.as_str()]),
    ];
    for (name, sources) in cases {
        let out = dir.path().join(name);
        let mut args = vec![
            "scan",
            "--as-of",
            "2026-11-15",
            "-f",
            "sarif",
            "--fail-on",
            "never",
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(&sources);
        assert!(matches!(nhi(&args).code, 0 | 3));
        let report = dir.path().join(format!("{name}.validation"));
        let status = std::process::Command::new(&tool)
            .args([
                "validate",
                out.to_str().unwrap(),
                "--output",
                report.to_str().unwrap(),
                "--log",
                "ForceOverwrite",
            ])
            .args(["--level", "Error;Warning"])
            .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
            .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
            .output()
            .expect("the multitool runs");
        assert!(
            status.status.success(),
            "multitool failed: {}",
            String::from_utf8_lossy(&status.stdout)
        );
        // The multitool exits 0 even when it finds errors: read its own SARIF output.
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        let problems: Vec<String> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["level"] != "note")
            .map(|r| format!("{} {}", r["ruleId"], r["message"]))
            .collect();
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
}

#[test]
fn html_is_self_contained() {
    let r = render("html", &[]);
    assert_eq!(r.code, 1);
    let page = &r.stdout;
    assert!(page.starts_with("<!doctype html>"));
    assert_eq!(page.matches("<script").count(), 1, "one inline script");
    assert!(
        !page.contains(" src=")
            && !page.contains("<link")
            && !page.contains("http://")
            && !page.contains("@import")
    );
    assert!(page.contains("<svg") && page.contains("Content-Security-Policy"));
    assert!(
        page.contains("terraform") && page.contains("config:ownership[0]"),
        "identities with attribution sources"
    );
    insta::assert_snapshot!(
        "acme_html",
        page.replace(env!("CARGO_PKG_VERSION"), "[version]")
    );
}

#[test]
#[cfg_attr(
    not(nhi_ci),
    ignore = "needs headless Chromium and playwright-core (.ci/run installs them)"
)]
fn html_filters_sorts_and_runs_no_hostile_string_in_chromium() {
    let pw = tool("NHI_PLAYWRIGHT_DIR");
    let dir = tempfile::tempdir().unwrap();
    // The example, plus identities whose names, tags and descriptions carry scripts.
    let hostile = serde_json::json!({"RoleDetailList": [
        {"RoleName": "<img src=x onerror=\"window.__pwned=1;alert(1)\">", "Arn": "arn:aws:iam::210987654321:role/img",
         "Description": "<script>window.__pwned=2;alert(2)</script>",
         "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]},
         "Tags": [{"Key": "owner", "Value": "\"><svg onload=alert(3)>"}, {"Key": "team", "Value": "</td></tr></table><a href=\"javascript:alert(4)\">x</a>"}]},
        {"RoleName": "terraform-'quoted'", "Arn": "arn:aws:iam::210987654321:role/q",
         "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}}
    ]});
    let ev = dir.path().join("evidence");
    std::fs::create_dir(&ev).unwrap();
    for f in ["authorization-details.json", "credential-report.csv"] {
        std::fs::copy(root().join("examples/acme/evidence").join(f), ev.join(f)).unwrap();
    }
    std::fs::write(ev.join("hostile.json"), hostile.to_string()).unwrap();
    let out = dir.path().join("report.html");
    let r = nhi(&[
        "scan",
        "--as-of",
        "2026-11-15",
        "-f",
        "html",
        "-o",
        out.to_str().unwrap(),
        "--fail-on",
        "never",
        "--aws-evidence",
        ev.to_str().unwrap(),
        "--config",
        "examples/acme/nhi.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let check = std::process::Command::new("node")
        .arg(root().join("tests/browser/html-check.mjs"))
        .arg(&out)
        .env("NHI_PLAYWRIGHT_DIR", &pw)
        .output()
        .expect("node runs");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        check.status.success() && log.contains("RESULT: OK"),
        "{log}"
    );
}
