"""Recognise what a labeling tool exported and turn it into the COCO labels
that :func:`~mmdet_alssl.loop.human_labels.merge_human_labels` checks: a
JSON list is a Label Studio export (JSON or JSON_MIN), a JSON object a COCO
file (CVAT's COCO 1.0, Label Studio's COCO, or any other)."""
from typing import Mapping, Sequence, Union

from .cvat_coco import check_cvat_boxes
from .label_studio import coco_from_label_studio


def as_coco_labels(exported: Union[list, Mapping], classes: Sequence[str],
                   source: str) -> Mapping:
    """The COCO labels of a tool's export (``source`` names it in
    errors)."""
    if isinstance(exported, list):
        return coco_from_label_studio(exported, classes, source)
    if not isinstance(exported, Mapping):
        raise ValueError(f'{source} holds a JSON '
                         f'{type(exported).__name__}: export a COCO file '
                         f'(an object with "images", "annotations", '
                         f'"categories") or Label Studio JSON / JSON_MIN '
                         f'(a list of tasks)')
    check_cvat_boxes(exported, source)
    return exported
