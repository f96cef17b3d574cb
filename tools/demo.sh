#!/usr/bin/env bash
# The main job (`make demo`): generate the embedded synthetic data set if it
# is missing, then run the full method (unified acquisition + pseudo-labels
# + consistency training) and random selection side by side from one shared
# cycle 0 (tools/analysis_tools/benchmark_al.py, seed 0, the config's own
# iterations and 3 cycles), and report both: WORK_DIR/report/benchmark.md,
# results.json, mAP_vs_labels.png. Re-running resumes; extra arguments go to
# benchmark_al.py.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PY:-.venv/bin/python}
WORK_DIR=${WORK_DIR:-work_dirs/demo}
"$PYTHON" tools/make_synthetic_data.py data/synthetic_shapes --seed 0
"$PYTHON" tools/analysis_tools/benchmark_al.py \
    configs/alssl_ssd_lite0_synthetic_cpu.py "$WORK_DIR" \
    --seeds 0 --cycles 3 --runs random full "$@"
