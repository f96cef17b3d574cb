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


def run_mmdet_tool(name: str) -> None:
    """Execute ``mmdet/.mim/tools/<name>`` as ``__main__``."""
    import mmdet

    import mmdet_alssl  # noqa: F401  (registers the components)

    script = Path(mmdet.__file__).parent / '.mim' / 'tools' / name
    if not script.is_file():
        sys.exit(f'{script} not found: this mmdet install lacks its tools; '
                 f'reinstall it with `pip install mmdet==3.3.0`.')
    sys.argv[0] = str(script)
    runpy.run_path(str(script), run_name='__main__')
