#!/usr/bin/env bash
# Set up Hub, load the demo company on first run, and serve it at http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=hub
echo "==> building the database schema"
.venv/bin/flask db upgrade
if ! .venv/bin/flask demo --if-empty; then
  echo "demo data could not be loaded" >&2
  exit 1
fi
.venv/bin/flask demo-logins
echo "==> Hub is running at http://127.0.0.1:${PORT:-5000}  (Ctrl+C stops it)"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
