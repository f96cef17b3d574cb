"""PseudoLabelSSDHead: Eq. 10 on pseudo-labeled images, SSD's loss on
labeled ones, working ``predict`` and ``predict_dense``.

A 64x64 image, one 2x2 feature level (stride 32), two square anchors per
location (32 px and ~45 px), C = 2 classes. Prior order: location (y, x)
row-major, anchor inside; location (1, 1) holds priors 6 and 7.
One ground-truth box [2, 2, 30, 30] of class 0 matches only prior 0
(IoU 0.77; prior 1 has 0.38), so k = 1 positive and 7 negatives; SSD mines
3k = 3 of them.
"""
import math

import numpy as np
import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

import mmdet_alssl  # noqa: F401  (registers the head)
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmdet_alssl.models.dense_heads import PseudoLabelSSDHead

NUM_CLASSES = 2
LN3 = math.log(3.0)  # CE of an all-zero logit vector over C + 1 = 3


def build_head(**kwargs) -> PseudoLabelSSDHead:
    cfg = dict(
        type='PseudoLabelSSDHead',
        num_classes=NUM_CLASSES,
        in_channels=(4, ),
        anchor_generator=dict(
            type='SSDAnchorGenerator',
            scale_major=False,
            strides=[32],
            ratios=[[]],
            min_sizes=[32],
            max_sizes=[64]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[0.0] * 4,
            target_stds=[0.1, 0.1, 0.2, 0.2]),
        train_cfg=ConfigDict(
            assigner=dict(
                type='MaxIoUAssigner',
                pos_iou_thr=0.5,
                neg_iou_thr=0.5,
                min_pos_iou=0.,
                ignore_iof_thr=-1,
                gt_max_assign_all=False),
            sampler=dict(type='PseudoSampler'),
            smoothl1_beta=1.,
            allowed_border=-1,
            pos_weight=-1,
            neg_pos_ratio=3,
            debug=False),
        test_cfg=ConfigDict(
            nms_pre=1000,
            nms=dict(type='nms', iou_threshold=0.45),
            min_bbox_size=0,
            score_thr=0.02,
            max_per_img=200),
        init_cfg=None)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def meta(label_type=None, scale_factor=(1.0, 1.0)):
    m = dict(img_shape=(64, 64), pad_shape=(64, 64), ori_shape=(64, 64),
             scale_factor=scale_factor)
    if label_type is not None:
        m['label_type'] = label_type
    return m


def head_loss(head, label_type, confident_unlabeled_region: bool):
    """loss_cls, loss_bbox and the cls logits (with grad) of one image."""
    cls = torch.zeros(1, 2 * (NUM_CLASSES + 1), 2, 2)
    if confident_unlabeled_region:
        # Both anchors at location (1, 1), far from the box: class 0 logit
        # 10, i.e. a confident real-class prediction where nothing is
        # labeled. Channel layout: anchor * (C + 1) + class.
        cls[0, [0, NUM_CLASSES + 1], 1, 1] = 10.0
    cls.requires_grad_(True)
    bbox = torch.zeros(1, 2 * 4, 2, 2, requires_grad=True)
    gt = InstanceData(bboxes=torch.tensor([[2.0, 2.0, 30.0, 30.0]]),
                      labels=torch.tensor([0]))
    losses = head.loss_by_feat([cls], [bbox], [gt], [meta(label_type)])
    return sum(losses['loss_cls']), sum(losses['loss_bbox']), cls


def test_registered():
    assert MODELS.get('PseudoLabelSSDHead') is PseudoLabelSSDHead


def test_pseudo_image_ignores_confident_prediction_on_unlabeled_region():
    head = build_head()
    plain, bbox_plain, _ = head_loss(head, 'pseudo', False)
    confident, bbox_conf, cls = head_loss(head, 'pseudo', True)
    # Positives only: one positive with all-zero logits costs ln 3 / k=1.
    assert plain.item() == pytest.approx(LN3, abs=1e-6)
    assert confident.item() == pytest.approx(LN3, abs=1e-6)
    confident.backward()
    assert torch.equal(cls.grad[0, :, 1, 1], torch.zeros(6))
    assert bbox_plain.item() == bbox_conf.item() > 0  # the box still counts


