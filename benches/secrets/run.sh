#!/usr/bin/env bash
# Secret-scanner benchmark: nhi against Kingfisher, ripsecrets, detect-secrets and CredSweeper.
#
#   bash benches/secrets/run.sh WORKDIR
#
# Builds the corpus under WORKDIR (build_corpus.py, unless WORKDIR/planted.json exists),
# installs the peers into WORKDIR (a venv from PyPI, ripsecrets from crates.io; pinned), runs
# every tool on every corpus one after the other under /usr/bin/time -v with a warm page
# cache, and scores the outputs (score.py): WORKDIR/results.md, WORKDIR/results.json.
#
# Environment:
#   NHI                 the nhi binary (default: target/release/nhi of this repository)
#   BENCH_TIMEOUT       seconds before one run is stopped (default 1200)
#   BENCH_LARGE_LIMIT   a tool runs on tree-large only if its tree-small time scaled to
#                       tree-large's size is below this many seconds (default 900)
#   BENCH_REPEAT        runs of a tool on a corpus when its first run takes under 30 s; the
#                       median wall time is reported (default 3)
#   BENCH_TOOLS         the tools to run (default: "nhi kingfisher ripsecrets credsweeper
#                       detect-secrets"); outputs of the others in WORKDIR/out are kept
set -uo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 WORKDIR" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
mkdir -p "$1"
WD=$(cd "$1" && pwd)
NHI=${NHI:-$REPO/target/release/nhi}
TIMEOUT=${BENCH_TIMEOUT:-1200}
LARGE_LIMIT=${BENCH_LARGE_LIMIT:-900}
REPEAT=${BENCH_REPEAT:-3}
TOOLS=" ${BENCH_TOOLS:-nhi kingfisher ripsecrets credsweeper detect-secrets} "

KINGFISHER_VERSION=2.14.0
DETECT_SECRETS_VERSION=1.5.0
CREDSWEEPER_VERSION=1.19.5
RIPSECRETS_VERSION=0.1.11

export NHI_FINGERPRINT_KEY=bench
cd "$WD" || exit 2
[ -x "$NHI" ] || { echo "no nhi binary at $NHI (cargo build --release first)" >&2; exit 2; }

# --- corpus -----------------------------------------------------------------------------------
if [ ! -f planted.json ] || [ ! -d tree-small ] || [ ! -d tree-large ] || [ ! -d history.git ]; then
    python3 "$HERE/build_corpus.py" "$WD" || exit 1
fi

# --- peers ------------------------------------------------------------------------------------
declare -A HAVE
if [ ! -x venv/bin/python ]; then
    python3 -m venv venv
fi
for spec in "kingfisher-bin==$KINGFISHER_VERSION" "detect-secrets==$DETECT_SECRETS_VERSION" \
            "credsweeper==$CREDSWEEPER_VERSION"; do
    venv/bin/pip install -q --disable-pip-version-check "$spec" >"pip-${spec%%=*}.log" 2>&1 \
        || echo "could not install $spec (see $WD/pip-${spec%%=*}.log)" >&2
done
[ -x venv/bin/kingfisher ] && HAVE[kingfisher]=1
[ -x venv/bin/detect-secrets ] && HAVE[detect-secrets]=1
[ -x venv/bin/credsweeper ] && HAVE[credsweeper]=1
if [ ! -x cargo/bin/ripsecrets ] && [ "${TOOLS/ ripsecrets /}" != "$TOOLS" ]; then
    cargo install ripsecrets --version "$RIPSECRETS_VERSION" --locked --root "$WD/cargo" \
        >cargo-ripsecrets.log 2>&1 || echo "could not install ripsecrets (see $WD/cargo-ripsecrets.log)" >&2
fi
[ -x cargo/bin/ripsecrets ] && HAVE[ripsecrets]=1
HAVE[nhi]=1

{
    echo "{"
    echo "  \"nhi\": \"$("$NHI" --version | awk '{print $2}')\","
    [ -n "${HAVE[kingfisher]:-}" ] && echo "  \"kingfisher\": \"$(venv/bin/kingfisher --version | awk '{print $2}')\","
    [ -n "${HAVE[ripsecrets]:-}" ] && echo "  \"ripsecrets\": \"$(cargo/bin/ripsecrets --version | awk '{print $2}')\","
    [ -n "${HAVE[detect-secrets]:-}" ] && echo "  \"detect-secrets\": \"$(venv/bin/detect-secrets --version)\","
    [ -n "${HAVE[credsweeper]:-}" ] && echo "  \"credsweeper\": \"$(venv/bin/credsweeper --version | awk '{print $NF}')\","
    echo "  \"machine\": \"$(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GB\""
    echo "}"
} >versions.json
cat versions.json

# --- runs -------------------------------------------------------------------------------------
mkdir -p out
for t in $TOOLS; do rm -f out/"$t".*; done
# the tools not selected are skipped below
for t in nhi kingfisher ripsecrets credsweeper detect-secrets; do
    [ "${TOOLS/ $t /}" = "$TOOLS" ] && unset "HAVE[$t]"
done

warm() { # read the corpus once so that every tool starts with it in the page cache
    case $1 in
        history) find history.git -type f -exec cat {} + >/dev/null ;;
        *) find "$1" -type f -exec cat {} + >/dev/null ;;
    esac
}

