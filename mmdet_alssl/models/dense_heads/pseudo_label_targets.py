"""Eq. 10 as target assignment: on a pseudo-labeled image, the priors
assigned to no pseudo box get no classification loss.

A pseudo-label holds only the objects the previous cycle's model was sure
of; a prior matched to no pseudo box may well hold an object and must not be
pushed to background. The heads' own losses multiply each prior's
classification loss by its label weight, so zeroing the weights of a
pseudo image's negatives does it, with the average factor (the positives)
unchanged.
"""
from typing import Optional

from mmengine.structures import InstanceData
from torch import Tensor

from ...datasets.label_type import (LABEL_TYPE_KEY, LABELED, PSEUDO,
                                    check_label_type)


def is_pseudo(meta: dict) -> bool:
    """Whether an image (its ``img_meta`` or ``gt_instances.metainfo``) is
    pseudo-labeled; no flag counts as labeled."""
    return check_label_type(meta.get(LABEL_TYPE_KEY, LABELED)) == PSEUDO


def drop_negatives(labels: Tensor, label_weights: Tensor,
                   num_classes: int) -> Tensor:
    """``label_weights`` with 0 at every background-labelled prior
    (``labels == num_classes``); (P,) each."""
    return label_weights.masked_fill(labels == num_classes, 0.0)


class PseudoLabelAnchorTargetsMixin:
    """Put before an ``AnchorHead`` subclass (SSDHead, RetinaHead, ...):
    its ``_get_targets_single`` zeroes the label weights of a pseudo
    image's negatives."""

    def _get_targets_single(self,
                            flat_anchors: Tensor,
                            valid_flags: Tensor,
                            gt_instances: InstanceData,
                            img_meta: dict,
                            gt_instances_ignore: Optional[InstanceData] = None,
                            unmap_outputs: bool = True) -> tuple:
        """``AnchorHead._get_targets_single``, then for pseudo-labeled
        images the label weight of every negative (background-labelled)
        prior is set to 0. Arguments and returns are the parent's."""
        targets = super()._get_targets_single(flat_anchors, valid_flags,
                                              gt_instances, img_meta,
                                              gt_instances_ignore,
                                              unmap_outputs)
        if not is_pseudo(img_meta):
            return targets
        labels, label_weights = targets[:2]
        return (labels, drop_negatives(labels, label_weights,
                                       self.num_classes)) + tuple(targets[2:])
