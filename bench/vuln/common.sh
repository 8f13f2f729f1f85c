# Shared by the vulnerability benchmarks (sourced, not run): the release binary, the
# shared advisory data, the output directory and a temporary work directory.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
target=${CARGO_TARGET_DIR:-"$repo/target"}
rampart="$target/release/rampart"
# shared/vulndata beside the repository, or beside a directory above it.
data=
dir=$repo
while [[ $dir != / ]]; do
  if [[ -d $dir/../shared/vulndata ]]; then data=$(cd "$dir/../shared/vulndata" && pwd); break; fi
  dir=$(dirname "$dir")
done
[[ -n $data ]] || { echo "shared/vulndata not found beside the repository" >&2; exit 1; }
out="$repo/bench/out/vuln"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
