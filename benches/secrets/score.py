#!/usr/bin/env python3
"""Scores the runs of run.sh: reads each tool's output and /usr/bin/time -v report under
WORKDIR/out/, matches findings to WORKDIR/planted.json, and writes WORKDIR/results.md and
WORKDIR/results.json (and prints the table).

    python3 score.py WORKDIR

Matching: a planted credential is found when the tool reports a finding in its file within one
line of the recorded line (for a multi-line PEM block, on any line of the block or one around
it). Every other distinct (file, line) the tool reports is an "other finding": the corpus is
real crate sources, so these are the tool's reports on unplanted text (test keys, hashes,
example tokens, ...). In history, (file, line) pairs are counted once whatever the commit.

Kingfisher reports an AWS key id and its secret key as one finding on the key id's line, with
the secret as a "dependent capture": a plant also counts as found when a finding in its file
carries such a capture whose SHA-256 is the plant's value_sha256. Values are only hashed; the
results hold paths, lines, rule names and counts.
"""

import hashlib

import json
import os
import re
import sys

CORPORA = ["tree-small", "tree-large", "history"]
TOOLS = ["nhi", "kingfisher", "ripsecrets", "detect-secrets", "credsweeper"]


def norm(path, corpus):
    p = path.replace("\\", "/")
    for prefix in (f"{corpus}/", f"{corpus}.git/", "./"):
        while p.startswith(prefix):
            p = p[len(prefix):]
    # absolute paths: keep what follows the corpus directory
    for marker in (f"/{corpus}/", f"/{corpus}.git/"):
        if marker in p:
            p = p.split(marker, 1)[1]
    return p.lstrip("/")


def read_nhi(path, corpus):
    with open(path) as fh:
        d = json.load(fh)
    out = []
    for leak in d.get("leaks", []):
        for loc in leak.get("locations", []):
            out.append((norm(loc["path"], corpus), int(loc["line"]), leak["rule"]))
    return out


def read_kingfisher(path, corpus):
    with open(path) as fh:
        d = json.load(fh)
    out = []
    for f in d.get("findings", []):
        fi = f["finding"]
        p = fi.get("path") or ""
        gm = fi.get("git_metadata") or {}
        if gm.get("file", {}).get("path"):
            p = gm["file"]["path"]
        caps = fi.get("dependent_captures") or {}
        hashes = [hashlib.sha256(v.encode()).hexdigest() for v in caps.values() if isinstance(v, str)]
        out.append((norm(p, corpus), int(fi["line"]), f["rule"]["id"], hashes))
    return out


def read_detect_secrets(path, corpus):
    with open(path) as fh:
        d = json.load(fh)
    out = []
    for fname, items in d.get("results", {}).items():
        for it in items:
            out.append((norm(fname, corpus), int(it["line_number"]), it["type"]))
    return out


def read_credsweeper(path, corpus):
    with open(path) as fh:
        d = json.load(fh)
    out = []
    for c in d:
        for ld in c.get("line_data_list", []):
            out.append((norm(ld["path"], corpus), int(ld["line_num"]), c["rule"]))
    return out


RIPSECRETS_LINE = re.compile(r"^(.*?):(\d+):")


def read_ripsecrets(path, corpus):
    out = []
    with open(path, errors="replace") as fh:
        for line in fh:
            m = RIPSECRETS_LINE.match(line)
            if m:
                out.append((norm(m.group(1), corpus), int(m.group(2)), "ripsecrets"))
    return out


READERS = {
    "nhi": read_nhi,
    "kingfisher": read_kingfisher,
    "detect-secrets": read_detect_secrets,
    "credsweeper": read_credsweeper,
    "ripsecrets": read_ripsecrets,
}


def read_time(path):
    """wall seconds, peak RSS MB and exit status from a /usr/bin/time -v report."""
    wall = rss = status = None
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("Elapsed (wall clock) time"):
                v = line.rsplit(" ", 1)[1]
                parts = [float(x) for x in v.split(":")]
                wall = 0.0
                for x in parts:
                    wall = wall * 60 + x
            elif line.startswith("Maximum resident set size"):
                rss = int(line.rsplit(" ", 1)[1]) / 1024
            elif line.startswith("Exit status"):
                status = int(line.rsplit(" ", 1)[1])
            elif line.startswith("Command exited with non-zero status"):
                status = int(line.rsplit(" ", 1)[1])
    return wall, rss, status


def score(findings, plants):
    by_file = {}
    for p in plants:
        by_file.setdefault(p["file"], []).append(p)
    found = set()
    other = set()
    for path, line, _rule, *rest in findings:
        cands = by_file.get(path, [])
        for h in (rest[0] if rest else []):
            for p in cands:
                if p["value_sha256"] == h:
                    found.add((p["file"], p["line"]))
        # A finding on a plant's own line(s) is that plant's; only a finding on no plant's line
        # is given to the nearest plant one line away (plants can sit on adjacent lines, as an
        # AWS key id above its secret key: one found must not count for the other).
        exact = [p for p in cands if p["line"] <= line < p["line"] + p.get("lines", 1)]
        near = [p for p in cands if p["line"] - 1 <= line <= p["line"] + p.get("lines", 1)]
        hits = exact or near[:1]
        for p in hits:
            found.add((p["file"], p["line"]))
        if not hits:
            other.add((path, line))
    missed = [p for p in plants if (p["file"], p["line"]) not in found]
    return len(found), len(other), missed


