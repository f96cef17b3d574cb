"""Acquisition scores, selection strategies, pseudo-labels and cycle state:
pure functions and file I/O, no Runner in here."""
from .cycle_config import (cycle_cfg_options, find_al_datasets, find_hook,
                           pool_part_cfgs)
from .cycle_state import (SCORE_COLUMNS, STEPS, CycleState, config_sha256,
                          make_manifest)
from .pseudo_labels import (build_pseudo_label_json, check_tau,
                            pseudo_label_boxes)
from .scores import (entropy, flip_candidate_indices, keep_detections,
                     match_flipped, score_image)
from .state_io import atomic_open, read_ids, write_ids
from .strategies import (available_strategies, id_sort_key, rank_by,
                         register_strategy, select)

__all__ = [
    'keep_detections', 'entropy', 'match_flipped', 'flip_candidate_indices',
    'score_image', 'select', 'register_strategy', 'available_strategies',
    'rank_by', 'id_sort_key', 'pseudo_label_boxes', 'build_pseudo_label_json',
    'check_tau', 'CycleState', 'make_manifest', 'config_sha256',
    'SCORE_COLUMNS', 'STEPS', 'atomic_open', 'read_ids', 'write_ids',
    'find_al_datasets', 'cycle_cfg_options', 'find_hook', 'pool_part_cfgs'
]
