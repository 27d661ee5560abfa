//! `nhi scan --repo`: leaked credentials in working trees and git history, redacted, joined to
//! the live identity they open. Fake credentials are generated at run time (format-valid,
//! never real), so none is committed to this repository.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::*;

/// A format-valid, fake GitHub classic token (base62 CRC32 checksum).
fn github_token(seed: u32) -> String {
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(12345);
    let payload: String = (0..30)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            alphabet[(x >> 16) as usize % 62] as char
        })
        .collect();
    let mut crc = u64::from(crc32fast::hash(payload.as_bytes()));
    let mut check = Vec::new();
    for _ in 0..6 {
        check.push(alphabet[(crc % 62) as usize]);
        crc /= 62;
    }
    check.reverse();
    format!("ghp_{payload}{}", String::from_utf8(check).unwrap())
}

/// A format-valid, fake AWS access key id.
fn aws_key_id(seed: u32) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut x = seed.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let tail: String = (0..16)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            alphabet[(x >> 16) as usize % 32] as char
        })
        .collect();
    format!("AKIA{tail}")
}

fn slack_webhook() -> String {
    format!(
        "https://hooks.slack.com/services/T0{}/B0{}/{}",
        "4XK7QZ2M", "6PNL3V9R", "Zq8vT2mK9xLw4RbN7cY1pHs3"
    )
}

fn write(root: &Path, rel: &str, body: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, body).unwrap();
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dev One")
        .env("GIT_AUTHOR_EMAIL", "dev@acme.example")
        .env("GIT_COMMITTER_NAME", "Dev One")
        .env("GIT_COMMITTER_EMAIL", "dev@acme.example")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_SYSTEM", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn scan(args: &[&str]) -> (Run, Value) {
    let mut all = vec![
        "scan",
        "-f",
        "json",
        "--as-of",
        "2026-11-15",
        "--fail-on",
        "never",
    ];
    all.extend_from_slice(args);
    let r = nhi_with(&root(), &all, &[("NHI_FINGERPRINT_KEY", "test-key")]);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {r:?}"));
    (r, v)
}

