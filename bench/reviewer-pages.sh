#!/usr/bin/env bash
# The reviewer's pages at scale (issue 16's goal: at most 6 SQL statements and p95 under 100 ms
# per page on this machine). Seeds 10,000 assessments and 100,000 gradings with their rows into a
# database of its own on a private PostgreSQL cluster, starts the web role in process on Kestrel,
# signs in, and requests each page N times after a warm-up: the list's first page, a filtered
# page, a deep page sorted by the primary metric, and a report. Prints statements per request and
# median, p95, min and max latency.
#
#   bench/reviewer-pages.sh [REQUESTS]     (default 200)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
OUT=${BENCH_OUT:-/var/tmp/assessments-bench/reviewer-pages}
PORT=${BENCH_PG_PORT:-55435}
require_root
ensure_dotnet
mkdir -p "$OUT"
pg_start "$OUT/postgres" "$PORT" "$OUT/postgres-superuser"
trap 'pg_stop "$OUT/postgres" || true' EXIT
dotnet build "$ROOT/bench/ReviewerPages/ReviewerPages.csproj" -c Release --nologo -v q -clp:ErrorsOnly
dotnet "$ROOT/bench/ReviewerPages/bin/Release/net10.0/ReviewerPages.dll" \
  "Host=127.0.0.1;Port=$PORT;Username=postgres;Password=$(cat "$OUT/postgres-superuser");Command Timeout=3600" "${1:-200}"
