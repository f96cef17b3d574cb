"""The cycle's model boxes on the images it selected (``predictions.json``):
what a labeling tool shows as suggestions to correct.

The file has the pseudo-label format (:mod:`..acquisition.pseudo_labels`:
COCO-style, xywh pixel boxes with a ``score``, image ids as the data set's),
holding the boxes after NMS whose top class probability is >=
``suggest_thr`` on each selected image (images without such a box are
absent).
"""
from typing import Dict, Hashable, List, Mapping, Sequence

from ..acquisition.pseudo_labels import build_pseudo_label_json
# the threshold is an acquisition setting (declared and checked there)
from ..acquisition.settings import SUGGEST_THR, check_suggest_thr  # noqa

def build_predictions_json(suggested: Mapping[str, Mapping],
                           chosen: Sequence[str],
                           raw_ids: Mapping[str, Hashable],
                           classes: Sequence[str],
                           image_infos: Mapping[Hashable, Mapping]) -> dict:
    """``predictions.json`` of the ``chosen`` images.

    Args:
        suggested (Mapping): ``{image id (str): {'bboxes' (N, 4) xyxy,
            'labels' (N,), 'scores' (N,)}}`` of every scored image
            (``pseudo_label_boxes`` at ``suggest_thr``).
        chosen (Sequence[str]): the selected ids.
        raw_ids (Mapping): ``{image id (str): the data set's id}``.
        classes (Sequence[str]): class names, label order.
        image_infos (Mapping): ``{raw id: {'file_name', 'width',
            'height'}}``.

    Returns:
        dict: ``images``, ``annotations`` (with ``score``), ``categories``.
    """
    boxes = {raw_ids[i]: suggested[i] for i in chosen
             if i in suggested and len(suggested[i]['bboxes'])}
    return build_pseudo_label_json(boxes, classes, image_infos,
                                   labeled_ids=())


def boxes_by_image(predictions: Mapping,
                   min_score: float = 0.0) -> Dict[str, List[dict]]:
    """``{image id (str): [{'bbox': [x, y, w, h], 'name', 'score'}]}`` of
    the boxes scoring >= ``min_score``, in file order."""
    names = {c['id']: c['name'] for c in predictions['categories']}
    found: Dict[str, List[dict]] = {}
    for ann in predictions['annotations']:
        if ann['score'] >= min_score:
            found.setdefault(str(ann['image_id']), []).append(dict(
                bbox=[float(v) for v in ann['bbox']],
                name=names[ann['category_id']], score=float(ann['score'])))
    return found