fn leak_paths(v: &Value, rule: &str) -> Vec<String> {
    let mut out: Vec<String> = v["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rule"] == rule)
        .flat_map(|l| {
            l["locations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| format!("{}:{}", x["path"].as_str().unwrap(), x["line"]))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_secret_rule_passes_its_examples() {
    let r = nhi(&["rules", "check-secrets"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let summary = r.stdout.lines().last().unwrap();
    let count: usize = summary.split(' ').next().unwrap().parse().unwrap();
    assert!(count >= 60, "{summary}");
    assert!(summary.ends_with("0 failure(s)"), "{summary}");
    // A rule file with a failing example is reported, with exit code 1.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.yaml");
    std::fs::write(&f, "rules:\n  - id: acme-key\n    name: Acme key\n    provider: acme\n    kind: api-key\n    pattern: 'acme_[0-9]{8}'\n    keywords: [acme_]\n    examples: ['acme_1234']\n").unwrap();
    let r = nhi(&[
        "rules",
        "check-secrets",
        "--secret-rules",
        f.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("FAIL acme-key"), "{}", r.stdout);
}

/// A working tree with secrets in ordinary, hidden, ignored, binary, fixture and allowed places.
fn planted_tree(root: &Path) -> Vec<String> {
    let (gh, aws, hook) = (github_token(1), aws_key_id(7), slack_webhook());
    write(
        root,
        "src/config.py",
        &format!("import os\n\nGITHUB_TOKEN = \"{gh}\"\n"),
    );
    write(root, ".env", &format!("AWS_ACCESS_KEY_ID={aws}\n"));
    write(
        root,
        ".github/workflows/notify.yml",
        &format!("steps:\n  - run: curl -X POST {hook}\n"),
    );
    write(
        root,
        "tests/fixtures/token.txt",
        &format!("{}\n", github_token(2)),
    );
    write(
        root,
        "docs/setup.md",
        &format!(
            "example: {} <!-- nhi:allow revoked in 2025 -->\n",
            github_token(3)
        ),
    );
    write(root, ".gitignore", "ignored/\n");
    write(
        root,
        "ignored/secret.txt",
        &format!("{}\n", github_token(4)),
    );
    let mut bin = vec![0u8, 1, 2, 3];
    bin.extend_from_slice(github_token(5).as_bytes());
    std::fs::write(root.join("image.bin"), bin).unwrap();
    vec![
        gh,
        aws,
        hook,
        github_token(2),
        github_token(3),
        github_token(4),
        github_token(5),
    ]
}

#[test]
fn working_tree_findings_are_located_and_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let planted = planted_tree(dir.path());
    let repo = dir.path().to_str().unwrap();
    let (r, v) = scan(&["--repo", repo]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        leak_paths(&v, "github-pat-classic"),
        [
            "docs/setup.md:1",
            "src/config.py:3",
            "tests/fixtures/token.txt:1"
        ]
    );
    assert_eq!(
        leak_paths(&v, "aws-access-key-id"),
        [".env:1"],
        "hidden files are scanned"
    );
    assert!(
        v["leaks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["provider"] == "slack"),
        ".github/ is scanned"
    );
    let findings = v["findings"].as_array().unwrap();
    let by_path = |p: &str| {
        findings
            .iter()
            .find(|f| f["rule"] == "secret-leaked" && f["evidence"].to_string().contains(p))
            .unwrap_or_else(|| panic!("no finding for {p}"))
            .clone()
    };
    assert_eq!(by_path("src/config.py")["severity"], "high");
    let fixture = by_path("tests/fixtures/token.txt");
    assert_eq!(fixture["severity"], "low");
    assert!(fixture["evidence"].to_string().contains("test fixture"));
    let allowed = by_path("docs/setup.md");
    assert_eq!(allowed["state"], "suppressed");
    assert!(
        allowed["suppression"]["reason"]
            .as_str()
            .unwrap()
            .contains("revoked in 2025")
    );
    let cov = v["coverage"][0]["read"].to_string();
    assert!(cov.contains("1 binary"), "{cov}");
    // Ignored files are skipped unless --all-files.
    assert!(!v.to_string().contains("ignored/secret.txt"));
    let (_, all) = scan(&["--repo", repo, "--all-files"]);
    assert!(all.to_string().contains("ignored/secret.txt"));

    // No format ever carries a planted value.
    for f in ["json", "table", "markdown", "csv", "sarif", "html"] {
        let out = nhi_with(
            &root(),
            &[
                "scan",
                "--repo",
                repo,
                "-f",
                f,
                "--fail-on",
                "never",
                "--as-of",
                "2026-11-15",
            ],
            &[],
        );
        for secret in &planted {
            assert!(
                !out.stdout.contains(secret.as_str()) && !out.stderr.contains(secret.as_str()),
                "{f} leaks a planted value"
            );
            // Nor its second half, in case of a partial print.
            let tail = &secret[secret.len() / 2..];
            assert!(
                !out.stdout.contains(tail),
                "{f} leaks part of a planted value"
            );
        }
    }
}

#[test]
fn sarif_points_at_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    planted_tree(dir.path());
    let r = nhi(&[
        "scan",
        "--repo",
        dir.path().to_str().unwrap(),
        "-f",
        "sarif",
        "--fail-on",
        "never",
    ]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let hit = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.ends_with("src/config.py"))
        })
        .expect("a result located in src/config.py");
    assert_eq!(hit["ruleId"], "secret-leaked");
    assert_eq!(
        hit["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

#[test]
fn history_finds_deleted_and_moved_secrets_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (gone, moved, kept) = (github_token(11), github_token(12), aws_key_id(13));
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "deploy.sh", &format!("export TOKEN={gone}\n"));
    write(d, "a/conf.txt", &format!("token: {moved}\n"));
    write(d, "keys.env", &format!("AWS_ACCESS_KEY_ID={kept}\n"));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "add config"]);
    std::fs::remove_file(d.join("deploy.sh")).unwrap();
    std::fs::create_dir_all(d.join("b")).unwrap();
    std::fs::rename(d.join("a/conf.txt"), d.join("b/conf.txt")).unwrap();
    write(d, "README.md", "docs\n");
    git(d, &["add", "-A"]);
    git(
        d,
        &["commit", "-q", "-m", "remove the token, move the config"],
    );
    git(d, &["checkout", "-q", "-b", "feature"]);
    write(d, "feature.txt", "nothing secret\n");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "feature"]);

    let repo = d.to_str().unwrap();
    let (r, v) = scan(&["--repo", repo, "--history"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let leaks = v["leaks"].as_array().unwrap();
    let gone_leak = leaks
        .iter()
        .find(|l| l["locations"][0]["path"] == "deploy.sh")
        .expect("the deleted secret");
    let loc = &gone_leak["locations"][0];
    assert_eq!(loc["at_head"], false, "deleted at HEAD");
    assert_eq!(loc["author"], "Dev One <dev@acme.example>");
    assert_eq!(loc["commit"].as_str().unwrap().len(), 40);
    let moved_leak = leaks
        .iter()
        .find(|l| {
            l["locations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["path"] == "b/conf.txt")
        })
        .expect("the moved secret");
    // One blob (the same content) under two paths in two commits: reported once, at its
    // first path, with the commit that introduced it; still present at HEAD under its new path.
    let paths: Vec<&str> = moved_leak["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"b/conf.txt"), "{paths:?}");
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.iter().any(
        |f| f["rule"] == "secret-leaked" && f["evidence"].to_string().contains("removed since")
    ));
    let cov = v["coverage"][0]["read"].to_string();
    assert!(cov.contains("3 commit(s)"), "{cov}");

    // Without --history the deleted one is not seen.
    let (_, tree_only) = scan(&["--repo", repo]);
    assert!(!tree_only["leaks"].to_string().contains("deploy.sh"));
}

#[test]
fn history_needs_a_repository_and_survives_damage() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x.txt", "hello\n");
    let r = nhi(&["scan", "--repo", dir.path().to_str().unwrap(), "--history"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a git repository"), "{}", r.stderr);
    let r = nhi(&[
        "scan",
        "--history",
        "--aws-evidence",
        "examples/acme/evidence",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("need --repo"), "{}", r.stderr);

    // A shallow clone: the history it has is scanned, no panic.
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    git(&src, &["init", "-q", "-b", "main"]);
    for n in 0..3 {
        write(
            &src,
            "f.txt",
            &format!("version {n} {}\n", github_token(20 + n)),
        );
        git(&src, &["add", "-A"]);
        git(&src, &["commit", "-q", "-m", &format!("v{n}")]);
    }
    let shallow = dir.path().join("shallow");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &format!("file://{}", src.display()),
            shallow.to_str().unwrap(),
        ],
    );
    let (r, v) = scan(&["--repo", shallow.to_str().unwrap(), "--history"]);
    assert!(matches!(r.code, 0 | 3), "{}", r.stderr);
    assert_eq!(
        v["leaks"].as_array().unwrap().len(),
        1,
        "only the last version is in a depth-1 clone"
    );

    // A broken object: reported in coverage (exit 3), the rest still scanned.
    let objects = src.join(".git/objects");
    let mut loose: Vec<_> = walk(&objects)
        .into_iter()
        .filter(|p| p.parent().unwrap().file_name().unwrap().len() == 2)
        .collect();
    loose.sort();
    let victim = loose.first().unwrap().clone();
    let mut perms = std::fs::metadata(&victim).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&victim, perms).unwrap();
    std::fs::write(&victim, b"not a zlib stream").unwrap();
    let (r, v) = scan(&["--repo", src.to_str().unwrap(), "--history"]);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        v["coverage"][0]["gaps"].to_string().contains("history"),
        "{}",
        v["coverage"]
    );
}

