"""What an acquisition gave the human to label: the ground-truth boxes, per
class, of the images a run selected, against the pool's. A strategy that
goes for the rare class shows here before (or without) showing in the mAP,
e.g. when the detector cannot yet learn that class at its resolution."""
from typing import List, Mapping, Optional, Sequence

import numpy as np

from ..workdir.cycle_state import CycleState
from ..workdir.layout import LABELED_IDS
from .report import RunResult, box_counts


def acquired_ids(run: RunResult) -> Optional[List[str]]:
    """The images a run's selections added to ``labeled.txt`` after cycle
    0, over its finished cycles (only selections a cycle trained on), in
    cycle order; None when a finished cycle's ``labeled.txt`` is gone."""
    state = CycleState(run.work_dir)
    cycles = sorted(r.cycle for r in run.rows)
    if not all(state.path(k, LABELED_IDS).is_file() for k in cycles):
        return None
    acquired, before = [], None
    for k in cycles:
        labeled = state.read_split(k)[0]
        if before is not None:
            acquired += [i for i in labeled if i not in before]
        before = set(labeled)
    return acquired


def class_mix(ids: Sequence[str], gt: Mapping, num_classes: int) -> dict:
    """Ground-truth boxes per label over ``ids``.

    Args:
        ids: image ids (str), each a key of ``gt``.
        gt: :func:`~.report.load_ground_truth`'s output.
        num_classes: labels 0 .. num_classes - 1 are counted.

    Returns:
        dict: ``images`` (len(ids)) and ``boxes``, a list (num_classes,) of
        box counts.
    """
    missing = [i for i in ids if i not in gt]
    if missing:
        raise ValueError(f'selected image {missing[0]!r} has no ground '
                         f'truth; is this the run\'s config?')
    counts = box_counts({i: gt[i] for i in ids}, range(num_classes))
    return dict(images=len(ids), boxes=list(counts.values()))


def pooled_per_image(mixes: Sequence[Mapping]) -> Optional[List[float]]:
    """Boxes per image and class of several :func:`class_mix` outputs
    pooled (the seeds of one curve): (num_classes,) list; None without
    images."""
    images = sum(m['images'] for m in mixes)
    if not images:
        return None
    return (np.sum([m['boxes'] for m in mixes], axis=0) / images).tolist()


def mix_summary(mixes: Sequence[Mapping], label_names: Sequence[str]
                ) -> Optional[dict]:
    """``images`` (all seeds) and ``boxes_per_image`` by class name of
    :func:`pooled_per_image`; None without images."""
    per_image = pooled_per_image(mixes)
    if per_image is None:
        return None
    return dict(images=sum(m['images'] for m in mixes),
                boxes_per_image=dict(zip(label_names, per_image)))
