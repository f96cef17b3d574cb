"""Per-image acquisition scores of §3.1 (Eq. 1, 3, 4, 5).

Input contract, per image (what ``ActiveLearningHook`` passes): the model's
dense predictions on the image and on its horizontal flip, one row per prior:

- ``boxes`` (P, 4) xyxy in the ORIGINAL image's coordinates;
- ``probs`` (P, C+1) softmax class distribution, background LAST (index C,
  mmdet's convention; SSD), or with ``use_sigmoid`` (P, C) per-class
  sigmoid probabilities, no background channel (RetinaNet, FCOS, ATSS);
- ``flip_boxes`` (P', 4), already un-flipped into the original image's frame
  (``mmdet.structures.bbox.bbox_flip``), and ``flip_probs`` (P', K);
- for the default pairing, ``mirror_index`` (P,): each prior's mirror twin
  in the flipped predictions, and optionally ``mirror_valid`` (P,) whether
  it has one (:class:`~mmdet_alssl.models.flip.DenseHeadFlipAdapter`).

Sigmoid forms, the same as the training loss's
(:mod:`mmdet_alssl.models.losses.dense_consistency`): a sigmoid head's C
outputs are independent Bernoullis, so Eq. 4's entropy and Eq. 2's
divergence are those of their product: the SUM over classes of each
Bernoulli's entropy and symmetric KL. A detection's score is its best
class probability in both forms.

Everything here is a pure tensor function: no model, no Runner, no I/O.
"""
from typing import Dict, Optional, Union

import torch
from mmcv.ops import batched_nms
from mmdet.structures.bbox import bbox_overlaps
from torch import Tensor

from ..models.losses.consistency import symmetric_kl

#: How Eq. 1 pairs a detection with a flipped prediction: its own prior's
#: mirror twin (default), or the flipped prior of highest IoU (the paper's
#: Eq. 1 as published; see :func:`score_image`).
FLIP_CANDIDATES = ('mirror', 'priors')


#: Probabilities are clamped to [eps, 1 - eps] inside the Bernoulli logs.
BERNOULLI_EPS = 1e-7


def foreground(probs: Tensor, use_sigmoid: bool = False) -> Tensor:
    """(..., C) class probabilities without the softmax's background."""
    return probs if use_sigmoid else probs[..., :-1]


def class_divergence(p: Tensor, q: Tensor,
                     use_sigmoid: bool = False) -> Tensor:
    """Eq. 2 between class outputs: the symmetric KL of two softmax
    distributions, or the sum over classes of the Bernoullis' symmetric KL
    ½ (p − q)(logit p − logit q).

    Args:
        p, q (Tensor): (..., K) probabilities.
        use_sigmoid (bool): per-class sigmoids instead of one softmax.

    Returns:
        Tensor: (...,) >= 0.
    """
    if not use_sigmoid:
        return symmetric_kl(p, q)
    p = p.clamp(BERNOULLI_EPS, 1 - BERNOULLI_EPS)
    q = q.clamp(BERNOULLI_EPS, 1 - BERNOULLI_EPS)
    return 0.5 * ((p - q) * (torch.logit(p) - torch.logit(q))).sum(-1)


def _check_predictions(boxes: Tensor, probs: Tensor, name: str = '') -> None:
    if boxes.dim() != 2 or boxes.size(-1) != 4:
        raise ValueError(f'{name}boxes must have shape (P, 4), got '
                         f'{tuple(boxes.shape)}; pass one xyxy box per '
                         f'prior')
    if probs.dim() != 2 or probs.size(-1) < 1:
        raise ValueError(f'{name}probs must have shape (P, K), got '
                         f'{tuple(probs.shape)}; pass the softmax over the C '
                         f'classes plus background (last), or C sigmoids')
    if boxes.size(0) != probs.size(0):
        raise ValueError(f'{name}boxes has {boxes.size(0)} rows but '
                         f'{name}probs has {probs.size(0)}; both need one row '
                         f'per prior')