def main():
    wd = sys.argv[1]
    out_dir = os.path.join(wd, "out")
    with open(os.path.join(wd, "planted.json")) as fh:
        planted = json.load(fh)
    with open(os.path.join(wd, "corpus.json")) as fh:
        corpus = json.load(fh)
    sizes = {
        "tree-small": corpus["tree-small"]["bytes"],
        "tree-large": corpus["tree-large"]["bytes"],
        "history": corpus["history"]["version_bytes"],
    }
    versions = {}
    vf = os.path.join(wd, "versions.json")
    if os.path.exists(vf):
        with open(vf) as fh:
            versions = json.load(fh)
    rows, details = [], []
    for tool in TOOLS:
        for c in CORPORA:
            tfile = os.path.join(out_dir, f"{tool}.{c}.time")
            skip = os.path.join(out_dir, f"{tool}.{c}.skipped")
            if os.path.exists(skip):
                with open(skip) as fh:
                    rows.append({"tool": tool, "corpus": c, "note": fh.read().strip()})
                continue
            if not os.path.exists(tfile):
                continue
            # Repeated runs (tool.corpus.time, .time.2, ...): the median wall time, the
            # largest peak RSS.
            runs = [read_time(os.path.join(out_dir, f)) for f in sorted(os.listdir(out_dir))
                    if f == f"{tool}.{c}.time" or f.startswith(f"{tool}.{c}.time.")]
            walls = sorted(r[0] for r in runs if r[0] is not None)
            wall = walls[len(walls) // 2] if walls else None
            rss = max((r[1] for r in runs if r[1] is not None), default=None)
            status = runs[0][2]
            outs = [f for f in os.listdir(out_dir) if f.startswith(f"{tool}.{c}.") and
                    ".time" not in f and not f.endswith((".stderr", ".skipped"))]
            row = {"tool": tool, "corpus": c, "wall_s": wall, "walls_s": walls, "peak_rss_mb": rss,
                   "exit": status, "mb_per_s": sizes[c] / 1e6 / wall if wall else None}
            if status == 124:
                row["note"] = "timed out"
                rows.append(row)
                continue
            if not outs:
                row["note"] = f"no output (exit {status})"
                rows.append(row)
                continue
            try:
                findings = READERS[tool](os.path.join(out_dir, outs[0]), c)
            except (ValueError, KeyError, json.JSONDecodeError) as e:
                row["note"] = f"unreadable output: {e}"
                rows.append(row)
                continue
            n_found, n_other, missed = score(findings, planted[c])
            row.update(found=n_found, other=n_other,
                       missed=[{"file": m["file"], "line": m["line"], "kind": m["kind"]} for m in missed])
            rows.append(row)
    with open(os.path.join(wd, "results.json"), "w") as fh:
        json.dump({"corpus": corpus, "versions": versions, "runs": rows}, fh, indent=1)

    def mb(n):
        return f"{n / 1e6:.0f} MB"

    lines = [
        "Corpus: "
        f"tree-small {mb(sizes['tree-small'])} ({corpus['tree-small']['files']} files), "
        f"tree-large {mb(sizes['tree-large'])} ({corpus['tree-large']['files']} files), "
        f"history {mb(sizes['history'])} of file versions in {corpus['history']['commits']} commits "
        f"(pack {mb(corpus['history']['pack_bytes'])}); 50 planted credentials in each "
        f"({len(corpus['kinds'])} kinds). MB = 10^6 bytes; MB/s = corpus size / wall time; "
        "wall s: median of 3 runs where a run takes under 30 s; peak RSS: largest of the runs.",
        "",
        "| tool | corpus | wall s | MB/s | peak RSS MB | planted found/50 | other findings |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        name = r["tool"] + (f" {versions[r['tool']]}" if r["tool"] in versions else "")
        if "found" in r:
            rate = f"{r['mb_per_s']:.0f}" if r["mb_per_s"] >= 10 else f"{r['mb_per_s']:.1f}"
            lines.append(
                f"| {name} | {r['corpus']} | {r['wall_s']:.2f} | {rate} | "
                f"{r['peak_rss_mb']:.0f} | {r['found']}/50 | {r['other']} |")
        else:
            wall = f"{r['wall_s']:.0f}" if r.get("wall_s") else "-"
            lines.append(f"| {name} | {r['corpus']} | {wall} | - | - | - | {r['note']} |")
    lines.append("")
    for r in rows:
        if r.get("missed"):
            kinds = {}
            for m in r["missed"]:
                kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
            ks = ", ".join(f"{k}" + (f" ×{n}" if n > 1 else "") for k, n in sorted(kinds.items()))
            lines.append(f"- {r['tool']} on {r['corpus']} missed {len(r['missed'])}: {ks}")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(wd, "results.md"), "w") as fh:
        fh.write(text)
    print(text)


if __name__ == "__main__":
    main()
