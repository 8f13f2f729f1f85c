#!/usr/bin/env bash
# Rampart benchmark: speed and memory against the peers (trivy config, checkov) on the
# shared real-world corpus, and against the parsing floor on a synthetic 50,000-object corpus.
#
#   bench/run.sh
#
# Results go to bench/out/ (git-ignored): hyperfine markdown/JSON, /usr/bin/time -v logs,
# env.txt (machine, load, versions) and summary.md (the tables docs/benchmarks.md quotes).
#
# Environment (all optional):
#   PEERS_VENV     venv holding trivy and checkov     (default: ../.peers-venv from the repo root)
#   BENCH_CORPUS   real-world corpus                   (default: ../shared/corpus from the repo root)
#   RAMPART_RUNS   hyperfine runs of rampart on the corpus (default: 10)
#   PEER_RUNS      timed runs of each peer on the corpus   (default: 1; on a 2-core machine trivy
#                  takes about ten minutes and checkov minutes per run, so one run is the default)
#   SYNTH_RUNS     hyperfine runs on the synthetic set     (default: 5)
#   SKIP_BUILD=1   reuse the existing release build
#   SYNTHETIC_ONLY=1  only the synthetic corpus against the parsing floor (no peers needed)
# Run as root, it installs hyperfine and GNU time with apt-get when they are missing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
peers=${PEERS_VENV:-"$repo/../.peers-venv"}
corpus=${BENCH_CORPUS:-"$repo/../shared/corpus"}
rampart_runs=${RAMPART_RUNS:-10}
peer_runs=${PEER_RUNS:-1}
synth_runs=${SYNTH_RUNS:-5}
target=${CARGO_TARGET_DIR:-"$repo/target"}
out="$repo/bench/out"
rampart="$target/release/rampart"
floor="$target/release/examples/parse_floor"
trivy="$peers/bin/trivy"
checkov="$peers/bin/checkov"

