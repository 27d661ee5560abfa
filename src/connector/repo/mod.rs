//! The repository scanner: leaked machine credentials in a working tree (and, with
//! `--history`, in every blob of its git history), redacted the moment they are found.

use crate::rules::codes;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;

use crate::connector::{Connector, ConnectorError, ScanRequest};
use crate::model::{Coverage, Inventory, Leak, LeakLocation, Source};

pub mod check;
pub mod engine;
pub mod history;
pub mod rules;
pub mod tree;

use engine::{Engine, LineIndex, inline_allow, line_of};

/// What the user asked of the repository scanner.
#[derive(Debug, Clone, Default)]
pub struct RepoSettings {
    /// Repositories (or plain directories) to scan.
    pub paths: Vec<PathBuf>,
    /// Also every blob of the git history.
    pub history: bool,
    /// Include files that .gitignore excludes.
    pub all_files: bool,
    /// Extra rule files.
    pub rule_files: Vec<PathBuf>,
    /// Files larger than this are skipped (and counted).
    pub max_file_size: u64,
    /// Allow entries from nhi.yaml.
    pub allow: Vec<crate::config::SecretAllow>,
}

/// One secret found at one place, already redacted.
#[derive(Debug, Clone)]
pub struct Found {
    /// The detection rule's id.
    pub rule: String,
    /// Keyed fingerprint.
    pub fingerprint: String,
    /// Preview.
    pub preview: String,
    /// Non-secret handle.
    pub handle: Option<String>,
    /// Why it looks like a fixture.
    pub fixture: Option<String>,
    /// Where.
    pub location: LeakLocation,
}

/// Scans one buffer and redacts every hit at once: what leaves this function holds no secret.
pub fn scan_buffer(engine: &Engine, data: &[u8], repo: &str, path: &str, out: &mut Vec<Found>) {
    let hits = engine.scan(data);
    if hits.is_empty() {
        return;
    }
    let mut lines = LineIndex::new(data);
    for h in hits {
        let (Some(rule), Some(secret)) = (engine.rules.get(h.rule), data.get(h.start..h.end))
        else {
            continue;
        };
        let (line, column) = lines.at(h.start);
        out.push(Found {
            rule: rule.syntax.id.clone(),
            fingerprint: crate::secret::fingerprint(secret),
            preview: crate::secret::preview(secret),
            handle: rule.handle(secret),
            fixture: fixture(path, secret),
            location: LeakLocation {
                repository: repo.to_string(),
                path: path.to_string(),
                line,
                column,
                commit: None,
                author: None,
                date: None,
                at_head: true,
                allowed: inline_allow(line_of(data, h.start)),
            },
        });
    }
}

/// Path components that mark test fixtures.
const FIXTURE_DIRS: &[&str] = &[
    "test",
    "tests",
    "testdata",
    "test-data",
    "fixtures",
    "fixture",
    "__tests__",
    "spec",
    "specs",
    "mocks",
    "mock",
    "examples",
    "example",
    "samples",
    "sample",
];

/// Why a secret looks like a test fixture: documented heuristics, shown in the evidence.
pub fn fixture(path: &str, secret: &[u8]) -> Option<String> {
    let lower = String::from_utf8_lossy(secret).to_ascii_lowercase();
    for marker in ["example", "dummy", "fake", "placeholder", "sample", "test"] {
        if lower.contains(marker) {
            return Some(format!("the value contains `{marker}`"));
        }
    }
    let p = path.to_ascii_lowercase();
    if let Some(dir) = p.split('/').find(|c| FIXTURE_DIRS.contains(c)) {
        return Some(format!("it is under a `{dir}/` directory"));
    }
    let file = p.rsplit('/').next().unwrap_or(&p);
    for marker in ["test", "spec", "fixture", "mock", "example", ".sample"] {
        if file.contains(marker) {
            return Some(format!("the file name contains `{marker}`"));
        }
    }
    None
}

/// Groups found secrets into leaks (one per fingerprint), applying allow entries.
pub fn leaks(
    found: Vec<Found>,
    engine: &Engine,
    allow: &[crate::config::SecretAllow],
) -> Vec<Leak> {
    let by_rule: BTreeMap<&str, &rules::Rule> = engine
        .rules
        .iter()
        .map(|r| (r.syntax.id.as_str(), r))
        .collect();
    let mut out: BTreeMap<String, Leak> = BTreeMap::new();
    for mut f in found {
        if f.location.allowed.is_none() {
            f.location.allowed = allow
                .iter()
                .find(|a| a.matches(&f.rule, &f.location.path))
                .map(|a| a.reason.clone());
        }
        let Some(rule) = by_rule.get(f.rule.as_str()) else {
            continue;
        };
        let leak = out.entry(f.fingerprint.clone()).or_insert_with(|| Leak {
            id: format!("leak:{}", crate::text::first_chars(&f.fingerprint, 16)),
            rule: f.rule.clone(),
            name: rule.syntax.name.clone(),
            provider: rule.syntax.provider.clone(),
            kind: rule.syntax.kind.clone(),
            fingerprint: f.fingerprint.clone(),
            preview: f.preview.clone(),
            handle: f.handle.clone(),
            validated: rule.syntax.validator.is_some(),
            fixture: f.fixture.clone(),
            locations: Vec::new(),
            live: Vec::new(),
        });
        // A fixture only if it looks like one everywhere.
        if f.fixture.is_none() {
            leak.fixture = None;
        }
        leak.locations.push(f.location);
    }
    out.into_values()
        .map(|mut l| {
            l.locations
                .sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.cmp(b)));
            l.locations.dedup();
            l
        })
        .collect()
}

