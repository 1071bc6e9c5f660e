#!/usr/bin/env bash
# Gradings as a candidate and an operator see them, on this machine's Docker sandbox (issue 19):
#
#   bench/gradings.sh latency [PUSHES] [SCENARIO ...]
#       Push-to-result: per scenario (default: the whole library), a candidate pushes the
#       reference solution 1 + PUSHES times (default 10), each push waiting for the one before it
#       to be graded. For each push, the time runs from `git push` to the stored result. The first
#       push of a version is reported on its own: it builds the offline package feed, the hidden
#       tests and the baseline. The rest give the median and p95, the stage breakdown and the
#       share of the timed benchmark rounds.
#   bench/gradings.sh throughput [SUBMISSIONS] [SCENARIO] [WORKERS ...]
#       Throughput: SUBMISSIONS candidates (default 10) each push the solution of SCENARIO
#       (default n-plus-one) while no worker runs. Then N worker processes (default: 1, then 2)
#       start against the queue. Prints gradings per hour and the CPU-seconds one grading cost
#       (the machine's busy time over the drain, divided by the gradings). The queue is filled
#       once per worker count, on a warm cache (one grading of the version runs first, uncounted).
#
# A private PostgreSQL cluster, the web role and `assess worker` processes on 127.0.0.1; the
# sandbox image and the Docker engine as scripts/start prepares them.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
. "$ROOT/bench/lib.sh"
MODE=${1:-latency}
shift || true
OUT=${BENCH_OUT:-/var/tmp/assessments-bench/gradings}
PORT=${BENCH_PG_PORT:-55438}
WEB_PORT=${BENCH_WEB_PORT:-18441}
require_root
ensure_dotnet
docker_ensure "$OUT/dockerd.log" "$OUT/dockerd.pid"
sandbox_image_ensure
rm -rf "$OUT/work" "$OUT/repositories"
mkdir -p "$OUT/work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_stop "$OUT/postgres" || true
}
trap cleanup EXIT

export Repositories__Root="$OUT/repositories"
export Sandbox__CacheFolder="$OUT/sandbox-cache"
bench_platform "$OUT/postgres" "$PORT" bench_gradings "$WEB_PORT"
bench_web "$WEB_PORT" "$OUT/web.log"
pids+=("$BENCH_WEB_PID")

# start_worker N: a worker process with its own health port; its pid joins pids.
start_worker() {
  "$ROOT/assess" worker --urls "http://127.0.0.1:$((WEB_PORT + 10 + $1))" >"$OUT/worker-$1.log" 2>&1 &
  pids+=($!)
}


# candidate SCENARIO NAME: invites and starts a candidate, clones the repository into
# $OUT/work/NAME with the reference solution laid over the template; prints nothing.
candidate() {
  git clone --quiet "$(bench_candidate "$1" "$2")" "$OUT/work/$2"
  cp -a "$ROOT/scenarios/$1/solution/." "$OUT/work/$2/"
}

# push NAME TEXT: commits the clone with TEXT in NOTES.md and pushes; prints the commit.
push() {
  local dir="$OUT/work/$1"
  echo "$2" >"$dir/NOTES.md"
  git -C "$dir" add --all
  git -C "$dir" -c user.name=Bench -c user.email=bench@example.com commit --quiet -m "$2"
  git -C "$dir" push --quiet origin HEAD:main
  git -C "$dir" rev-parse HEAD
}

# wait_graded COMMIT: until the commit's grading has a result (15 minutes at most).
wait_graded() {
  for _ in $(seq 1 900); do
    [ -n "$(bench_sql "SELECT 1 FROM grading_runs r JOIN submissions s ON s.id = r.submission_id WHERE s.commit_sha = '$1' AND r.finished_at IS NOT NULL")" ] && return 0
    sleep 1
  done
  die "commit $1 was not graded within 15 minutes (see $OUT/worker-*.log)"
}

# median and p95 of the numbers on stdin (nearest rank).
stats() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- -"; exit } p = int(0.95 * NR + 0.999); if (p > NR) p = NR; m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f %.1f\n", m, v[p] }'; }

# The stored grading of COMMIT: seconds in each part of the plan, tab-separated in PARTS' order.
PARTS=(builds "public tests" "service starts" "hidden tests" baseline "timed rounds" other)
parts_of() {
  bench_sql "WITH stages AS (
      SELECT s->>'name' AS name, (s->>'durationMs')::float / 1000 AS seconds
      FROM grading_runs r JOIN submissions c ON c.id = r.submission_id,
           jsonb_array_elements(r.report->'stages') s
      WHERE c.commit_sha = '$1'),
    parts AS (
      SELECT CASE
          WHEN name LIKE 'baseline%' THEN 'baseline'
          WHEN name IN ('benchmarks', 'build-harness') OR name LIKE 'build-harness%' THEN 'timed rounds'
          WHEN name LIKE 'hidden-tests%' THEN 'hidden tests'
          WHEN name LIKE 'public-tests%' THEN 'public tests'
          WHEN name LIKE 'build%' OR name LIKE 'restore%' THEN 'builds'
          WHEN name = 'start' OR name LIKE 'restart:%' OR name LIKE 'instances:%' THEN 'service starts'
          ELSE 'other' END AS part, seconds FROM stages)
    SELECT string_agg(to_char(coalesce(p.seconds, 0), 'FM99990.0'), E'\t' ORDER BY k.i)
    FROM unnest(ARRAY['builds', 'public tests', 'service starts', 'hidden tests', 'baseline', 'timed rounds', 'other']) WITH ORDINALITY k(part, i)
    LEFT JOIN (SELECT part, sum(seconds) AS seconds FROM parts GROUP BY part) p ON p.part = k.part"
}

