#!/usr/bin/env bash
# Fuzzes a target (FUZZ_TARGET: load (default), binary or archive) on a stable toolchain
# for a number of seconds (default 60).
#   [FUZZ_TARGET=binary] ./run.sh [SECONDS] [extra libFuzzer flags...]
# Crashes are written to artifacts/TARGET/; the growing corpus lives in corpus/TARGET/
# (both git-ignored).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

target="${FUZZ_TARGET:-load}"
case "$target" in
    load | binary | archive) ;;
    *) echo "unknown FUZZ_TARGET '$target' (load, binary, archive)" >&2; exit 2 ;;
esac
secs="${1:-60}"
shift || true
case "$secs" in
    '' | *[!0-9]*) echo "usage: $0 [SECONDS] [libFuzzer flags...]" >&2; exit 2 ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz..." >&2
    cargo install cargo-fuzz --locked
fi

# The seeds stay pristine: libFuzzer writes new inputs into the first corpus directory.
mkdir -p "corpus/$target"
cp -n "seeds/$target"/* "corpus/$target/" 2>/dev/null || true

# cargo-fuzz passes nightly-only flags to rustc; RUSTC_BOOTSTRAP=1 lets stable accept them.
# AddressSanitizer needs a nightly-built std, so run without a sanitizer (Rust code is
# memory-safe; panics, overflows (debug assertions are on), stack overflows, timeouts and
# memory blow-ups are still caught).
export RUSTC_BOOTSTRAP=1
exec cargo fuzz run "$target" --sanitizer none -- \
    -max_total_time="$secs" \
    -max_len=65536 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -print_final_stats=1 \
    "$@" \
    "corpus/$target"
