"""The active-learning loop: the WORK_DIR (its layout, state files, lock),
the loop's settings and plan, the config of one cycle's training, the pool,
human labels, and the loop itself (:mod:`.active_learning_loop`), which
trains each cycle with MMDetection's own tools."""
from .cycle_config import (cycle_cfg_options, find_al_datasets, find_hook,
                           pool_part_cfgs)
from .cycle_state import CycleState, config_sha256, make_manifest
from .state_io import atomic_open, read_ids, write_ids

__all__ = [
    'CycleState', 'make_manifest', 'config_sha256', 'atomic_open',
    'read_ids', 'write_ids', 'find_al_datasets', 'cycle_cfg_options',
    'find_hook', 'pool_part_cfgs'
]
