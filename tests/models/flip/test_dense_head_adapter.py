"""The head adapter per head family (softmax anchors: SSD; sigmoid anchors,
offset 0: RetinaNet; points with centerness: FCOS): outputs built to be
mirror-consistent give 0, one perturbed prior gives a hand-computed value;
the coder-independent box mapping is today's dx negation for deltas."""
import math

import pytest
import torch

import mmdet_alssl  # noqa: F401
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules
from mmdet_alssl.models import PseudoLabelFCOSHead
from mmdet_alssl.models.flip import DenseHeadFlipAdapter
from mmdet_alssl.models.losses import (flip_consistency_loss,
                                       paired_flip_consistency, symmetric_kl)

register_all_modules()
LN3 = math.log(3.0)
NUM_CLASSES = 3
DELTA_CODER = dict(type='DeltaXYWHBBoxCoder', target_means=[0.0] * 4,
                   target_stds=[0.1, 0.1, 0.2, 0.2])


def ssd_head():
    return MODELS.build(dict(
        type='PseudoLabelSSDHead', num_classes=NUM_CLASSES,
        in_channels=(8, 8),
        anchor_generator=dict(
            type='SSDAnchorGenerator', scale_major=False, strides=[8, 16],
            ratios=[[2], [2]], min_sizes=[8, 16], max_sizes=[16, 32]),
        bbox_coder=DELTA_CODER, init_cfg=None))


def retina_head():
    return MODELS.build(dict(
        type='PseudoLabelRetinaHead', num_classes=NUM_CLASSES,
        in_channels=8, stacked_convs=1, feat_channels=8,
        anchor_generator=dict(type='AnchorGenerator', octave_base_scale=2,
                              scales_per_octave=1, ratios=[0.5, 1.0],
                              strides=[8, 16]),
        bbox_coder=DELTA_CODER))


def fcos_head():
    return MODELS.build(dict(
        type='PseudoLabelFCOSHead', num_classes=NUM_CLASSES, in_channels=8,
        stacked_convs=1, feat_channels=32, strides=[8, 16],
        regress_ranges=((-1, 16), (16, 1e8))))


SIZES = [(4, 4), (2, 2)]  # a 32x32 batch at strides 8 and 16


def random_outputs(head, num_imgs=2):
    """Per level maps of the head's forward, class 0 confident everywhere
    (every valid prior is masked in); FCOS distances >= 0."""
    torch.manual_seed(0)
    adapter = DenseHeadFlipAdapter(head)
    is_fcos = isinstance(head, PseudoLabelFCOSHead)
    channels = [head.cls_out_channels, 4] + ([1] if is_fcos else [])
    outs = []
    for k, c in enumerate(channels):
        maps = []
        for (h, w), a in zip(SIZES, adapter.num_base_priors):
            m = torch.randn(num_imgs, h, w, a, c) * 0.3
            if k == 0:
                m[..., 0] += 4.0
            if k == 1 and is_fcos:
                m = m.abs() + 0.5
            maps.append(m.reshape(num_imgs, h, w, a * c).permute(0, 3, 1, 2))
        outs.append(maps)
    return adapter, tuple(outs)


def unflatten(flat, adapter, channels):
    maps, start = [], 0
    for (h, w), a in zip(SIZES, adapter.num_base_priors):
        n = h * w * a
        level = flat[:, start:start + n].reshape(-1, h, w, a * channels)
        maps.append(level.permute(0, 3, 1, 2).contiguous())
        start += n
    return maps


def consistent_flips(adapter, outs, img_shapes, flip_box):
    """What a mirror-consistent network predicts on the flips: at each
    valid prior's twin, the prior's own class (and centerness) logits and
    its box flipped by ``flip_box``; garbage where there is no twin."""
    flats = adapter.split_outputs(outs)
    twin, valid = adapter.twins(SIZES, img_shapes, 'cpu')
    result = []
    for k, flat in enumerate(flats):
        if flat is None:
            continue
        flat = flat if flat.dim() == 3 else flat[..., None]
        flipped = torch.randn_like(flat) * 50  # no twin: must not matter
        if k == 1:
            flipped = flipped.abs()
        for i in range(flat.size(0)):
            v = valid[i]
            value = flip_box(flat[i, v]) if k == 1 else flat[i, v]
            flipped[i, twin[i, v]] = value
        result.append(unflatten(flipped, adapter, flat.size(-1)))
    return tuple(result), twin, valid


def negate_dx(deltas):
    return deltas * deltas.new_tensor([-1.0, 1.0, 1.0, 1.0])


def swap_lr(distances):
    return distances[:, [2, 1, 0, 3]]


def loss_of(adapter, outs, flips, img_shapes, huber=1.0):
    pairs = adapter.pair(outs, flips, img_shapes)
    return paired_flip_consistency(
        pairs.cls_logits, pairs.twin_cls_logits, pairs.bbox_preds,
        pairs.twin_bbox_preds, adapter.mask(pairs), adapter.use_sigmoid,
        huber, pairs.aux_logits, pairs.twin_aux_logits), pairs


def perturb(flips, adapter, prior, twin_prior, img, bump_class, bump_box):
    """Add ``bump_class`` to class 1's logit and ``bump_box`` to the box
    values of the flips' prior ``twin_prior`` of image ``img``."""
    cls_flat, box_flat, _ = adapter.split_outputs(flips)
    cls_flat, box_flat = cls_flat.clone(), box_flat.clone()
    cls_flat[img, twin_prior, 1] += bump_class
    box_flat[img, twin_prior] += box_flat.new_tensor(bump_box)
    return (unflatten(cls_flat, adapter, cls_flat.size(-1)),
            unflatten(box_flat, adapter, 4)) + tuple(flips[2:])


