#!/usr/bin/env bash
# Fuzzes pydigest's parse path (what `inspect` runs) for a bounded time. Not part of CI.
#   fuzz/run.sh [SECONDS]   (default 300; FUZZ_MAX_LEN=BYTES caps input size, default 262144;
#   FUZZ_TIMEOUT=SECONDS per input, default 10: raise it on a loaded machine)
# Needs cargo-fuzz (`cargo install cargo-fuzz`); the stable toolchain is used with
# RUSTC_BOOTSTRAP=1 because libFuzzer instrumentation flags are nightly-only.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-300}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
# Seeds: the project's example feeds and, when present, the shared real-world corpus (copied to
# a temp dir, never into the repo).
cp ../examples/feeds/*.xml "$seeds"/
# Small documents written for the parser's harder classes (encodings, Atom 0.3, text constructs,
# xml:base, podcast fields), so the fuzzer starts on those paths.
cp seeds/* "$seeds"/
if [ -d ../../shared/corpus ]; then
  cp ../../shared/corpus/feeds/*.xml ../../shared/corpus/pages/*.html "$seeds"/
fi
mkdir -p corpus/parse
RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none parse corpus/parse "$seeds" -- \
  -max_total_time="$secs" -max_len="${FUZZ_MAX_LEN:-262144}" -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-10}" 2>&1 | tee fuzz.log | grep -E "^#[0-9]+.*(DONE|pulse)|ERROR|panicked|Done" || true
grep -E "^#[0-9]+.*DONE|^Done" fuzz.log | tail -2
if ls artifacts/parse/crash-* >/dev/null 2>&1; then
  echo "findings: $(ls artifacts/parse/ | wc -l) (see fuzz/artifacts/parse)"; exit 1
fi
echo "findings: none"