fn walk(p: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(p).unwrap().flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_leaked_key_is_tied_to_its_live_identity() {
    let dir = tempfile::tempdir().unwrap();
    let key = aws_key_id(99);
    let repo = dir.path().join("repo");
    write(
        &repo,
        "ci/deploy.sh",
        &format!("#!/bin/sh\nexport AWS_ACCESS_KEY_ID={key}\n"),
    );
    // Evidence of the example account, with the key ids of deploy-bot (as `aws iam
    // list-access-keys` prints them): the credential report's key 1 was created then.
    let ev = dir.path().join("evidence");
    std::fs::create_dir(&ev).unwrap();
    for f in ["authorization-details.json", "credential-report.csv"] {
        std::fs::copy(root().join("examples/acme/evidence").join(f), ev.join(f)).unwrap();
    }
    let csv = std::fs::read_to_string(ev.join("credential-report.csv")).unwrap();
    let row = csv.lines().find(|l| l.starts_with("deploy-bot,")).unwrap();
    let created = row.split(',').nth(9).unwrap();
    let keys = serde_json::json!({"AccessKeyMetadata": [{"UserName": "deploy-bot", "AccessKeyId": key, "Status": "Active", "CreateDate": created}], "IsTruncated": false});
    std::fs::write(ev.join("access-keys.json"), keys.to_string()).unwrap();

    let (r, v) = scan(&[
        "--repo",
        repo.to_str().unwrap(),
        "--aws-evidence",
        ev.to_str().unwrap(),
        "--config",
        "examples/acme/nhi.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let live: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secret-leaked-live")
        .collect();
    assert_eq!(live.len(), 1, "{}", v["findings"]);
    let f = live[0];
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["identity"], "aws:iam::210987654321:user/deploy-bot");
    assert_eq!(
        f["credential"],
        "aws:iam::210987654321:user/deploy-bot#access-key-1"
    );
    let ev = f["evidence"].to_string();
    assert!(
        ev.contains("owner: platform-team@acme.example")
            && ev.contains("privileges:")
            && ev.contains("blast radius"),
        "{ev}"
    );
    assert!(ev.contains("ci/deploy.sh:2"), "{ev}");
    // The same leak is not also reported as unmatched.
    assert!(
        !v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "secret-leaked")
    );
    // The leak raises the identity's blast radius.
    let bot = v["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "deploy-bot")
        .unwrap();
    assert!(
        bot["blast_radius"]["terms"]
            .to_string()
            .contains("secret-leaked-live")
    );
}

#[test]
fn reuse_across_files_and_repositories() {
    let dir = tempfile::tempdir().unwrap();
    let shared = github_token(42);
    write(&dir.path().join("one"), "a.env", &format!("T={shared}\n"));
    write(&dir.path().join("two"), "b.env", &format!("T={shared}\n"));
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let (_, v) = scan(&[
        "--repo",
        one.to_str().unwrap(),
        "--repo",
        two.to_str().unwrap(),
    ]);
    assert_eq!(
        v["leaks"].as_array().unwrap().len(),
        1,
        "one secret, two places"
    );
    let reused: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "credential-reused")
        .collect();
    assert_eq!(reused.len(), 1);
    assert!(
        reused[0]["title"]
            .as_str()
            .unwrap()
            .contains("2 files across 2 repositories")
    );
}

