"""Flip-consistency terms of the training loss (paper §3.3, Eq. 2, 8, 9).

Pure tensor functions, no module state: the detector
(:class:`~mmdet_alssl.models.detectors.ConsistencySSD`) calls
:func:`flip_consistency_loss` on the head outputs of a batch and of its
horizontal flip, and multiplies the result by :func:`ramp_weight`. The
acquisition scores reuse :func:`symmetric_kl` (Eq. 2) on matched detections.

Conventions follow MMDetection's softmax heads: a prior's class vector has
``C + 1`` entries, foreground classes ``0..C-1`` and background LAST (index
``C``); box deltas are ``DeltaXYWHBBoxCoder``'s ``(dx, dy, dw, dh)``.
"""
import math
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

# CSD (Jeong et al., NeurIPS 2019), whose consistency loss the paper uses,
# ramps the weight over its 120k VOC iterations: up during the first 32k,
# down during the last 20k. The defaults keep those fractions.
DEFAULT_RAMP_UP = 32000 / 120000
DEFAULT_RAMP_DOWN = 20000 / 120000
# Steepness of CSD's Gaussian ramps: exp(-5 (1 - t)^2) going up and
# exp(-12.5 (1 - t)^2) going down, t in [0, 1] along the ramp.
RAMP_UP_STEEPNESS = 5.0
RAMP_DOWN_STEEPNESS = 12.5
# Huber threshold of the location term (in the coder's normalised delta
# units): Eq. 8's square below it, linear above. See location_consistency.
DEFAULT_LOC_HUBER_DELTA = 1.0


def symmetric_kl(p: Tensor, q: Tensor, eps: float = 1e-8) -> Tensor:
    """Symmetric KL divergence ½[KL(p‖q) + KL(q‖p)] (Eq. 2).

    Uses the identity ½[KL(p‖q) + KL(q‖p)] = ½ Σ_c (p_c − q_c)(log p_c −
    log q_c), one pass instead of two.

    Args:
        p (Tensor): Probabilities, shape (..., C); rows sum to 1.
        q (Tensor): Probabilities, same shape as ``p``.
        eps (float): Floor of the probabilities inside the log, so that a
            softmax that underflowed to 0 gives a finite value and gradient.
            Defaults to 1e-8.

    Returns:
        Tensor: Shape (...,), non-negative, 0 where ``p == q``.
    """
    if p.shape != q.shape:
        raise ValueError(f'p has shape {tuple(p.shape)} but q has '
                         f'{tuple(q.shape)}; pass matching distributions')
    if eps <= 0:
        raise ValueError(f'eps must be > 0, got {eps!r}')
    log_ratio = p.clamp_min(eps).log() - q.clamp_min(eps).log()
    return 0.5 * ((p - q) * log_ratio).sum(-1)


def location_consistency(deltas: Tensor,
                         flipped_deltas: Tensor,
                         huber_delta: Optional[float] = None) -> Tensor:
    """Location inconsistency of priors and their mirrored twins (Eq. 8).

    ¼(‖δx + δx̂‖² + ‖δy − δŷ‖² + ‖δw − δŵ‖² + ‖δh − δĥ‖²): a horizontal flip
    turns a centre offset to the right into one to the left, so consistent
    predictions have opposite ``dx`` and equal ``dy``, ``dw``, ``dh``. This
    holds for delta coders with zero x mean (``target_means[0] == 0``, as in
    every mmdet SSD config); the stds only scale the term.

    With ``huber_delta`` each squared residual r² becomes Huber's: r² while
    |r| <= delta (Eq. 8 unchanged), 2·delta·|r| − delta² beyond (the same
    value and slope at delta, then linear). Why: SSD regresses positive
    priors only, so the deltas of priors that the classifier already calls
    foreground but no ground truth matched are free; on a pretrained model
    they drift by tens of units, the square turns that into gradients ~25x
    the supervised ones and training diverges (docs/findings.md).

    Args:
        deltas (Tensor): ``(dx, dy, dw, dh)`` of the original, shape (..., 4).
        flipped_deltas (Tensor): Those of the flipped image at the mirrored
            priors, same shape.
        huber_delta (float, optional): > 0, or None for Eq. 8's square.

    Returns:
        Tensor: Shape (...,).
    """
    if deltas.shape != flipped_deltas.shape or deltas.size(-1) != 4:
        raise ValueError(
            f'deltas {tuple(deltas.shape)} and flipped_deltas '
            f'{tuple(flipped_deltas.shape)} must both be (..., 4)')
    sign = deltas.new_tensor([-1.0, 1.0, 1.0, 1.0])
    return residual_penalty(deltas - sign * flipped_deltas, huber_delta)


