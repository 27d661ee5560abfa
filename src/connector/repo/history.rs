//! Git history: every blob reachable from every ref, scanned exactly once (deduplicated by
//! blob id, and by tree id while walking), attributed to the oldest commit and path that
//! introduced it, in-process with gix.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use gix::ObjectId;

use super::engine::Engine;
use super::tree::{guarded, is_binary};
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
    /// Blobs above the size limit, skipped by their header size before being inflated.
    pub too_large: u64,
    /// What could not be read: (what, why).
    pub gaps: Vec<(String, String)>,
}

impl HistoryScan {
    /// One line for the coverage section.
    pub fn summary(&self) -> String {
        format!(
            "git history: {} commit(s), {} distinct blob(s), {:.1} MB; skipped {} above the size limit",
            self.commits,
            self.blobs,
            self.bytes as f64 / 1e6,
            self.too_large
        )
    }
}

/// Records every blob of `tree` not seen before, with the path it has here. Iterative, with
/// an explicit stack: a hostile, deeply nested tree cannot overflow the thread's stack.
fn walk_tree(
    repo: &gix::Repository,
    tree: ObjectId,
    commit: usize,
    seen_trees: &mut HashSet<ObjectId>,
    blobs: &mut HashMap<ObjectId, (String, usize)>,
    errors: &mut Vec<String>,
) {
    let mut stack: Vec<(ObjectId, String)> = vec![(tree, String::new())];
    while let Some((tree, prefix)) = stack.pop() {
        if !seen_trees.insert(tree) {
            continue; // Every blob under it was recorded when first seen.
        }
        let decoded = repo
            .find_object(tree)
            .map_err(|e| e.to_string())
            .and_then(|o| o.try_into_tree().map_err(|e| e.to_string()))
            .and_then(|t| {
                t.decode()
                    .map(|d| {
                        d.entries
                            .iter()
                            .map(|e| {
                                (
                                    e.oid.to_owned(),
                                    e.filename.to_string(),
                                    e.mode.is_tree(),
                                    e.mode.is_blob(),
                                )
                            })
                            .collect::<Vec<_>>()
                    })
                    .map_err(|e| e.to_string())
            });
        let entries = match decoded {
            Ok(e) => e,
            Err(e) => {
                errors.push(format!("tree {tree}: {e}"));
                continue;
            }
        };
        // Pushed in reverse so that the walk visits entries in the tree's own order.
        for (oid, name, is_tree, is_blob) in entries.into_iter().rev() {
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if is_tree {
                stack.push((oid, path));
            } else if is_blob {
                blobs.entry(oid).or_insert((path, commit));
            }
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
        walk_tree(&repo, *tree, ix, &mut seen_trees, &mut blobs, &mut errors);
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
    // What one thread saw: finds, blobs and bytes scanned, blobs too large, unreadable objects,
    // and blobs whose scan panicked.
    type Part = (Vec<Found>, u64, u64, u64, Vec<String>, Vec<String>);
    let results: Vec<Result<Part, usize>> = std::thread::scope(|scope| {
        let handles: Vec<_> = work
            .chunks(chunk)
            .map(|part| {
                let sync = &sync;
                let commits = &commits;
                let at_head = &at_head;
                let handle = scope.spawn(move || {
                    let repo = sync.to_thread_local();
                    let mut p: Part = Default::default();
                    let (found, n, bytes, too_large, errs, panicked) =
                        (&mut p.0, &mut p.1, &mut p.2, &mut p.3, &mut p.4, &mut p.5);
                    for (id, path, c) in part {
                        // The header gives the size without inflating the object.
                        match repo.find_header(*id) {
                            Ok(h) if h.size() > s.max_file_size => {
                                *too_large += 1;
                                continue;
                            }
                            Ok(_) => {}
                            Err(e) => {
                                errs.push(format!("blob {id}: {e}"));
                                continue;
                            }
                        }
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
                        *n += 1;
                        *bytes += data.len() as u64;
                        let mut local = Vec::new();
                        if let Err(e) = guarded(&format!("{path} (blob {id})"), || {
                            scan_buffer(engine, data, repo_name, path, &mut local)
                        }) {
                            panicked.push(e);
                            continue;
                        }
                        let meta = commits.get(*c).map(|m| &m.1);
                        for mut f in local {
                            if let Some(meta) = meta {
                                f.location.commit = Some(meta.id.clone());
                                f.location.author = Some(meta.author.clone());
                                f.location.date = meta.date;
                            }
                            f.location.at_head = at_head.contains(id);
                            found.push(f);
                        }
                    }
                    p
                });
                (handle, part.len())
            })
            .collect();
        handles
            .into_iter()
            .map(|(h, len)| h.join().map_err(|_| len))
            .collect()
    });
    let mut panicked = Vec::new();
    for r in results {
        match r {
            Ok((found, n, bytes, too_large, errs, p)) => {
                out.found.extend(found);
                out.blobs += n;
                out.bytes += bytes;
                out.too_large += too_large;
                errors.extend(errs);
                panicked.extend(p);
            }
            // Only reachable if something outside `guarded` panicked: the thread's share
            // of the blobs is reported as lost, never dropped silently.
            Err(len) => panicked.push(format!("{len} blob(s): a scanning thread panicked")),
        }
    }
    if !panicked.is_empty() {
        panicked.sort();
        let shown: Vec<&str> = panicked.iter().take(3).map(String::as_str).collect();
        out.gaps.push((
            format!("{} blob(s) of the history", panicked.len()),
            format!("not scanned, a defect in nhi: {}", shown.join("; ")),
        ));
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
        let key = (h.fingerprint.clone(), h.location.path.clone());
        match first.get(&key).and_then(|&ix| tree.get_mut(ix)) {
            Some(found) => {
                let t = &mut found.location;
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