def keep_detections(boxes: Tensor,
                    probs: Tensor,
                    score_thr: float = 0.5,
                    iou_thr: float = 0.45,
                    max_per_img: int = 100,
                    nms_pre: int = 1000,
                    use_sigmoid: bool = False) -> Tensor:
    """Detections of one image: class-aware NMS, then a score threshold.

    A prior's score is its best foreground probability and its label the
    argmax over the foreground classes (one detection per prior, as the
    released code's per-class loop keeps at most one class per box above 0.5).

    Args:
        boxes (Tensor): (P, 4) xyxy boxes.
        probs (Tensor): (P, C+1) class distributions, background last, or
            (P, C) sigmoids with ``use_sigmoid``.
        score_thr (float): keep detections whose score is >= this. Default
            0.5, the released code's ``--thresh``.
        iou_thr (float): IoU threshold of NMS (mmcv ``batched_nms``,
            per class). Default 0.45, mmdet's SSD test setting.
        max_per_img (int): at most this many detections, best first.
            Default 100.
        nms_pre (int): only the ``nms_pre`` best-scoring priors enter NMS
            (mmdet's convention; -1 keeps all). Default 1000.
        use_sigmoid (bool): ``probs`` are per-class sigmoids.

    Returns:
        LongTensor: (K,) indices of the kept priors, score descending.
    """
    _check_predictions(boxes, probs)  # values: see .settings

    scores, labels = foreground(probs, use_sigmoid).max(dim=1)
    # Thresholding before NMS gives the same result as after it: a box is
    # only ever suppressed by a higher-scoring box of its class.
    cand = torch.nonzero(scores >= score_thr, as_tuple=False).squeeze(1)
    if cand.numel() == 0:
        return cand.new_zeros(0, dtype=torch.long)
    if nms_pre > 0 and cand.numel() > nms_pre:
        # Stable sort: equal scores keep prior order, so results repeat.
        order = torch.sort(scores[cand], descending=True, stable=True)[1]
        cand = cand[order[:nms_pre]]
    _, keep = batched_nms(boxes[cand].float(), scores[cand].float(),
                          labels[cand],
                          dict(type='nms', iou_threshold=float(iou_thr)))
    return cand[keep[:int(max_per_img)]]


def entropy(probs: Tensor, use_sigmoid: bool = False) -> Tensor:
    """Shannon entropy of class distributions, Eq. 4, in nats.

    Natural log, so the maximum is ``log(C+1)``. The released code divides by
    ``log(C+1)``; a constant factor changes no ranking of ``entropy``,
    ``unified`` (= H x I) or ``entropy_filtered``, so we keep plain nats.
    ``0 log 0`` is taken as 0 (``torch.xlogy``), so exact zeros are safe
    without an epsilon.

    With ``use_sigmoid``, the entropy of the C independent Bernoullis:
    Σ_c H(p_c) (at most ``C log 2``).

    Args:
        probs (Tensor): (..., C+1) probabilities summing to 1, or (..., C)
            sigmoids with ``use_sigmoid``.
        use_sigmoid (bool): per-class sigmoids.

    Returns:
        Tensor: (...,) entropies, >= 0.
    """
    h = -torch.special.xlogy(probs, probs).sum(dim=-1)
    if use_sigmoid:
        h = h - torch.special.xlogy(1 - probs, 1 - probs).sum(dim=-1)
    return h


def match_flipped(det_boxes: Tensor, flip_boxes: Tensor) -> Tensor:
    """Eq. 1: for each detection, the flipped prediction of highest IoU.

    Args:
        det_boxes (Tensor): (K, 4) xyxy boxes of the kept detections.
        flip_boxes (Tensor): (M, 4) xyxy candidate boxes of the flipped
            image, already un-flipped into the original frame.

    Returns:
        LongTensor: (K,) index into ``flip_boxes``; ties (including all-zero
        IoU) go to the lowest index.
    """
    if flip_boxes.size(0) == 0 and det_boxes.size(0) > 0:
        raise ValueError('flip_boxes is empty: Eq. 1 needs at least one '
                         'flipped prediction to match each detection with')
    if det_boxes.size(0) == 0:
        return det_boxes.new_zeros(0, dtype=torch.long)
    ious = bbox_overlaps(det_boxes.float(), flip_boxes.float())  # (K, M)
    return ious.argmax(dim=1)


