//! A small harness: run the `nhi` binary from the package root and capture what it prints.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The package root (tests run the binary from here so paths in reports are relative).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a run printed, and its exit code.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `nhi` with arguments, from the package root, without colour or a terminal.
pub fn nhi(args: &[&str]) -> Run {
    nhi_in(&root(), args)
}

/// Runs `nhi` in a directory.
pub fn nhi_in(dir: &Path, args: &[&str]) -> Run {
    nhi_with(dir, args, &[])
}

/// Runs `nhi` in a directory with extra environment variables.
pub fn nhi_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_nhi"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("NHI_CONFIG")
        // The repository's own nhi.yaml (for scanning this repository) is not the tests' default.
        .envs((dir == root().as_path()).then_some(("NHI_CONFIG", "/dev/null")))
        .env_remove("COLUMNS")
        .output()
        .expect("nhi runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs a scan and parses its JSON report.
pub fn scan_json(args: &[&str]) -> (Run, serde_json::Value) {
    let mut all = vec!["scan", "--format", "json"];
    if !args.contains(&"--as-of") {
        all.extend_from_slice(&["--as-of", "2026-11-15"]);
    }
    all.extend_from_slice(args);
    let run = nhi(&all);
    let v = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {run:?}"));
    (run, v)
}

/// The rule codes of a report's findings on an identity whose id ends with `suffix`.
pub fn rules_on(report: &serde_json::Value, suffix: &str) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["identity"].as_str().unwrap().ends_with(suffix))
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// Every rule code in a report.
pub fn all_rules(report: &serde_json::Value) -> std::collections::BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

/// A file or folder of `../shared/data/`: the real public files the tests read in place (never
/// copied into the repository). Tests that call it carry
/// `#[cfg_attr(not(any(nhi_ci, nhi_shared_data)), ignore = "reads ../shared/data")]`, so they
/// show as skipped where the folder is absent, and fail in CI if it is missing.
pub fn shared(rel: &str) -> PathBuf {
    let p = root().join("../shared/data").join(rel);
    assert!(
        p.exists(),
        "{} is missing: tests read the real public files in place from ../shared/data",
        p.display()
    );
    p
}

/// Where an external tool is, from the environment .ci/run sets. Tests that call it carry
/// `#[cfg_attr(not(nhi_ci), ignore = "...")]` (build.rs sets `nhi_ci` when `CI` has any
/// value): without `CI` they are skipped, with it a missing tool is a failure, never a pass.
pub fn tool(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "{var} is not set: this test needs an external tool that .ci/run installs and starts"
        ),
    }
}
