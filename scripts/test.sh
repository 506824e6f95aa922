#!/usr/bin/env bash
# Set up Hub with its test tools and run the whole test suite.
# HUB_TEST_DATABASE_URL=postgresql+psycopg://... runs it on PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> installing Debian's chromium for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "could not install chromium; browser tests will be skipped"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "==> installing Debian's chromium for the browser tests"
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "could not install chromium; browser tests will be skipped"
  else
    echo "note: /usr/bin/chromium is missing and cannot be installed without root; browser tests will be skipped"
  fi
fi
echo "==> running the tests${HUB_TEST_DATABASE_URL:+ on PostgreSQL}"
exec .venv/bin/python -m pytest -n "${HUB_TEST_WORKERS:-2}" "$@"
