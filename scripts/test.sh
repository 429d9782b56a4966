#!/usr/bin/env bash
# Set up (idempotent) and run the whole test suite: unit, PostgreSQL store and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p test-output
# Two pytest workers share two cores: idle OpenMP threads (LightGBM, scikit-learn) must
# sleep rather than spin, or they starve the other worker.
export OMP_WAIT_POLICY=PASSIVE
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
