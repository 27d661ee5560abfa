//! Git history: every blob reachable from every ref, scanned exactly once (deduplicated by
//! blob id, and by tree id while walking), attributed to the oldest commit and path that
//! introduced it, in-process with gix.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use gix::ObjectId;

use super::engine::Engine;
use super::tree::is_binary;
use super::{Found, RepoSettings, scan_buffer};

/// A commit's metadata.
struct CommitMeta {
    id: String,
    author: String,
    date: Option<DateTime<Utc>>,
}

/// What a history scan saw.
#[derive(Default)]
pub struct HistoryScan {
    /// Secrets found (each with its introducing commit).
    pub found: Vec<Found>,
    /// Commits walked.
    pub commits: u64,
    /// Distinct blobs scanned.
    pub blobs: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// What could not be read: (what, why).
    pub gaps: Vec<(String, String)>,
}

impl HistoryScan {
    /// One line for the coverage section.
    pub fn summary(&self) -> String {
        format!(
            "git history: {} commit(s), {} distinct blob(s), {:.1} MB",
            self.commits,
            self.blobs,
            self.bytes as f64 / 1e6
        )
    }
}

/// Records every blob of `tree` not seen before, with the path it has here.
fn walk_tree(
    repo: &gix::Repository,
    tree: ObjectId,
    prefix: &str,
    commit: usize,
    seen_trees: &mut HashSet<ObjectId>,
    blobs: &mut HashMap<ObjectId, (String, usize)>,
    errors: &mut Vec<String>,
) {
    if !seen_trees.insert(tree) {
        return; // Every blob under it was recorded when first seen.
    }
    let obj = match repo.find_object(tree) {
        Ok(o) => o,
        Err(e) => {
            errors.push(format!("tree {tree}: {e}"));
            return;
        }
    };
    let tree_obj = match obj.try_into_tree() {
        Ok(t) => t,
        Err(e) => {
            errors.push(format!("tree {tree}: {e}"));
            return;
        }
    };
    let decoded = match tree_obj.decode() {
        Ok(d) => d,
        Err(e) => {
            errors.push(format!("tree {tree}: {e}"));
            return;
        }
    };
    let entries: Vec<(ObjectId, String, bool, bool)> = decoded
        .entries
        .iter()
        .map(|e| {
            (
                e.oid.to_owned(),
                e.filename.to_string(),
                e.mode.is_tree(),
                e.mode.is_blob(),
            )
        })
        .collect();
    for (oid, name, is_tree, is_blob) in entries {
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if is_tree {
            walk_tree(repo, oid, &path, commit, seen_trees, blobs, errors);
        } else if is_blob {
            blobs.entry(oid).or_insert((path, commit));
        }
    }
}

/// The blob ids of HEAD's tree.
fn head_blobs(repo: &gix::Repository) -> HashSet<ObjectId> {
    let mut out = HashMap::new();
    if let Ok(tree) = repo.head_tree_id() {
        walk_tree(
            repo,
            tree.detach(),
            "",
            0,
            &mut HashSet::new(),
            &mut out,
            &mut Vec::new(),
        );
    }
    out.into_keys().collect()
}

