#!/usr/bin/env bash
# Image inventory benchmark: rampart against syft on the same Debian 12 root filesystem
# (debootstrap minbase) and on a `docker save`-style archive of it, in the same run.
#
#   bench/image/run.sh
#
# Results go to bench/out/image/ (git-ignored): hyperfine JSON/markdown, /usr/bin/time -v
# logs, the package lists both tools found, and summary.md (quoted by docs/benchmarks.md).
#
# Environment (all optional):
#   PEERS_VENV   venv holding syft (../shared/peers/install.sh; default ../.peers-venv)
#   RUNS         hyperfine runs per command (default 10)
#   SKIP_BUILD=1 reuse the existing release build
# Needs root (debootstrap), hyperfine and GNU time (installed with apt-get when missing).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
peers=${PEERS_VENV:-"$repo/../.peers-venv"}
runs=${RUNS:-10}
target=${CARGO_TARGET_DIR:-"$repo/target"}
out="$repo/bench/out/image"
rampart="$target/release/rampart"
syft="$peers/bin/syft"
mkdir -p "$out"

say() { printf '\n== %s\n' "$*" >&2; }

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  apt-get install -y "${need[@]}" >/dev/null
fi
if [ ! -x "$syft" ]; then
  echo "syft is missing: run ../shared/peers/install.sh (or set PEERS_VENV)" >&2
  exit 1
fi
# syft would otherwise look for updates over the network on every run.
export SYFT_CHECK_FOR_APP_UPDATE=false

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "release build"
  cargo build --release -p rampart >&2
fi

say "Debian 12 root filesystem (debootstrap minbase, built once)"
rootfs=$(crates/rampart-image/tests/support/debian-rootfs.sh)
archive="$out/debian-12.tar"
if [ ! -f "$archive" ] || [ "$rootfs/.rampart-complete" -nt "$archive" ]; then
  python3 bench/image/docker-archive.py "$rootfs" "$archive"
fi

{
  echo "date: $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "rampart: $("$rampart" --version)"
  echo "syft: $("$syft" version 2>/dev/null | awk '/^Version:/ {print $2}')"
  echo "rootfs: $(du -sh "$rootfs" | cut -f1), archive: $(du -h "$archive" | cut -f1)"
} > "$out/env.txt"

for kind in dir docker-archive; do
  if [ "$kind" = dir ]; then ref="dir:$rootfs"; else ref="docker-archive:$archive"; fi
  say "$kind: speed"
  hyperfine --warmup 1 --runs "$runs" --export-json "$out/$kind.json" --export-markdown "$out/$kind.md" \
    -n rampart "$rampart image inventory $ref --format json --output $out/rampart-$kind.json" \
    -n syft "$syft scan $ref -q -o json=$out/syft-$kind.json" >&2
  say "$kind: memory"
  /usr/bin/time -v "$rampart" image inventory "$ref" --format json --output /dev/null 2> "$out/rampart-$kind.time"
  /usr/bin/time -v "$syft" scan "$ref" -q -o json=/dev/null 2> "$out/syft-$kind.time"
done

say "summary"
python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
lines = ["| input | rampart mean | syft mean | syft / rampart | rampart max RSS | syft max RSS | deb packages (rampart / syft / both agree) |",
         "|---|---|---|---|---|---|---|"]
def rss(path):
    for l in open(path):
        if "Maximum resident set size" in l:
            return int(l.split()[-1]) // 1024
for kind in ("dir", "docker-archive"):
    res = {r["command"]: r for r in json.load(open(f"{out}/{kind}.json"))["results"]}
    r, s = res["rampart"]["mean"], res["syft"]["mean"]
    ours = {(p["name"], p["version"]) for p in json.load(open(f"{out}/rampart-{kind}.json"))["packages"] if p["type"] == "deb"}
    theirs = {(a["name"], a["version"]) for a in json.load(open(f"{out}/syft-{kind}.json"))["artifacts"] if a["type"] == "deb"}
    agree = "yes" if ours == theirs else f"no: only rampart {sorted(ours - theirs)[:5]}, only syft {sorted(theirs - ours)[:5]}"
    lines.append(f"| {kind} | {r*1000:.0f} ms ± {res['rampart']['stddev']*1000:.0f} | {s*1000:.0f} ms ± {res['syft']['stddev']*1000:.0f} | {s/r:.1f}x | {rss(f'{out}/rampart-{kind}.time')} MiB | {rss(f'{out}/syft-{kind}.time')} MiB | {len(ours)} / {len(theirs)} / {agree} |")
    others = sorted({a["type"] for a in json.load(open(f"{out}/syft-{kind}.json"))["artifacts"]} - {"deb"})
    if others:
        lines.append(f"|  | syft also reported types: {', '.join(others)} | | | | | |")
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
