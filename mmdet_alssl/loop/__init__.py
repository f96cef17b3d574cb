"""The active-learning loop: its settings and plan, the config of one
cycle's training, human labels, and the loop itself
(:mod:`.active_learning_loop`), which trains each cycle with MMDetection's
own tools. The WORK_DIR it writes is :mod:`mmdet_alssl.workdir`'s."""
from .cycle_config import cycle_cfg_options, find_hook

__all__ = ['cycle_cfg_options', 'find_hook']
