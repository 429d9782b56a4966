#!/usr/bin/env bash
# Set up (idempotent) and run Amanah's main job end to end on embedded defaults:
# synthesise a world, build features, train, audit, register and promote the model,
# score the latest month through the service, create demo users and serve the case
# screens on http://127.0.0.1:8000 (Ctrl-C stops it). Extra arguments go to `risk demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
AMANAH_SKIP_SYSTEM=1 bash scripts/setup.sh
exec .venv/bin/risk demo "$@"
