#!/usr/bin/env bash
# Run every benchmark, one after the other (≈ 8 minutes on 2 cores; scale.py with --try-fixes).
# Each starts and stops what it needs; figures also land in bench/results/*.json (git-ignored).
# Run a single benchmark directly for its options (see bench/README.md).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [ ! -x "$PY" ]; then
  echo "No .venv: run 'make install' first." >&2
  exit 1
fi
bash bench/setup.sh
failed=()
run() {
  local name="$1"
  shift
  "$PY" "bench/$name.py" "$@" || failed+=("$name")
}
run pdf
run editor
run autosave
run export
run scale --try-fixes
echo
if [ "${#failed[@]}" -gt 0 ]; then
  echo "Benchmarks that did not complete: ${failed[*]}" >&2
  exit 1
fi
echo "All five benchmarks completed; figures in bench/results/."
