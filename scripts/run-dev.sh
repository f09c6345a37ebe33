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

trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
.venv/bin/flask mail sink --port "$MAIL_PORT" &
# Start sending only once the sink listens (else the first emails wait for their retry).
for _ in $(seq 50); do
  (: >"/dev/tcp/127.0.0.1/$MAIL_PORT") 2>/dev/null && break
  sleep 0.2
done
.venv/bin/flask jobs run &
echo
echo "  Job Dating Tour 50+ : http://127.0.0.1:5000"
echo "  Back-office         : http://127.0.0.1:5000/connexion"
echo "  Courriels reçus     : http://127.0.0.1:5000/admin/courriels/recus/ (dossier $MAIL_SINK_DIR)"
echo
.venv/bin/flask run --host 127.0.0.1 --port 5000 &
# Stop everything when any of the three stops, or when this script is stopped (a signal
# interrupts `wait`, not a foreground command).
wait -n
