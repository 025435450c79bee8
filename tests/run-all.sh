#!/usr/bin/env bash
# Runs every test: unit and architecture tests, the integration tests on SQLite and on a real
# PostgreSQL server (started, or installed from Debian's packages, by tests/ensure-postgres.sh), and the
# browser tests in Debian's headless Chromium (installed by tests/ensure-chromium.sh when missing).
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
bash tests/ensure-postgres.sh || { echo "PostgreSQL could not be started"; echo "0 passed, 1 failed"; exit 1; }
bash tests/ensure-chromium.sh || { echo "Chromium could not be installed"; echo "0 passed, 1 failed"; exit 1; }
bash tests/ensure-redis.sh || { echo "redis-server could not be installed"; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
dotnet test Services.sln -c "$configuration" --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Totals over every test project, from the runner's summary lines ("Passed!  - Failed: 0, Passed: 203, ...").
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or the runner failed before counting
fi
echo "$passed passed, $failed failed"
exit "$status"
