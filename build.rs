//! Build script: embeds the directories of data files (connector manifests, secret-rule files)
//! so that adding one is adding one file, and sets two cfgs for the tests:
//!
//! - `nhi_ci` when the `CI` environment variable is set to any non-empty value: tests that need
//!   an external tool (moto, Chromium, the SARIF validator) run, and fail when the tool is
//!   missing. Without it they are ignored, so nextest shows them as skipped, never as passed.
//! - `nhi_shared_data` when `../shared/data` (the real public files the tests read in place) is
//!   present: tests on those files run; where the folder is absent they show as skipped.

use std::fmt::Write as _;
use std::path::Path;

fn embed(dir: &str, const_name: &str, strip_ext: bool, out: &mut String) {
    println!("cargo:rerun-if-changed={dir}");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut files: Vec<String> = std::fs::read_dir(Path::new(&root).join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    files.sort();
    writeln!(
        out,
        "/// Embedded from `{dir}/` by build.rs: (name, contents), sorted by name.\npub static {const_name}: &[(&str, &str)] = &["
    )
    .unwrap();
    for f in &files {
        let name = if strip_ext {
            f.trim_end_matches(".yaml")
        } else {
            f.as_str()
        };
        writeln!(
            out,
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{dir}/{f}\"))),"
        )
        .unwrap();
    }
    out.push_str("];\n");
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-check-cfg=cfg(nhi_ci)");
    println!("cargo:rustc-check-cfg=cfg(nhi_shared_data)");
    println!("cargo:rerun-if-env-changed=CI");
    if std::env::var("CI").is_ok_and(|v| !v.trim().is_empty()) {
        println!("cargo:rustc-cfg=nhi_ci");
    }
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let shared = Path::new(&root).join("../shared/data");
    println!("cargo:rerun-if-changed={}", shared.display());
    if shared.is_dir() {
        println!("cargo:rustc-cfg=nhi_shared_data");
    }

    let mut out = String::new();
    embed("connectors", "BUILTIN_MANIFESTS", true, &mut out);
    embed("data/secret-rules", "BUILTIN_SECRET_RULES", false, &mut out);
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
