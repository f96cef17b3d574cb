"""Any single-stage dense detector trained on labeled, pseudo-labeled and
unlabeled images (Eq. 11): RetinaNet, FCOS, ATSS, SSD, ..."""
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.logging import MessageHub
from torch import Tensor

from mmdet.models.detectors import SingleStageDetector
from mmdet.models.utils import unpack_gt_instances
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig

from ...datasets.label_type import PSEUDO, UNLABELED, get_label_type
from ..dense_heads.pseudo_label_dense_heads import (PseudoLabelATSSHead,
                                                    PseudoLabelFCOSHead,
                                                    PseudoLabelRetinaHead)
from ..dense_heads.pseudo_label_ssd_head import PseudoLabelSSDHead
from ..flip import DenseHeadFlipAdapter, flip_image_regions
from ..losses.consistency import (DEFAULT_LOC_HUBER_DELTA, DEFAULT_RAMP_DOWN,
                                  DEFAULT_RAMP_UP, check_huber_delta,
                                  check_ramp, ramp_weight)
from ..losses.dense_consistency import (DEFAULT_SIGMOID_SCORE_THR,
                                        paired_flip_consistency)

PSEUDO_LABEL_HEADS = (PseudoLabelSSDHead, PseudoLabelRetinaHead,
                      PseudoLabelATSSHead, PseudoLabelFCOSHead)

HeadOutputs = Tuple[List[Tensor], ...]