say() { printf '\n== %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------------
need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[[ -x /usr/bin/time ]] || need+=(time)
if ((${#need[@]})); then
  if [[ $EUID -eq 0 ]]; then
    say "installing ${need[*]}"
    apt-get install -y "${need[@]}" >/dev/null || { apt-get update >/dev/null && apt-get install -y "${need[@]}" >/dev/null; }
  else
    echo "missing: ${need[*]} (apt-get install ${need[*]}, or run this script as root)" >&2
    exit 1
  fi
fi
synthetic_only=${SYNTHETIC_ONLY:-0}
for t in "$trivy" "$checkov"; do
  [[ $synthetic_only == 1 ]] && break
  [[ -x $t ]] || { echo "missing peer $t; install the peers first (shared/peers/install.sh), or set PEERS_VENV" >&2; exit 1; }
done
[[ -d $corpus ]] || { echo "missing corpus $corpus (set BENCH_CORPUS)" >&2; exit 1; }
corpus=$(cd "$corpus" && pwd)

# --- build -------------------------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  say "building rampart and the parse_floor example (release)"
  cargo build --release -p rampart --bins --examples
fi

# --- synthetic corpus --------------------------------------------------------------------
mkdir -p "$out"
synth="$out/synthetic"
rm -rf "$synth"
say "generating the synthetic corpus"
python3 bench/gen-synthetic.py "$synth" | tee "$out/synthetic.txt" >&2

# --- environment -------------------------------------------------------------------------
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpus: $(nproc)"
  echo "cpu model: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "load before runs: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "rampart: $("$rampart" --version 2>&1 | head -n1)"
  echo "rustc: $(rustc --version)"
  if [[ $synthetic_only != 1 ]]; then
    echo "trivy: $("$trivy" --version 2>&1 | head -n1)"
    echo "checkov: $("$checkov" --version 2>&1 | head -n1)"
  fi
  echo "hyperfine: $(hyperfine --version)"
  echo "python: $(python3 --version 2>&1)"
  echo "corpus: $(find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l) manifest files, $(du -sh "$corpus" | cut -f1)"
} > "$out/env.txt"
cat "$out/env.txt" >&2

q() { printf '%q' "$1"; }
trivy_cache="$out/trivy-cache"
mkdir -p "$trivy_cache"
cmd_rampart="$(q "$rampart") scan $(q "$corpus") --format json --output $(q "$out/rampart-corpus.json") --no-config --fail-on never"
cmd_rampart_all="$(q "$rampart") scan $(q "$corpus") --enable all --format json --output $(q "$out/rampart-all-corpus.json") --no-config --fail-on never"
cmd_trivy="$(q "$trivy") config --skip-check-update --skip-version-check --disable-telemetry --quiet --timeout 120m --cache-dir $(q "$trivy_cache") --format json --output $(q "$out/trivy-corpus.json") $(q "$corpus")"
cmd_checkov="$(q "$checkov") -d $(q "$corpus") --framework kubernetes --quiet --compact --soft-fail --skip-download --output json --output-file-path $(q "$out/checkov-corpus")"

# --- (c) time on the corpus ------------------------------------------------------------------
# rampart takes well under a second, so hyperfine runs it many times. The peers take minutes
# per run, so each peer run is one /usr/bin/time -v run, which gives its wall time, CPU time
# and peak memory at once; the summary takes the median of PEER_RUNS runs. Every run must
# exit 0: a peer that fails (trivy's default 5-minute timeout did on this corpus) is an error,
# not a data point, hence trivy's --timeout.
timev() { # name, command...
  local name=$1; shift
  /usr/bin/time -v -o "$out/time-$name.txt" "$@" > /dev/null 2> "$out/time-$name.stderr" || {
    echo "$name failed, see $out/time-$name.stderr" >&2; exit 1; }
}
if [[ $synthetic_only != 1 ]]; then
say "corpus: rampart, hyperfine, $rampart_runs runs each"
echo "load before corpus timing: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"
hyperfine -N --warmup 2 --runs "$rampart_runs" --style basic \
  --export-markdown "$out/corpus.md" --export-json "$out/corpus.json" \
  -n "rampart" "$cmd_rampart" \
  -n "rampart --enable all" "$cmd_rampart_all"
say "corpus: peak memory of rampart"
eval "timev corpus-rampart $cmd_rampart"
eval "timev corpus-rampart-all $cmd_rampart_all"
for i in $(seq 1 "$peer_runs"); do
  say "corpus: trivy config, run $i of $peer_runs"
  echo "load before trivy run $i: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"
  eval "timev corpus-trivy-$i $cmd_trivy"
  say "corpus: checkov, run $i of $peer_runs"
  echo "load before checkov run $i: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"
  eval "timev corpus-checkov-$i $cmd_checkov"
done
fi

# --- (e) synthetic corpus: rampart against the parsing floor -------------------------------
say "synthetic: floor"
"$floor" "$synth" | tee "$out/floor.txt" >&2
cmd_s_rampart="$(q "$rampart") scan $(q "$synth") --format json --output $(q "$out/rampart-synthetic.json") --no-config --fail-on never"
cmd_s_rampart_all="$(q "$rampart") scan $(q "$synth") --enable all --format json --output $(q "$out/rampart-all-synthetic.json") --no-config --fail-on never"
cmd_s_floor="$(q "$floor") $(q "$synth")"
say "synthetic: hyperfine, $synth_runs runs each"
echo "load before synthetic timing: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"
hyperfine -N --warmup 1 --runs "$synth_runs" --style basic \
  --export-markdown "$out/synthetic.md" --export-json "$out/synthetic.json" \
  -n "parse_floor" "$cmd_s_floor" \
  -n "rampart" "$cmd_s_rampart" \
  -n "rampart --enable all" "$cmd_s_rampart_all"
say "synthetic: peak memory and CPU"
eval "timev synthetic-floor $cmd_s_floor"
eval "timev synthetic-rampart $cmd_s_rampart"
eval "timev synthetic-rampart-all $cmd_s_rampart_all"
echo "load after runs: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"

# --- (f) summary ---------------------------------------------------------------------------
say "summary"
python3 - "$out" "$peer_runs" "$synthetic_only" <<'PY' | tee "$out/summary.md"
import json, re, sys
out = sys.argv[1]

def hf(name):
    with open(f"{out}/{name}.json") as f:
        return {r["command"]: r for r in json.load(f)["results"]}

def timev(name):
    t = {}
    with open(f"{out}/time-{name}.txt") as f:
        for line in f:
            k, _, v = line.strip().rpartition(": ")
            t[k] = v
    wall = t["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
    cpu = float(t["User time (seconds)"]) + float(t["System time (seconds)"])
    return {"rss_mb": int(t["Maximum resident set size (kbytes)"]) / 1024, "wall": secs, "cpu": cpu}

def fmt_t(r):
    return f"{r['mean']:.3f} s ± {r['stddev'] or 0:.3f}" if r["mean"] < 10 else f"{r['mean']:.1f} s ± {r['stddev'] or 0:.1f}"

peer_runs = int(sys.argv[2])

def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

synthetic_only = sys.argv[3] == "1"

def ratio(x):
    return f"{x:,.0f}x" if x >= 10 else f"{x:.1f}x"

def corpus_table():
    c = hf("corpus")
    base = c["rampart"]["mean"]
    print("## Corpus (real-world manifests)\n")
    print("rampart: mean ± σ of hyperfine runs; peers: median of "
          f"{peer_runs} /usr/bin/time run{'s' if peer_runs > 1 else ''}.\n")
    print("| tool | time | peer time / rampart time | peak RSS | CPU (user+sys)/wall |")
    print("|---|---:|---:|---:|---:|")
    rows = []
    for name, key in [("rampart", "corpus-rampart"), ("rampart --enable all", "corpus-rampart-all")]:
        m = timev(key)
        rows.append((name, fmt_t(c[name]), c[name]["mean"], m))
    for name, key in [("trivy config", "corpus-trivy"), ("checkov", "corpus-checkov")]:
        runs = [timev(f"{key}-{i}") for i in range(1, peer_runs + 1)]
        wall = median([r["wall"] for r in runs])
        m = {"rss_mb": max(r["rss_mb"] for r in runs), "cpu": median([r["cpu"] for r in runs]), "wall": wall}
        rows.append((name, f"{wall:.1f} s", wall, m))
    for name, shown, t, m in rows:
        print(f"| {name} | {shown} | {ratio(t / base)} | {m['rss_mb']:.1f} MB | {m['cpu'] / m['wall'] * 100:.0f}% |")

if not synthetic_only:
    corpus_table()

with open(f"{out}/floor.txt") as f:
    floor = dict(kv.split("=") for kv in f.read().split())
objects, mb = int(floor["objects"]), int(floor["bytes"]) / 1e6
s = hf("synthetic")
fbase = s["parse_floor"]["mean"]
print(f"\n## Synthetic corpus: {floor['files']} files, {objects} objects, {mb:.1f} MB\n")
print("| command | time | objects/s | MB/s | vs parse floor | peak RSS | CPU (user+sys)/wall |")
print("|---|---:|---:|---:|---:|---:|---:|")
mem = {"parse_floor": "synthetic-floor", "rampart": "synthetic-rampart", "rampart --enable all": "synthetic-rampart-all"}
for name, r in s.items():
    m = timev(mem[name])
    print(f"| {name} | {fmt_t(r)} | {objects / r['mean']:,.0f} | {mb / r['mean']:.1f} | {r['mean'] / fbase:.2f}x "
          f"| {m['rss_mb']:.1f} MB | {m['cpu'] / m['wall'] * 100:.0f}% |")

PY
echo >&2
cat "$out/env.txt" >&2
