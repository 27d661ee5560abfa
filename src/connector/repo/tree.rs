//! The working tree: a parallel walk of tracked and untracked-not-ignored files (every file
//! with `--all-files`), hidden files included; binaries and files above the size limit skipped
//! and counted; every file read within the size limit, never mapped.

use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use ignore::{WalkBuilder, WalkState};

use super::engine::Engine;
use super::{Found, RepoSettings, relative, scan_buffer};

/// What a working-tree scan saw.
#[derive(Default)]
pub struct TreeScan {
    /// Secrets found.
    pub found: Vec<Found>,
    /// Files scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Binary files skipped.
    pub binary: u64,
    /// Files above the size limit skipped.
    pub too_large: u64,
    /// Files that could not be read.
    pub unreadable: u64,
    /// Files whose scan panicked (a defect of ours): each is a coverage gap.
    pub panicked: Vec<String>,
}

impl TreeScan {
    /// One line for the coverage section.
    pub fn summary(&self) -> String {
        format!(
            "working tree: {} file(s), {:.1} MB; skipped {} binary, {} above the size limit, {} unreadable",
            self.files,
            self.bytes as f64 / 1e6,
            self.binary,
            self.too_large,
            self.unreadable
        )
    }
}

/// Whether the start of a buffer looks binary (a NUL byte in the first 8 KB, as git decides).
pub fn is_binary(data: &[u8]) -> bool {
    data.iter().take(8192).any(|b| *b == 0)
}

/// Reads a file, or `None` when it holds more than `limit` bytes.
///
/// Bounded reads, not memory maps: a file truncated or rewritten while it is mapped raises
/// SIGBUS on the next page touched, which kills the process and every other source's results
/// with it; a read of a file that shrinks just returns fewer bytes, and one that grows stops at
/// the limit. The limit (`secrets.max_file_size_mb`, 25 MB by default) already bounds what one
/// thread holds, so a map would buy little speed for that risk.
fn read_within(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let f = std::fs::File::open(path)?;
    let hint = f.metadata().map_or(0, |m| m.len()).min(limit);
    let mut data = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    f.take(limit.saturating_add(1)).read_to_end(&mut data)?;
    if data.len() as u64 > limit {
        return Ok(None);
    }
    Ok(Some(data))
}

/// Runs `f`, turning a panic into an error naming `what`, so that a defect in one file's scan
/// becomes a coverage gap instead of a lost thread or a dead process.
pub fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        format!("{what}: the scan panicked ({msg})")
    })
}

/// Scans a working tree.
pub fn scan(
    engine: &Engine,
    root: &Path,
    repo: &str,
    s: &RepoSettings,
) -> Result<TreeScan, String> {
    let found = Mutex::new(Vec::new());
    let panicked = Mutex::new(Vec::new());
    let (files, bytes, binary, too_large, unreadable) = (
        AtomicU64::new(0),
        AtomicU64::new(0),
        AtomicU64::new(0),
        AtomicU64::new(0),
        AtomicU64::new(0),
    );
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(!s.all_files)
        .git_global(!s.all_files)
        .git_exclude(!s.all_files)
        .ignore(!s.all_files)
        .parents(!s.all_files)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git")
        .threads(threads)
        .build_parallel();
    walker.run(|| {
        Box::new(|entry| {
            let Ok(entry) = entry else {
                unreadable.fetch_add(1, Ordering::Relaxed);
                return WalkState::Continue;
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if len > s.max_file_size {
                too_large.fetch_add(1, Ordering::Relaxed);
                return WalkState::Continue;
            }
            let data = match read_within(entry.path(), s.max_file_size) {
                Ok(Some(d)) => d,
                Ok(None) => {
                    // It grew past the limit since it was listed.
                    too_large.fetch_add(1, Ordering::Relaxed);
                    return WalkState::Continue;
                }
                Err(_) => {
                    unreadable.fetch_add(1, Ordering::Relaxed);
                    return WalkState::Continue;
                }
            };
            if is_binary(&data) {
                binary.fetch_add(1, Ordering::Relaxed);
                return WalkState::Continue;
            }
            files.fetch_add(1, Ordering::Relaxed);
            bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
            let path = relative(root, entry.path());
            let mut local = Vec::new();
            if let Err(e) = guarded(&path, || {
                scan_buffer(engine, &data, repo, &path, &mut local)
            }) {
                local.clear();
                lock(&panicked).push(e);
            }
            if !local.is_empty() {
                lock(&found).extend(local);
            }
            WalkState::Continue
        })
    });
    let mut found = found.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut panicked = panicked.into_inner().unwrap_or_else(|p| p.into_inner());
    panicked.sort();
    found.sort_by(|a, b| {
        a.location
            .cmp(&b.location)
            .then_with(|| a.rule.cmp(&b.rule))
    });
    Ok(TreeScan {
        found,
        files: files.into_inner(),
        bytes: bytes.into_inner(),
        binary: binary.into_inner(),
        too_large: too_large.into_inner(),
        unreadable: unreadable.into_inner(),
        panicked,
    })
}

/// Locks a mutex whose holders never panic while holding it (their work runs in `guarded`);
/// a poisoned one is still used, since its data is whole.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_naming_the_input() {
        let e = guarded("src/a.rs", || -> u8 { panic!("boom") }).unwrap_err();
        assert!(e.contains("src/a.rs") && e.contains("boom"), "{e}");
        assert_eq!(guarded("x", || 7), Ok(7));
    }

    #[test]
    fn a_file_above_the_limit_is_not_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        std::fs::write(&p, vec![b'a'; 100]).unwrap();
        assert_eq!(read_within(&p, 99).unwrap(), None);
        assert_eq!(read_within(&p, 100).unwrap().map(|d| d.len()), Some(100));
    }
}