def residual_penalty(residual: Tensor,
                     huber_delta: Optional[float] = None) -> Tensor:
    """Mean over the last axis of r² (Eq. 8's square), or of Huber's
    r² / 2·delta·|r| − delta² beyond ``huber_delta`` (see
    :func:`location_consistency`).

    Args:
        residual (Tensor): Shape (..., K), e.g. K = 4 box coordinates.
        huber_delta (float, optional): > 0, or None for the square.

    Returns:
        Tensor: Shape (...,).
    """
    if huber_delta is None:
        return residual.pow(2).mean(-1)
    # F.huber_loss is ½r² / delta·(|r| − ½delta): twice it is r² inside.
    return 2.0 * F.huber_loss(
        residual, torch.zeros_like(residual), reduction='none',
        delta=huber_delta).mean(-1)


def _flat(maps: List[Tensor], channels: int, mirror: bool) -> Tensor:
    """Per-level (N, A*channels, H, W) maps -> (N, sum_l H*W*A, channels),
    in mmdet's prior order (level, y, x, anchor); ``mirror`` reverses x."""
    flat = []
    for level_map in maps:
        if mirror:
            level_map = torch.flip(level_map, [-1])
        if level_map.dim() != 4 or level_map.size(1) % channels:
            raise ValueError(f'a level map of shape {tuple(level_map.shape)}'
                             f' is not (N, A*{channels}, H, W); check '
                             f'num_classes')
        n = level_map.size(0)
        flat.append(level_map.permute(0, 2, 3, 1).reshape(n, -1, channels))
    return torch.cat(flat, 1)


def mirrored_prior_index(featmap_sizes: List[Tuple[int, int]],
                         num_anchors: List[int],
                         device=None) -> Tensor:
    """Each prior's mirror twin: the pairing of :func:`flip_consistency_loss`
    as an index, for the acquisition (Eq. 1 read as the training loss and
    the released code read it).

    Args:
        featmap_sizes (list[tuple[int, int]]): per level (H, W).
        num_anchors (list[int]): per level, anchors per location.
        device: of the result.

    Returns:
        LongTensor: (P,) in mmdet's prior order (level, y, x, anchor): entry
        ``p`` is the flipped image's prior that sees what prior ``p`` sees.
    """
    if len(featmap_sizes) != len(num_anchors):
        raise ValueError(f'{len(featmap_sizes)} feature maps but anchor '
                         f'counts for {len(num_anchors)} levels')
    maps, start = [], 0
    for (h, w), a in zip(featmap_sizes, num_anchors):
        n = int(h) * int(w) * int(a)
        # the (1, A, H, W) map _flat reads holds each prior's own index
        maps.append(torch.arange(start, start + n, device=device).reshape(
            1, h, w, a).permute(0, 3, 1, 2))
        start += n
    return _flat(maps, 1, mirror=True)[0, :, 0]


