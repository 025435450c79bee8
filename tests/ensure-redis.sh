#!/usr/bin/env bash
# Makes sure Debian's redis-server binary is on this machine (installs it when missing; needs root).
# It does NOT start a server: the Redis tests in tests/Tongxin.IntegrationTests (Caching/, through
# Infrastructure/RedisServer.cs) and the load tests start their own redis-server on a free loopback
# port and stop it afterwards (they also kill and pause it on purpose to test the cache's "Redis down"
# behaviour), so no global service is needed.
set -euo pipefail

if ! command -v redis-server >/dev/null 2>&1; then
  echo "ensure-redis: installing redis-server from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package's post-install script may try to start the system service; with no init system
  # that only warns. We do not need that service, so stop it again if it did start.
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  if command -v service >/dev/null 2>&1; then service redis-server stop >/dev/null 2>&1 || true; fi
fi

echo "ensure-redis: $(redis-server --version | head -n 1)"
