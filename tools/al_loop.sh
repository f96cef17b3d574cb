#!/usr/bin/env bash
# The resumable active-learning loop; see tools/al_loop.py for the options.
#   tools/al_loop.sh CONFIG WORK_DIR [--cycles N] [--initial N] [--budget N]
#       [--strategy NAME] [--tau X] [--seed N] [--warm-start | --no-warm-start]
#       [--human]
#       [--train-iters N] [--pool-size N] [--cfg-options k=v ...]
# PYTHON selects the interpreter (default: python).
set -euo pipefail
exec "${PYTHON:-python}" "$(dirname "$0")/al_loop.py" "$@"
