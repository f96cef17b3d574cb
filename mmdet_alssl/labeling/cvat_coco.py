"""CVAT's "COCO 1.0" format, as plain dicts: the images to label with the
model's boxes as annotations to correct, and the checks CVAT's export needs
before the common COCO import.

CVAT imports a COCO file into a task whose images carry the same file names
(it matches by ``file_name``) and makes every annotation an editable box.
Its export renumbers images and categories and adds ``attributes``
(``occluded``, ``rotation``) to each annotation; images are matched back by
file name (:func:`~mmdet_alssl.loop.human_labels.merge_human_labels`).
"""
from typing import Mapping, Sequence


def build_cvat_coco(to_label: Mapping,
                    boxes: Mapping[str, Sequence[Mapping]]) -> dict:
    """``to_label.json`` with the model's boxes as its annotations.

    Args:
        to_label (Mapping): the cycle's ``to_label.json`` (images with
            ``alssl_image_id``, categories 1..C).
        boxes (Mapping): ``{image id: [{'bbox': [x, y, w, h], 'name',
            'score'}]}``, the model's suggestions.

    Returns:
        dict: ``images``, ``annotations`` (``id`` from 1, ``image_id``,
        ``category_id``, ``bbox``, ``area``, ``iscrowd`` 0, ``score``),
        ``categories``.
    """
    category = {c['name']: c['id'] for c in to_label['categories']}
    annotations = []
    for img in to_label['images']:
        for box in boxes.get(str(img['alssl_image_id']), ()):
            x, y, w, h = box['bbox']
            annotations.append(dict(
                id=len(annotations) + 1, image_id=img['id'],
                category_id=category[box['name']], bbox=[x, y, w, h],
                area=w * h, iscrowd=0, score=box['score']))
    return dict(images=[dict(i) for i in to_label['images']],
                annotations=annotations,
                categories=[dict(c) for c in to_label['categories']])


def check_cvat_boxes(labels: Mapping, source: str) -> None:
    """Refuse CVAT boxes the detector cannot train on: rotated ones (CVAT
    keeps the rotation as an attribute, the COCO bbox ignores it)."""
    for ann in labels.get('annotations') or []:
        attributes = ann.get('attributes') if isinstance(ann, Mapping) \
            else None
        rotation = (attributes or {}).get('rotation', 0) \
            if isinstance(attributes, Mapping) else 0
        if float(rotation or 0) != 0:
            raise ValueError(
                f'{source}: annotation {ann.get("id")!r} is rotated by '
                f'{rotation} degrees; the detector trains on axis-aligned '
                f'boxes: set its rotation to 0 in CVAT and export again')
