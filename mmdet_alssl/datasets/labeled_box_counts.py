"""Boxes per class: :func:`count_per_class` of any label lists (the one
count the report and the count guard share), and the ground-truth boxes of
the labeled images a model trained on, read from the training data set
itself (human labels of ``--human`` included), for the count guard on
pseudo-labels."""
from typing import Iterable, List, Sequence, Tuple

import numpy as np

from .active_split import ActiveSplitMixin
from .label_type import LABELED


def count_per_class(label_lists: Iterable[Sequence[int]],
                    num_classes: int) -> np.ndarray:
    """Boxes per class over images.

    Args:
        label_lists (Iterable[Sequence[int]]): per image, its boxes' labels
            in [0, C) (lists, arrays or tensors).
        num_classes (int): C.

    Returns:
        ndarray: (C,) int64 counts.
    """
    counts = np.zeros(num_classes, np.int64)
    for labels in label_lists:
        counts += np.bincount(np.asarray(labels, np.int64).reshape(-1),
                              minlength=num_classes)[:num_classes]
    return counts


def labeled_parts(dataset) -> List[ActiveSplitMixin]:
    """Every labeled active-split data set inside ``dataset``, through
    ``ConcatDataset`` (``datasets``) and other wrappers (``dataset``)."""
    if isinstance(dataset, ActiveSplitMixin):
        return [dataset] if dataset.label_type == LABELED else []
    children = getattr(dataset, 'datasets', None)
    if children is None:
        inner = getattr(dataset, 'dataset', None)
        children = [] if inner is None else [inner]
    return [part for child in children for part in labeled_parts(child)]


def labeled_box_counts(dataset, num_classes: int) -> Tuple[List[int], int]:
    """Boxes per class of the labeled images of a training data set, and
    the number of those images.

    Args:
        dataset: the training data set (e.g. ``ActiveLearningDataset``).
        num_classes (int): C.

    Returns:
        tuple[list[int], int]: (C,) box counts (difficult boxes included:
        the objects exist), labeled images.

    Raises:
        ValueError: ``dataset`` holds no labeled active-split part.
    """
    parts = labeled_parts(dataset)
    if not parts:
        raise ValueError(f'{type(dataset).__name__} holds no labeled '
                         f'active-split data set (ALVOCDataset / '
                         f'ALCocoDataset with label_type=\'labeled\') to '
                         f'count ground-truth boxes in')
    for part in parts:
        part.full_init()
    counts = count_per_class(
        ([inst['bbox_label'] for inst in part.get_data_info(i)['instances']]
         for part in parts for i in range(len(part))), num_classes)
    return counts.tolist(), sum(len(part) for part in parts)
