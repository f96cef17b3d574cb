"""The acquire decision of one cycle (§3.1-3.2), pure: from the scored pool
to what cycle k + 1 trains on.

Input: the rows the pool scorer made (:mod:`mmdet_alssl.engine.pool_scorer`),
one per pool image::

    {'id': str, 'raw_id': the data set's own id,
     'scores': score_image(...) dict,
     'pseudo': {'bboxes', 'labels', 'scores'} lists or None,
     'suggested': the same at suggest_thr,
     'info': {'file_name', 'width', 'height'}}

or ``{'id', 'raw_id', 'error': why it could not be scored}``. Output: an
:class:`Acquisition`, which the WORK_DIR writes
(:meth:`mmdet_alssl.workdir.CycleState.write_acquisition`) and the hook
logs (:func:`summary_message`). No model, no Runner, no I/O here.
"""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ..datasets.labeled_box_counts import count_per_class
from ..labeling.predictions import build_predictions_json
from .pseudo_labels import build_pseudo_label_json, overconfident_classes
from .settings import AcquisitionSettings
from .strategies import select


@dataclass(frozen=True)
class Acquisition:
    """What one cycle's acquire step decided.

    Attributes:
        scores (dict): ``{id: score_image row}`` of every scored image.
        selected (list[str]): the ids to label, best first.
        skipped (dict): ``{id: reason}`` of pool images not scored.
        next_labeled (list[str]): cycle k + 1's labeled ids.
        next_unlabeled (list[str]): cycle k + 1's unlabeled ids.
        pseudo_labels (dict, optional): cycle k + 1's pseudo-label COCO
            dict; None when pseudo-labels are off.
        predictions (dict): the model's boxes at ``suggest_thr`` on the
            selected images (``predictions.json``: a labeler's
            suggestions, :mod:`mmdet_alssl.labeling.predictions`).
        selection (dict): :func:`~.strategies.select`'s ``info``.
        overconfident (dict): the count guard's classes
            (:func:`~.pseudo_labels.overconfident_classes`); non-empty means
            this cycle has no pseudo-labels.
    """
    scores: Dict[str, dict]
    selected: List[str]
    skipped: Dict[str, str]
    next_labeled: List[str]
    next_unlabeled: List[str]
    pseudo_labels: Optional[dict]
    predictions: dict
    selection: dict
    overconfident: Dict[int, Tuple[float, float]]


def coco_image_info(info: Mapping, image_id: str,
                    data_root: Optional[str]) -> dict:
    """COCO ``file_name`` relative to the data root (as a labeling tool
    expects; the id if the path is unknown), ``width`` and ``height``."""
    info, path = dict(info), info.get('file_name')
    if path is None:
        info['file_name'] = image_id
    elif data_root and osp.abspath(path).startswith(
            osp.abspath(data_root) + osp.sep):
        info['file_name'] = osp.relpath(path, data_root)
    return info


