"""Run one of MMDetection's own tools with mmdet_alssl registered.

The loop trains and tests with MMDetection's scripts, unchanged (same flags:
--work-dir, --cfg-options, --resume, --amp, --launcher, ...), run after
importing the plugin so its components are in ``mmdet.registry`` even for
configs that do not list it in ``custom_imports``::

    python -m mmdet_alssl.loop.mmdet_tools train.py CONFIG [ARGS...]

(``tools/train.py`` and ``tools/test.py`` are this, for users.)
"""
import os
import runpy
import sys
from pathlib import Path

#: ``python -m`` this module to run an MMDetection tool (the loop does).
TOOL_MODULE = 'mmdet_alssl.loop.mmdet_tools'
_WEIGHTS_ONLY_ENV = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'


def trust_own_checkpoints() -> None:
    """Let ``torch.load`` unpickle MMEngine checkpoints in this process and
    its children.

    torch >= 2.6 loads with ``weights_only=True`` unless told otherwise, and
    mmengine 0.10 does not say: its checkpoints (meta with a HistoryBuffer
    and numpy values) then fail to load in ``--resume``, ``load_from`` and
    testing. The checkpoints loaded are the user's own (the loop's, or
    given on the command line). Read at each ``torch.load``.
    """
    os.environ.setdefault(_WEIGHTS_ONLY_ENV, '1')


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


def run_mmdet_tool(name: str, argv=None) -> None:
    """Execute ``mmdet/.mim/tools/<name>`` as ``__main__`` with ``argv``
    (default: this process's arguments)."""
    import mmdet

    import mmdet_alssl  # noqa: F401  (registers the components)
    from .process_memory import keep_freed_memory
    from ..workdir.lock import DIE_WITH_PARENT_ENV, die_with_parent
    if os.environ.get(DIE_WITH_PARENT_ENV):  # started by the loop
        die_with_parent()
    trust_own_checkpoints()
    keep_freed_memory()  # before the model and data exist

    script = Path(mmdet.__file__).parent / '.mim' / 'tools' / name
    if not script.is_file():
        sys.exit(f'{script} not found: this mmdet install lacks its tools; '
                 f'reinstall it with `pip install mmdet==3.3.0`.')
    argv = sys.argv[1:] if argv is None else list(argv)
    sys.argv = [str(script)] + prepare_cpu_distributed(argv)
    runpy.run_path(str(script), run_name='__main__')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit('usage: python -m mmdet_alssl.loop.mmdet_tools '
                 '{train.py,test.py} ARGS...')
    run_mmdet_tool(sys.argv[1], sys.argv[2:])
