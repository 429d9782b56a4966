#!/usr/bin/env bash
# Set up Amanah on a fresh machine: a virtual environment with the project and its
# dev tools, Debian's chromium for the browser tests, and a running PostgreSQL.
# Idempotent: safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -U pip
.venv/bin/pip install -q --disable-pip-version-check -e '.[dev]'

if [ "${AMANAH_SKIP_SYSTEM:-0}" != "1" ]; then
    if ! command -v chromium >/dev/null 2>&1; then
        if [ "$(id -u)" = "0" ]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        else
            echo "note: chromium is not installed (browser tests need: apt-get install -y chromium)" >&2
        fi
    fi
    if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
        if command -v pg_ctlcluster >/dev/null 2>&1; then
            pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
        fi
    fi
fi