def decide(settings: AcquisitionSettings,
           labeled: Sequence[str],
           unlabeled: Sequence[str],
           rows: Sequence[Mapping],
           skipped: Mapping[str, str],
           classes: Sequence[str],
           data_root: Optional[str] = None,
           labeled_counts: Optional[Tuple[Sequence[int], int]] = None
           ) -> Acquisition:
    """Select ``settings.budget`` images and pseudo-label the rest.

    Args:
        settings (AcquisitionSettings): strategy, budget, seed, τ, guard.
        labeled (Sequence[str]): cycle k's labeled ids.
        unlabeled (Sequence[str]): cycle k's unlabeled ids (the pool).
        rows (Sequence[Mapping]): the scorer's rows (module docstring).
        skipped (Mapping): ``{id: reason}`` of pool images the data set
            could not use; rows with an ``error`` join them.
        classes (Sequence[str]): class names in label order.
        data_root (str, optional): the pool's root, for COCO file names.
        labeled_counts (tuple, optional): ((C,) boxes per class, images) of
            the labeled training images; needed by the count guard
            (``settings.pseudo_max_count_ratio``).

    Returns:
        Acquisition: the decision.

    Raises:
        RuntimeError: a pool image neither scored nor skipped, or no pool
            image could be loaded at all.
    """
    skipped = dict(skipped)
    table, pseudo, infos, raw = {}, {}, {}, {}
    for row in rows:
        if 'error' in row:
            skipped[row['id']] = row['error']
            continue
        table[row['id']] = row['scores']
        raw[row['id']] = row['raw_id']
        infos[row['raw_id']] = coco_image_info(row['info'], row['id'],
                                               data_root)
        if row['pseudo'] is not None and row['pseudo']['bboxes']:
            pseudo[row['id']] = row['pseudo']
    unscored = set(unlabeled) - set(table) - set(skipped)
    if unscored:
        raise RuntimeError(f'{len(unscored)} pool image(s) were neither '
                           f'scored nor reported, e.g. '
                           f'{sorted(unscored)[:5]}')
    if skipped and not table and any('error' in row for row in rows):
        raise RuntimeError(
            f'no pool image could be loaded (first error: '
            f'{next(iter(skipped.values()))}); check the pool pipeline, or '
            f'remove unreadable ids from the unlabeled ids file')

    chosen, info = select(settings.strategy, table, settings.budget,
                          settings.seed, **settings.strategy_kwargs)
    chosen_set = set(chosen)
    rest = [i for i in unlabeled if i not in chosen_set]
    next_labeled = list(labeled) + list(chosen)
    kept = {i: pseudo[i] for i in rest if i in pseudo}
    over = {}
    if settings.pseudo_labels and settings.pseudo_max_count_ratio is not None:
        pseudo_counts = count_per_class(
            (boxes['labels'] for boxes in kept.values()), len(classes))
        over = overconfident_classes(
            pseudo_counts.tolist(), sum(i in table for i in rest),
            list(labeled_counts[0]), labeled_counts[1],
            settings.pseudo_max_count_ratio)
        if over:  # a model overconfident in one class is trusted in none
            kept = {}
    coco = build_pseudo_label_json(
        {raw[i]: boxes for i, boxes in kept.items()}, classes, infos,
        labeled_ids=next_labeled) if settings.pseudo_labels else None
    predictions = build_predictions_json(
        {row['id']: row['suggested'] for row in rows if 'error' not in row},
        chosen, raw, classes, infos)
    return Acquisition(table, list(chosen), skipped, next_labeled, rest, coco,
                       predictions, info, over)


def skipped_message(skipped: Mapping[str, str], path) -> str:
    return (f'ActiveLearningHook: {len(skipped)} unlabeled image(s) could '
            f'not be scored and will not be selected (listed in {path}): '
            f'{dict(list(skipped.items())[:5])}')


def overconfident_message(k: int, acq: Acquisition,
                          settings: AcquisitionSettings,
                          classes: Sequence[str]) -> str:
    details = '; '.join(
        f'{classes[c]}: {rate:.2f} boxes per unlabeled image, '
        f'{labeled_rate:.2f} per labeled image'
        for c, (rate, labeled_rate) in acq.overconfident.items())
    return (f'ActiveLearningHook cycle {k}: NO pseudo-labels this cycle: the '
            f'model is sure (>= tau {settings.tau}) of more than '
            f'{settings.pseudo_max_count_ratio:g}x the boxes the labeled '
            f'images hold ({details}); an overconfident model (e.g. trained '
            f'on too few labeled images) would teach the next cycle its '
            f'mistakes. Label more images before cycle 0 (--initial), or set '
            f'active_learning.pseudo_max_count_ratio=None to keep them')


def summary_message(k: int, acq: Acquisition,
                    settings: AcquisitionSettings) -> str:
    stats = []
    for column in ('entropy', 'inconsistency', 'unified'):
        values = np.array([row[column] for row in acq.scores.values()])
        if values.size:
            stats.append(f'{column} mean {values.mean():.4f} max '
                         f'{values.max():.4f}')
    coco = acq.pseudo_labels or dict(images=[], annotations=[])
    info = acq.selection
    return (f'ActiveLearningHook cycle {k}: scored {len(acq.scores)} images, '
            f'selected {info["num_selected"]} ({info["strategy"]}, budget '
            f'{info["budget"]}); pseudo-labeled {len(coco["images"])} images '
            f'with {len(coco["annotations"])} boxes (tau {settings.tau}); ' +
            '; '.join(stats))
