"""What the model's suggestions (``predictions.json``) save a labeler,
measured against the ground truth in oracle runs.

On each image to label, the labeler starts from the suggested boxes:

- kept: a suggestion with the class of a ground-truth box and IoU >=
  :data:`KEEP_IOU` with it (accepted as is; one per ground-truth box,
  higher scores first);
- moved: a remaining suggestion overlapping a remaining ground-truth box
  with IoU >= :data:`MOVE_IOU` (dragged / resized, or its class changed;
  pairs by highest IoU);
- deleted: the other suggestions;
- added: the ground-truth boxes left, drawn by hand.

From scratch, every ground-truth box is drawn. Edits = moved + deleted +
added; ``found`` = kept / ground-truth boxes, the share of the boxes a
labeler finds already drawn.
"""
from typing import Dict, Mapping, Optional, Sequence

import numpy as np

from ..workdir.cycle_state import CycleState
from ..workdir.state_io import read_json
from ..workdir.layout import PREDICTIONS, SELECTED_IDS

#: IoU (and the same class) of a suggestion kept as is (VOC's match).
KEEP_IOU = 0.5
#: IoU of a suggestion worth moving rather than deleting (the report's
#: "mislocated" bound: the right object, a poor box).
MOVE_IOU = 0.1
COUNTS = ('gt_boxes', 'suggested', 'kept', 'moved', 'deleted', 'added')


def box_edits(boxes: np.ndarray, scores: np.ndarray, labels: np.ndarray,
              gt_boxes: np.ndarray, gt_labels: np.ndarray) -> Dict[str, int]:
    """The edits of one image (definitions: module docstring).

    Args:
        boxes (ndarray): (N, 4) suggested xyxy boxes.
        scores (ndarray): (N,) their scores.
        labels (ndarray): (N,) their class indices.
        gt_boxes (ndarray): (M, 4) ground-truth xyxy boxes.
        gt_labels (ndarray): (M,) their class indices.

    Returns:
        dict: counts :data:`COUNTS`.
    """
    from mmdet.evaluation.functional import bbox_overlaps
    n, m = len(boxes), len(gt_boxes)
    ious = bbox_overlaps(np.asarray(boxes, np.float64).reshape(-1, 4),
                         np.asarray(gt_boxes, np.float64).reshape(-1, 4)) \
        if n and m else np.zeros((n, m))
    free_pred, free_gt = np.ones(n, bool), np.ones(m, bool)
    kept = moved = 0
    same = np.asarray(labels)[:, None] == np.asarray(gt_labels)[None, :]
    for i in np.argsort(-np.asarray(scores), kind='stable'):
        ok = np.where(free_gt & same[i] & (ious[i] >= KEEP_IOU))[0]
        if len(ok):
            j = ok[np.argmax(ious[i, ok])]
            free_pred[i], free_gt[j], kept = False, False, kept + 1
    pairs = [(ious[i, j], i, j) for i in np.where(free_pred)[0]
             for j in np.where(free_gt)[0] if ious[i, j] >= MOVE_IOU]
    for _, i, j in sorted(pairs, key=lambda p: -p[0]):
        if free_pred[i] and free_gt[j]:
            free_pred[i], free_gt[j], moved = False, False, moved + 1
    return dict(gt_boxes=m, suggested=n, kept=kept, moved=moved,
                deleted=int(free_pred.sum()), added=int(free_gt.sum()))


def predictions_edits(predictions: Mapping, gt: Mapping,
                      image_ids: Sequence[str],
                      min_score: float = 0.0) -> dict:
    """:func:`box_edits` summed over the images to label.

    Args:
        predictions (Mapping): a ``predictions.json``.
        gt (Mapping): ``{str id: {'bboxes' (M, 4) xyxy, 'labels'}}``
            (:func:`~.report.load_ground_truth`).
        image_ids (Sequence[str]): the images to label (an image without a
            suggestion starts empty).
        min_score (float): only suggestions scoring >= this (to measure a
            higher suggestion threshold on the same run).

    Returns:
        dict: :data:`COUNTS` summed, ``images``, ``edits`` (moved +
        deleted + added) and ``found`` (kept / gt_boxes; None without
        ground-truth boxes).
    """
    by_image: Dict[str, list] = {}
    for ann in predictions['annotations']:
        if ann['score'] >= min_score:
            by_image.setdefault(str(ann['image_id']), []).append(ann)
    total = dict.fromkeys(COUNTS, 0)
    for image_id in image_ids:
        if str(image_id) not in gt:
            raise ValueError(f'image {image_id!r} to label has no ground '
                             f'truth; is this the run\'s config?')
        anns, target = by_image.get(str(image_id), []), gt[str(image_id)]
        xywh = np.asarray([a['bbox'] for a in anns], np.float64).reshape(-1,
                                                                         4)
        xyxy = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], 1)
        counts = box_edits(xyxy, np.asarray([a['score'] for a in anns]),
                           np.asarray([a['category_id'] - 1 for a in anns]),
                           target['bboxes'], target['labels'])
        for key in COUNTS:
            total[key] += counts[key]
    total['images'] = len(image_ids)
    total['edits'] = total['moved'] + total['deleted'] + total['added']
    total['found'] = (total['kept'] / total['gt_boxes']
                      if total['gt_boxes'] else None)
    return total


def run_pre_annotation_edits(work_dir, gt: Mapping,
                             min_score: Optional[float] = None
                             ) -> Dict[int, dict]:
    """:func:`predictions_edits` of each cycle k of a run that wrote
    ``predictions.json``: cycle k's suggestions on what it selected (the
    images cycle k + 1 adds), by k + 1, the cycle they are labeled for."""
    state = CycleState(work_dir)
    found = {}
    for k in state.cycles():
        if state.path(k, PREDICTIONS).is_file() and state.path(
                k, SELECTED_IDS).is_file():
            found[k + 1] = predictions_edits(
                read_json(state.path(k, PREDICTIONS)), gt,
                state.read_selected(k), min_score or 0.0)
    return found


def pre_annotation_table(per_run: Mapping[str, Sequence[Mapping[int, dict]]]
                         ) -> str:
    """Per curve and cycle, summed over the seeds' runs: images to label,
    boxes drawn from scratch, the labeler's edits of the suggestions and
    the share of ground-truth boxes found already drawn.

    Args:
        per_run: ``{label: [run_pre_annotation_edits(...) of each seed]}``.
    """
    from .report_render import markdown_table, share
    rows = []
    for label, seeds in per_run.items():
        for k in sorted({k for p in seeds for k in p}):
            at = [p[k] for p in seeds if k in p]
            t = {key: sum(a[key] for a in at)
                 for key in COUNTS + ('images', 'edits')}
            rows.append((label, k, t['images'], t['gt_boxes'], t['kept'],
                         t['moved'], t['deleted'], t['added'], t['edits'],
                         share(t['kept'] / t['gt_boxes']
                               if t['gt_boxes'] else None), len(at)))
    return markdown_table(('run', 'cycle', 'images to label',
                           'boxes from scratch', 'kept', 'moved', 'deleted',
                           'added', 'edits', 'found drawn', 'seeds'), rows)
