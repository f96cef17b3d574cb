"""SSD head whose pseudo-labeled images get no background term (Eq. 10)."""
from typing import List, Tuple

import torch
from torch import Tensor

from mmdet.models.dense_heads import SSDHead
from mmdet.registry import MODELS
from mmdet.structures.bbox import scale_boxes

from .pseudo_label_targets import PseudoLabelAnchorTargetsMixin


@MODELS.register_module()
class PseudoLabelSSDHead(PseudoLabelAnchorTargetsMixin, SSDHead):
    """:class:`mmdet.models.dense_heads.SSDHead` aware of pseudo-labels.

    Labeled images (``img_meta['label_type'] == 'labeled'``, or no flag) keep
    SSD's MultiBox loss: CE on positives + hard-negative mining at
    ``train_cfg.neg_pos_ratio`` and smooth-L1 on positives (Eq. 7).
    Pseudo-labeled images (``'pseudo'``) get CE and smooth-L1 on their
    positive priors only (Eq. 10): a pseudo-label covers only the objects the
    teacher was sure of, so a prior matched to no pseudo box may well hold an
    object and must not be pushed to background.

    The method is done by target assignment alone
    (:class:`PseudoLabelAnchorTargetsMixin`: a pseudo image's negatives get
    label weight 0): SSDHead's loss multiplies the per-prior CE by these
    weights before hard-negative mining, so the mined negatives of a pseudo
    image all cost 0 and only its positives count; the average factor
    (positives, PseudoSampler) is unchanged. ``SSDHead.loss_by_feat_single``
    runs unchanged. Unlabeled images should not reach the head's loss: with
    empty ground truth SSD mines 3 x 0 negatives, so they cost nothing but
    still add 1 each to the loss's average factor; ConsistencySSD leaves them
    out.
    Constructor arguments are exactly ``SSDHead``'s.

    It also fixes ``predict`` of mmdet 3.3.0's ``SSDHead`` and adds
    :meth:`predict_dense`, every prior's box and class distribution, for the
    acquisition scores.
    """

    # mmdet 3.3.0's BaseDenseHead._predict_by_feat_single reads
    # ``getattr(self.loss_cls, 'custom_cls_channels', False)``; SSDHead
    # computes its CE inline and never builds ``self.loss_cls``, so predict
    # raises AttributeError. ``None`` reads as "no custom channels", and the
    # base method then takes SSD's path (softmax, background last dropped).
    loss_cls = None

    def predict_dense(self,
                      cls_scores: List[Tensor],
                      bbox_preds: List[Tensor],
                      batch_img_metas: List[dict],
                      rescale: bool = True) -> List[Tuple[Tensor, Tensor]]:
        """Box and class distribution of every prior, without NMS or score
        threshold (for the acquisition scores, Eq. 1-5).

        Args:
            cls_scores (list[Tensor]): Per level, (N, A*(C+1), H, W) logits.
            bbox_preds (list[Tensor]): Per level, (N, A*4, H, W) deltas.
            batch_img_metas (list[dict]): N metas with ``img_shape`` (decoded
                boxes are clipped to it when the coder clips) and, if
                ``rescale``, ``scale_factor``.
            rescale (bool): Map boxes to the original image as ``predict``
                does (divide by ``scale_factor``). Defaults to True.

        Returns:
            list[tuple[Tensor, Tensor]]: Per image, ``boxes`` (P, 4) xyxy and
            ``probs`` (P, C+1) softmax with background last, P the number of
            priors, in mmdet's prior order (level, y, x, anchor).
        """
        if len(cls_scores) != len(bbox_preds):
            raise ValueError(f'{len(cls_scores)} cls levels but '
                             f'{len(bbox_preds)} bbox levels')
        num_imgs = cls_scores[0].size(0)
        if len(batch_img_metas) != num_imgs:
            raise ValueError(f'{len(batch_img_metas)} img metas for a batch '
                             f'of {num_imgs} images')
        priors = self.prior_generator.grid_priors(
            [score.shape[-2:] for score in cls_scores],
            dtype=cls_scores[0].dtype,
            device=cls_scores[0].device)
        priors = torch.cat(priors)
        probs = torch.cat([
            s.permute(0, 2, 3, 1).reshape(num_imgs, -1, self.cls_out_channels)
            for s in cls_scores
        ], 1).softmax(-1)
        deltas = torch.cat([
            b.permute(0, 2, 3, 1).reshape(num_imgs, -1, 4) for b in bbox_preds
        ], 1)
        results = []
        for img_id, img_meta in enumerate(batch_img_metas):
            boxes = self.bbox_coder.decode(
                priors, deltas[img_id], max_shape=img_meta['img_shape'])
            if rescale:
                # As BaseDenseHead._bbox_post_process does for predict.
                boxes = scale_boxes(
                    boxes, [1 / s for s in img_meta['scale_factor']])
            results.append((boxes, probs[img_id]))
        return results
