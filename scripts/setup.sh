#!/usr/bin/env bash
# Create .venv and install Hub into it (with test tools when called with --test). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating virtual environment in .venv"
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    # Debian's python3 ships without ensurepip unless python3-venv is installed
    rm -rf .venv
    "$PYTHON" -m pip install --quiet --user virtualenv 2>/dev/null \
      || "$PYTHON" -m pip install --quiet --user --break-system-packages virtualenv
    "$PYTHON" -m virtualenv --quiet .venv
  fi
fi
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
echo "==> installing Hub${extras:+ with test tools} (first run takes a minute)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"
