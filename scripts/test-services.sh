#!/usr/bin/env bash
# Install and start what the test suite talks to for real: Debian's PostgreSQL and Chromium.
# Prints `export GUIDEPATH_TEST_POSTGRES_URL=...` for the caller to eval. Needs root (CI is root).
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
# WeasyPrint (PDF export) renders with pango.
ldconfig -p | grep -q libpangoft2-1.0.so.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
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
# axe-core (accessibility checks in the browser tests and `make screenshots`), from npm.
if [ ! -f .tools/node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null 2>&1; then
  npm install --silent --no-audit --no-fund --prefix .tools axe-core@4 >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
echo "export GUIDEPATH_TEST_POSTGRES_URL=postgresql+psycopg://guidepath:guidepath@127.0.0.1:${port}/guidepath_test"
