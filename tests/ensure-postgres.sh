#!/usr/bin/env bash
# Makes a local PostgreSQL server answer on 127.0.0.1:5432 with a role the tests use
# (tongxin / tongxin, allowed to create databases: each test class makes its own).
# Installs Debian's postgresql when it is missing (needs root), starts the cluster when stopped.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "ensure-postgres: installing postgresql from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start
fi

for _ in $(seq 1 30); do
  if su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done

# Several hosts and many test classes run at once: 100 connections (the default) is too few.
if [ "$(su postgres -c "psql -qtAc 'show max_connections'")" -lt 300 ]; then
  su postgres -c "psql -qtAc 'ALTER SYSTEM SET max_connections = 300'" >/dev/null
  pg_ctlcluster "$version" main restart
  for _ in $(seq 1 30); do
    if su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1; then break; fi
    sleep 1
  done
fi

su postgres -c "psql -qtAc \"DO \\\$\\\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tongxin') THEN
    CREATE ROLE tongxin LOGIN PASSWORD 'tongxin' CREATEDB;
  END IF;
END \\\$\\\$;\"" >/dev/null
# DROP DATABASE ... WITH (FORCE) ends the sessions still in the test database; an autovacuum worker in it belongs
# to no role, and only pg_signal_backend may end it (else the drop fails: "must be a member of the role ...").
su postgres -c "psql -qtAc 'GRANT pg_signal_backend TO tongxin'" >/dev/null
echo "ensure-postgres: PostgreSQL $version is up (role tongxin)"
