"""How precise a detector's pseudo-labels would be at each τ, measured on
an oracle pool: the boxes a cycle's model finds on its unlabeled images,
against their ground truth.

τ is a probability threshold, and detectors disagree on what a probability
means: SSD's softmax reaches 0.99 on most right boxes, a focal-loss sigmoid
(RetinaNet, FCOS, ATSS) rarely passes 0.9. Choose τ for a detector from
this table, not from the paper's SSD value.
"""
from typing import Dict, List, Mapping, Sequence

from .report import pseudo_label_precision

#: Thresholds a table reports by default.
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99)


def precision_by_threshold(boxes: Mapping[str, Mapping], gt: Mapping,
                           thresholds: Sequence[float] = THRESHOLDS
                           ) -> List[Dict]:
    """Per threshold t, the pseudo-labels τ = t would give.

    Args:
        boxes (Mapping): ``{image id: {'bboxes': (N, 4) xyxy, 'labels':
            (N,), 'scores': (N,)}}``, the model's boxes on each unlabeled
            image (the lowest threshold or below).
        gt (Mapping): :func:`~.report.load_ground_truth`'s output for the
            same images.
        thresholds (Sequence[float]): ascending τ values.

    Returns:
        list[dict]: per threshold ``tau``, ``images`` (with a box >= τ),
        ``boxes``, ``correct`` (right class, IoU >= 0.5), ``precision``
        (None without boxes) and ``recall`` (correct / ground-truth boxes of
        all the images; None without any).
    """
    gt_boxes = sum(len(gt[str(i)]['labels']) for i in boxes)
    rows = []
    for tau in thresholds:
        anns = [dict(image_id=str(i), category_id=int(label) + 1,
                     bbox=[x1, y1, x2 - x1, y2 - y1])
                for i, found in boxes.items()
                for (x1, y1, x2, y2), label, score in zip(
                    found['bboxes'], found['labels'], found['scores'])
                if score >= tau]
        images = sorted({a['image_id'] for a in anns})
        result = pseudo_label_precision(
            dict(images=[dict(id=i) for i in images], annotations=anns), gt)
        rows.append(dict(
            tau=tau, images=len(images), boxes=result['boxes'],
            correct=result['correct'], precision=result['precision'],
            recall=result['correct'] / gt_boxes if gt_boxes else None))
    return rows


def threshold_table(rows: Sequence[Mapping]) -> str:
    """:func:`precision_by_threshold`'s rows as a markdown table."""
    def pct(value):
        return '–' if value is None else f'{100 * value:.1f} %'
    lines = ['| τ | images | boxes | right | precision | recall |',
             '|---:|---:|---:|---:|---:|---:|']
    lines += [f'| {r["tau"]:g} | {r["images"]} | {r["boxes"]} | '
              f'{r["correct"]} | {pct(r["precision"])} | '
              f'{pct(r["recall"])} |' for r in rows]
    return '\n'.join(lines)


def threshold_report(result: Mapping) -> str:
    """The markdown report of one measurement: ``result`` holds
    ``work_dir``, ``cycle``, ``images`` and :func:`precision_by_threshold`'s
    ``rows`` (the ``.json`` the tool writes beside the report, from which
    ``rebuild_report.py`` draws it again)."""
    return (f'# Pseudo-label precision by τ\n\n'
            f'Cycle {result["cycle"]}\'s model on {result["images"]} '
            f'unlabeled images of `{result["work_dir"]}`:\n\n'
            f'{threshold_table(result["rows"])}\n')
