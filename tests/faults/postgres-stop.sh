#!/usr/bin/env bash
# Stops PostgreSQL in the middle of a run, twice (pg_ctl stop -m immediate, then -m fast), under two real host
# processes forming one Orleans cluster (membership in a redis-server the test starts) that keep being written to: while it is down every answer is 503 problem+json within 5 s, once it
# is back the same processes answer 2xx by themselves, and every acknowledged write is in the database.
# Also: a matching batch that failed during the outage runs again by itself afterwards.
#
# The tests start a PostgreSQL server of their own (initdb into a temp folder, a free loopback port), so the
# shared server other tests use is never stopped; they need Debian's postgresql binaries, installed here when
# missing. CI runs the same tests inside tests/run-all.sh. The measured figures are printed at the end of each
# test (docs/scale.md, "Faults"). Extra arguments go to dotnet test (e.g. --no-build).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${TONGXIN_PG_BIN:-}" ]; then
  bash tests/ensure-postgres.sh
fi
bash tests/ensure-redis.sh
dotnet test tests/Tongxin.IntegrationTests -c "${CONFIGURATION:-Release}" --nologo \
  --filter "FullyQualifiedName~Tongxin.IntegrationTests.Faults.PostgresStopTests" \
  --logger "console;verbosity=detailed" "$@"
