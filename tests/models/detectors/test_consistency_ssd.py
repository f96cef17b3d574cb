"""ConsistencySSD: one batched forward of images + flips, supervised loss on
labeled/pseudo images, flip-consistency on all, ramp from the MessageHub."""
import copy
import math
import uuid

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub
from mmengine.structures import InstanceData

import mmdet_alssl  # noqa: F401  (registers the components)
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules
from mmdet_alssl.models.detectors import ConsistencySSD

# Default scope 'mmdet', so that nested configs (DetDataPreprocessor) resolve
# as they do under a Runner.
register_all_modules()

NUM_CLASSES = 3
SIZE = 64
LOSS_KEYS = {'loss_cls', 'loss_bbox', 'loss_con_cls', 'loss_con_loc'}


def tiny_cfg(**kwargs) -> ConfigDict:
    """SSD on MobileNetV2 x0.25 at 64 px: maps 4, 2, 1, 1; no download."""
    norm_cfg = dict(type='BN', eps=0.001, momentum=0.03)
    cfg = dict(
        type='ConsistencySSD',
        data_preprocessor=dict(
            type='DetDataPreprocessor',
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375],
            bgr_to_rgb=True),
        backbone=dict(
            type='MobileNetV2', widen_factor=0.25, out_indices=(4, 6),
            norm_cfg=norm_cfg, init_cfg=None),
        neck=dict(
            type='SSDNeck', in_channels=(24, 80),
            out_channels=(24, 80, 32, 32), level_strides=(2, 2),
            level_paddings=(1, 1), l2_norm_scale=None, norm_cfg=norm_cfg,
            init_cfg=None),
        bbox_head=dict(
            type='PseudoLabelSSDHead', num_classes=NUM_CLASSES,
            in_channels=(24, 80, 32, 32),
            anchor_generator=dict(
                type='SSDAnchorGenerator', scale_major=False,
                strides=[16, 32, 64, 64], ratios=[[2]] * 4,
                min_sizes=[8, 20, 36, 52], max_sizes=[20, 36, 52, 64]),
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder', target_means=[0.0] * 4,
                target_stds=[0.1, 0.1, 0.2, 0.2]),
            init_cfg=None),
        train_cfg=dict(
            assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5,
                          neg_iou_thr=0.5, min_pos_iou=0.,
                          ignore_iof_thr=-1, gt_max_assign_all=False),
            sampler=dict(type='PseudoSampler'), smoothl1_beta=1.,
            allowed_border=-1, pos_weight=-1, neg_pos_ratio=3, debug=False),
        test_cfg=dict(nms_pre=1000, nms=dict(type='nms', iou_threshold=0.45),
                      min_bbox_size=0, score_thr=0.02, max_per_img=200))
    cfg.update(kwargs)
    return ConfigDict(cfg)  # attribute access, as under a Runner


def build(**kwargs) -> ConsistencySSD:
    torch.manual_seed(0)
    return MODELS.build(tiny_cfg(**kwargs))


def mixed_batch(model, label_types, training=True):
    """demo_mm_inputs with a label_type per image; unlabeled ones lose
    their boxes, as the datasets load them."""
    packed = demo_mm_inputs(len(label_types), (3, SIZE, SIZE),
                            num_items=[3] * len(label_types),
                            num_classes=NUM_CLASSES)
    for sample, label_type in zip(packed['data_samples'], label_types):
        sample.set_metainfo(dict(label_type=label_type))
        if label_type == 'unlabeled':
            sample.gt_instances = InstanceData(
                bboxes=torch.zeros(0, 4), labels=torch.zeros(0).long())
    data = model.data_preprocessor(packed, training)
    return data['inputs'], data['data_samples']


@pytest.fixture(autouse=True)
def fresh_message_hub():
    """A current MessageHub without 'iter' before and after each test: no
    other test's Runner sets the ramp here, and the ramp test's info does
    not leak out."""
    MessageHub.get_instance(f'test_consistency_ssd_{uuid.uuid4().hex}')
    yield
    MessageHub.get_instance(f'test_consistency_ssd_{uuid.uuid4().hex}')


def finite_total(losses):
    total = 0.0
    for key in LOSS_KEYS:
        value = losses[key]
        value = sum(value) if isinstance(value, (list, tuple)) else value
        assert torch.isfinite(value).all(), key
        total = total + value
    return total


def test_registered_and_bad_arguments():
    assert MODELS.get('ConsistencySSD') is ConsistencySSD
    with pytest.raises(ValueError, match='-1'):
        build(consistency_weight=-1)
    with pytest.raises(ValueError, match='ramp_up.*2'):
        build(ramp_up=2)
    with pytest.raises(ValueError, match='loc_huber_delta'):
        build(loc_huber_delta=-1.0)
    # The location term is bounded by default (Eq. 8's square diverges on a
    # pretrained backbone); None restores the paper's square.
    assert build().loc_huber_delta == 1.0
    assert build(loc_huber_delta=None).loc_huber_delta is None