@pytest.mark.parametrize('label_type', ['labeled', None])
def test_labeled_image_treats_it_as_hard_negative(label_type):
    head = build_head()
    plain, _, _ = head_loss(head, label_type, False)
    confident, _, cls = head_loss(head, label_type, True)
    # Positive ln 3 + 3 mined negatives at ln 3 each.
    assert plain.item() == pytest.approx(4 * LN3, abs=1e-5)
    # The two confident priors are the hardest negatives, CE
    # ln(e^10 + 2) each, plus one more zero-logit negative.
    expected = 2 * LN3 + 2 * math.log(math.exp(10.0) + 2.0)
    assert confident.item() == pytest.approx(expected, rel=1e-6)
    confident.backward()
    assert cls.grad[0, :, 1, 1].abs().sum() > 0


def test_invalid_label_type_raises():
    with pytest.raises(ValueError, match="'teacher'"):
        head_loss(build_head(), 'teacher', False)


def _constant_outputs(head, fg_logit=4.0):
    """Zeroed convs, class-1 bias: every prior says class 1 with the same
    probability, with zero deltas (boxes == priors)."""
    for conv in list(head.cls_convs) + list(head.reg_convs):
        torch.nn.init.zeros_(conv[-1].weight)
        torch.nn.init.zeros_(conv[-1].bias)
    head.cls_convs[0][-1].bias.data.view(2, NUM_CLASSES + 1)[:, 1] = fg_logit
    return head(tuple([torch.randn(1, 4, 2, 2)]))


def test_predict_returns_boxes_in_image_coordinates():
    head = build_head()
    head.eval()
    cls_scores, bbox_preds = _constant_outputs(head)
    sample = DetDataSample(metainfo=meta(scale_factor=(0.5, 0.5)))
    sample.set_metainfo(dict(img_shape=(64, 64), ori_shape=(128, 128)))
    with torch.no_grad():
        (result, ) = head.predict_by_feat(
            cls_scores, bbox_preds, batch_img_metas=[sample.metainfo],
            rescale=True)
        (via_predict, ) = head.predict(
            tuple([torch.randn(1, 4, 2, 2)]), [sample], rescale=True)
    assert isinstance(result, InstanceData)
    assert isinstance(via_predict, InstanceData)
    # Priors clipped to the 64 px input, then / scale_factor 0.5.
    priors = head.prior_generator.grid_priors([(2, 2)], device='cpu')[0]
    expected = priors.clamp(0, 64) * 2
    assert len(result) > 0
    assert (result.labels == 1).all()
    prob = math.exp(4.0) / (math.exp(4.0) + 2.0)
    assert torch.allclose(result.scores, torch.full_like(result.scores, prob))
    for box in result.bboxes:
        assert torch.isclose(expected, box, atol=1e-3).all(1).any()
    assert (result.bboxes >= 0).all() and (result.bboxes <= 128).all()


def test_predict_dense_shapes_probs_and_rescale():
    head = build_head()
    cls_scores, bbox_preds = _constant_outputs(head)
    cls_scores = [torch.cat([s, torch.randn_like(s)]) for s in cls_scores]
    bbox_preds = [torch.cat([b, torch.randn_like(b)]) for b in bbox_preds]
    metas = [meta(scale_factor=np.array([0.5, 0.25])), meta()]
    dense = head.predict_dense(cls_scores, bbox_preds, metas)
    assert len(dense) == 2
    for boxes, probs in dense:
        assert boxes.shape == (8, 4) and probs.shape == (8, NUM_CLASSES + 1)
        assert torch.allclose(probs.sum(1), torch.ones(8))
    boxes, probs = dense[0]
    priors = head.prior_generator.grid_priors([(2, 2)], device='cpu')[0]
    expected = priors.clamp(0, 64) / torch.tensor([0.5, 0.25, 0.5, 0.25])
    assert torch.allclose(boxes, expected, atol=1e-4)
    p = math.exp(4.0) / (math.exp(4.0) + 2.0)
    assert torch.allclose(probs[:, 1], torch.full((8, ), p))
    # Background is the last column.
    assert torch.allclose(probs[:, 2], torch.full((8, ), (1 - p) / 2))
    unscaled, _ = head.predict_dense(cls_scores, bbox_preds, metas,
                                     rescale=False)[0]
    assert torch.allclose(unscaled, priors.clamp(0, 64), atol=1e-4)


def test_predict_dense_bad_metas():
    head = build_head()
    cls_scores, bbox_preds = _constant_outputs(head)
    with pytest.raises(ValueError, match='2 img metas'):
        head.predict_dense(cls_scores, bbox_preds, [meta(), meta()])
