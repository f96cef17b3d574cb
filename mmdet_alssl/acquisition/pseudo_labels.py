"""Pseudo-labels (§3.2, Eq. 6) and their COCO-style JSON.

After selection, the cycle's model predicts on the images still unlabeled; a
detection whose top class probability is >= τ becomes a one-hot box label.
:func:`overconfident_classes` is the count guard (ours) on a cycle's
pseudo-labels as a whole: a model sure of far more boxes of a class than
the labeled images hold gives none. The JSON written here is what the
dataset side reads for the next cycle::

    {"images": [{"id", "file_name", "width", "height"}],
     "annotations": [{"id" (1-based), "image_id", "bbox": [x, y, w, h],
                      "area": w * h, "category_id", "score", "iscrowd": 0}],
     "categories": [{"id" (1..C in class order), "name"}]}
"""
from typing import Collection, Dict, Hashable, Mapping, Sequence, Tuple

from torch import Tensor

from .scores import foreground, keep_detections
from .strategies import id_sort_key


#: Pseudo boxes narrower or lower than this (pixels) are dropped.
MIN_BOX_SIZE = 1.0


def pseudo_label_boxes(boxes: Tensor,
                       probs: Tensor,
                       tau: float,
                       iou_thr: float = 0.45,
                       max_per_img: int = 100,
                       nms_pre: int = 1000,
                       use_sigmoid: bool = False) -> Dict[str, Tensor]:
    """Eq. 6 on one image: kept detections whose top class probability is
    >= τ, as one-hot labels.

    Detections are :func:`~.scores.keep_detections` with ``score_thr=tau``
    (NMS first would keep the same boxes: only a higher-scoring box of the
    same class suppresses one). Eq. 6 takes the argmax over the whole
    distribution, so a box whose background probability beats its best class
    is never a pseudo-label (possible only for τ <= 0.5). Boxes under
    :data:`MIN_BOX_SIZE` in width or height are dropped.

    Args:
        boxes (Tensor): (P, 4) xyxy boxes in original image coordinates.
        probs (Tensor): (P, C+1) class distributions, background last, or
            (P, C) per-class sigmoids with ``use_sigmoid`` (no background
            to beat: the τ threshold alone).
        tau (float): confidence threshold τ in (0, 1] (0.99 VOC, 0.75 COCO
            in the paper).
        iou_thr, max_per_img, nms_pre: NMS settings of
            :func:`~.scores.keep_detections`.
        use_sigmoid (bool): ``probs`` are per-class sigmoids.

    Returns:
        dict: ``bboxes`` (N, 4) float, ``labels`` (N,) long in [0, C),
        ``scores`` (N,) float; score descending.
    """
    keep = keep_detections(boxes, probs, score_thr=tau, iou_thr=iou_thr,
                           max_per_img=max_per_img, nms_pre=nms_pre,
                           use_sigmoid=use_sigmoid)
    scores, labels = foreground(probs[keep], use_sigmoid).max(dim=1)
    # A box clipped to the image border can end up thinner than a pixel
    # (e.g. [14, 640, 36, 640]): nothing to train on, so not a label.
    kept_boxes = boxes[keep]
    has_area = ((kept_boxes[:, 2] - kept_boxes[:, 0] >= MIN_BOX_SIZE) &
                (kept_boxes[:, 3] - kept_boxes[:, 1] >= MIN_BOX_SIZE))
    ok = has_area
    if not use_sigmoid:
        ok = ok & (scores >= probs[keep, -1])
    keep, scores, labels = keep[ok], scores[ok], labels[ok]
    return dict(bboxes=boxes[keep].float(), labels=labels.long(),
                scores=scores.float())


def overconfident_classes(pseudo_boxes: Sequence[int], num_images: int,
                          labeled_boxes: Sequence[int], num_labeled: int,
                          max_ratio: float) -> Dict[int, Tuple[float, float]]:
    """Classes the model is sure of more often than the human labels show
    them: pseudo boxes per unlabeled image above ``max_ratio`` times the
    ground-truth boxes per labeled image.

    A model trained on too few images can saturate: on BCCD at 256 px, a
    cycle 0 on 20 images put 9.9 white cells per unlabeled image above τ
    0.99, where the labeled images hold 1.1, at 8 % precision (from a
    40-image start every class stays at 0.2 to 1.0 times the labeled
    rate). Such pseudo-labels teach the next cycle the model's mistakes.

    Args:
        pseudo_boxes (Sequence[int]): (C,) pseudo boxes per class.
        num_images (int): unlabeled images they were drawn from (those with
            no box included).
        labeled_boxes (Sequence[int]): (C,) ground-truth boxes per class of
            the labeled images the model trained on.
        num_labeled (int): those labeled images.
        max_ratio (float): the largest allowed ratio of the two rates.

    Returns:
        dict: ``{class index: (pseudo boxes per image, labeled boxes per
        image)}`` of each class above the ratio (a class no labeled image
        holds is above it with any pseudo box), ascending; {} when none is
        or there are no images.
    """
    if len(pseudo_boxes) != len(labeled_boxes):
        raise ValueError(f'{len(pseudo_boxes)} pseudo box counts and '
                         f'{len(labeled_boxes)} labeled ones: one per class '
                         f'in each')
    if num_images <= 0 or num_labeled <= 0:
        return {}
    found = {}
    for c, (pseudo, labeled) in enumerate(zip(pseudo_boxes, labeled_boxes)):
        pseudo_rate, labeled_rate = pseudo / num_images, labeled / num_labeled
        if pseudo and pseudo_rate > max_ratio * labeled_rate:
            found[c] = (pseudo_rate, labeled_rate)
    return found