def test_loss_on_mixed_batch_is_finite_and_backprops():
    model = build()
    inputs, samples = mixed_batch(model, ['labeled', 'pseudo', 'unlabeled'])
    losses = model.loss(inputs, samples)
    assert set(losses) == LOSS_KEYS
    # The head's per-image lists: only the 2 supervised images.
    assert len(losses['loss_cls']) == len(losses['loss_bbox']) == 2
    finite_total(losses).backward()
    assert model.backbone.conv1.conv.weight.grad.abs().sum() > 0
    # Through the usual entry point too (parse_losses sums the lists).
    total, log_vars = model.parse_losses(model(inputs, samples, mode='loss'))
    assert torch.isfinite(total) and LOSS_KEYS <= set(log_vars)


def test_supervised_loss_ignores_unlabeled_images():
    model = build()
    model.eval()  # fixed BN statistics: outputs do not depend on the batch
    inputs, samples = mixed_batch(model, ['labeled', 'pseudo', 'unlabeled'])
    with torch.no_grad():
        mixed = model.loss(inputs, samples)
        alone = model.loss(inputs[:2], samples[:2])
    for key in ('loss_cls', 'loss_bbox'):
        assert torch.allclose(torch.stack(mixed[key]),
                              torch.stack(alone[key]))


def test_only_unlabeled_images():
    model = build()
    inputs, samples = mixed_batch(model, ['unlabeled', 'unlabeled'])
    losses = model.loss(inputs, samples)
    assert losses['loss_cls'].item() == 0.0
    assert losses['loss_bbox'].item() == 0.0
    total = finite_total(losses)
    assert total.requires_grad
    total.backward()
    # Zeros are attached to the head, so every head parameter gets a grad.
    assert all(p.grad is not None for p in model.bbox_head.parameters())


def test_zero_consistency_weight_forwards_only_supervised_images(
        monkeypatch):
    # Train mode: BN uses batch statistics, so equal losses mean the
    # network saw exactly the labeled/pseudo images, without flips.
    model = build(consistency_weight=0)
    inputs, samples = mixed_batch(model,
                                  ['labeled', 'unlabeled', 'pseudo'])
    seen = []
    extract = model.extract_feat
    monkeypatch.setattr(model, 'extract_feat',
                        lambda x: seen.append(x.shape[0]) or extract(x))
    torch.manual_seed(0)
    mixed = model.loss(inputs, samples)
    torch.manual_seed(0)
    alone = model.loss(inputs[[0, 2]], [samples[0], samples[2]])
    assert seen == [2, 2]
    assert set(mixed) == {'loss_cls', 'loss_bbox'}
    for key in ('loss_cls', 'loss_bbox'):
        assert torch.equal(torch.stack(mixed[key]), torch.stack(alone[key]))
    # Only unlabeled images: zero losses that still reach the head.
    only = model.loss(*mixed_batch(model, ['unlabeled', 'unlabeled']))
    total = only['loss_cls'] + only['loss_bbox']
    assert total.item() == 0.0
    total.backward()
    assert all(p.grad is not None for p in model.bbox_head.parameters())


def test_invalid_flag_and_plain_head_with_pseudo_images():
    model = build()
    inputs, samples = mixed_batch(model, ['labeled', 'labeled'])
    samples[1].set_metainfo(dict(label_type='half'))
    with pytest.raises(ValueError, match="'half'"):
        model.loss(inputs, samples)
    cfg = tiny_cfg()
    cfg['bbox_head']['type'] = 'SSDHead'
    plain = MODELS.build(cfg)
    inputs, samples = mixed_batch(plain, ['labeled', 'pseudo'])
    with pytest.raises(ValueError, match='PseudoLabelSSDHead'):
        plain.loss(inputs, samples)


def test_consistency_weight_follows_the_message_hub_ramp():
    model = build(consistency_weight=2.0, ramp_up=0.2, ramp_down=0.1)
    model.eval()
    inputs, samples = mixed_batch(model, ['labeled', 'unlabeled'])
    assert model.current_consistency_weight() == 2.0  # no Runner info
    with torch.no_grad():
        full = model.loss(inputs, samples)
    hub = MessageHub.get_current_instance()
    hub.update_info('max_iters', 100)
    hub.update_info('iter', 10)  # half-way up: exp(-5 / 4)
    expected = 2.0 * math.exp(-1.25)
    assert model.current_consistency_weight() == pytest.approx(expected)
    with torch.no_grad():
        ramped = model.loss(inputs, samples)
    for key in ('loss_con_cls', 'loss_con_loc'):
        assert full[key] > 0
        assert ramped[key].item() == pytest.approx(
            full[key].item() * math.exp(-1.25), rel=1e-5)
    assert torch.allclose(torch.stack(full['loss_cls']),
                          torch.stack(ramped['loss_cls']))


