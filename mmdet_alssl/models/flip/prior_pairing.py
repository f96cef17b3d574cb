"""Each prior's mirror twin under a horizontal flip, found by geometry.

A dense head predicts, at every prior (an anchor box or a point), for the
image it sees. Under a flip of an image of width ``w`` (inside its own
region, :func:`~mmdet_alssl.models.flip.flip_image_regions`), the prior of
the flipped image that sees what prior ``p`` sees is the one centred at
``w - cx(p)``, at the same height, of the same shape. Index arithmetic
cannot say which that is for every generator: ``AnchorGenerator`` centres
column ``i`` at ``i * stride`` (``center_offset=0``, RetinaNet), so its
twin is column ``w / stride - i`` and column 0 has none, while
``SSDAnchorGenerator`` and ``MlvlPointGenerator(offset=0.5)`` (FCOS) are
symmetric (twin ``W - 1 - i``) and ``MlvlPointGenerator(offset=0)``
(RTMDet, YOLOX) is like RetinaNet. So the twin is searched among the head's
own priors: mirror each prior's centre, look for a prior of the same level
and base anchor (same shape) at that centre. A prior without one, or whose
centre lies outside its image (in the batch padding), is masked.
"""
from typing import List, Sequence, Tuple

import torch
from torch import Tensor

from mmdet.structures.bbox import get_box_tensor

# Centres match when equal after rounding to 1/64 px: grid centres are
# multiples of a half pixel (or exact float sums of them), so this only
# absorbs float32 rounding, never a real offset.
CENTRE_RESOLUTION = 1.0 / 64
# Bits of the int64 key (base anchor, y, x): 2^25 / 64 px = 524k px a side.
_COORD_BITS = 25


def prior_centres(level_priors: Sequence[Tensor]) -> List[Tensor]:
    """Per level, the (P_l, 2) centres (x, y) of a head's priors.

    Args:
        level_priors (Sequence[Tensor | BaseBoxes]): What the head's
            ``prior_generator.grid_priors`` returns: per level (P_l, 4)
            boxes (x1, y1, x2, y2) of an anchor generator or (P_l, 2)
            points of a point generator (``with_stride=False``), in mmdet's
            prior order (level, y, x, base prior).
    """
    centres = []
    for priors in level_priors:
        priors = get_box_tensor(priors)
        if priors.size(-1) == 2:  # points
            centres.append(priors)
        elif priors.size(-1) == 4:  # boxes
            centres.append((priors[:, :2] + priors[:, 2:]) / 2)
        else:
            raise ValueError(f'priors of shape {tuple(priors.shape)} are '
                             f'neither (P, 2) points nor (P, 4) boxes')
    return centres


def mirror_twins(centres: List[Tensor], num_base_priors: Sequence[int],
                 img_shapes: Sequence[Tuple[int, int]]
                 ) -> Tuple[Tensor, Tensor]:
    """Each prior's twin on the flipped image, per image of a batch.

    Args:
        centres (list[Tensor]): Per level (P_l, 2) prior centres (x, y) in
            mmdet's order (:func:`prior_centres`); P_l = H_l * W_l * A_l.
        num_base_priors (Sequence[int]): Per level A_l, priors per location
            (the head's ``num_base_priors``, or one per level).
        img_shapes (Sequence[tuple[int, int]]): Per image (h, w) before
            padding (``img_shape``); the flip mirrors x -> w - x.

    Returns:
        tuple[Tensor, Tensor]: ``twin`` (N, P) long, prior ``p``'s twin on
        the flipped image (``p`` itself where there is none), and ``valid``
        (N, P) bool, False for priors without a twin or outside the image.
        ``twin`` is an involution on the valid priors, and valid priors'
        twins are valid.
    """
    if isinstance(num_base_priors, int):
        num_base_priors = [num_base_priors] * len(centres)
    if len(num_base_priors) != len(centres):
        raise ValueError(f'{len(centres)} levels of priors but base prior '
                         f'counts for {len(num_base_priors)}')
    if not img_shapes:
        raise ValueError('img_shapes is empty: pass each image\'s (h, w)')
    shapes = torch.tensor([[float(h), float(w)] for h, w in
                           (tuple(s)[:2] for s in img_shapes)],
                          dtype=torch.float64)
    heights, widths = shapes[:, 0:1], shapes[:, 1:2]
    twins, valids, start = [], [], 0
    for level, (level_centres, num_base) in enumerate(
            zip(centres, num_base_priors)):
        num = level_centres.size(0)
        if num % num_base:
            raise ValueError(f'level {level} has {num} priors, not a '
                             f'multiple of its {num_base} base priors')
        device = level_centres.device
        xy = level_centres.double().cpu()
        base = torch.arange(num) % num_base
        keys = _keys(base, xy[:, 1], xy[:, 0])
        sorted_keys, order = keys.sort()
        mirrored_x = widths - xy[None, :, 0]  # (N, P_l)
        wanted = _keys(base.expand_as(mirrored_x),
                       xy[None, :, 1].expand_as(mirrored_x), mirrored_x)
        pos = torch.searchsorted(sorted_keys, wanted).clamp_max(num - 1)
        inside = (xy[None, :, 0] >= 0) & (xy[None, :, 0] <= widths) & \
            (xy[None, :, 1] >= 0) & (xy[None, :, 1] <= heights)
        valid = (sorted_keys[pos] == wanted) & inside
        local = torch.where(valid, order[pos], torch.arange(num))
        twins.append((local + start).to(device))
        valids.append(valid.to(device))
        start += num
    return torch.cat(twins, 1), torch.cat(valids, 1)


def _keys(base: Tensor, y: Tensor, x: Tensor) -> Tensor:
    """One int64 per (base prior, y, x), x and y on the 1/64 px grid; a
    negative coordinate (a mirror left of the image) gets a key no prior
    has."""
    limit = 1 << _COORD_BITS
    qx = torch.round(x / CENTRE_RESOLUTION).long()
    qy = torch.round(y / CENTRE_RESOLUTION).long()
    if bool((qx >= limit).any() or (qy >= limit).any()):
        raise ValueError(f'prior centres beyond {limit * CENTRE_RESOLUTION:g}'
                         f' px are not supported')
    key = (base.long() << (2 * _COORD_BITS)) | (qy.clamp_min(0) <<
                                                _COORD_BITS) | qx.clamp_min(0)
    return torch.where((qx < 0) | (qy < 0), torch.full_like(key, -1), key)