# run TOOL CORPUS OUTPUT-EXT COMMAND...: COMMAND runs in WORKDIR; "@OUT" in it is the output file.
run() {
    local tool=$1 corpus=$2 ext=$3
    shift 3
    local out="out/$tool.$corpus.$ext" args=() a
    for a in "$@"; do args+=("${a//@OUT/$out}"); done
    warm "$corpus"
    local i=1 suffix=""
    while :; do
        echo "== $tool on $corpus${suffix:+ (run $i)}" >&2
        /usr/bin/time -v -o "out/$tool.$corpus.time$suffix" timeout "$TIMEOUT" "${args[@]}" \
            2>"out/$tool.$corpus.stderr"
        grep -E "Elapsed|Maximum resident|Exit status" "out/$tool.$corpus.time$suffix" \
            | sed 's/^\s*/   /' >&2
        again "$tool" "$corpus" "$i" || break
        i=$((i + 1))
        suffix=".$i"
    done
}

# stdout-run: like run, for tools that print their report on stdout.
run_stdout() {
    local tool=$1 corpus=$2 ext=$3 dir=$4
    shift 4
    local out="$WD/out/$tool.$corpus.$ext"
    warm "$corpus"
    local i=1 suffix=""
    while :; do
        echo "== $tool on $corpus${suffix:+ (run $i)}" >&2
        (cd "$dir" && /usr/bin/time -v -o "$WD/out/$tool.$corpus.time$suffix" timeout "$TIMEOUT" \
            "$@" >"$out" 2>"$WD/out/$tool.$corpus.stderr")
        grep -E "Elapsed|Maximum resident|Exit status" "out/$tool.$corpus.time$suffix" \
            | sed 's/^\s*/   /' >&2
        again "$tool" "$corpus" "$i" || break
        i=$((i + 1))
        suffix=".$i"
    done
}

again() { # again TOOL CORPUS RUNS-SO-FAR: whether to run once more (first run under 30 s)
    local w
    [ "$3" -ge "$REPEAT" ] && return 1
    w=$(wall_of "$1" "$2")
    [ -n "$w" ] && python3 -c "import sys; sys.exit(0 if $w < 30 else 1)"
}

wall_of() { # wall seconds of a finished run
    awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' \
        "out/$1.$2.time" 2>/dev/null
}

small_bytes=$(python3 -c "import json;print(json.load(open('corpus.json'))['tree-small']['bytes'])")
large_bytes=$(python3 -c "import json;print(json.load(open('corpus.json'))['tree-large']['bytes'])")

# large_ok TOOL: whether TOOL's projected time on tree-large is within LARGE_LIMIT.
large_ok() {
    local w
    w=$(wall_of "$1" tree-small)
    [ -z "$w" ] && return 0
    local projected
    projected=$(python3 -c "print(round($w * $large_bytes / $small_bytes))")
    if [ "$projected" -gt "$LARGE_LIMIT" ]; then
        echo "not run: projected ${projected} s from tree-small (limit ${LARGE_LIMIT} s)" \
            >"out/$1.tree-large.skipped"
        echo "== $1 on tree-large skipped (projected ${projected} s)" >&2
        return 1
    fi
}

if [ -n "${HAVE[nhi]:-}" ]; then
    for corpus in tree-small tree-large; do
        run nhi "$corpus" json "$NHI" scan --repo "$corpus" -f json -o @OUT --fail-on never -q
    done
    run nhi history json "$NHI" scan --repo history.git --history -f json -o @OUT --fail-on never -q
fi

if [ -n "${HAVE[kingfisher]:-}" ]; then
    # --no-dedup: every occurrence, as the other tools report; no validation (no network).
    for corpus in tree-small tree-large; do
        run kingfisher "$corpus" json venv/bin/kingfisher scan "$corpus" --no-validate \
            --no-update-check --no-dedup -f json -o @OUT -q
    done
    run kingfisher history json venv/bin/kingfisher scan history.git --git-history full \
        --no-validate --no-update-check --no-dedup -f json -o @OUT -q
fi

if [ -n "${HAVE[ripsecrets]:-}" ]; then
    # No JSON output: it prints path:line:text.
    for corpus in tree-small tree-large; do
        run_stdout ripsecrets "$corpus" txt "$WD" "$WD/cargo/bin/ripsecrets" "$corpus"
    done
fi

if [ -n "${HAVE[credsweeper]:-}" ]; then
    for corpus in tree-small tree-large; do
        [ "$corpus" = tree-large ] && ! large_ok credsweeper && continue
        run credsweeper "$corpus" json venv/bin/credsweeper --path "$corpus" --save-json @OUT \
            --jobs "$(nproc)" --no-stdout --no-color
    done
fi

if [ -n "${HAVE[detect-secrets]:-}" ]; then
    # The baseline JSON goes to stdout; --all-files: not only git-tracked files.
    for corpus in tree-small tree-large; do
        [ "$corpus" = tree-large ] && ! large_ok detect-secrets && continue
        run_stdout detect-secrets "$corpus" json "$WD/$corpus" "$WD/venv/bin/detect-secrets" \
            -c "$(nproc)" scan --all-files .
    done
fi

python3 "$HERE/score.py" "$WD"
