#!/usr/bin/env bash
# Build the wheel, install it in a fresh venv away from the repository and solve the sample
# with it: proves the package carries its own data (default tariffs) and needs no checkout.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip
"$work/venv/bin/pip" wheel --quiet --no-deps --wheel-dir "$work/dist" "$repo"
"$work/venv/bin/pip" install --quiet "$work"/dist/rightplace-*.whl
cd "$work"
"$work/venv/bin/rightplace" solve --scenario "$repo/scenarios/baseline.yaml" --out "$work/out"
test -s "$work/out/placements.csv"
echo "wheel check: installed rightplace solved the sample from $work"
