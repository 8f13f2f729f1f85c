#!/usr/bin/env bash
# Admission webhook benchmark: latency at a paced 1,000 requests/s, peak throughput, and
# memory over a soak, for `rampart admit` judging a realistic Deployment UPDATE review
# (review.json: two containers, an init container, the old object) and, in the same run,
# for the same server with `--bench-echo` (the request body sent back unjudged: the floor
# of the TLS and HTTP stack). The load generator is wrk on loopback, over HTTPS with
# keep-alive, as the API server connects.
#
#   bench/admission/run.sh
#
# Environment (all optional):
#   DURATION      seconds per latency run          (default 60)
#   SOAK          seconds of the memory soak       (default 300; 0 skips it)
#   CONNECTIONS   wrk connections                  (default 20)
#   RATE          paced requests per second        (default 1000)
#   SKIP_BUILD=1  reuse the release build
# Results: bench/out/admission/ (git-ignored), summary.md holds the tables.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
duration=${DURATION:-60}
soak=${SOAK:-300}
conns=${CONNECTIONS:-20}
rate=${RATE:-1000}
target=${CARGO_TARGET_DIR:-"$repo/target"}
rampart="$target/release/rampart"
out="$repo/bench/out/admission"
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl missing: apt-get install openssl" >&2; exit 1; }
[[ ${SKIP_BUILD:-0} = 1 ]] || cargo build --release --locked -q -p rampart

EXTRA_SANS=DNS:localhost,IP:127.0.0.1 sh deploy/admission/certs.sh "$work/certs" >/dev/null 2>&1

start() { # name port extra-args...
  local name=$1 port=$2
  shift 2
  "$rampart" admit --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" \
    --listen "127.0.0.1:$port" --audit-log "$work/$name-audit.jsonl" "$@" 2>"$out/$name.log" &
  echo $! >"$work/$name.pid"
  for _ in $(seq 100); do
    curl -sf --cacert "$work/certs/ca.crt" "https://localhost:$port/readyz" >/dev/null && return
    sleep 0.1
  done
  echo "server $name did not start" >&2
  cat "$out/$name.log" >&2
  exit 1
}

load() { # port delay_ms seconds
  DELAY_MS=$2 wrk -t2 -c"$conns" -d"$3"s --latency -s bench/admission/review.lua \
    "https://127.0.0.1:$1/validate" | grep '^RESULT'
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

start admit 18443
start echo 18444 --bench-echo
# The answer the load gets: a warned Deployment update.
curl -s --cacert "$work/certs/ca.crt" -H 'Content-Type: application/json' \
  --data @bench/admission/review.json https://localhost:18443/validate >"$out/answer.json"
grep -q '"allowed":true' "$out/answer.json"

# Each connection waits `delay` ms between requests; one less than the even share
# makes up for the time the requests themselves take.
delay=$((conns * 1000 / rate - 1))
{
  echo "| server | load | requests/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >"$out/latency.md"
for server in admit:18443 echo:18444; do
  name=${server%%:*}
  port=${server##*:}
  for mode in paced peak; do
    d=$([[ $mode = paced ]] && echo "$delay" || echo 0)
    load "$port" "$d" 5 >/dev/null # warm up
    r=$(load "$port" "$d" "$duration")
    echo "$name $mode $r" >>"$out/raw.txt"
    label=$([[ $mode = paced ]] && echo "paced, $conns connections" || echo "as fast as possible, $conns connections")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$label" \
      "$(field rate "$r")" "$(field p50_ms "$r")" "$(field p90_ms "$r")" "$(field p99_ms "$r")" \
      "$(field p999_ms "$r")" "$(field max_ms "$r")" "$(field errors "$r")" >>"$out/latency.md"
  done
done
cat "$out/latency.md"

if ((soak > 0)); then
  pid=$(cat "$work/admit.pid")
  echo "| seconds | requests/s | RSS (MiB) |" >"$out/soak.md"
  echo "|---|---|---|" >>"$out/soak.md"
  rss() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
  echo "| 0 | | $(rss) |" >>"$out/soak.md"
  DELAY_MS=$delay wrk -t2 -c"$conns" -d"$soak"s --latency -s bench/admission/review.lua \
    "https://127.0.0.1:18443/validate" >"$out/soak-wrk.txt" &
  wrk_pid=$!
  for ((t = 30; t <= soak; t += 30)); do
    sleep 30
    echo "| $t | | $(rss) |" >>"$out/soak.md"
  done
  wait "$wrk_pid"
  r=$(grep '^RESULT' "$out/soak-wrk.txt")
  echo "soak: $r" >>"$out/raw.txt"
  echo "| total | $(field rate "$r") (p99 $(field p99_ms "$r") ms, errors $(field errors "$r")) | $(rss) |" >>"$out/soak.md"
  cat "$out/soak.md"
fi
