"""Eq. 10 on RetinaNet, ATSS and FCOS heads: on a pseudo-labeled image the
priors assigned to no pseudo box add no classification loss; labeled
images keep the head's loss. Hand-computed focal losses.

Set-up: one 32x32 image, one level of stride 8 (4x4 locations), all class
logits 0 (p = 0.5 for each of C = 3 classes), one box [8, 8, 24, 24] of
class 1. Sigmoid focal loss (alpha 0.25, gamma 2) per prior:
- positive: 0.25 * 0.5^2 ln 2 (its class) + 2 x 0.75 * 0.5^2 ln 2 = 0.4375 ln 2
- negative: 3 x 0.75 * 0.5^2 ln 2 = 0.5625 ln 2
"""
import math

import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

import mmdet_alssl  # noqa: F401
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules

register_all_modules()
LN2 = math.log(2.0)
POS, NEG = 0.4375 * LN2, 0.5625 * LN2
NUM_CLASSES = 3
# RetinaNet / ATSS: one 16 px anchor per location, centres at 0, 8, 16,
# 24: the anchor at (16, 16) IS the box; its 4-neighbours have IoU 1/3
ANCHORS = dict(type='AnchorGenerator', octave_base_scale=2,
               scales_per_octave=1, ratios=[1.0], strides=[8])
FOCAL = dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
             loss_weight=1.0)


def retina():
    # MaxIoU 0.5 / 0.4: 1 positive, 15 negatives, none ignored
    return MODELS.build(dict(
        type='PseudoLabelRetinaHead', num_classes=NUM_CLASSES,
        in_channels=4, stacked_convs=1, feat_channels=32,
        anchor_generator=ANCHORS, loss_cls=FOCAL,
        train_cfg=ConfigDict(
            assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5,
                          neg_iou_thr=0.4, min_pos_iou=0,
                          ignore_iof_thr=-1),
            sampler=dict(type='PseudoSampler'), allowed_border=-1,
            pos_weight=-1, debug=False))), 1


def atss():
    # ATSS top-9: IoUs 1, 1/3 x 4, 1/7 x 4 -> threshold mean + std ~ 0.59:
    # 1 positive
    return MODELS.build(dict(
        type='PseudoLabelATSSHead', num_classes=NUM_CLASSES, in_channels=4,
        stacked_convs=1, feat_channels=32, anchor_generator=ANCHORS,
        loss_cls=FOCAL, loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
        train_cfg=ConfigDict(assigner=dict(type='ATSSAssigner', topk=9),
                             allowed_border=-1, pos_weight=-1,
                             debug=False))), 1


def fcos():
    # points at 4, 12, 20, 28: the 4 strictly inside the box are positive
    return MODELS.build(dict(
        type='PseudoLabelFCOSHead', num_classes=NUM_CLASSES, in_channels=4,
        stacked_convs=1, feat_channels=32, strides=[8],
        regress_ranges=((-1, 1e8), ))), 4


def losses(head, label_types):
    n = len(label_types)
    outs = [[torch.zeros(n, NUM_CLASSES, 4, 4)], [torch.zeros(n, 4, 4, 4)]]
    if 'FCOS' in type(head).__name__ or 'ATSS' in type(head).__name__:
        outs.append([torch.zeros(n, 1, 4, 4)])  # centerness
    gts = [InstanceData(bboxes=torch.tensor([[8.0, 8.0, 24.0, 24.0]]),
                        labels=torch.tensor([1])) for _ in label_types]
    metas = [dict(img_shape=(32, 32), pad_shape=(32, 32), label_type=t)
             for t in label_types]
    return head.loss_by_feat(*outs, gts, metas)


def total(value):
    return sum(value) if isinstance(value, (list, tuple)) else value


@pytest.mark.parametrize('make', [retina, atss, fcos])
def test_pseudo_images_have_no_negative_classification_loss(make):
    head, num_pos = make()
    labeled = losses(head, ['labeled'])
    pseudo = losses(head, ['pseudo'])
    num_neg = 16 - num_pos
    # the average factor is the number of positives
    assert total(labeled['loss_cls']).item() == pytest.approx(
        (num_pos * POS + num_neg * NEG) / num_pos, rel=1e-5)
    assert total(pseudo['loss_cls']).item() == pytest.approx(POS, rel=1e-5)
    # positives' box (and centerness) losses are the labeled image's
    for key in labeled:
        if key != 'loss_cls':
            assert total(pseudo[key]).item() == pytest.approx(
                total(labeled[key]).item()), key
    # per image in a mixed batch: both images' positives count
    mixed = losses(head, ['labeled', 'pseudo'])
    assert total(mixed['loss_cls']).item() == pytest.approx(
        (2 * num_pos * POS + num_neg * NEG) / (2 * num_pos), rel=1e-5)


def test_fcos_ignore_label_wraps_the_focal_loss_only_where_needed():
    head, _ = fcos()
    pred = torch.zeros(3, NUM_CLASSES)
    plain = head.loss_cls(pred, torch.tensor([1, 3, 3]), avg_factor=1.0)
    assert plain.item() == pytest.approx(POS + 2 * NEG, rel=1e-5)
    ignored = head.loss_cls(pred, torch.tensor([1, -1, 3]), avg_factor=1.0)
    assert ignored.item() == pytest.approx(POS + NEG, rel=1e-5)
