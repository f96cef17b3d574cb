"""Flip-consistency terms for any dense head (Eq. 2, 8, 9 and their sigmoid
forms), on predictions already paired prior by prior.

Pure tensor functions. The pairing (which prior of the flipped image is
the twin of which prior of the original) and the mapping of the twin's box
prediction into the original prior's frame are the head adapter's job
(:class:`~mmdet_alssl.models.flip.DenseHeadFlipAdapter`); this module only
compares. Two kinds of class outputs:

- softmax heads (SSD): ``C + 1`` logits, background LAST; Eq. 2 on the
  softmax, exactly as :func:`~mmdet_alssl.models.losses.flip_consistency_loss`.
- sigmoid heads (RetinaNet, FCOS, ATSS, GFL): ``C`` logits, one Bernoulli
  "object of class c vs not" per class, no background channel. Eq. 2's
  sigmoid form is the symmetric KL of the product of the C Bernoullis,
  i.e. the SUM over classes of each Bernoulli's symmetric KL: KL is
  additive over independent factors, so the sum is Eq. 2 applied to the
  head's own joint distribution. (A mean over classes would divide the term
  by C, making its weight depend on the data set: 20 on VOC, 80 on COCO.)
"""
from typing import Dict, Optional

from torch import Tensor

from .consistency import check_huber_delta, residual_penalty, symmetric_kl

# A sigmoid head's prior counts when its best class is more likely present
# than absent: p_c > 1 - p_c, the exact analogue of the softmax mask "best
# foreground beats background".
DEFAULT_SIGMOID_SCORE_THR = 0.5


def sigmoid_symmetric_kl(logits: Tensor, other_logits: Tensor) -> Tensor:
    """Σ_c ½[KL(B(p_c)‖B(q_c)) + KL(B(q_c)‖B(p_c))] of per-class Bernoullis.

    For one Bernoulli the symmetric sum is (p − q)(logit p − logit q), so
    the term is computed from the logits directly: no log of an underflowed
    probability, no eps.

    Args:
        logits (Tensor): (..., C) sigmoid logits.
        other_logits (Tensor): Same shape.

    Returns:
        Tensor: (...,), non-negative, 0 where the logits are equal.
    """
    if logits.shape != other_logits.shape:
        raise ValueError(f'logits {tuple(logits.shape)} and other_logits '
                         f'{tuple(other_logits.shape)} differ in shape')
    diff = logits.sigmoid() - other_logits.sigmoid()
    return 0.5 * (diff * (logits - other_logits)).sum(-1)


def foreground_mask(cls_logits: Tensor, use_sigmoid: bool,
                    score_thr: float = DEFAULT_SIGMOID_SCORE_THR) -> Tensor:
    """Priors the consistency loss counts (CSD's mask), from the original.

    Softmax (C + 1 logits, background last): the best foreground
    probability beats background. Sigmoid (C logits): the best class
    probability exceeds ``score_thr`` (0.5: present beats absent).

    Args:
        cls_logits (Tensor): (..., C + 1) or (..., C) logits.
        use_sigmoid (bool): Which of the two.
        score_thr (float): Sigmoid threshold, in (0, 1).

    Returns:
        Tensor: (...,) bool.
    """
    if use_sigmoid:
        if not 0.0 < score_thr < 1.0:
            raise ValueError(f'score_thr must be in (0, 1), got '
                             f'{score_thr!r}')
        return cls_logits.sigmoid().max(-1).values > score_thr
    probs = cls_logits.softmax(-1)
    return probs[..., :-1].max(-1).values > probs[..., -1]


def paired_flip_consistency(cls_logits: Tensor,
                            twin_cls_logits: Tensor,
                            bbox_preds: Tensor,
                            twin_bbox_preds: Tensor,
                            mask: Tensor,
                            use_sigmoid: bool,
                            loc_huber_delta: Optional[float] = None,
                            aux_logits: Optional[Tensor] = None,
                            twin_aux_logits: Optional[Tensor] = None
                            ) -> Dict[str, Tensor]:
    """Eq. 9: mean class term + mean location term over the masked priors.

    Args:
        cls_logits (Tensor): (N, P, K) class logits of the originals.
        twin_cls_logits (Tensor): (N, P, K) those of the flipped images at
            each prior's twin.
        bbox_preds (Tensor): (N, P, 4) box predictions of the originals.
        twin_bbox_preds (Tensor): (N, P, 4) the twins' predictions mapped
            into the original priors' frame (decoded, mirrored, encoded):
            a consistent pair has equal values.
        mask (Tensor): (N, P) bool or 0/1, the priors that count (no
            gradient flows through it).
        use_sigmoid (bool): Sigmoid (C logits) or softmax (C + 1) classes.
        loc_huber_delta (float, optional): Huber threshold of the location
            term (:func:`residual_penalty`); None: Eq. 8's square.
        aux_logits (Tensor, optional): (N, P) logits of a per-prior
            Bernoulli that a flip leaves unchanged (FCOS/ATSS centerness).
        twin_aux_logits (Tensor, optional): (N, P), the twins' ones.

    Returns:
        dict[str, Tensor]: ``loss_con_cls``, ``loss_con_loc`` and, with
        ``aux_logits``, ``loss_con_aux`` (its Bernoulli symmetric KL);
        scalars, 0 and still attached to the graph when no prior counts.
    """
    check_huber_delta(loc_huber_delta)
    if cls_logits.shape != twin_cls_logits.shape or \
            bbox_preds.shape != twin_bbox_preds.shape or \
            cls_logits.shape[:2] != bbox_preds.shape[:2] or \
            tuple(mask.shape) != tuple(cls_logits.shape[:2]):
        raise ValueError(
            f'shapes disagree: cls {tuple(cls_logits.shape)}, twin cls '
            f'{tuple(twin_cls_logits.shape)}, bbox {tuple(bbox_preds.shape)}'
            f', twin bbox {tuple(twin_bbox_preds.shape)}, mask '
            f'{tuple(mask.shape)}')
    # float32 under AMP: the eps floor of symmetric_kl is 0 in float16.
    cls_logits, twin_cls_logits = cls_logits.float(), twin_cls_logits.float()
    if use_sigmoid:
        con_cls = sigmoid_symmetric_kl(cls_logits, twin_cls_logits)
    else:
        con_cls = symmetric_kl(cls_logits.softmax(-1),
                               twin_cls_logits.softmax(-1))
    con_loc = residual_penalty(
        bbox_preds.float() - twin_bbox_preds.float(), loc_huber_delta)
    weight = mask.detach().to(con_cls.dtype)
    # Masked means as sums over the mask: an empty mask gives an exact 0
    # that is still connected to the graph.
    count = weight.sum().clamp_min(1.0)
    losses = dict(loss_con_cls=(con_cls * weight).sum() / count,
                  loss_con_loc=(con_loc * weight).sum() / count)
    if aux_logits is not None:
        con_aux = sigmoid_symmetric_kl(aux_logits.float()[..., None],
                                       twin_aux_logits.float()[..., None])
        losses['loss_con_aux'] = (con_aux * weight).sum() / count
    return losses