def flip_consistency_loss(cls_scores: List[Tensor],
                          flipped_cls_scores: List[Tensor],
                          bbox_preds: List[Tensor],
                          flipped_bbox_preds: List[Tensor],
                          num_classes: int,
                          loc_huber_delta: Optional[float] = None
                          ) -> Dict[str, Tensor]:
    """Flip-consistency loss of a batch (Eq. 9) from SSD head outputs.

    The flipped image's maps are mirrored along their width: SSD's anchors at
    a location are centred and mirror-symmetric, so anchor ``a`` at column
    ``x`` of the flipped image is the twin of anchor ``a`` at column
    ``W - 1 - x`` of the original. Both sides keep their gradient (Eq. 2 as
    written, no stop-gradient).

    Only priors where the original's best foreground probability beats its
    background probability count (the paper's "matched pairs", CSD's mask).

    Args:
        cls_scores (list[Tensor]): Per level, (N, A*(C+1), H, W) logits of
            the original images.
        flipped_cls_scores (list[Tensor]): Same shapes, for the images
            flipped with ``torch.flip(x, [-1])``.
        bbox_preds (list[Tensor]): Per level, (N, A*4, H, W) deltas.
        flipped_bbox_preds (list[Tensor]): Same shapes, flipped images.
        num_classes (int): C, foreground classes; background is index C.
        loc_huber_delta (float, optional): Huber threshold of the location
            term (:func:`location_consistency`); None: Eq. 8's square.

    Returns:
        dict[str, Tensor]: ``loss_con_cls`` (mean Eq. 2 over masked priors)
        and ``loss_con_loc`` (mean Eq. 8 over masked priors), scalars; 0 and
        still attached to the graph when no prior is masked.
    """
    if num_classes < 1:
        raise ValueError(f'num_classes must be >= 1, got {num_classes!r}')
    check_huber_delta(loc_huber_delta)
    sizes = [len(cls_scores), len(flipped_cls_scores), len(bbox_preds),
             len(flipped_bbox_preds)]
    if len(set(sizes)) != 1 or sizes[0] == 0:
        raise ValueError(f'expected the same non-zero number of levels in '
                         f'every input, got {sizes}')
    channels = num_classes + 1
    # float32 under AMP: the eps floor of symmetric_kl is 0 in float16.
    probs = _flat(cls_scores, channels, False).float().softmax(-1)
    flipped_probs = _flat(flipped_cls_scores, channels,
                          True).float().softmax(-1)
    deltas = _flat(bbox_preds, 4, False).float()
    flipped_deltas = _flat(flipped_bbox_preds, 4, True).float()
    if probs.shape[:2] != flipped_probs.shape[:2] or \
            probs.shape[:2] != deltas.shape[:2] or \
            deltas.shape != flipped_deltas.shape:
        raise ValueError(f'priors disagree: cls {tuple(probs.shape)}, '
                         f'flipped cls {tuple(flipped_probs.shape)}, bbox '
                         f'{tuple(deltas.shape)}, flipped bbox '
                         f'{tuple(flipped_deltas.shape)}; check num_classes')

    with torch.no_grad():
        fg_best = probs[..., :num_classes].max(-1).values
        mask = (fg_best > probs[..., num_classes]).to(probs.dtype)
    # Masked means as sums over the mask: no indexing, and an empty mask
    # gives an exact 0 that is still connected to the graph.
    count = mask.sum().clamp_min(1.0)
    con_cls = (symmetric_kl(probs, flipped_probs) * mask).sum() / count
    con_loc = (location_consistency(deltas, flipped_deltas, loc_huber_delta)
               * mask).sum() / count
    return dict(loss_con_cls=con_cls, loss_con_loc=con_loc)


def ramp_weight(cur_iter: int,
                max_iters: int,
                ramp_up: float = DEFAULT_RAMP_UP,
                ramp_down: float = DEFAULT_RAMP_DOWN) -> float:
    """Weight of the consistency loss at an iteration (CSD's schedule).

    With t = cur_iter / max_iters: exp(-5 (1 - t/ramp_up)²) while
    t < ramp_up; 1 in the middle; exp(-12.5 (1 - r/ramp_down)²) while the
    remaining fraction r = 1 - t is below ``ramp_down``. Early predictions
    are noise, so consistency on them is mostly down-weighted; the ramp
    down lets the supervised loss settle last.

    Args:
        cur_iter (int): Iterations done, >= 0. Values past ``max_iters``
            count as the end of training.
        max_iters (int): Total training iterations, > 0.
        ramp_up (float): Fraction of ``max_iters`` spent ramping up, in
            [0, 1]; 0 disables. Defaults to CSD's 32k/120k ≈ 0.267.
        ramp_down (float): Fraction at the end spent ramping down, in
            [0, 1]; 0 disables. Defaults to CSD's 20k/120k ≈ 0.167.

    Returns:
        float: In (0, 1].
    """
    if max_iters <= 0:
        raise ValueError(f'max_iters must be > 0, got {max_iters!r}')
    if cur_iter < 0:
        raise ValueError(f'cur_iter must be >= 0, got {cur_iter!r}')
    check_ramp(ramp_up, ramp_down)
    t = min(cur_iter / max_iters, 1.0)
    if t < ramp_up:
        return math.exp(-RAMP_UP_STEEPNESS * (1.0 - t / ramp_up)**2)
    remaining = 1.0 - t
    if remaining < ramp_down:
        return math.exp(-RAMP_DOWN_STEEPNESS *
                        (1.0 - remaining / ramp_down)**2)
    return 1.0


def check_ramp(ramp_up: float, ramp_down: float) -> None:
    """Raise ValueError unless both ramps are fractions that fit together."""
    for name, value in (('ramp_up', ramp_up), ('ramp_down', ramp_down)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f'{name} must be a fraction of max_iters in '
                             f'[0, 1], got {value!r}')
    if ramp_up + ramp_down > 1.0:
        raise ValueError(f'ramp_up + ramp_down must be <= 1 (the ramps may '
                         f'not overlap), got {ramp_up!r} + {ramp_down!r}')


def check_huber_delta(huber_delta: Optional[float]) -> None:
    """Raise ValueError unless ``huber_delta`` is None or > 0."""
    if huber_delta is not None and not huber_delta > 0:
        raise ValueError(f'loc_huber_delta must be > 0 (or None for Eq. 8\'s '
                         f'square), got {huber_delta!r}')
