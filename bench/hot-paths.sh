#!/usr/bin/env bash
# BenchmarkDotNet over the product's own hot code (issue 19): the webhook signature check, a
# package's content hash, xunit's results for 400 tests, and the changes-and-findings pass over a
# candidate tree that touched every source file; mean, spread and allocations per operation.
# In-process toolchain (the default one restores a project per run, which fails offline).
#
#   bench/hot-paths.sh [BenchmarkDotNet arguments]     (default: --filter '*')
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
ensure_dotnet
dotnet build "$ROOT/bench/HotPaths/HotPaths.csproj" -c Release --nologo -v q -clp:ErrorsOnly
# BenchmarkDotNet writes its artifacts to the working folder: not the checkout.
OUT=${BENCH_OUT:-/var/tmp/assessments-bench/hot-paths}
mkdir -p "$OUT"
cd "$OUT"
if [ $# -eq 0 ]; then set -- --filter '*'; fi
dotnet "$ROOT/bench/HotPaths/bin/Release/net10.0/HotPaths.dll" "$@"
