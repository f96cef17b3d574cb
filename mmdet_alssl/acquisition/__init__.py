"""The paper's acquisition, as pure functions of a model's outputs: per-image
scores (entropy, flip inconsistency, their product), the strategies that
rank the pool, and the pseudo-labels of the confident rest. No Runner, no
file I/O in here."""
from .pseudo_labels import (build_pseudo_label_json, overconfident_classes,
                            pseudo_label_boxes)
from .scores import entropy, keep_detections, match_flipped, score_image
from .settings import AcquisitionSettings
from .strategies import (available_strategies, id_sort_key, rank_by,
                         register_strategy, select)

__all__ = [
    'keep_detections', 'entropy', 'match_flipped', 'score_image', 'select',
    'register_strategy', 'available_strategies', 'rank_by', 'id_sort_key',
    'pseudo_label_boxes', 'overconfident_classes', 'build_pseudo_label_json',
    'AcquisitionSettings'
]
