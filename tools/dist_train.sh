#!/usr/bin/env bash
# Distributed training with torch's launcher (MMDetection's usage). On GPUs:
# MMEngine's launcher with NCCL, unchanged. On a CPU-only machine
# tools/train.py starts a gloo process group itself (MMEngine's launcher
# would call torch.cuda.set_device) and wraps the model in
# CPUDistributedDataParallel; see mmdet_alssl/loop/mmdet_tools.py.
#   tools/dist_train.sh CONFIG NPROC [train.py args...]
# NNODES, NODE_RANK, PORT and MASTER_ADDR are read from the environment.
set -euo pipefail
CONFIG=$1
NPROC=$2
shift 2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PYTHON=${PYTHON:-python}
cd "$(dirname "$0")/.."
PYTHONPATH="$(pwd):${PYTHONPATH:-}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" --master_port="$PORT" \
    tools/train.py "$CONFIG" --launcher pytorch "$@"