def _as_list(values) -> list:
    if isinstance(values, Tensor):
        return values.detach().cpu().tolist()
    return [v.tolist() if hasattr(v, 'tolist') else v for v in values]


def build_pseudo_label_json(per_image_boxes: Mapping[Hashable, Mapping],
                            classes: Sequence[str],
                            image_infos: Mapping[Hashable, Mapping],
                            *,
                            labeled_ids: Collection[Hashable]) -> dict:
    """The pseudo-label COCO-style dict (format in the module docstring).

    Only images with at least one box appear (an image is "pseudo-labeled"
    when it has one); images in id order (:func:`~.strategies.id_sort_key`),
    boxes in the order given; annotation ids count from 1. Image ids are
    written as given (use the dataset's own ids).

    Args:
        per_image_boxes (Mapping): ``{image_id: {'bboxes': (N, 4) xyxy,
            'labels': (N,) in [0, C), 'scores': (N,)}}``, e.g. from
            :func:`pseudo_label_boxes`; tensors, arrays or lists.
        classes (Sequence[str]): class names in label order (the dataset's
            ``metainfo['classes']``); category id of label c is c + 1.
        image_infos (Mapping): ``{image_id: {'file_name', 'width',
            'height'}}`` for every image with boxes.
        labeled_ids (Collection): ids labeled by a human (after this cycle's
            selection); pseudo-labels on any of them raise ValueError.

    Returns:
        dict: ``images``, ``annotations``, ``categories``.
    """
    classes = list(classes)
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(f'classes={classes} must be non-empty and unique; '
                         f'pass the dataset metainfo["classes"]')
    labeled = {str(i) for i in labeled_ids}
    clash = sorted((i for i in per_image_boxes if str(i) in labeled),
                   key=id_sort_key)
    if clash:
        raise ValueError(f'{len(clash)} labeled image(s) would get '
                         f'pseudo-labels, e.g. {clash[:5]}; pseudo-label only '
                         f'the images still unlabeled after selection')
    images, annotations = [], []
    for image_id in sorted(per_image_boxes, key=id_sort_key):
        result = per_image_boxes[image_id]
        bboxes = _as_list(result['bboxes'])
        labels = _as_list(result['labels'])
        scores = _as_list(result['scores'])
        if not len(bboxes) == len(labels) == len(scores):
            raise ValueError(f'image {image_id!r}: {len(bboxes)} bboxes, '
                             f'{len(labels)} labels and {len(scores)} scores; '
                             f'they must be parallel')
        if not bboxes:
            continue
        if image_id not in image_infos:
            raise ValueError(f'image {image_id!r} has pseudo-labels but no '
                             f'entry in image_infos; pass its file_name, '
                             f'width and height')
        info = image_infos[image_id]
        images.append(dict(id=image_id, file_name=info['file_name'],
                           width=int(info['width']),
                           height=int(info['height'])))
        for (x1, y1, x2, y2), label, score in zip(bboxes, labels, scores):
            if not 0 <= int(label) < len(classes):
                raise ValueError(f'image {image_id!r}: label {label} is not '
                                 f'in [0, {len(classes)}); labels index '
                                 f'classes (background excluded)')
            w, h = float(x2) - float(x1), float(y2) - float(y1)
            if w < 0 or h < 0:
                raise ValueError(f'image {image_id!r}: box {[x1, y1, x2, y2]}'
                                 f' is not xyxy with x2 >= x1, y2 >= y1')
            annotations.append(
                dict(id=len(annotations) + 1, image_id=image_id,
                     bbox=[float(x1), float(y1), w, h], area=w * h,
                     category_id=int(label) + 1, score=float(score),
                     iscrowd=0))
    categories = [dict(id=c + 1, name=name) for c, name in enumerate(classes)]
    return dict(images=images, annotations=annotations, categories=categories)