/// The repository connector.
pub struct RepoScanner;

#[async_trait]
impl Connector for RepoScanner {
    fn id(&self) -> &'static str {
        "repo"
    }

    fn describe(&self) -> &'static str {
        "leaked credentials in working trees and git history"
    }

    fn enabled(&self, req: &ScanRequest) -> bool {
        req.repo.as_ref().is_some_and(|r| !r.paths.is_empty())
    }

    async fn discover(
        &self,
        req: &ScanRequest,
        line: &crate::progress::Line,
    ) -> Result<Inventory, ConnectorError> {
        let Some(s) = req.repo.clone() else {
            return Ok(Inventory::default());
        };
        // The scan is CPU-bound: it runs on the blocking pool (and its own threads), so the
        // network connectors keep making progress on the runtime meanwhile.
        let line = line.clone();
        tokio::task::spawn_blocking(move || scan_all(&s, &line))
            .await
            .map_err(|e| ConnectorError::Unavailable(format!("the repository scan stopped: {e}")))?
    }
}

/// Scans every repository of the request (blocking).
fn scan_all(s: &RepoSettings, line: &crate::progress::Line) -> Result<Inventory, ConnectorError> {
    {
        let rules = rules::load(&s.rule_files).map_err(ConnectorError::Input)?;
        let engine = Arc::new(Engine::new(rules).map_err(ConnectorError::Input)?);
        let mut inv = Inventory::default();
        let mut all = Vec::new();
        for path in &s.paths {
            let name = path.display().to_string();
            let source = format!("repo:{name}");
            let mut cov = Coverage::new(&source);
            if !path.is_dir() {
                return Err(ConnectorError::Input(format!("{name}: not a directory")));
            }
            line.update(format!("{name}: working tree"));
            let tree = tree::scan(&engine, path, &name, s).map_err(ConnectorError::Input)?;
            cov.read.push(tree.summary());
            if !tree.panicked.is_empty() {
                let shown: Vec<&str> = tree.panicked.iter().take(3).map(String::as_str).collect();
                cov.gap(
                    format!("{} file(s) of the working tree", tree.panicked.len()),
                    format!("not scanned, a defect in nhi: {}", shown.join("; ")),
                    &[
                        codes::SECRET_LEAKED,
                        codes::SECRET_LEAKED_LIVE,
                        codes::CREDENTIAL_REUSED,
                    ],
                );
            }
            let mut found = tree.found;
            if s.history {
                line.update(format!("{name}: history"));
                let h = history::scan(&engine, path, &name, s).map_err(ConnectorError::Input)?;
                cov.read.push(h.summary());
                for g in h.gaps {
                    cov.gap(
                        format!("git history: {}", g.0),
                        g.1,
                        &[
                            codes::SECRET_LEAKED,
                            codes::SECRET_LEAKED_LIVE,
                            codes::CREDENTIAL_REUSED,
                        ],
                    );
                }
                history::merge(&mut found, h.found);
            }
            all.extend(found);
            inv.sources.push(Source {
                id: source,
                connector: "repo".into(),
                locations: vec![name],
            });
            inv.coverage.push(cov);
        }
        inv.leaks = leaks(all, &engine, &s.allow);
        line.update(format!("{} secret(s)", inv.leaks.len()));
        Ok(inv)
    }
}

/// A path relative to a root, with `/` separators.
pub fn relative(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// The repository scan leaves the async runtime free. Its `.gitignore` is a named pipe, so
    /// the scan blocks when it opens it until a writer opens the other end; the writer is
    /// started by a task on the same single-threaded runtime. Were the scan run on the runtime
    /// itself, that task could never run: a watchdog thread then opens the pipe after a minute
    /// (both ends in turn, so the test ends) and the test fails.
    #[test]
    fn the_repository_scan_runs_off_the_async_runtime() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "nothing here\n").unwrap();
        let fifo = dir.path().join(".gitignore");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let req = ScanRequest {
            repo: Some(RepoSettings {
                paths: vec![dir.path().to_path_buf()],
                max_file_size: 1 << 20,
                ..Default::default()
            }),
            ..Default::default()
        };
        let done = Arc::new(AtomicBool::new(false));
        let fired = Arc::new(AtomicBool::new(false));
        let watchdog = {
            let (done, fired, fifo) = (done.clone(), fired.clone(), fifo.clone());
            std::thread::spawn(move || {
                for _ in 0..600 {
                    if done.load(Ordering::SeqCst) {
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                fired.store(true, Ordering::SeqCst);
                // Release the scan's read, then the writer task's write, which comes after.
                let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
                let _ = std::fs::File::open(&fifo);
            })
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let line = crate::progress::Line::default();
        let (inv, wrote) = rt.block_on(async {
            let writer = async {
                // Two turns of the runtime first, so the scan has certainly been polled.
                tokio::task::yield_now().await;
                tokio::task::yield_now().await;
                let fifo = fifo.clone();
                tokio::task::spawn_blocking(move || {
                    std::fs::OpenOptions::new().write(true).open(&fifo).is_ok()
                })
                .await
                .unwrap()
            };
            tokio::join!(RepoScanner.discover(&req, &line), writer)
        });
        done.store(true, Ordering::SeqCst);
        watchdog.join().unwrap();
        assert!(
            !fired.load(Ordering::SeqCst),
            "the scan held the runtime: the writer task never ran"
        );
        assert!(wrote);
        let inv = inv.unwrap();
        assert!(
            inv.coverage[0].read[0].contains("1 file(s)"),
            "{:?}",
            inv.coverage
        );
    }
}
