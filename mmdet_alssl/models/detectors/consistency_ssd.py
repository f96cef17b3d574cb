"""SSD trained on labeled, pseudo-labeled and unlabeled images (Eq. 11)."""
from typing import Dict, List, Tuple

import torch
from torch import Tensor

from mmdet.models.utils import unpack_gt_instances
from mmdet.registry import MODELS
from mmdet.structures import SampleList

from ...datasets.label_type import UNLABELED, get_label_type
from ..dense_heads.pseudo_label_ssd_head import PseudoLabelSSDHead
from ..losses.consistency import (flip_consistency_loss,
                                  mirrored_prior_index)
from .consistency_detector import ConsistencyDetector


@MODELS.register_module()
class ConsistencySSD(ConsistencyDetector):
    """SSD with the flip-consistency loss and pseudo-label-aware supervision.

    Each image of a training batch carries ``metainfo['label_type']``
    (``'labeled'`` if absent, ``'pseudo'`` or ``'unlabeled'``).
    ``L_total = L_conf + L_loc + w(iter) * L_con`` (Eq. 11):

    - ``loss_cls``, ``loss_bbox``: the head's loss on labeled and
      pseudo-labeled images only (with :class:`PseudoLabelSSDHead`, pseudo
      images have no background term, Eq. 10);
    - ``loss_con_cls``, ``loss_con_loc``: the flip-consistency loss on every
      image (Eq. 2, 8, 9), each times ``w(iter) = consistency_weight *
      ramp_weight(iter, max_iters, ramp_up, ramp_down)``.

    The images and their horizontal flips go through backbone, neck and
    head in ONE batch of 2N. ``predict`` and ``_forward`` are plain SSD.

    Its arguments and ramp are :class:`ConsistencyDetector`'s
    (``consistency_weight``, ``ramp_up``, ``ramp_down``,
    ``loc_huber_delta``); its pairing is SSD's by index (the maps mirrored
    along their width), which the geometric pairing of
    :class:`ConsistencyDetector` equals on SSD's symmetric anchors at a
    fixed input size. The iteration comes from MMEngine's ``MessageHub``
    (``iter`` and ``max_iters``, set by the default ``RuntimeInfoHook``);
    outside a Runner the weight is ``consistency_weight``.
    """

    pseudo_label_heads = (PseudoLabelSSDHead, )

    def flip_twins(self, featmap_sizes, img_shapes, batch_width: int,
                   device) -> Tuple[Tensor, Tensor]:
        """By index, as :meth:`loss` pairs them: each level's map mirrored
        along its width (:func:`mirrored_prior_index`; every prior has a
        twin). The flip of an image is then the flip of its batch's maps:
        each image must be as wide as the padded batch."""
        for h, w in img_shapes:
            if w != batch_width:
                raise ValueError(
                    f'an image {w} px wide in a batch padded to '
                    f'{batch_width}: ConsistencySSD pairs priors across the '
                    f'whole width. Give the pool pipeline a fixed-size Resize '
                    f'(as every SSD config has), or set active_learning.'
                    f'flip_candidates=\'priors\'')
        twin = mirrored_prior_index(featmap_sizes,
                                    self.bbox_head.num_base_priors,
                                    device=device)
        twin = twin.expand(len(img_shapes), -1)
        return twin, torch.ones_like(twin, dtype=torch.bool)

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """Supervised + flip-consistency losses of a mixed batch.

        Args:
            batch_inputs (Tensor): Images, (N, 3, H, W), preprocessed.
            batch_data_samples (list[DetDataSample]): N samples; labeled and
                pseudo ones carry ``gt_instances``, unlabeled ones may not.

        Returns:
            dict[str, Tensor | list[Tensor]]: ``loss_cls`` and ``loss_bbox``
            (per-image lists from the head, or a 0 attached to the graph
            when no image is supervised), ``loss_con_cls``, ``loss_con_loc``.
        """
        label_types = [get_label_type(s) for s in batch_data_samples]
        self.check_pseudo_label_head(label_types)
        if self.consistency_weight == 0:
            return self._supervised_only_loss(batch_inputs,
                                              batch_data_samples, label_types)
        num_imgs = batch_inputs.size(0)
        # One forward for originals and flips: one pass of 2N, not two of N.
        feats = self.extract_feat(
            torch.cat([batch_inputs, torch.flip(batch_inputs, [-1])]))
        cls_scores, bbox_preds = self.bbox_head(feats)

        losses = self._supervised_loss(
            [s[:num_imgs] for s in cls_scores],
            [b[:num_imgs] for b in bbox_preds], batch_data_samples,
            label_types)
        con = flip_consistency_loss(
            [s[:num_imgs] for s in cls_scores],
            [s[num_imgs:] for s in cls_scores],
            [b[:num_imgs] for b in bbox_preds],
            [b[num_imgs:] for b in bbox_preds],
            num_classes=self.bbox_head.num_classes,
            loc_huber_delta=self.loc_huber_delta)
        weight = self.current_consistency_weight()
        losses.update({key: weight * value for key, value in con.items()})
        return losses

    def _supervised_only_loss(self, batch_inputs: Tensor,
                              batch_data_samples: SampleList,
                              label_types: List[str]) -> Dict[str, Tensor]:
        """Plain SSD (``consistency_weight=0``): neither the flips nor the
        unlabeled images reach the network, since no loss would use them
        (a 2-4x cheaper step than running them for a zero loss)."""
        keep = _supervised_indices(label_types)
        if keep and len(keep) < len(label_types):
            batch_inputs = batch_inputs[keep]
            batch_data_samples = [batch_data_samples[i] for i in keep]
            label_types = [label_types[i] for i in keep]
        # A batch with no supervised image still runs (on its unlabeled
        # images) so that every parameter gets a (zero) gradient under DDP.
        cls_scores, bbox_preds = self.bbox_head(self.extract_feat(batch_inputs))
        return self._supervised_loss(cls_scores, bbox_preds,
                                     batch_data_samples, label_types)

    def _supervised_loss(self, cls_scores: List[Tensor],
                         bbox_preds: List[Tensor],
                         batch_data_samples: SampleList,
                         label_types: List[str]) -> Dict[str, Tensor]:
        """The head's loss on the labeled and pseudo-labeled images only.

        Unlabeled images are left out rather than given empty ground truth:
        SSD would mine no negatives on them, but each would still add 1 to
        the loss's average factor (diluting the supervised loss), and their
        ground-truth-free targets would be assigned for nothing.
        """
        keep = _supervised_indices(label_types)
        if not keep:
            # No supervised image: zeros that still reach every head output,
            # so DDP without find_unused_parameters sees all gradients.
            zero = sum(s.sum() for s in cls_scores) * 0.0 + \
                sum(b.sum() for b in bbox_preds) * 0.0
            return dict(loss_cls=zero, loss_bbox=zero.clone())
        if len(keep) < len(label_types):
            index = cls_scores[0].new_tensor(keep, dtype=torch.long)
            cls_scores = [s.index_select(0, index) for s in cls_scores]
            bbox_preds = [b.index_select(0, index) for b in bbox_preds]
            batch_data_samples = [batch_data_samples[i] for i in keep]
        gt_instances, gt_instances_ignore, img_metas = unpack_gt_instances(
            batch_data_samples)
        return self.bbox_head.loss_by_feat(cls_scores, bbox_preds,
                                           gt_instances, img_metas,
                                           gt_instances_ignore)


def _supervised_indices(label_types: List[str]) -> List[int]:
    """Positions of the labeled and pseudo-labeled images of a batch."""
    return [i for i, t in enumerate(label_types) if t != UNLABELED]
