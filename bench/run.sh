#!/usr/bin/env bash
# pydigest benchmark suite: one command, writes BENCHMARKS.md at the repository root.
#   bench/run.sh           full run: N = 100, 1000, 2000 feeds; 100k and 1M rows; 3 runs each (~45 min)
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
(cd bench/server && cargo build --release --quiet --target-dir "$TARGET")
for b in corpus-server parsebench searchbench; do cp "$TARGET/release/$b" "$BIN/$b"; done

exec python3 bench/bench.py --work "$WORK" --bin "$BIN" --command "bench/run.sh $*" "$@"