@MODELS.register_module()
class ConsistencyDetector(SingleStageDetector):
    """A single-stage detector with the flip-consistency loss and
    pseudo-label-aware supervision, for anchor and point heads alike.

    A user's RetinaNet / FCOS / ATSS / SSD config becomes one by setting
    ``model.type='ConsistencyDetector'`` and the head's pseudo-label-aware
    type (``PseudoLabelRetinaHead``, ``PseudoLabelFCOSHead``,
    ``PseudoLabelATSSHead``, ``PseudoLabelSSDHead``). Each image of a
    training batch carries ``metainfo['label_type']`` (``'labeled'`` if
    absent, ``'pseudo'`` or ``'unlabeled'``). ``L_total = L_sup + w(iter) *
    L_con`` (Eq. 11):

    - the head's own losses on the labeled and pseudo-labeled images only;
    - ``loss_con_cls``, ``loss_con_loc`` (and ``loss_con_aux`` for heads
      with a centerness branch) on every image, from
      :class:`~mmdet_alssl.models.flip.DenseHeadFlipAdapter`: priors paired
      with their mirror twins by geometry, each image flipped inside its
      own region of the padded batch (keep-ratio batches mix widths), the
      box term through the head's own coder; each times ``w(iter) =
      consistency_weight * ramp_weight(iter, max_iters, ramp_up,
      ramp_down)``.

    Originals and flips go through backbone, neck and head in ONE batch of
    2N. ``predict`` and ``_forward`` are the plain detector's. An
    unsupported head fails at build time with a ``TypeError`` naming it and
    what it lacks; two-stage detectors (``rpn_head``/``roi_head``) too.

    Args:
        backbone, neck, bbox_head, train_cfg, test_cfg, data_preprocessor,
            init_cfg: as :class:`mmdet.models.SingleStageDetector`.
        consistency_weight (float): Weight at the ramp's plateau, >= 0; 0
            turns the consistency loss off. Defaults to 1.0.
        ramp_up (float): Fraction of training ramping the weight up, in
            [0, 1]. Defaults to CSD's 32k/120k.
        ramp_down (float): Fraction at the end ramping it down, in [0, 1].
            Defaults to CSD's 20k/120k.
        loc_huber_delta (float, optional): Huber threshold of the location
            term, > 0; None: Eq. 8's square. Defaults to 1.0.
        score_thr (float): Sigmoid heads' mask: a prior counts when its
            best class probability exceeds it. Defaults to 0.5 (present
            beats absent, the softmax mask's analogue).
    """

    def __init__(self,
                 backbone: ConfigType,
                 neck: OptConfigType = None,
                 bbox_head: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None,
                 consistency_weight: float = 1.0,
                 ramp_up: float = DEFAULT_RAMP_UP,
                 ramp_down: float = DEFAULT_RAMP_DOWN,
                 loc_huber_delta: Optional[float] = DEFAULT_LOC_HUBER_DELTA,
                 score_thr: float = DEFAULT_SIGMOID_SCORE_THR,
                 **two_stage) -> None:
        if two_stage:
            raise TypeError(
                f'ConsistencyDetector is single-stage; got '
                f'{sorted(two_stage)}. Two-stage detectors are not supported:'
                f' their flip pairing would have to match proposals (RoIs) '
                f'rather than fixed priors; use a dense head (RetinaNet, '
                f'FCOS, ATSS, SSD)')
        if consistency_weight < 0:
            raise ValueError(f'consistency_weight must be >= 0, got '
                             f'{consistency_weight!r}')
        check_ramp(ramp_up, ramp_down)
        check_huber_delta(loc_huber_delta)
        super().__init__(
            backbone=backbone, neck=neck, bbox_head=bbox_head,
            train_cfg=train_cfg, test_cfg=test_cfg,
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.flip_adapter = DenseHeadFlipAdapter(self.bbox_head, score_thr)
        self.consistency_weight = consistency_weight
        self.ramp_up = ramp_up
        self.ramp_down = ramp_down
        self.loc_huber_delta = loc_huber_delta

    # Heads whose pseudo-labeled images get no background term (Eq. 10).
    pseudo_label_heads = PSEUDO_LABEL_HEADS

    def flip_twins(self, featmap_sizes: List[Tuple[int, int]],
                   img_shapes: List[Tuple[int, int]], batch_width: int,
                   device) -> Tuple[Tensor, Tensor]:
        """Each prior's twin on the flipped image, as this detector's
        consistency loss pairs them (by geometry), for the pool scoring.

        Args:
            featmap_sizes (list[tuple[int, int]]): per level (H, W).
            img_shapes (list[tuple[int, int]]): per image (h, w), each
                flipped inside its own region of the padded batch.
            batch_width (int): the padded batch's width.
            device: where the tensors go.

        Returns:
            tuple[Tensor, Tensor]: (N, P) twin index and (N, P) bool
            validity (a prior without a twin points to itself).
        """
        return self.flip_adapter.twins(featmap_sizes, img_shapes, device)

    def check_pseudo_label_head(self, label_types: List[str]) -> None:
        """Raise ValueError when a batch has pseudo-labeled images and the
        head would train their unlabeled regions as background."""
        if PSEUDO in label_types and \
                not isinstance(self.bbox_head, self.pseudo_label_heads):
            names = ', '.join(h.__name__ for h in self.pseudo_label_heads)
            raise ValueError(
                f'the batch has pseudo-labeled images but bbox_head is '
                f'{type(self.bbox_head).__name__}, which would train their '
                f'unlabeled regions as background; use {names}')

    def current_consistency_weight(self) -> float:
        """``consistency_weight`` times the ramp at the Runner's iteration
        (MessageHub ``iter``/``max_iters``; the weight alone outside one)."""
        hub = MessageHub.get_current_instance()
        cur_iter, max_iters = hub.get_info('iter'), hub.get_info('max_iters')
        if cur_iter is None or not max_iters:
            return self.consistency_weight
        return self.consistency_weight * ramp_weight(
            cur_iter, max_iters, self.ramp_up, self.ramp_down)

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """Supervised + flip-consistency losses of a mixed batch.

        Args:
            batch_inputs (Tensor): (N, 3, H, W) preprocessed, padded.
            batch_data_samples (list[DetDataSample]): N samples with
                ``img_shape``; labeled and pseudo ones carry
                ``gt_instances``.

        Returns:
            dict[str, Tensor | list[Tensor]]: the head's losses and the
            weighted consistency terms.
        """
        label_types = [get_label_type(s) for s in batch_data_samples]
        self.check_pseudo_label_head(label_types)
        keep = [i for i, t in enumerate(label_types) if t != UNLABELED]
        if self.consistency_weight == 0:
            if keep and len(keep) < len(label_types):
                batch_inputs = batch_inputs[keep]
                batch_data_samples = [batch_data_samples[i] for i in keep]
            outs = self.bbox_head(self.extract_feat(batch_inputs))
            return self._head_loss(outs, batch_data_samples)
        num_imgs = batch_inputs.size(0)
        img_shapes = [tuple(s.img_shape[:2]) for s in batch_data_samples]
        flipped = flip_image_regions(batch_inputs, img_shapes)
        # One forward for originals and flips: one pass of 2N, not two of N.
        outs = self.bbox_head(
            self.extract_feat(torch.cat([batch_inputs, flipped])))
        originals = tuple([m[:num_imgs] for m in out] for out in outs)
        flips = tuple([m[num_imgs:] for m in out] for out in outs)
        losses = self._head_loss(
            _select(originals, keep, num_imgs),
            [batch_data_samples[i] for i in keep])
        pairs = self.flip_adapter.pair(originals, flips, img_shapes)
        con = paired_flip_consistency(
            pairs.cls_logits, pairs.twin_cls_logits, pairs.bbox_preds,
            pairs.twin_bbox_preds, self.flip_adapter.mask(pairs),
            self.flip_adapter.use_sigmoid, self.loc_huber_delta,
            pairs.aux_logits, pairs.twin_aux_logits)
        weight = self.current_consistency_weight()
        losses.update({key: weight * value for key, value in con.items()})
        return losses

    def _head_loss(self, outs: HeadOutputs,
                   data_samples: SampleList) -> Dict[str, Tensor]:
        """The head's loss on the supervised images ``outs`` hold.

        Unlabeled images never get here: with empty ground truth an anchor
        or point head would train all their priors as background.
        """
        supervised = [s for s in data_samples
                      if get_label_type(s) != UNLABELED]
        if not supervised:
            # Zeros that still reach every head output, so that DDP without
            # find_unused_parameters sees all gradients.
            zero = sum(m.sum() for out in outs for m in out) * 0.0
            return dict(loss_cls=zero, loss_bbox=zero.clone())
        gt_instances, gt_instances_ignore, img_metas = unpack_gt_instances(
            supervised)
        return self.bbox_head.loss_by_feat(*outs, gt_instances, img_metas,
                                           gt_instances_ignore)


def _select(outs: HeadOutputs, keep: List[int],
            num_imgs: int) -> HeadOutputs:
    """The images ``keep`` of every level map (all when ``keep`` is empty:
    the zero loss still needs every output)."""
    if not keep or len(keep) == num_imgs:
        return outs
    index = torch.tensor(keep, device=outs[0][0].device)
    return tuple([m.index_select(0, index) for m in out] for out in outs)
