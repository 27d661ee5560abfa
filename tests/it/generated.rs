//! Committed generated files must match the code: the report schema, shell completions and
//! the rule pages. Run with NHI_BLESS=1 to regenerate them.

use clap_complete::Shell;

use crate::util::root;

fn check(rel: &str, expected: &str) {
    let path = root().join(rel);
    if std::env::var_os("NHI_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{rel} is out of date: run `NHI_BLESS=1 cargo nextest run` and commit it"
    );
}

#[test]
fn report_schema_is_current() {
    check(
        "docs/report.schema.json",
        &nhi_audit::cmd::schema::schema_json(),
    );
}

#[test]
#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]
fn real_output_validates_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for args in [
        &[
            "--aws-evidence",
            "examples/acme/evidence",
            "--config",
            "examples/acme/nhi.yaml",
        ][..],
        &[
            "--aws-evidence",
            "../shared/data/aws/cloudmapper-demo-authz-details.json",
            "--aws-evidence",
            "../shared/data/aws/cloudmapper-demo-credential-report.json",
        ][..],
    ] {
        let (_, report) = crate::util::scan_json(args);
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // And the schema is not vacuous: a report missing a required field fails.
    let bad = serde_json::json!({"schema_version": "1.0"});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn completions_are_current() {
    for (shell, file) in [
        (Shell::Bash, "nhi.bash"),
        (Shell::Zsh, "_nhi"),
        (Shell::Fish, "nhi.fish"),
        (Shell::PowerShell, "_nhi.ps1"),
        (Shell::Elvish, "nhi.elv"),
    ] {
        let mut buf = Vec::new();
        nhi_audit::cmd::completions::generate(shell, &mut buf);
        check(
            &format!("completions/{file}"),
            &String::from_utf8(buf).unwrap(),
        );
    }
}

#[test]
fn rule_pages_are_current() {
    let mut index =
        String::from("# Rules\n\n| code | severity | title | controls |\n|---|---|---|---|\n");
    for r in nhi_audit::rules::RULES {
        let m = r.meta();
        check(
            &format!("docs/rules/{}.md", m.code),
            &nhi_audit::rules::explain(m),
        );
        index.push_str(&format!(
            "| [{0}]({0}.md) | {1} | {2} | {3} |\n",
            m.code,
            m.severity,
            m.title,
            m.controls.join(", ")
        ));
    }
    check("docs/rules/README.md", &index);
    // No page for a rule that no longer exists.
    for e in std::fs::read_dir(root().join("docs/rules")).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        let code = name.trim_end_matches(".md");
        assert!(
            name == "README.md" || nhi_audit::rules::find(code).is_some(),
            "stale page {name}"
        );
    }
}

#[test]
fn connector_filter_table_is_current() {
    let path = root().join("docs/connectors/README.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- filters:start -->\n", "<!-- filters:end -->");
    let a = doc.find(start).expect("the filters:start marker") + start.len();
    let b = doc.find(end).expect("the filters:end marker");
    let mut table = String::from("| filter | what it does |\n|---|---|\n");
    for (name, arity, what) in nhi_audit::connector::declarative::template::FILTERS {
        let args = match arity {
            0 => String::new(),
            1 => "(x)".into(),
            _ => "(x, y)".into(),
        };
        table.push_str(&format!("| `{name}{args}` | {what} |\n"));
    }
    check(
        "docs/connectors/README.md",
        &format!("{}{table}{}", &doc[..a], &doc[b..]),
    );
}