#[test]
fn huge_files_are_skipped_and_counted_large_ones_still_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    // 2 MB: above a 1 MB limit.
    let mut big = "x".repeat(2 << 20);
    big.push_str(&format!("\n{}\n", github_token(77)));
    write(&repo, "dump.sql", &big);
    // 5 MB under the limit of the second run: read within the limit, and still scanned.
    let mut large = "y\n".repeat(5 << 19);
    large.push_str(&format!("T={}\n", github_token(78)));
    write(&repo, "large.log", &large);
    let cfg = dir.path().join("nhi.yaml");
    std::fs::write(&cfg, "secrets:\n  max_file_size_mb: 1\n").unwrap();
    let (r, v) = scan(&[
        "--repo",
        repo.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let read = v["coverage"][0]["read"].to_string();
    assert!(read.contains("2 above the size limit"), "{read}");
    assert!(v["leaks"].as_array().unwrap().is_empty());
    std::fs::write(&cfg, "secrets:\n  max_file_size_mb: 8\n").unwrap();
    let (_, v) = scan(&[
        "--repo",
        repo.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(
        v["leaks"].as_array().unwrap().len(),
        2,
        "both found when under the limit"
    );
    let lines: Vec<u64> = v["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["locations"][0]["line"].as_u64().unwrap())
        .collect();
    assert!(
        lines.contains(&2) && lines.contains(&((5 << 19) + 1)),
        "{lines:?}"
    );
}

/// Files truncated and regrown while the working tree is scanned: the process survives (a
/// memory map would take SIGBUS), and the files that stay put are still reported.
#[test]
fn files_truncated_mid_scan_cannot_kill_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    write(
        &repo,
        "steady.env",
        &format!("TOKEN={}\n", github_token(91)),
    );
    let size: u64 = 6 << 20;
    let mut body = "z\n".repeat((size / 2) as usize - 64);
    body.push_str(&format!("T={}\n", github_token(92)));
    let churned: Vec<_> = (0..12)
        .map(|n| {
            let rel = format!("dumps/part-{n:02}.log");
            write(&repo, &rel, &body);
            repo.join(rel)
        })
        .collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let stop = stop.clone();
        let body = body.clone();
        std::thread::spawn(move || {
            let mut cycles = 0u64;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                // Emptied, left empty a moment, then written whole again: a reader holding
                // a map of the old length touches pages that no longer exist.
                for p in &churned {
                    if let Ok(f) = std::fs::OpenOptions::new().write(true).open(p) {
                        let _ = f.set_len(0);
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
                for p in &churned {
                    let _ = std::fs::write(p, &body);
                }
                cycles += 1;
            }
            cycles
        })
    };
    let (r, v) = scan(&["--repo", repo.to_str().unwrap()]);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let cycles = churn.join().unwrap();
    assert!(cycles > 0, "the files were churned during the scan");
    assert_eq!(r.code, 0, "the scan ends normally: {}", r.stderr);
    assert!(
        leak_paths(&v, "github-pat-classic").contains(&"steady.env:1".to_string()),
        "{:?}",
        v["leaks"]
    );
}

/// A hostile history: a tree nested thirty thousand levels deep (written object by object, as
/// no working tree could hold it). The walk is iterative, so the scan reaches the blob at the
/// bottom instead of overflowing its stack.
#[test]
fn a_deeply_nested_history_tree_cannot_overflow_the_stack() {
    use gix::objs::tree::{Entry, EntryKind};
    let dir = tempfile::tempdir().unwrap();
    let repo_dir = dir.path().join("deep");
    std::fs::create_dir_all(&repo_dir).unwrap();
    git(&repo_dir, &["init", "-q", "-b", "main"]);
    let repo = gix::open(&repo_dir).unwrap();
    let blob = repo
        .write_blob(format!("TOKEN={}\n", github_token(93)).as_bytes())
        .unwrap()
        .detach();
    let mut tree = repo
        .write_object(&gix::objs::Tree {
            entries: vec![Entry {
                mode: EntryKind::Blob.into(),
                filename: "leak.env".into(),
                oid: blob,
            }],
        })
        .unwrap()
        .detach();
    let depth = 30_000;
    for _ in 0..depth {
        tree = repo
            .write_object(&gix::objs::Tree {
                entries: vec![Entry {
                    mode: EntryKind::Tree.into(),
                    filename: "d".into(),
                    oid: tree,
                }],
            })
            .unwrap()
            .detach();
    }
    let out = Command::new("git")
        .args(["commit-tree", &tree.to_string(), "-m", "deep"])
        .current_dir(&repo_dir)
        .env("GIT_AUTHOR_NAME", "Dev One")
        .env("GIT_AUTHOR_EMAIL", "dev@acme.example")
        .env("GIT_COMMITTER_NAME", "Dev One")
        .env("GIT_COMMITTER_EMAIL", "dev@acme.example")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let commit = String::from_utf8(out.stdout).unwrap();
    git(&repo_dir, &["update-ref", "refs/heads/main", commit.trim()]);
    let (r, v) = scan(&["--repo", repo_dir.to_str().unwrap(), "--history"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let leaks = v["leaks"].as_array().unwrap();
    assert_eq!(leaks.len(), 1, "the blob at the bottom is found");
    let path = leaks[0]["locations"][0]["path"].as_str().unwrap();
    assert!(
        path.ends_with("/d/leak.env") && path.matches('/').count() == depth,
        "{}",
        path.len()
    );
}