@pytest.mark.parametrize('make_head,flip_box,shapes,num_valid', [
    # SSD: symmetric anchors, every prior has a twin: 2 x (16 + 4) x 4
    (ssd_head, negate_dx, [(32, 32), (32, 32)], 2 * 20 * 4),
    # RetinaNet offset 0: column 0 of each level has none: 2 x (12 + 2) x 2
    (retina_head, negate_dx, [(32, 32), (32, 32)], 2 * 14 * 2),
    # FCOS points in a keep-ratio batch: image 1 is 16x24 (see
    # test_prior_pairing): 16 + 4 valid on image 0, 6 on image 1
    (fcos_head, swap_lr, [(32, 32), (16, 24)], 20 + 6),
])
def test_consistent_outputs_give_zero_and_one_perturbed_prior_known(
        make_head, flip_box, shapes, num_valid):
    adapter, outs = random_outputs(make_head())
    flips, twin, valid = consistent_flips(adapter, outs, shapes, flip_box)
    assert int(valid.sum()) == num_valid
    losses, pairs = loss_of(adapter, outs, flips, shapes)
    assert int(adapter.mask(pairs).sum()) == num_valid
    for key, value in losses.items():
        assert value.item() == pytest.approx(0.0, abs=1e-5), key
    assert ('loss_con_aux' in losses) == (len(outs) == 3)

    # One prior of image 0 (row 1, column 1 of level 0, base prior 0): its
    # twin's class-1 logit moves by ln 3 and its twin's dy by 0.5.
    a = adapter.num_base_priors[0]
    prior = (1 * 4 + 1) * a
    q = int(twin[0, prior])
    assert valid[0, prior] and q != prior
    cls, _, _ = adapter.split_outputs(outs)
    flips = perturb(flips, adapter, prior, q, 0, LN3, [0.0, 0.5, 0.0, 0.0])
    losses, _ = loss_of(adapter, outs, flips, shapes)
    logits = cls[0, prior].detach()
    bumped = logits.clone()
    bumped[1] += LN3
    if adapter.use_sigmoid:
        p, r = logits[1].sigmoid(), bumped[1].sigmoid()
        expected_cls = 0.5 * (r - p) * LN3  # one Bernoulli's Eq. 2
    else:
        expected_cls = symmetric_kl(logits.softmax(-1), bumped.softmax(-1))
    assert losses['loss_con_cls'].item() == pytest.approx(
        expected_cls.item() / num_valid, rel=1e-4)
    # dy (deltas, scaled by the coder) or t (distances) off by 0.5:
    # 0.5^2 / 4 over the masked priors
    assert losses['loss_con_loc'].item() == pytest.approx(
        0.25 / 4 / num_valid, rel=1e-3)


def test_ssd_through_the_adapter_equals_consistency_ssd_loss():
    # the SSD path of the generic detector computes today's SSD loss
    adapter, outs = random_outputs(ssd_head())
    torch.manual_seed(1)
    flips = tuple([m + torch.randn_like(m) for m in out] for out in outs)
    shapes = [(32, 32)] * 2
    generic, _ = loss_of(adapter, outs, flips, shapes)
    today = flip_consistency_loss(outs[0], flips[0], outs[1], flips[1],
                                  NUM_CLASSES, loc_huber_delta=1.0)
    for key in today:
        assert generic[key].item() == pytest.approx(today[key].item(),
                                                    rel=1e-5), key


@pytest.mark.parametrize('make_head,flip_box', [(retina_head, negate_dx),
                                                (fcos_head, swap_lr)])
def test_coder_mapping_is_dx_negation_or_lr_swap(make_head, flip_box):
    adapter = DenseHeadFlipAdapter(make_head())
    priors = torch.cat(adapter.priors(SIZES, 'cpu'))
    twin, valid = adapter.twins(SIZES, [(32, 32)], 'cpu')
    torch.manual_seed(0)
    preds = torch.rand(1, len(priors), 4) * 3 - (
        1.5 if flip_box is negate_dx else 0.0)  # |dw| < 4.1: no clamp
    mapped = adapter.mirror_into_prior_frame(priors, twin, preds[:, twin[0]],
                                             [(32, 32)])
    v = valid[0]
    assert torch.allclose(mapped[0, v], flip_box(preds[0, twin[0]][v]),
                          atol=1e-5)


def test_unsupported_heads_are_named():
    gfl = MODELS.build(dict(
        type='GFLHead', num_classes=NUM_CLASSES, in_channels=8,
        stacked_convs=1, feat_channels=32,
        anchor_generator=dict(type='AnchorGenerator', ratios=[1.0],
                              octave_base_scale=8, scales_per_octave=1,
                              strides=[8, 16])))
    adapter = DenseHeadFlipAdapter(gfl)  # priors and a coder: it builds
    maps = [torch.zeros(1, 4 * 17, h, w) for h, w in SIZES]
    with pytest.raises(TypeError, match='GFLHead predicts 68 box channels'):
        adapter.flatten(maps, 4, 'box')

    class NoCoderHead(torch.nn.Module):
        num_classes, cls_out_channels, prior_generator = 3, 3, None

    with pytest.raises(TypeError, match='NoCoderHead cannot.*bbox_coder'):
        DenseHeadFlipAdapter(NoCoderHead())
