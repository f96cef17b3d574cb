"""Run one of MMDetection's own tools with mmdet_alssl registered.

Our entry points are MMDetection's scripts, unchanged (same flags: --work-dir,
--cfg-options, --resume, --amp, --launcher, ...), run after importing the
plugin so its components are in ``mmdet.registry`` even for configs that do
not list it in ``custom_imports``.
"""
import os
import runpy
import sys
from pathlib import Path

# torch >= 2.6 loads checkpoints with weights_only=True unless told otherwise,
# and mmengine 0.10 does not say: its checkpoints (meta with HistoryBuffer and
# numpy objects) then fail to load in --resume and tools/test.py. These tools
# load the user's own checkpoints.
os.environ.setdefault('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')


def _launcher(argv) -> str:
    for i, arg in enumerate(argv):
        if arg == '--launcher' and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith('--launcher='):
            return arg.split('=', 1)[1]
    return 'none'


def prepare_cpu_distributed(argv) -> list:
    """``--launcher pytorch`` without CUDA: start the gloo process group here
    and pick the CPU model wrapper; returns argv to run the tool with.

    MMEngine's pytorch launcher calls ``torch.cuda.set_device`` before it
    creates the group, which fails on a CPU-only machine; the Runner skips
    its own launcher when a group already exists. On a GPU machine nothing
    changes: MMEngine's launcher and NCCL as configured.
    """
    import torch
    import torch.distributed as dist
    if _launcher(argv) != 'pytorch' or torch.cuda.is_available() \
            or dist.is_initialized():
        return argv
    dist.init_process_group(backend='gloo')  # torchrun's env:// variables
    return argv + ['--cfg-options',
                   'model_wrapper_cfg.type=CPUDistributedDataParallel']


def run_mmdet_tool(name: str) -> None:
    """Execute ``mmdet/.mim/tools/<name>`` as ``__main__``."""
    import mmdet

    import mmdet_alssl  # noqa: F401  (registers the components)
    from mmdet_alssl.active_learning.work_dir_lock import (
        DIE_WITH_PARENT_ENV, die_with_parent)
    if os.environ.get(DIE_WITH_PARENT_ENV):  # started by the loop
        die_with_parent()

    script = Path(mmdet.__file__).parent / '.mim' / 'tools' / name
    if not script.is_file():
        sys.exit(f'{script} not found: this mmdet install lacks its tools; '
                 f'reinstall it with `pip install mmdet==3.3.0`.')
    sys.argv = [str(script)] + prepare_cpu_distributed(sys.argv[1:])
    runpy.run_path(str(script), run_name='__main__')