latency() {
  local pushes=${1:-10}
  shift || true
  local scenarios=("$@")
  [ ${#scenarios[@]} -gt 0 ] || mapfile -t scenarios < <(find "$ROOT/scenarios" -mindepth 2 -maxdepth 2 -name scenario.yaml -printf '%h\n' | xargs -n 1 basename | sort)
  start_worker 1
  local results="$OUT/work/latency.tsv"
  : >"$results"
  for scenario in "${scenarios[@]}"; do
    candidate "$scenario" "$scenario"
    for i in $(seq 0 "$pushes"); do
      local started commit finished
      started=$(bench_now_ms)
      commit=$(push "$scenario" "push $i")
      wait_graded "$commit"
      finished=$(bench_sql "SELECT (extract(epoch FROM r.finished_at) * 1000)::bigint FROM grading_runs r JOIN submissions s ON s.id = r.submission_id WHERE s.commit_sha = '$commit'")
      printf '%s\t%s\t%s\t%s\n' "$scenario" "$i" "$(awk -v a="$finished" -v b="$started" 'BEGIN { printf "%.1f", (a - b) / 1000 }')" "$(parts_of "$commit")" >>"$results"
      say "$scenario push $i: $(tail -n 1 "$results" | cut -f3) s"
    done
  done

  latency_table "$results" "${scenarios[@]}"
}

# latency_table RESULTS SCENARIO...: the table of a latency run's rows (scenario, push, seconds, parts).
latency_table() {
  local results=$1
  shift
  local scenarios=("$@")
  echo
  echo "Push-to-result, from \`git push\` to the stored result; 1 worker, one push at a time; the pushes after the first"
  printf '%-20s %8s %9s %8s' scenario "first s" "median s" "p95 s"
  printf ' %14s' "${PARTS[@]}"
  printf ' %13s\n' "timed share"
  for scenario in "${scenarios[@]}"; do
    local first median p95 row total
    first=$(awk -F'\t' -v s="$scenario" '$1 == s && $2 == 0 { print $3 }' "$results")
    read -r median p95 < <(awk -F'\t' -v s="$scenario" '$1 == s && $2 > 0 { print $3 }' "$results" | stats)
    printf '%-20s %8s %9s %8s' "$scenario" "$first" "$median" "$p95"
    for column in $(seq 4 $((3 + ${#PARTS[@]}))); do
      printf ' %14s' "$(awk -F'\t' -v s="$scenario" -v c="$column" '$1 == s && $2 > 0 { print $c }' "$results" | stats | cut -d' ' -f1)"
    done
    total=$(awk -F'\t' -v s="$scenario" '$1 == s && $2 > 0 { t += $3; r += $9 } END { printf "%.0f%%", 100 * r / t }' "$results")
    printf ' %13s\n' "$total"
  done
  echo "(parts: median seconds of each part's stages over the pushes after the first; the timed share is the timed rounds' part of the whole push-to-result time)"
}

throughput() {
  local submissions=${1:-10} scenario=${2:-n-plus-one}
  shift 2 || shift $# || true
  local workers=("$@")
  [ ${#workers[@]} -gt 0 ] || workers=(1 2)
  # One grading first, uncounted, so every later one finds the version's feed, hidden tests and
  # baseline built, as on a machine that has graded the version before.
  candidate "$scenario" warm
  start_worker 0
  wait_graded "$(push warm "warm-up")"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  unset 'pids[-1]'
  echo
  echo "Throughput on $(nproc) cores, $scenario, a queue of $submissions pushes from as many candidates"
  printf '%8s %10s %14s %18s %20s\n' workers "drain s" "gradings/hour" "CPU s per grading" "median grading s"
  for count in "${workers[@]}"; do
    local commits=() first_worker busy_before total_before busy_after total_after started elapsed
    for i in $(seq 1 "$submissions"); do
      candidate "$scenario" "w$count-c$i"
      commits+=("$(push "w$count-c$i" "queued")")
    done
    first_worker=${#pids[@]}
    read -r busy_before total_before <<<"$(cpu_ticks)"
    started=$(bench_now_ms)
    for w in $(seq 1 "$count"); do start_worker "$w"; done
    for commit in "${commits[@]}"; do wait_graded "$commit"; done
    elapsed=$(( $(bench_now_ms) - started ))
    read -r busy_after total_after <<<"$(cpu_ticks)"
    for pid in "${pids[@]:$first_worker}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    pids=("${pids[@]:0:$first_worker}")
    local list median
    list=$(printf "'%s'," "${commits[@]}")
    median=$(bench_sql "SELECT extract(epoch FROM r.finished_at - r.started_at) FROM grading_runs r JOIN submissions s ON s.id = r.submission_id WHERE s.commit_sha IN (${list%,})" | stats | cut -d' ' -f1)
    # cpu_ticks counts every core's busy ticks in USER_HZ (100 a second).
    printf '%8s %10.0f %14.1f %18.0f %20s\n' "$count" "$(awk -v e="$elapsed" 'BEGIN { print e / 1000 }')" \
      "$(awk -v n="$submissions" -v e="$elapsed" 'BEGIN { print n * 3600000 / e }')" \
      "$(awk -v b="$((busy_after - busy_before))" -v n="$submissions" 'BEGIN { print b / 100 / n }')" "$median"
  done
}

case "$MODE" in
  latency) latency "$@" ;;
  throughput) throughput "$@" ;;
  *) die "usage: bench/gradings.sh latency [PUSHES] [SCENARIO ...] | throughput [SUBMISSIONS] [SCENARIO] [WORKERS ...]" ;;
esac
