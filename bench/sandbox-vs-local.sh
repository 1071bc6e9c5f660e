#!/usr/bin/env bash
# The same grading plan on the local host and in the Docker sandbox, side by side in one run:
# `assess scenario verify ID --local` and `assess scenario verify ID` alternate (local, sandbox,
# local, sandbox, ...) so machine noise falls on both. Prints each run's wall time, the medians,
# the spread (min–max) and the sandbox/local ratio, then the median time of each stage per host
# from the reports. Needs what scripts/start or scripts/test set up (PostgreSQL binaries, the engine
# and the sandbox image); caches are warmed by one untimed run of each first.
#
#   bench/sandbox-vs-local.sh [SCENARIO|scaffold] [ROUNDS]     (default: n-plus-one 3)
#
# "scaffold" verifies the package `assess scenario new` writes: the smallest real plan, where the
# sandbox's fixed costs (containers, tar streams, the restore stage) weigh the most.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ID=${1:-n-plus-one}
ROUNDS=${2:-3}
OUT=${BENCH_OUT:-/var/tmp/assessments-bench/$ID-$(date -u +%Y%m%dT%H%M%SZ)}
TARGET=$ID
if [ "$ID" = scaffold ]; then
  mkdir -p "$OUT/library"
  "$ROOT/assess" scenario new scaffold --dir "$OUT/library" >/dev/null
  TARGET="$OUT/library/scaffold"
fi
mkdir -p "$OUT"
export Scenarios__LibraryPath="$ROOT/scenarios"
export ASSESSMENTS_SCRATCH="$OUT/scratch"
export XDG_CACHE_HOME="$OUT/cache"
export Sandbox__CacheFolder="$OUT/cache/sandbox"
mkdir -p "$ASSESSMENTS_SCRATCH"

run() { # host round
  local host=$1 round=$2 flag=""
  [ "$host" = local ] && flag=--local
  local started ended
  started=$(date +%s.%N)
  "$ROOT/assess" scenario verify "$TARGET" $flag --reports "$OUT/$host-$round" >"$OUT/$host-$round.log" 2>&1 \
    || { echo "verify failed on $host (round $round): $OUT/$host-$round.log" >&2; exit 1; }
  ended=$(date +%s.%N)
  echo "$host $round $(echo "$ended - $started" | bc)" | tee -a "$OUT/times.txt"
}

echo "Warming caches (untimed) ..."
run local warm >/dev/null
run sandbox warm >/dev/null
: >"$OUT/times.txt"
for round in $(seq 1 "$ROUNDS"); do
  run local "$round"
  run sandbox "$round"
done

python3 - "$OUT" <<'PY'
import json, os, statistics, sys
out = sys.argv[1]
times = {"local": [], "sandbox": []}
for line in open(os.path.join(out, "times.txt")):
    host, _, seconds = line.split()
    times[host].append(float(seconds))
med = {h: statistics.median(v) for h, v in times.items()}
print()
print(f"{'HOST':<8} {'MEDIAN s':>9} {'MIN s':>8} {'MAX s':>8}  RUNS")
for h, v in times.items():
    print(f"{h:<8} {med[h]:>9.1f} {min(v):>8.1f} {max(v):>8.1f}  {len(v)}")
ratios = [s / l for l, s in zip(times["local"], times["sandbox"])]
print(f"sandbox/local: median {statistics.median(ratios):.3f} (per round {', '.join(f'{r:.3f}' for r in ratios)})")

stages = {"local": {}, "sandbox": {}}
for entry in os.listdir(out):
    host = entry.split("-")[0]
    if host not in stages or entry.endswith("warm") or not os.path.isdir(os.path.join(out, entry)):
        continue
    for name in os.listdir(os.path.join(out, entry)):
        report = json.load(open(os.path.join(out, entry, name)))
        per = {}
        for stage in report["stages"]:
            key = stage["name"].split(":")[0]
            per[key] = per.get(key, 0) + stage["durationMs"] / 1000
        for key, seconds in per.items():
            stages[host].setdefault(key, []).append(seconds)
print()
print(f"{'STAGE (per grading)':<22} {'LOCAL s':>8} {'SANDBOX s':>10}")
for key in sorted(set(stages["local"]) | set(stages["sandbox"])):
    l = stages["local"].get(key); s = stages["sandbox"].get(key)
    print(f"{key:<22} {statistics.median(l) if l else float('nan'):>8.2f} {statistics.median(s) if s else float('nan'):>10.2f}")
PY
echo "Logs and reports: $OUT"
