# Shared by the whole-flow benchmarks (source after scripts/lib.sh): a platform of their own on a
# private PostgreSQL cluster, driven through `assess` as an operator and a candidate would.

# bench_platform CLUSTER PORT DATABASE WEB_PORT : a fresh DATABASE in the cluster at CLUSTER
# (started on PORT), migrated, with organisation acme and the library imported; exports the
# settings `assess` reads, the web role's address included.
bench_platform() {
  BENCH_CLUSTER=$1 BENCH_PORT=$2 BENCH_DATABASE=$3
  pg_start "$BENCH_CLUSTER" "$BENCH_PORT" "$BENCH_CLUSTER-superuser"
  pg_sql "$BENCH_CLUSTER" "$BENCH_PORT" "DROP DATABASE IF EXISTS $BENCH_DATABASE WITH (FORCE)" >/dev/null
  pg_sql "$BENCH_CLUSTER" "$BENCH_PORT" "CREATE DATABASE $BENCH_DATABASE" >/dev/null
  export ConnectionStrings__Assessments="Host=127.0.0.1;Port=$BENCH_PORT;Username=postgres;Password=$(cat "$BENCH_CLUSTER-superuser");Database=$BENCH_DATABASE"
  export Web__PublicBaseUrl="http://127.0.0.1:$4"
  export Scenarios__LibraryPath="$ROOT/scenarios"
  export RateLimits__GitPerMinute=100000
  export Logging__LogLevel__Default=Warning
  "$ROOT/assess" migrate >/dev/null
  bench_sql "INSERT INTO organisations (id, slug, name, created_at) VALUES (gen_random_uuid(), 'acme', 'Acme', now())" >/dev/null
  "$ROOT/assess" scenario import >/dev/null
}

# bench_sql SQL : runs SQL in the platform's database over the cluster's private socket; rows
# tab-separated.
bench_sql() {
  runuser -u postgres -- "$(pg_bin)/psql" -h "$BENCH_CLUSTER" -p "$BENCH_PORT" -U postgres -d "$BENCH_DATABASE" \
    -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "$1"
}

# bench_web PORT LOG : starts the web role in the background (its pid in BENCH_WEB_PID) and waits
# until it answers.
bench_web() {
  "$ROOT/assess" serve --role web --urls "http://127.0.0.1:$1" >"$2" 2>&1 &
  BENCH_WEB_PID=$!
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.5; done
  die "the web role did not answer on port $1 (see $2)"
}

# bench_candidate SCENARIO NAME : invites and starts candidate NAME on SCENARIO (the version need
# not be verified); prints the clone URL with the candidate's credentials in it.
bench_candidate() {
  local invite assessment started url
  invite=$("$ROOT/assess" assessment invite --allow-unverified --scenario "$1" --candidate "$2@example.com" --time-limit 4h --json 2>/dev/null)
  assessment=$(bench_json_field assessmentId <<<"$invite")
  started=$("$ROOT/assess" assessment start "$assessment" --json)
  url=$(bench_json_field cloneUrl <<<"$started")
  echo "${url/http:\/\//http://$(bench_json_field username <<<"$started"):$(bench_json_field token <<<"$started")@}"
}

bench_json_field() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p"; }

bench_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