def test_predict_is_plain_ssd():
    model = build()
    model.eval()
    inputs, samples = mixed_batch(model, ['labeled', 'unlabeled'], False)
    with torch.no_grad():
        results = model.predict(inputs, samples, rescale=True)
    assert len(results) == 2
    for result, sample in zip(results, samples):
        pred = result.pred_instances
        assert len(pred) > 0 and pred.bboxes.shape[1] == 4
        # demo_mm_inputs' scale_factor (1.1, 1.2): boxes in the original
        # image, at most img_shape / scale_factor.
        h, w = sample.img_shape
        assert (pred.bboxes[:, 0::2] <= w / 1.1 + 1e-3).all()
        assert (pred.bboxes[:, 1::2] <= h / 1.2 + 1e-3).all()


class MirrorBackbone(nn.Module):
    """conv 3x3 (width-symmetric kernel, zero padding) + 2x2 average pools:
    exactly flip-equivariant on even widths, f(flip x) = flip f(x)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        symmetrize(self.conv.weight)

    def forward(self, x):
        x = F.avg_pool2d(F.relu(self.conv(x)), 2)
        level1 = F.avg_pool2d(x, 4)  # stride 8
        return level1, F.avg_pool2d(level1, 2)  # stride 16


def symmetrize(weight, anti=False):
    with torch.no_grad():
        mirrored = weight.flip(-1)
        weight.copy_((weight - mirrored) / 2 if anti else
                     (weight + mirrored) / 2)


def equivariant_model(dx_antisymmetric=True):
    """A real ConsistencySSD + PseudoLabelSSDHead on MirrorBackbone, whose
    head is flip-equivariant: symmetric kernels for classes, dy, dw, dh;
    antisymmetric dx kernels with zero bias (dx(flip x) = -flip dx(x)).
    Class 0 is biased up so every prior is in the foreground mask."""
    cfg = tiny_cfg()
    cfg['bbox_head'].update(
        in_channels=(8, 8),
        anchor_generator=dict(
            type='SSDAnchorGenerator', scale_major=False, strides=[8, 16],
            ratios=[[2], [2]], min_sizes=[8, 24], max_sizes=[24, 48]))
    model = MODELS.build(cfg)
    model.backbone = MirrorBackbone()
    model.neck = None  # SingleStageDetector.with_neck reads it
    head = model.bbox_head
    for cls_conv, reg_conv, anchors in zip(head.cls_convs, head.reg_convs,
                                           head.num_base_priors):
        symmetrize(cls_conv[-1].weight)
        with torch.no_grad():
            cls_conv[-1].bias.view(anchors, NUM_CLASSES + 1)[:, 0] += 5.0
        reg = reg_conv[-1]
        symmetrize(reg.weight)
        dx = reg.weight.view(anchors, 4, *reg.weight.shape[1:])[:, 0]
        if dx_antisymmetric:
            symmetrize(dx, anti=True)
            with torch.no_grad():
                reg.bias.view(anchors, 4)[:, 0] = 0.0
    return model


def test_symmetric_image_through_flip_equivariant_model_gives_zero():
    torch.manual_seed(0)
    model = equivariant_model()
    image = torch.randn(2, 3, SIZE, SIZE)
    image = (image + image.flip(-1)) / 2  # left-right symmetric
    samples = [DetDataSample(metainfo=dict(label_type='unlabeled'))] * 2
    losses = model.loss(image, samples)
    assert losses['loss_con_cls'].item() == pytest.approx(0.0, abs=1e-6)
    assert losses['loss_con_loc'].item() == pytest.approx(0.0, abs=1e-6)
    # Equivariance makes ANY image consistent, not just symmetric ones.
    losses = model.loss(torch.randn(2, 3, SIZE, SIZE), samples)
    assert losses['loss_con_cls'].item() == pytest.approx(0.0, abs=1e-6)
    assert losses['loss_con_loc'].item() == pytest.approx(0.0, abs=1e-6)


def test_symmetric_dx_on_symmetric_image_is_inconsistent():
    # Eq. 8 through the model: with a symmetric dx kernel, a symmetric image
    # gives the same dx on both sides; the flip should have negated it.
    torch.manual_seed(0)
    model = equivariant_model(dx_antisymmetric=False)
    image = torch.randn(1, 3, SIZE, SIZE)
    image = (image + image.flip(-1)) / 2
    samples = [DetDataSample(metainfo=dict(label_type='unlabeled'))]
    losses = model.loss(image, samples)
    assert losses['loss_con_cls'].item() == pytest.approx(0.0, abs=1e-6)
    cls_scores, bbox_preds = model.bbox_head(model.extract_feat(image))
    dx = torch.cat([b.view(1, -1, 4, *b.shape[2:])[:, :, 0].flatten()
                    for b in bbox_preds])
    # 1/4 (dx + dx)^2 averaged over every (masked) prior.
    expected = (dx**2).mean().item()
    assert expected > 1e-4
    assert losses['loss_con_loc'].item() == pytest.approx(expected, rel=1e-4)


def test_unchanged_forward_and_deepcopy():
    model = build()
    model.eval()
    inputs, _ = mixed_batch(model, ['labeled'], False)
    with torch.no_grad():
        cls_scores, bbox_preds = model(inputs, mode='tensor')
    assert len(cls_scores) == len(bbox_preds) == 4
    assert isinstance(copy.deepcopy(model), ConsistencySSD)
