#!/usr/bin/env bash
# Install and start what the test suite talks to for real: Debian's PostgreSQL and Chromium.
# Prints `export GUIDEPATH_TEST_POSTGRES_URL=...` for the caller to eval. Needs root (CI is root).
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >&2
fi
pg_ctlcluster "$version" main start >&2 2>/dev/null || true
for _ in $(seq 1 50); do
  runuser -u postgres -- pg_isready -q && break
  sleep 0.2
done
runuser -u postgres -- psql -q -tc "SELECT 1 FROM pg_roles WHERE rolname='guidepath'" | grep -q 1 \
  || runuser -u postgres -- psql -q -c "CREATE ROLE guidepath LOGIN PASSWORD 'guidepath' CREATEDB" >&2
runuser -u postgres -- psql -q -tc "SELECT 1 FROM pg_database WHERE datname='guidepath_test'" | grep -q 1 \
  || runuser -u postgres -- createdb -O guidepath guidepath_test >&2
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
echo "export GUIDEPATH_TEST_POSTGRES_URL=postgresql+psycopg://guidepath:guidepath@127.0.0.1:${port}/guidepath_test"
