#!/usr/bin/env bash
# The whole suite, on PostgreSQL and Redis: lint, types, then pytest (real Celery worker and SMTP sink).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

./scripts/ensure-services.sh
./scripts/ensure-chromium.sh

export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hostportal}"
export CELERY_BROKER_URL="${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/15}"
export HOSTPORTAL_VAR_DIR="${HOSTPORTAL_VAR_DIR:-$(pwd)/var/test}"

echo "== translations"
$BIN/python manage.py compile_translations
echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .
echo "== mypy"
$BIN/mypy .
echo "== pytest (PostgreSQL: $DATABASE_URL, Redis: $CELERY_BROKER_URL)"
$BIN/pytest "$@"