def score_image(boxes: Tensor,
                probs: Tensor,
                flip_boxes: Tensor,
                flip_probs: Tensor,
                score_thr: float = 0.5,
                iou_thr: float = 0.45,
                max_per_img: int = 100,
                nms_pre: int = 1000,
                flip_candidates: str = 'mirror',
                mirror_index: Optional[Tensor] = None,
                mirror_valid: Optional[Tensor] = None,
                use_sigmoid: bool = False
                ) -> Dict[str, Union[float, int]]:
    """Acquisition scores of one image (Eq. 1-5).

    Detections = :func:`keep_detections` on the original's predictions. Per
    detection i: H(c_i) (Eq. 4) and L_conC (Eq. 2, ``symmetric_kl``) against
    the flipped prediction paired with it (Eq. 1). Image scores are maxima
    over detections (Eq. 3-4); ``unified`` = entropy x inconsistency (Eq. 5).
    An image with no kept detection scores 0 everywhere.

    Pairing (``flip_candidates``): ``'mirror'`` (default) compares a
    detection's prior with its mirror twin in the flipped image, the prior
    that sees the same content: what the training loss (Eq. 2 on mirrored
    priors) and the released code compare. If the flipped model calls it
    background there, the object vanished in the flip: a real
    inconsistency. ``'priors'`` matches by highest IoU over every flipped
    prior instead (Eq. 1 as published). Measured on the embedded set
    (cycle-0 models, 3 seeds): SSD trains box deltas on positive priors
    only, so the highest-IoU flipped prior is mostly one the flipped model
    calls background, a confident detection scores a symmetric KL of ~17
    against it, and the ranking favours the easiest images (2, 19, 0 hard
    images in the inconsistency top 50 against 27, 42, 18 by the twin).

    Args:
        boxes, probs, flip_boxes, flip_probs: see the module docstring.
        score_thr, iou_thr, max_per_img, nms_pre: see :func:`keep_detections`.
        flip_candidates (str): ``'mirror'`` or ``'priors'``.
        mirror_index (Tensor, optional): (P,) each prior's mirror twin among
            the flipped predictions; required by ``'mirror'``.
        mirror_valid (Tensor, optional): (P,) bool, the prior has a twin
            (e.g. not column 0 of anchors centred at ``i * stride``); a
            detection without one adds no inconsistency. Default: all do.
        use_sigmoid (bool): ``probs`` are per-class sigmoids (sigmoid forms
            of Eq. 2 and 4, module docstring).

    Returns:
        dict: ``entropy``, ``inconsistency``, ``unified`` (float) and
        ``num_detections`` (int).
    """
    _check_predictions(boxes, probs)
    _check_predictions(flip_boxes, flip_probs, name='flip_')
    if probs.size(1) != flip_probs.size(1):
        raise ValueError(f'probs has {probs.size(1)} classes but flip_probs '
                         f'has {flip_probs.size(1)}; both must come from the '
                         f'same model')
    nms_kwargs = dict(iou_thr=iou_thr, max_per_img=max_per_img,
                      nms_pre=nms_pre)
    if flip_candidates not in FLIP_CANDIDATES:
        raise ValueError(f'flip_candidates={flip_candidates!r} is unknown; '
                         f'use one of {FLIP_CANDIDATES}')
    if flip_candidates == 'mirror' and (
            mirror_index is None
            or tuple(mirror_index.shape) != (probs.size(0), )
            or probs.size(0) != flip_probs.size(0)):
        got = None if mirror_index is None else tuple(mirror_index.shape)
        raise ValueError(f'flip_candidates=\'mirror\' needs mirror_index of '
                         f'shape ({probs.size(0)},) over {flip_probs.size(0)} '
                         f'flipped priors, got {got}; pass the twins of '
                         f'DenseHeadFlipAdapter.twins(...) or choose '
                         f'flip_candidates=\'priors\'')
    keep = keep_detections(boxes, probs, score_thr, **nms_kwargs,
                           use_sigmoid=use_sigmoid)
    if keep.numel() == 0:
        return dict(entropy=0.0, inconsistency=0.0, unified=0.0,
                    num_detections=0)
    det_probs = probs[keep].float()
    if flip_candidates == 'mirror':
        match = mirror_index[keep]
    else:
        match = match_flipped(boxes[keep], flip_boxes)
    ent = entropy(det_probs, use_sigmoid).max().item()
    inc = class_divergence(det_probs, flip_probs[match].float(), use_sigmoid)
    if flip_candidates == 'mirror' and mirror_valid is not None:
        inc = inc * mirror_valid[keep].to(inc.dtype)
    inc = inc.max().item()
    return dict(entropy=ent, inconsistency=inc, unified=ent * inc,
                num_detections=int(keep.numel()))
