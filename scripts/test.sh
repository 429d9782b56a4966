#!/usr/bin/env bash
# Set up (idempotent) and run the whole test suite: unit, PostgreSQL store and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p test-output
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
