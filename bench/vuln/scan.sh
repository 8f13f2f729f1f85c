#!/usr/bin/env bash
# End-to-end vulnerability scan benchmark: `rampart image scan` of the debootstrapped
# Debian 12 root filesystem, packed as a `docker save` archive, against a database of all
# of shared/vulndata (crates.io, Go, PyPI, AlmaLinux 9) plus the hand-written Debian 12
# records of crates/rampart/tests (so that OS packages match too). Reading the archive,
# cataloguing, opening the database, matching and writing the JSON report are all timed.
# Goal: under 1 s on a release build.
#
#   bench/vuln/scan.sh
#
# Environment (all optional):
#   RUNS          scan repetitions                   (default 5)
#   SKIP_BUILD=1  reuse the release build
# Needs: python3, debootstrap and root for the root filesystem (built once, see
# crates/rampart-image/tests/support/debian-rootfs.sh).
# Results: bench/out/vuln/scan.md (git-ignored).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
runs=${RUNS:-5}

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  cargo build --release --locked -q -p rampart
fi
rootfs=$(bash crates/rampart-image/tests/support/debian-rootfs.sh)
python3 bench/image/docker-archive.py "$rootfs" "$work/debian.tar" rampart-bench/debian:12

# Debian 12 records for a few packages of the minimal system, so the distribution path is
# exercised (shared/vulndata has no Debian data).
mkdir -p "$work/debian"
for pkg in openssl glibc zlib systemd bash tar; do
  cat >"$work/debian/BENCH-$pkg.json" <<JSON
{"id": "BENCH-$pkg", "modified": "2026-01-01T00:00:00Z", "summary": "benchmark record for $pkg",
 "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
 "affected": [{"package": {"ecosystem": "Debian:12", "name": "$pkg"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "999:0"}]}]}]}
JSON
done
"$rampart" db --db "$work/db" import "$data/crates.io" "$data/go" "$data/pypi" "$data/almalinux9" "$work/debian" >/dev/null

{
  echo "# rampart image scan ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
  echo
  echo "Debian 12 minbase as a docker-archive ($(stat -c %s "$work/debian.tar") bytes), database of shared/vulndata + 6 Debian records."
  echo
  echo "| run | scan (s) | findings |"
  echo "|---|---|---|"
} >"$out/scan.md"
for i in $(seq 1 "$runs"); do
  start=$EPOCHREALTIME
  set +e
  "$rampart" image scan "docker-archive:$work/debian.tar" --db "$work/db" --format json --fail-on never >"$work/report.json"
  code=$?
  set -e
  end=$EPOCHREALTIME
  [[ $code == 0 ]] || { echo "scan failed with exit code $code" >&2; exit 1; }
  n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$work/report.json")
  awk -v i="$i" -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "| %s | %.3f | %s |\n", i, e - s, n }' >>"$out/scan.md"
done
cat "$out/scan.md"