/// Scans the history of the repository at `root`.
pub fn scan(
    engine: &Engine,
    root: &Path,
    repo_name: &str,
    s: &RepoSettings,
) -> Result<HistoryScan, String> {
    let repo = gix::open(root)
        .map_err(|e| format!("{repo_name}: not a git repository (needed for --history): {e}"))?;
    let mut out = HistoryScan::default();
    let mut tips = Vec::new();
    match repo
        .references()
        .and_then(|r| r.all().map(|i| i.collect::<Vec<_>>()))
    {
        Ok(refs) => {
            for r in refs {
                match r {
                    Ok(mut r) => match r.peel_to_id() {
                        Ok(id) => tips.push(id.detach()),
                        Err(e) => out
                            .gaps
                            .push((format!("ref {}", r.name().as_bstr()), e.to_string())),
                    },
                    Err(e) => out.gaps.push(("a ref".into(), e.to_string())),
                }
            }
        }
        Err(e) => return Err(format!("{repo_name}: cannot list refs: {e}")),
    }
    // Only commits start a walk (a ref may point at a tag object or a blob).
    tips.retain(|id| {
        repo.find_object(*id)
            .ok()
            .and_then(|o| o.peel_to_commit().ok())
            .is_some()
    });
    tips.sort();
    tips.dedup();
    let mut commits: Vec<(ObjectId, CommitMeta, ObjectId)> = Vec::new();
    if !tips.is_empty() {
        let walk = repo
            .rev_walk(tips)
            .all()
            .map_err(|e| format!("{repo_name}: cannot walk the history: {e}"))?;
        for info in walk {
            let info = match info {
                Ok(i) => i,
                Err(e) => {
                    // A shallow clone or a missing object: record and keep what was read.
                    out.gaps.push(("part of the history".into(), e.to_string()));
                    break;
                }
            };
            let commit = match info.object() {
                Ok(c) => c,
                Err(e) => {
                    out.gaps
                        .push((format!("commit {}", info.id), e.to_string()));
                    continue;
                }
            };
            let Ok(tree) = commit.tree_id() else {
                out.gaps
                    .push((format!("tree of commit {}", info.id), "unreadable".into()));
                continue;
            };
            let author = commit
                .author()
                .map(|a| format!("{} <{}>", a.name.to_string().trim(), a.email))
                .unwrap_or_default();
            let date = commit
                .time()
                .ok()
                .and_then(|t| DateTime::from_timestamp(t.seconds, 0));
            commits.push((
                info.id,
                CommitMeta {
                    id: info.id.to_string(),
                    author,
                    date,
                },
                tree.detach(),
            ));
        }
    }
    // Oldest first, so each blob is attributed to the commit that introduced it.
    commits.sort_by(|a, b| a.1.date.cmp(&b.1.date).then_with(|| a.0.cmp(&b.0)));
    commits.dedup_by(|a, b| a.0 == b.0);
    out.commits = commits.len() as u64;
    let mut seen_trees = HashSet::new();
    let mut blobs: HashMap<ObjectId, (String, usize)> = HashMap::new();
    let mut errors = Vec::new();
    for (ix, (_, _, tree)) in commits.iter().enumerate() {
        walk_tree(
            &repo,
            *tree,
            "",
            ix,
            &mut seen_trees,
            &mut blobs,
            &mut errors,
        );
    }
    let at_head = head_blobs(&repo);
    let mut work: Vec<(ObjectId, String, usize)> =
        blobs.into_iter().map(|(id, (p, c))| (id, p, c)).collect();
    work.sort_by_key(|w| w.0);

    // Scan the blobs on every core, each thread with its own repository handle.
    let sync = repo.into_sync();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(1);
    let chunk = work.len().div_ceil(threads).max(1);
    let results: Vec<(Vec<Found>, u64, u64, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = work
            .chunks(chunk)
            .map(|part| {
                let sync = &sync;
                let commits = &commits;
                let at_head = &at_head;
                scope.spawn(move || {
                    let repo = sync.to_thread_local();
                    let (mut found, mut n, mut bytes, mut errs) =
                        (Vec::new(), 0u64, 0u64, Vec::new());
                    for (id, path, c) in part {
                        let obj = match repo.find_object(*id) {
                            Ok(o) => o,
                            Err(e) => {
                                errs.push(format!("blob {id}: {e}"));
                                continue;
                            }
                        };
                        let data = &obj.data;
                        if data.len() as u64 > s.max_file_size || is_binary(data) {
                            continue;
                        }
                        n += 1;
                        bytes += data.len() as u64;
                        let before = found.len();
                        scan_buffer(engine, data, repo_name, path, &mut found);
                        let meta = &commits[*c].1;
                        for f in &mut found[before..] {
                            f.location.commit = Some(meta.id.clone());
                            f.location.author = Some(meta.author.clone());
                            f.location.date = meta.date;
                            f.location.at_head = at_head.contains(id);
                        }
                    }
                    (found, n, bytes, errs)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for (found, n, bytes, errs) in results {
        out.found.extend(found);
        out.blobs += n;
        out.bytes += bytes;
        errors.extend(errs);
    }
    if !errors.is_empty() {
        let shown: Vec<&str> = errors.iter().take(3).map(String::as_str).collect();
        out.gaps.push((
            format!("{} object(s) of the history", errors.len()),
            format!("unreadable: {}", shown.join("; ")),
        ));
    }
    out.found.sort_by(|a, b| a.location.cmp(&b.location));
    Ok(out)
}

/// Adds history finds to working-tree finds: a secret found in both at the same path keeps one
/// location, with the commit that introduced it.
pub fn merge(tree: &mut Vec<Found>, history: Vec<Found>) {
    let mut first: HashMap<(String, String), usize> = HashMap::new();
    for (ix, f) in tree.iter().enumerate() {
        first
            .entry((f.fingerprint.clone(), f.location.path.clone()))
            .or_insert(ix);
    }
    for h in history {
        match first.get(&(h.fingerprint.clone(), h.location.path.clone())) {
            Some(&ix) => {
                let t = &mut tree[ix].location;
                if t.commit.is_none() || h.location.date < t.date {
                    t.commit = h.location.commit;
                    t.author = h.location.author;
                    t.date = h.location.date;
                }
            }
            None => tree.push(h),
        }
    }
}
