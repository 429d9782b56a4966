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

# axe-core (the accessibility engine the browser tests run on every screen), from the npm
# registry into a git-ignored folder; the tests inject it into the page from this file,
# so nothing is fetched while they run. npm checks the tarball against the registry's
# integrity hash.
AXE_VERSION=4.14.1
AXE_DIR=.cache/axe-core
if [ ! -f "$AXE_DIR/axe-$AXE_VERSION.min.js" ]; then
    if command -v npm >/dev/null 2>&1; then
        mkdir -p "$AXE_DIR"
        tmp=$(mktemp -d)
        (cd "$tmp" && npm pack -q "axe-core@$AXE_VERSION" >/dev/null \
            && tar -xzf "axe-core-$AXE_VERSION.tgz" package/axe.min.js package/LICENSE)
        mv "$tmp/package/axe.min.js" "$AXE_DIR/axe-$AXE_VERSION.min.js"
        mv "$tmp/package/LICENSE" "$AXE_DIR/LICENSE"
        rm -rf "$tmp"
    else
        echo "note: npm is missing, so the accessibility tests cannot get axe-core (apt-get install -y npm)" >&2
    fi
fi
