#!/usr/bin/env bash
# Vulnerability database benchmark: `rampart db import` of all of shared/vulndata
# (crates.io, Go, PyPI, AlmaLinux 9: about 9,900 OSV records, JSON and YAML) into a fresh
# database, then opening that database and matching a 1,000-package inventory against it
# (crates/rampart-vuln/examples/match_bench.rs). Goals: import under 10 s, match under
# 50 ms, both on a release build.
#
#   bench/vuln/run.sh
#
# Environment (all optional):
#   RUNS          import repetitions                 (default 3)
#   PACKAGES      inventory size for the match        (default 1000)
#   SKIP_BUILD=1  reuse the release builds
# Results: bench/out/vuln/summary.md (git-ignored).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
runs=${RUNS:-3}
packages=${PACKAGES:-1000}

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  cargo build --release --locked -q -p rampart
  cargo build --release --locked -q -p rampart-vuln --example match_bench
fi

{
  echo "# Vulnerability database ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
  echo
  echo "| run | import of shared/vulndata (s) |"
  echo "|---|---|"
} >"$out/summary.md"
for i in $(seq 1 "$runs"); do
  rm -rf "$work/db"
  start=$EPOCHREALTIME
  "$rampart" db --db "$work/db" import "$data/crates.io" "$data/go" "$data/pypi" "$data/almalinux9" >"$out/import.log"
  end=$EPOCHREALTIME
  awk -v i="$i" -v s="$start" -v e="$end" 'BEGIN { printf "| %s | %.2f |\n", i, e - s }' >>"$out/summary.md"
done
size=$(stat -c %s "$work/db/osv.db")
{
  echo
  echo "Database: $size bytes; $(tail -1 "$out/import.log")"
  echo
  echo "Match: $("$target/release/examples/match_bench" "$work/db" "$packages")"
} >>"$out/summary.md"
cat "$out/summary.md"
