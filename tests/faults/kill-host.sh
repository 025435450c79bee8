#!/usr/bin/env bash
# kill -9 one of three host processes of one Orleans cluster (membership in a redis-server the test starts) in the
# middle of 1,000 offer acceptances on one PostgreSQL database: every acknowledged acceptance exists exactly once,
# nothing exists that no client was told of, and no provider is committed beyond capacity (Matching/ThreeHostTests.cs);
# and the cluster's own kill -9 tests: a child's grain answers on another host within seconds, 503 meanwhile
# (Cluster/ClusterTests.cs), and a county's matching runs on another host (Cluster/MatchmakerFailoverTests.cs).
#
# Uses the shared test PostgreSQL server (tests/ensure-postgres.sh starts or installs it; TONGXIN_TEST_POSTGRES
# points elsewhere). CI runs the same test inside tests/run-all.sh. Extra arguments go to dotnet test.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ -z "${TONGXIN_TEST_POSTGRES:-}" ]; then
  bash tests/ensure-postgres.sh
fi
bash tests/ensure-redis.sh
dotnet test tests/Tongxin.IntegrationTests -c "${CONFIGURATION:-Release}" --nologo \
  --filter "FullyQualifiedName~Tongxin.IntegrationTests.Matching.ThreeHostTests.KillingAHostInTheMiddleOfAThousandAcceptances|FullyQualifiedName~Tongxin.IntegrationTests.Cluster.ClusterTests.WhenAHostIsKilled|FullyQualifiedName~Tongxin.IntegrationTests.Cluster.MatchmakerFailoverTests" \
  --logger "console;verbosity=normal" "$@"
