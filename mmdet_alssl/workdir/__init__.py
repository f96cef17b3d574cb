"""The WORK_DIR of an active-learning run: its layout and step order
(:mod:`.layout`), atomic file I/O (:mod:`.state_io`), the readers and
writers of a cycle's state (:mod:`.cycle_state`) and the one-writer lock
(:mod:`.lock`). The loop, the hook and the analysis all read and write the
state through this package; it imports nothing of theirs."""
from .cycle_state import CycleState, config_sha256, make_manifest
from .state_io import atomic_open, read_ids, write_ids

__all__ = [
    'CycleState', 'make_manifest', 'config_sha256', 'atomic_open',
    'read_ids', 'write_ids'
]
