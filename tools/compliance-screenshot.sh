#!/usr/bin/env bash
# Regenerates docs/compliance-report.png: the HTML compliance report of the bundled
# examples, as headless Chromium (Debian's chromium package) renders it.
#
#   tools/compliance-screenshot.sh [RAMPART_BINARY]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
rampart=${1:-"$repo/target/release/rampart"}
browser=${RAMPART_CHROMIUM:-chromium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$rampart" compliance examples --standard all --format html --output "$work/report.html"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
  --user-data-dir="$work/profile" --window-size=1200,1400 \
  --screenshot="$repo/docs/compliance-report.png" "file://$work/report.html" 2>/dev/null
echo "wrote docs/compliance-report.png"
