#!/usr/bin/env bash
# Webhook intake on loopback (issue 19's goal: 2,000 deliveries a second with p99 under 50 ms, every
# delivery stored once). Starts a private PostgreSQL cluster, the web role in process on Kestrel
# with REPOSITORIES started GitHub assessments, and an open-loop .NET client in the same process sending
# signed push deliveries at the given rate, a share of them redeliveries; then checks that each
# delivery, submission and queued grading is stored once. Client and server share the machine.
#
#   bench/webhook-intake.sh [RATE] [SECONDS] [REDELIVERED_SHARE] [REPOSITORIES]  (default 2000 15 0.2 1000)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
OUT=${BENCH_OUT:-/var/tmp/assessments-bench/webhook-intake}
PORT=${BENCH_PG_PORT:-55436}
require_root
ensure_dotnet
mkdir -p "$OUT"
pg_start "$OUT/postgres" "$PORT" "$OUT/postgres-superuser"
trap 'pg_stop "$OUT/postgres" || true' EXIT
dotnet build "$ROOT/bench/WebhookIntake/WebhookIntake.csproj" -c Release --nologo -v q -clp:ErrorsOnly
dotnet "$ROOT/bench/WebhookIntake/bin/Release/net10.0/WebhookIntake.dll" \
  "Host=127.0.0.1;Port=$PORT;Username=postgres;Password=$(cat "$OUT/postgres-superuser");Maximum Pool Size=200" "${1:-2000}" "${2:-15}" "${3:-0.2}" "${4:-1000}"
