//! The working tree: a parallel walk of tracked and untracked-not-ignored files (every file
//! with `--all-files`), hidden files included; binaries and files above the size limit skipped
//! and counted; large files memory-mapped, never read whole.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use ignore::{WalkBuilder, WalkState};

use super::engine::Engine;
use super::{Found, RepoSettings, relative, scan_buffer};

/// Files above this size are mapped rather than read.
const MAP_ABOVE: u64 = 4 << 20;

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
    data[..data.len().min(8192)].contains(&0)
}

enum Content {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Content {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Content::Owned(v) => v,
            Content::Mapped(m) => m,
        }
    }
}

fn read(path: &Path, len: u64) -> std::io::Result<Content> {
    if len > MAP_ABOVE {
        let f = std::fs::File::open(path)?;
        // SAFETY: the map is read-only and dropped before the scan of this file returns; a
        // concurrent truncation can at worst raise SIGBUS, as in every mmap-based scanner.
        return Ok(Content::Mapped(unsafe { memmap2::Mmap::map(&f)? }));
    }
    std::fs::read(path).map(Content::Owned)
}

/// Scans a working tree.
pub fn scan(
    engine: &Engine,
    root: &Path,
    repo: &str,
    s: &RepoSettings,
) -> Result<TreeScan, String> {
    let found = Mutex::new(Vec::new());
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
            let data = match read(entry.path(), len) {
                Ok(d) => d,
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
            let mut local = Vec::new();
            scan_buffer(
                engine,
                &data,
                repo,
                &relative(root, entry.path()),
                &mut local,
            );
            if !local.is_empty() {
                found
                    .lock()
                    .expect("no thread panics while holding it")
                    .extend(local);
            }
            WalkState::Continue
        })
    });
    let mut found = found
        .into_inner()
        .map_err(|_| "a scanning thread panicked".to_string())?;
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
    })
}
