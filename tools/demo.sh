#!/usr/bin/env bash
# The main job (`make demo`): generate the embedded synthetic data set if it
# is missing, run the full method (unified acquisition + pseudo-labels +
# consistency training) with the resumable active-learning loop, and report.
# Re-running resumes; extra arguments go to tools/al_loop.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHON=${PY:-.venv/bin/python}
WORK_DIR=${WORK_DIR:-work_dirs/demo}
"$PYTHON" tools/make_synthetic_data.py data/synthetic_shapes --seed 0
bash tools/al_loop.sh configs/alssl_ssd_lite0_synthetic_cpu.py "$WORK_DIR" "$@"
"$PYTHON" tools/analysis_tools/al_report.py "$WORK_DIR" --out "$WORK_DIR/report"
