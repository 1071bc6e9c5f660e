#!/usr/bin/env bash
# How stable is a reported latency ratio? Grades a scenario's reference solution (template +
# solution) N times in the Docker sandbox with `assess grade`, each grading independent: a fresh
# grader-build cache per run, so no build, kept count or figure is carried from one run to the
# next (only the offline package feed, which holds packages, is shared). Each report's
# candidate/baseline ratio of every timed metric was measured inside that one grading, the sides
# interleaved round by round. Prints every run's ratios, their median, min–max and
# (max − min) / median.
#
#   bench/latency-ratio-repeat.sh [SCENARIO] [RUNS]     (default: slow-endpoint 5)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ID=${1:-slow-endpoint}
RUNS=${2:-5}
OUT=${BENCH_OUT:-/var/tmp/assessments-bench/ratio-$ID-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT/tree"
cp -a "$ROOT/scenarios/$ID/template/." "$OUT/tree/"
cp -a "$ROOT/scenarios/$ID/solution/." "$OUT/tree/"
export Scenarios__LibraryPath="$ROOT/scenarios"
export ASSESSMENTS_SCRATCH="$OUT/scratch"
mkdir -p "$ASSESSMENTS_SCRATCH"

for run in $(seq 1 "$RUNS"); do
  export XDG_CACHE_HOME="$OUT/cache-$run" Sandbox__CacheFolder="$OUT/cache-$run/sandbox"
  started=$(date +%s)
  "$ROOT/assess" grade --scenario "$ID" --dir "$OUT/tree" --json "$OUT/run-$run.json" >"$OUT/run-$run.log" 2>&1 \
    || { echo "grading $run did not pass: $OUT/run-$run.log" >&2; exit 1; }
  echo "run $run graded in $(( $(date +%s) - started )) s"
done

python3 - "$OUT" "$RUNS" <<'PY'
import json, os, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
reports = [json.load(open(os.path.join(out, f"run-{i}.json"))) for i in range(1, runs + 1)]
timed = [m["key"] for m in reports[0]["metrics"] if m["kind"] == "timed"]
print()
print(f"{'METRIC':<32} {'BASELINE ms (per run)':<40} {'CANDIDATE ms (per run)':<34} {'RATIO (per run)':<44} {'MEDIAN':>8} {'(MAX-MIN)/MEDIAN':>17}")
for key in timed:
    ms = [next(m for m in r["metrics"] if m["key"] == key) for r in reports]
    ratios = [m["ratio"] for m in ms]
    med = statistics.median(ratios)
    spread = (max(ratios) - min(ratios)) / med
    fmt = lambda xs, f: " ".join(f.format(x) for x in xs)
    print(f"{key:<32} {fmt([m['baseline'] for m in ms], '{:.1f}'):<40} {fmt([m['candidate'] for m in ms], '{:.2f}'):<34} {fmt(ratios, '{:.4f}'):<44} {med:>8.4f} {spread:>16.1%}")
    print(f"{'':<32} comparison: {', '.join(m['comparison'] for m in ms)}")
PY
