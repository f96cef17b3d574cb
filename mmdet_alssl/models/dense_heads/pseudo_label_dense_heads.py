"""RetinaNet, ATSS and FCOS heads whose pseudo-labeled images get no
background term (Eq. 10, :mod:`.pseudo_label_targets`), by the narrowest
override of their targets.

On a pseudo-labeled image (``img_meta['label_type'] == 'pseudo'``) a prior
assigned to no pseudo box adds no classification loss (focal or not);
positives keep their usual class, box and centerness losses; labeled images
keep the head's loss unchanged. Constructor arguments are exactly the
parent head's.
"""
from typing import Optional

from mmengine.structures import InstanceData
from torch import Tensor, nn

from mmdet.models.dense_heads import ATSSHead, FCOSHead, RetinaHead
from mmdet.registry import MODELS

from ...datasets.label_type import LABEL_TYPE_KEY, LABELED
from .pseudo_label_targets import (PseudoLabelAnchorTargetsMixin,
                                   drop_negatives, is_pseudo)

# FCOS's targets have no label weights: its pseudo negatives are labelled
# IGNORE_LABEL, which FCOS's positive test (0 <= label < C) already skips.
IGNORE_LABEL = -1


@MODELS.register_module()
class PseudoLabelRetinaHead(PseudoLabelAnchorTargetsMixin, RetinaHead):
    """:class:`mmdet.models.dense_heads.RetinaHead` aware of pseudo-labels:
    a pseudo image's negatives have label weight 0 (focal loss)."""


@MODELS.register_module()
class PseudoLabelATSSHead(ATSSHead):
    """:class:`mmdet.models.dense_heads.ATSSHead` aware of pseudo-labels."""

    def _get_targets_single(self,
                            flat_anchors: Tensor,
                            valid_flags: Tensor,
                            num_level_anchors,
                            gt_instances: InstanceData,
                            img_meta: dict,
                            gt_instances_ignore: Optional[InstanceData] = None,
                            unmap_outputs: bool = True) -> tuple:
        """``ATSSHead._get_targets_single``; on a pseudo-labeled image the
        label weight of every negative prior is 0."""
        targets = super()._get_targets_single(flat_anchors, valid_flags,
                                              num_level_anchors, gt_instances,
                                              img_meta, gt_instances_ignore,
                                              unmap_outputs)
        if not is_pseudo(img_meta):
            return targets
        anchors, labels, label_weights = targets[:3]
        return (anchors, labels,
                drop_negatives(labels, label_weights,
                               self.num_classes)) + tuple(targets[3:])


class IgnoreLabelLoss(nn.Module):
    """A classification loss for which targets equal to ``IGNORE_LABEL``
    cost nothing: they become background with weight 0.

    Args:
        loss (nn.Module): The head's loss, called as
            ``loss(pred, target, weight, avg_factor=, reduction_override=)``.
        background (int): The background label, C.
    """

    def __init__(self, loss: nn.Module, background: int) -> None:
        super().__init__()
        self.loss = loss
        self.background = background

    def forward(self, pred: Tensor, target: Tensor,
                weight: Optional[Tensor] = None, avg_factor=None,
                reduction_override: Optional[str] = None) -> Tensor:
        ignored = target == IGNORE_LABEL
        if bool(ignored.any()):
            keep = (~ignored).to(pred.dtype)
            weight = keep if weight is None else \
                weight * keep.view(-1, *([1] * (weight.dim() - 1)))
            target = target.masked_fill(ignored, self.background)
        return self.loss(pred, target, weight, avg_factor=avg_factor,
                         reduction_override=reduction_override)


@MODELS.register_module()
class PseudoLabelFCOSHead(FCOSHead):
    """:class:`mmdet.models.dense_heads.FCOSHead` aware of pseudo-labels.

    FCOS computes its targets per image without the image's meta and its
    focal loss without label weights, so the flag travels in each image's
    ``gt_instances.metainfo`` (set by :meth:`loss_by_feat`), the negatives
    of a pseudo-labeled image are labelled ``IGNORE_LABEL`` and
    ``loss_cls`` is wrapped in :class:`IgnoreLabelLoss`.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.loss_cls = IgnoreLabelLoss(self.loss_cls, self.num_classes)

    def loss_by_feat(self, cls_scores, bbox_preds, centernesses,
                     batch_gt_instances, batch_img_metas,
                     batch_gt_instances_ignore=None) -> dict:
        """``FCOSHead.loss_by_feat`` with each image's label type copied
        into its ground truth's metainfo."""
        batch_gt_instances = [
            gt.new(metainfo={
                **gt.metainfo,
                LABEL_TYPE_KEY: meta.get(LABEL_TYPE_KEY, LABELED)
            }) for gt, meta in zip(batch_gt_instances, batch_img_metas)
        ]
        return super().loss_by_feat(cls_scores, bbox_preds, centernesses,
                                    batch_gt_instances, batch_img_metas,
                                    batch_gt_instances_ignore)

    def _get_targets_single(self, gt_instances: InstanceData, points: Tensor,
                            regress_ranges: Tensor,
                            num_points_per_lvl) -> tuple:
        """``FCOSHead._get_targets_single``; on a pseudo-labeled image the
        background points are labelled ``IGNORE_LABEL``."""
        labels, bbox_targets = super()._get_targets_single(
            gt_instances, points, regress_ranges, num_points_per_lvl)
        if is_pseudo(gt_instances.metainfo):
            labels = labels.masked_fill(labels == self.num_classes,
                                        IGNORE_LABEL)
        return labels, bbox_targets
