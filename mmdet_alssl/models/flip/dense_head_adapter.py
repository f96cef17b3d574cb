"""What the flip-consistency method needs from any MMDetection dense head.

One adapter serves training (the consistency loss) and scoring (entropy,
Eq. 4, and flip inconsistency, Eq. 3): it flattens the head's per-level
maps to per-prior tensors, pairs each prior with its mirror twin by
geometry (:mod:`.prior_pairing`) and maps the twin's box prediction into
the original prior's frame with the head's own ``bbox_coder``.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from mmdet.structures.bbox import bbox_flip, get_box_tensor

from ..losses.dense_consistency import (DEFAULT_SIGMOID_SCORE_THR,
                                        foreground_mask)
from .prior_pairing import mirror_twins, prior_centres


@dataclass
class FlipPairs:
    """Per-prior predictions of N originals and of their flips at the twins.

    Attributes:
        cls_logits (Tensor): (N, P, K) originals' class logits; K = C + 1
            (softmax, background last) or C (sigmoid).
        twin_cls_logits (Tensor): (N, P, K) the flips' logits at each
            prior's twin.
        bbox_preds (Tensor): (N, P, 4) originals' box predictions (coder
            values, e.g. deltas or distances).
        twin_bbox_preds (Tensor): (N, P, 4) the twins' predictions decoded,
            mirrored about the image width and encoded against the original
            prior: equal to ``bbox_preds`` for a consistent pair. Where
            ``valid`` is False, ``bbox_preds`` detached.
        aux_logits (Tensor | None): (N, P) originals' centerness logits.
        twin_aux_logits (Tensor | None): (N, P) the twins'.
        twin (Tensor): (N, P) long, each prior's twin index.
        valid (Tensor): (N, P) bool, the prior has a twin inside its image.
        priors (Tensor): (P, 4) anchors or (P, 2) points, for the coder.
    """
    cls_logits: Tensor
    twin_cls_logits: Tensor
    bbox_preds: Tensor
    twin_bbox_preds: Tensor
    aux_logits: Optional[Tensor]
    twin_aux_logits: Optional[Tensor]
    twin: Tensor
    valid: Tensor
    priors: Tensor


class DenseHeadFlipAdapter:
    """Reads a dense head's outputs for the flip-consistency method.

    Serves any head with a ``prior_generator`` (anchors or points), a
    ``bbox_coder`` with ``encode``/``decode``, 4 coder values per prior, and
    ``C + 1`` softmax (background last) or ``C`` sigmoid class logits per
    prior; an optional third output of one logit per prior (FCOS/ATSS
    centerness) is a Bernoulli a flip leaves unchanged. SSD, RetinaNet,
    FCOS, ATSS qualify; a head that does not gets a ``TypeError`` naming it
    and what it lacks.

    Args:
        head (nn.Module): The detector's ``bbox_head``.
        score_thr (float): Sigmoid heads' mask threshold
            (:func:`~mmdet_alssl.models.losses.foreground_mask`).
    """

    def __init__(self, head, score_thr: float = DEFAULT_SIGMOID_SCORE_THR):
        name = type(head).__name__
        lacks = [attr for attr in ('prior_generator', 'bbox_coder',
                                   'num_classes', 'cls_out_channels')
                 if not hasattr(head, attr)]
        coder = getattr(head, 'bbox_coder', None)
        if coder is not None and not (hasattr(coder, 'encode')
                                      and hasattr(coder, 'decode')):
            lacks.append('bbox_coder.encode/decode')
        if lacks:
            raise TypeError(f'{name} cannot be trained with flip consistency'
                            f': it has no {", ".join(lacks)} (the adapter '
                            f'needs a dense head with priors and a box coder,'
                            f' e.g. SSDHead, RetinaHead, FCOSHead, ATSSHead)')
        num_classes, channels = head.num_classes, head.cls_out_channels
        if channels not in (num_classes, num_classes + 1):
            raise TypeError(f'{name} has {channels} class channels for '
                            f'{num_classes} classes; the adapter reads C '
                            f'sigmoid or C + 1 softmax logits')
        self.head = head
        self.use_sigmoid = channels == num_classes
        self.score_thr = score_thr
        self.num_base_priors = list(head.prior_generator.num_base_priors)

    def flatten(self, maps: Sequence[Tensor], channels: int,
                what: str) -> Tensor:
        """Per-level (N, A*channels, H, W) maps -> (N, P, channels) in
        mmdet's prior order (level, y, x, base prior)."""
        if len(maps) != len(self.num_base_priors):
            raise ValueError(f'{type(self.head).__name__} gave {what} for '
                             f'{len(maps)} levels, its prior generator has '
                             f'{len(self.num_base_priors)}')
        flat = []
        for level_map, num_base in zip(maps, self.num_base_priors):
            if level_map.size(1) != num_base * channels:
                raise TypeError(
                    f'{type(self.head).__name__} predicts '
                    f'{level_map.size(1)} {what} channels where the adapter '
                    f'needs {num_base} priors x {channels} (e.g. GFL\'s '
                    f'distribution of distances is not 4 coder values)')
            n = level_map.size(0)
            flat.append(level_map.permute(0, 2, 3, 1).reshape(n, -1, channels))
        return torch.cat(flat, 1)

    def split_outputs(self, outs: Tuple[List[Tensor], ...]
                      ) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
        """The head's ``forward`` outputs as (N, P, K) class logits,
        (N, P, 4) box predictions and (N, P) centerness logits or None."""
        if len(outs) not in (2, 3):
            raise TypeError(f'{type(self.head).__name__}.forward returns '
                            f'{len(outs)} outputs; the adapter reads (class, '
                            f'box) or (class, box, centerness)')
        cls_logits = self.flatten(outs[0], self.head.cls_out_channels,
                                  'class')
        bbox_preds = self.flatten(outs[1], 4, 'box')
        aux = self.flatten(outs[2], 1, 'centerness')[..., 0] \
            if len(outs) == 3 else None
        return cls_logits, bbox_preds, aux

    def priors(self, featmap_sizes: Sequence[Tuple[int, int]],
               device) -> List[Tensor]:
        """Per level the head's priors as its coder takes them."""
        sizes = [tuple(int(v) for v in size) for size in featmap_sizes]
        return [get_box_tensor(p) for p in self.head.prior_generator.
                grid_priors(sizes, dtype=torch.float32, device=device)]

    def twins(self, featmap_sizes: Sequence[Tuple[int, int]],
              img_shapes: Sequence[Tuple[int, int]],
              device) -> Tuple[Tensor, Tensor]:
        """(N, P) twin index and validity (:func:`mirror_twins`)."""
        return mirror_twins(prior_centres(self.priors(featmap_sizes, device)),
                            self.num_base_priors, img_shapes)

    def mirror_into_prior_frame(self, priors: Tensor, twin: Tensor,
                                twin_preds: Tensor,
                                img_shapes: Sequence[Tuple[int, int]]
                                ) -> Tensor:
        """Decode each twin's prediction at the twin's prior, mirror the box
        about its image's width, encode it against the original prior.

        Coder-independent: delta coders come out with dx negated, distance
        coders with l and r swapped (both exact for exact twins, up to the
        coder's own clamps, e.g. DeltaXYWH's |dw| <= 4.135).

        Args:
            priors (Tensor): (P, 4) or (P, 2).
            twin (Tensor): (N, P) long.
            twin_preds (Tensor): (N, P, 4) the flips' predictions gathered
                at ``twin``.
            img_shapes (Sequence[tuple[int, int]]): Per image (h, w).

        Returns:
            Tensor: (N, P, 4).
        """
        coder = self.head.bbox_coder
        num_imgs, num_priors = twin.shape
        # all images in one decode / encode: (N * P, 4) rows
        boxes = get_box_tensor(coder.decode(
            priors[twin.reshape(-1)], twin_preds.reshape(-1, 4)))
        widths = boxes.new_tensor([float(tuple(s)[1]) for s in img_shapes])
        # bbox_flip reads only img_shape[1]: a (N * P, 1) column of widths
        # mirrors each row about its own image's width
        mirrored = bbox_flip(
            boxes, (None, widths.repeat_interleave(num_priors)[:, None]),
            'horizontal')
        mapped = coder.encode(priors.repeat(num_imgs, 1), mirrored)
        return get_box_tensor(mapped).reshape(num_imgs, num_priors, 4)

    def pair(self, outs: Tuple[List[Tensor], ...],
             flipped_outs: Tuple[List[Tensor], ...],
             img_shapes: Sequence[Tuple[int, int]]) -> FlipPairs:
        """Pair the originals' predictions with the flips' at the twins.

        Args:
            outs (tuple[list[Tensor]]): The head's ``forward`` outputs for N
                images (per level (N, A*K, H, W), ...).
            flipped_outs (tuple[list[Tensor]]): Same, for the N images
                flipped inside their regions (:func:`flip_image_regions`).
            img_shapes (Sequence[tuple[int, int]]): Per image (h, w).
        """
        cls_logits, bbox_preds, aux = self.split_outputs(outs)
        f_cls, f_bbox, f_aux = self.split_outputs(flipped_outs)
        if f_cls.shape != cls_logits.shape:
            raise ValueError(f'originals {tuple(cls_logits.shape)} and flips'
                             f' {tuple(f_cls.shape)} have different priors')
        sizes = [m.shape[-2:] for m in outs[0]]
        device = cls_logits.device
        priors = torch.cat(self.priors(sizes, device))
        twin, valid = self.twins(sizes, img_shapes, device)

        def at_twin(values: Tensor) -> Tensor:
            if values.dim() == 2:
                return values.gather(1, twin)
            return values.gather(
                1, twin[..., None].expand(-1, -1, values.size(-1)))

        twin_bbox = self.mirror_into_prior_frame(
            priors, twin, at_twin(f_bbox).float(), img_shapes)
        # Priors without a twin are masked; keep their values finite.
        twin_bbox = torch.where(valid[..., None], twin_bbox,
                                bbox_preds.detach().float())
        return FlipPairs(
            cls_logits=cls_logits, twin_cls_logits=at_twin(f_cls),
            bbox_preds=bbox_preds, twin_bbox_preds=twin_bbox,
            aux_logits=aux,
            twin_aux_logits=None if f_aux is None else at_twin(f_aux),
            twin=twin, valid=valid, priors=priors)

    def mask(self, pairs: FlipPairs) -> Tensor:
        """(N, P) bool: priors the consistency loss counts: the original's
        best class beats background (softmax) or ``score_thr`` (sigmoid),
        and the prior has a twin."""
        with torch.no_grad():
            return foreground_mask(pairs.cls_logits.float(),
                                   self.use_sigmoid,
                                   self.score_thr) & pairs.valid

    def class_probs(self, cls_logits: Tensor) -> Tensor:
        """(N, P, C + 1) softmax with background last, or (N, P, C)
        per-class sigmoid probabilities (for the entropy, Eq. 4)."""
        return cls_logits.sigmoid() if self.use_sigmoid else \
            cls_logits.softmax(-1)

    def decode(self, priors: Tensor, bbox_preds: Tensor) -> Tensor:
        """(N, P, 4) xyxy boxes in input pixels from (N, P, 4) predictions.

        For scoring in eval mode: FCOS predicts distances in stride units
        while training and scales them by the stride only in eval mode.
        """
        coder = self.head.bbox_coder
        return torch.stack([get_box_tensor(coder.decode(priors, preds))
                            for preds in bbox_preds])
