#!/usr/bin/env bash
# Development server: web on http://127.0.0.1:5000, the job runner, and an SMTP sink whose
# messages land in instance/mail/ (readable at /admin/courriels/ once signed in).
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=wsgi.py
export MAIL_SERVER=127.0.0.1 MAIL_PORT="${MAIL_PORT:-8025}"
export MAIL_SINK_DIR="${MAIL_SINK_DIR:-$PWD/instance/mail}"
export OUTBOX_INTERVAL_SECONDS="${OUTBOX_INTERVAL_SECONDS:-5}"
mkdir -p "$MAIL_SINK_DIR"

trap 'kill $(jobs -p) 2>/dev/null || true' EXIT INT TERM
.venv/bin/flask mail sink --port "$MAIL_PORT" &
.venv/bin/flask jobs run &
echo
echo "  Job Dating Tour 50+ : http://127.0.0.1:5000"
echo "  Back-office         : http://127.0.0.1:5000/connexion"
echo "  Courriels reçus     : http://127.0.0.1:5000/admin/courriels/ (dossier $MAIL_SINK_DIR)"
echo
.venv/bin/flask run --host 127.0.0.1 --port 5000
