#!/usr/bin/env bash
# Builds a minimal Debian 12 (bookworm) root filesystem once and prints its path.
#   debian-rootfs.sh [DEST]
# DEST defaults to <cargo target dir>/fixtures/debian-bookworm. When DEST already holds a
# finished build (marked by DEST/.rampart-complete) nothing is done, so tests and
# benchmarks can call this every time. Needs root and the `debootstrap` package
# (apt-get install debootstrap), and network access to deb.debian.org (or set
# DEBIAN_MIRROR).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -ge 1 ]]; then
    dest="$1"
else
    target="${CARGO_TARGET_DIR:-$(cd "$here/../../../.." && pwd)/target}"
    dest="$target/fixtures/debian-bookworm"
fi
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [[ -f "$dest/.rampart-complete" ]]; then
    echo "$dest"
    exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
    echo "debian-rootfs.sh: debootstrap is missing (apt-get install debootstrap)" >&2
    exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "debian-rootfs.sh: debootstrap needs root" >&2
    exit 1
fi

# One build at a time (tests run in parallel); whoever waited finds it done.
parent="$(dirname "$dest")"
mkdir -p "$parent"
exec 9>"$parent/.$(basename "$dest").lock"
flock 9
if [[ -f "$dest/.rampart-complete" ]]; then
    echo "$dest"
    exit 0
fi

# A half-finished build from an interrupted run is started again from scratch, in a
# temporary directory next to the destination so the final rename is atomic.
work="$(mktemp -d "$parent/.debian-bookworm.XXXXXX")"
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase bookworm "$work/root" "$mirror" >&2
touch "$work/root/.rampart-complete"
rm -rf "$dest"
mv "$work/root" "$dest"
echo "$dest"
