#!/usr/bin/env bash
# The whole suite: lint, type check, then pytest on SQLite and on PostgreSQL.
#
# PostgreSQL runs wherever one answers (TANDEM_TEST_POSTGRES_URL, default the local server);
# with TANDEM_REQUIRE_POSTGRES=1 (set by .ci/run) a missing server is a failure, not a skip.
# Browser tests follow the same rule with TANDEM_REQUIRE_BROWSER=1.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== ruff"
ruff check src tests bench
echo "== mypy"
mypy

echo "== migrations are up to date"
TANDEM_SQLITE_PATH=":memory:" tandem makemigrations --check --dry-run -v 1

echo "== pytest on SQLite"
env -u TANDEM_DATABASE_URL pytest -q "$@"

PG_URL="${TANDEM_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
if python - "$PG_URL" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
  echo "== pytest on PostgreSQL ($PG_URL)"
  # Suites that never touch the app database (the claims generator, the Spark engine parity and
  # the model training) ran in the SQLite pass; running them twice would only double CI time.
  TANDEM_DATABASE_URL="$PG_URL" pytest -q \
    --ignore=tests/synth \
    --ignore=tests/population/test_engines.py \
    --ignore=tests/population/test_model.py \
    "$@"
elif [ "${TANDEM_REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "TANDEM_REQUIRE_POSTGRES=1 but PostgreSQL is not reachable: failing." >&2
  exit 1
else
  echo "== PostgreSQL not reachable: the PostgreSQL pass is skipped (set TANDEM_REQUIRE_POSTGRES=1 to fail instead)"
fi
