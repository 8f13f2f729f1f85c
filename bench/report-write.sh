#!/usr/bin/env bash
# How much replacing a large report file costs, by way of writing it: emptying the old file
# first (O_TRUNC, then write) against writing over it in place and cutting it to length
# (what `rampart` does for --output files). Each way runs RUNS times over a file of SIZE_MB
# that the previous run left behind, in a directory on the file system to measure.
#
#   bench/report-write.sh [DIR]        (default: bench/out)
#
# Environment: SIZE_MB (default 171, the JSON report of the synthetic corpus), RUNS (3).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-"$repo/bench/out"}
mkdir -p "$dir"
SIZE_MB=${SIZE_MB:-171} RUNS=${RUNS:-3} python3 - "$dir/report-write.tmp" <<'PY'
import os, sys, time
path, size, runs = sys.argv[1], int(os.environ["SIZE_MB"]), int(os.environ["RUNS"])
block = b"x" * (1 << 20)

def once(mode):
    t0 = time.perf_counter()
    if mode == "empty first":
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    else:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    t1 = time.perf_counter()
    for _ in range(size):
        os.write(fd, block)
    if mode == "in place":
        os.ftruncate(fd, size << 20)
    t2 = time.perf_counter()
    os.close(fd)
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, t3 - t0

once("empty first")  # the file a previous run left behind
print(f"{size} MB file, {runs} runs each, seconds")
print("| way | open | write | close | total |")
print("|---|---:|---:|---:|---:|")
for mode in ["empty first", "in place"] * runs:
    o, w, c, t = once(mode)
    print(f"| {mode} | {o:.3f} | {w:.3f} | {c:.3f} | {t:.3f} |")
os.unlink(path)
PY
