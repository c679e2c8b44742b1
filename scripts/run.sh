#!/usr/bin/env bash
# Run the service with the embedded defaults (or whatever .env / the environment configures):
# migrate, seed the demo once, then the Celery worker with beat in the background and the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
[ -f .env ] && set -a && . ./.env && set +a
# The demo shows Django's debug pages and serves the static files itself: DEBUG is on here unless .env or
# the environment says otherwise (the settings' default is off, for every other way of starting the service).
export DEBUG="${DEBUG:-1}"

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
mkdir -p var

$BIN/python manage.py compile_translations
$BIN/python manage.py migrate --no-input
$BIN/python manage.py seed_demo --once
# Plan today's reminders now rather than at the next :30, so the demo shows them at once; the worker's
# outbox job (every minute) then sends them to EMAIL_URL (the console by default).
$BIN/python manage.py plan_reminders

$BIN/celery -A hostportal worker --beat --loglevel=INFO --concurrency=2 \
  --schedule="${HOSTPORTAL_VAR_DIR:-var}/celerybeat-schedule" &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true; wait $WORKER 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  hostportal is running: open http://$HOST:$PORT/ and log in (the HR portal, « Aujourd'hui »);
  the operator and audit tool is http://$HOST:$PORT/admin/.
  Demo logins (password: ${HOSTPORTAL_DEMO_PASSWORD:-demo-hostportal}):
    alice   HR manager, Acme Robotics (company)
    bob     HR viewer (read-only), Acme Robotics
    claire  hospital administrator, CHU de Lyon-Est (health establishment)
    david   editor, Formapro Continue (continuing-training organisation)
    admin   operator (superuser, every organisation)
  The Celery worker and beat run in this terminal: reminders and emails print here.

MSG
$BIN/python manage.py runserver "$HOST:$PORT"
