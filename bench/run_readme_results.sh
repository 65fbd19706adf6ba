#!/usr/bin/env bash
# Reproduce the README results: the embedded 1.5B model on the first 100 MBPP problems of
# ../shared/data, the `single` baseline against the `full` preset (one greedy + 3 samples,
# differential inputs and behaviour clusters, critique and fuse when not decisive, evaluate,
# rank), graded on the hidden tests, without caches (CACHE=1 keeps them). Resumable: rerun the
# same command after an interruption.
#
#   bash bench/run_readme_results.sh                  # defaults below
#   DATA=../shared/data/humaneval.jsonl bash bench/run_readme_results.sh
#
# Long: run it in the background, e.g.
#   nohup bash bench/run_readme_results.sh > bench-runs/readme.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${DATA:-../shared/data/mbpp.jsonl}
MODEL=${MODEL:-local/qwen2.5-coder-1.5b}
LIMIT=${LIMIT:-100}
ARCHS=${ARCHS:-single full}
WORKERS=${WORKERS:-2}
OUT=${OUT:-bench-runs/readme-$(basename "${DATA}" .jsonl)-$(basename "${MODEL}")-${LIMIT}}

if [ ! -f "$DATA" ]; then
  echo "error: $DATA not found (the development data lives in ../shared/data)" >&2
  exit 2
fi
mkdir -p "$OUT"
# One architecture at a time, cumulatively into the same results.jsonl: the cheap baseline
# finishes first, and each later pass reuses every record already there.
arch_args=()
for arch in $ARCHS; do
  arch_args+=(--arch "$arch")
  status=0
  archon-code bench "$DATA" --limit "$LIMIT" --model "$MODEL" "${arch_args[@]}" \
    --workers "$WORKERS" --out "$OUT" $([ -n "${CACHE:-}" ] || echo --no-cache) \
    --json > "$OUT/summary.json" || status=$?
  if [ "$status" -gt 1 ]; then exit "$status"; fi  # 1: some infrastructure errors, rerun to retry
done
python bench/readme_table.py "$OUT/summary.json" | tee "$OUT/table.md"
