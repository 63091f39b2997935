#!/usr/bin/env bash
# pydigest benchmark suite: one command, writes BENCHMARKS.md at the repository root.
#   bench/run.sh           full run: N = 100, 500, 2000 feeds; 100k and 1M rows; 3 runs each
#   bench/run.sh --quick   N = 100 only, 100k rows, 1 run (checks that everything works)
# Environment: PYDIGEST_CORPUS (default ../shared/corpus/feeds beside the checkout), BENCH_WORK (scratch, default
# /tmp/pydigest-bench), CARGO_TARGET_DIR (shared build cache; binaries are copied out of it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${BENCH_WORK:-/tmp/pydigest-bench}
BIN=$WORK/bin
mkdir -p "$BIN"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

# --- peers, through their ordinary package clients (skipped when present)
if ! command -v newsboat >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq newsboat
fi
if [ ! -x /usr/bin/time ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time
fi
python3 -c 'import reader, feedparser, requests, sgmllib' 2>/dev/null || python3 -m pip install -q reader feedparser requests sgmllib3k  # reader's vendored feedparser imports sgmllib

# --- pydigest and the bench helpers (release); copied out so concurrent builds cannot swap them
cargo build --release --quiet --bin pydigest
cp "$TARGET/release/pydigest" "$BIN/pydigest"
(cd bench/server && cargo build --release --quiet)
for b in corpus-server parsebench searchbench; do cp "$TARGET/release/$b" "$BIN/$b"; done

# --- `pydigest search` from branch main, when main has it: timed end to end as well
rm -f "$BIN/pydigest-main"
if git rev-parse -q --verify main >/dev/null && git show main:src/cli.rs 2>/dev/null | grep -q 'Search(SearchArgs)'; then
    rm -rf "$WORK/main-src" && mkdir -p "$WORK/main-src"
    git archive main | tar -x -C "$WORK/main-src"
    # git archive stamps files with the commit time: touch them so cargo rebuilds this crate in
    # the shared target dir (dependencies stay shared), then touch ours to rebuild it back.
    find "$WORK/main-src/src" -type f -exec touch {} +
    (cd "$WORK/main-src" && cargo build --release --quiet --bin pydigest)
    cp "$TARGET/release/pydigest" "$BIN/pydigest-main"
    touch src/main.rs src/lib.rs
    cargo build --release --quiet --bin pydigest
    cmp -s "$TARGET/release/pydigest" "$BIN/pydigest" || echo "note: shared target's pydigest differs from the copy in $BIN (concurrent build)"
fi

exec python3 bench/bench.py --work "$WORK" --bin "$BIN" --command "bench/run.sh $*" "$@"
