#!/usr/bin/env bash
# The built-in git host against `git daemon` serving the same repository (issue 19's goal: at most
# 1.5x). Starts a private PostgreSQL cluster and the web role (`assess serve --role web`) on
# 127.0.0.1, invites and starts a candidate on n-plus-one (the library's largest template), copies
# the candidate's bare repository for `git daemon --enable=receive-pack`, then times a fresh clone
# and a one-file push on each, the two hosts taking turns in alternating order each round. The
# built-in host does what it does for a candidate: token check, push policy hooks, the push
# recorded with its grading queued. Prints the median, min and max of each and the ratios.
#
#   bench/git-host.sh [ROUNDS]     (default 10)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
. "$ROOT/bench/lib.sh"
ROUNDS=${1:-10}
OUT=${BENCH_OUT:-/var/tmp/assessments-bench/git-host}
PORT=${BENCH_PG_PORT:-55437}
require_root
ensure_dotnet
rm -rf "$OUT/work" "$OUT/repositories" "$OUT/daemon"
mkdir -p "$OUT/work" "$OUT/daemon"
web_pid=
daemon_pid=
cleanup() {
  [ -z "$web_pid" ] || kill "$web_pid" 2>/dev/null || true
  [ -z "$daemon_pid" ] || kill "$daemon_pid" 2>/dev/null || true
  pg_stop "$OUT/postgres" || true
}
trap cleanup EXIT
web_port=${BENCH_WEB_PORT:-18431}
daemon_port=${BENCH_DAEMON_PORT:-18432}
export Repositories__Root="$OUT/repositories"
bench_platform "$OUT/postgres" "$PORT" bench_git_host "$web_port"
builtin_url=$(bench_candidate n-plus-one ada)

bench_web "$web_port" "$OUT/web.log"
web_pid=$BENCH_WEB_PID

# The same repository for git daemon: a copy of the candidate's bare repository, as it is now.
bare=$(find "$OUT/repositories" -name '*.git' -type d | head -n 1)
cp -a "$bare" "$OUT/daemon/repo.git"
git -C "$OUT/daemon/repo.git" config http.receivepack true
git daemon --reuseaddr --export-all --enable=receive-pack --base-path="$OUT/daemon" \
  --listen=127.0.0.1 --port="$daemon_port" >"$OUT/daemon.log" 2>&1 &
daemon_pid=$!
sleep 1
daemon_url="git://127.0.0.1:$daemon_port/repo.git"

# measure HOST URL ROUND: a fresh clone, then a one-file commit pushed; appends to HOST.clone/.push.
measure() {
  local host=$1 url=$2 round=$3 dir="$OUT/work/$1-$3" started
  started=$(bench_now_ms)
  git clone --quiet "$url" "$dir"
  echo $(( $(bench_now_ms) - started )) >>"$OUT/work/$host.clone"
  echo "round $round on $host" >"$dir/NOTES.md"
  git -C "$dir" add --all
  git -C "$dir" -c user.name=Bench -c user.email=bench@example.com commit --quiet -m "round $round"
  started=$(bench_now_ms)
  git -C "$dir" push --quiet origin HEAD:main
  echo $(( $(bench_now_ms) - started )) >>"$OUT/work/$host.push"
}
# A warm-up of each, not counted.
measure builtin "$builtin_url" 0 && measure daemon "$daemon_url" 0
rm -f "$OUT"/work/*.clone "$OUT"/work/*.push
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then
    measure builtin "$builtin_url" "$round"; measure daemon "$daemon_url" "$round"
  else
    measure daemon "$daemon_url" "$round"; measure builtin "$builtin_url" "$round"
  fi
done

# median FILE: the middle value (the mean of the two middle ones for an even count).
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
size=$(du -sk "$bare" | cut -f1)
echo "n-plus-one's repository ($size KiB on disk), $ROUNDS rounds, turns alternating"
printf '%-10s %-8s %10s %8s %8s\n' operation host "median ms" "min ms" "max ms"
for op in clone push; do
  for host in builtin daemon; do
    printf '%-10s %-8s %10s %8s %8s\n' "$op" "$host" "$(median "$OUT/work/$host.$op")" \
      "$(sort -n "$OUT/work/$host.$op" | sed -n 1p)" "$(sort -n "$OUT/work/$host.$op" | sed -n '$p')"
  done
  echo "  $op ratio (built-in / git daemon, medians): $(awk -v a="$(median "$OUT/work/builtin.$op")" -v b="$(median "$OUT/work/daemon.$op")" 'BEGIN { printf "%.2f", a / b }')"
done
recorded=$(bench_sql "SELECT count(*) FROM submissions")
echo "built-in pushes recorded: $recorded of $((ROUNDS + 1))"
