"""Flip-consistency terms (Eq. 2, 8, 9) and the ramp, against hand-computed
values."""
import math

import pytest
import torch

from mmdet_alssl.models.losses.consistency import (DEFAULT_LOC_HUBER_DELTA,
                                                   flip_consistency_loss,
                                                   location_consistency,
                                                   mirrored_prior_index,
                                                   ramp_weight, symmetric_kl)

LN3 = math.log(3.0)


def test_symmetric_kl_hand_computed():
    # p = (0.5, 0.5), q = (0.9, 0.1):
    # KL(p||q) = 0.5 ln(0.5/0.9) + 0.5 ln(0.5/0.1) = 0.5108256
    # KL(q||p) = 0.9 ln(0.9/0.5) + 0.1 ln(0.1/0.5) = 0.3680642
    # Eq. 2 = (0.5108256 + 0.3680642) / 2 = 0.4394449
    p = torch.tensor([0.5, 0.5])
    q = torch.tensor([0.9, 0.1])
    assert symmetric_kl(p, q).item() == pytest.approx(0.4394449, abs=1e-6)
    assert symmetric_kl(q, p).item() == pytest.approx(0.4394449, abs=1e-6)
    assert symmetric_kl(p, p).item() == 0.0


def test_symmetric_kl_batched_shape_and_underflow():
    p = torch.tensor([[0.5, 0.5], [1.0, 0.0]]).expand(3, 2, 2)
    q = torch.tensor([[0.9, 0.1], [1.0, 0.0]]).expand(3, 2, 2)
    out = symmetric_kl(p, q)
    assert out.shape == (3, 2)
    assert torch.allclose(out[:, 0], torch.full((3, ), 0.4394449))
    # A probability that underflowed to 0 on both sides costs nothing.
    assert torch.equal(out[:, 1], torch.zeros(3))
    with pytest.raises(ValueError, match=r'\(2,\)'):
        symmetric_kl(torch.ones(3) / 3, torch.ones(2) / 2)
    with pytest.raises(ValueError, match='eps'):
        symmetric_kl(p, q, eps=0.0)


def test_location_consistency_sign_convention():
    deltas = torch.tensor([0.2, 0.1, 0.3, -0.1])
    # The flip negates dx: equal and opposite x-offsets cost nothing.
    opposite = torch.tensor([-0.2, 0.1, 0.3, -0.1])
    assert location_consistency(deltas, opposite).item() == 0.0
    # Equal x-offsets are inconsistent: 1/4 * (0.2 + 0.2)^2 = 0.04.
    assert location_consistency(deltas, deltas).item() == pytest.approx(0.04)
    # y, w, h are not negated: 1/4 * (0.1 - (-0.1))^2 = 0.01 for dy.
    other_dy = torch.tensor([-0.2, -0.1, 0.3, -0.1])
    assert location_consistency(deltas,
                                other_dy).item() == pytest.approx(0.01)
    with pytest.raises(ValueError, match='4'):
        location_consistency(torch.zeros(2, 3), torch.zeros(2, 3))


def _mirror_of(cls_scores, bbox_preds):
    """Maps a perfectly consistent network would give for the flipped
    images: mirrored along width, dx channels (every 4th) negated."""
    flipped_cls = [torch.flip(s, [-1]) for s in cls_scores]
    flipped_bbox = []
    for b in bbox_preds:
        sign = torch.ones(b.size(1))
        sign[0::4] = -1.0
        flipped_bbox.append(torch.flip(b, [-1]) * sign.view(1, -1, 1, 1))
    return flipped_cls, flipped_bbox


def test_location_huber_hand_computed():
    # residuals (dx + dx^, dy - dy^, dw - dw^, dh - dh^) = (3, 0.5, 0, -2)
    deltas = torch.tensor([[1.0, 0.5, 0.0, -1.0]])
    flipped = torch.tensor([[2.0, 0.0, 0.0, 1.0]])
    # Eq. 8: (9 + 0.25 + 0 + 4) / 4
    assert location_consistency(deltas, flipped).item() == pytest.approx(
        13.25 / 4)
    # Huber at 1: r^2 inside, 2|r| - 1 outside: (5 + 0.25 + 0 + 3) / 4
    assert location_consistency(deltas, flipped, 1.0).item() == \
        pytest.approx(8.25 / 4)
    # Inside the threshold it is Eq. 8 exactly.
    assert location_consistency(deltas, flipped, 5.0).item() == \
        pytest.approx(13.25 / 4)
    # Bounded gradient: at most 2 * delta / 4 per coordinate.
    deltas = torch.tensor([[100.0, 0.0, 0.0, 0.0]], requires_grad=True)
    location_consistency(deltas, torch.zeros(1, 4), 1.0).backward()
    assert deltas.grad[0, 0].item() == pytest.approx(0.5)


def test_huber_is_the_detectors_default_and_checked():
    assert DEFAULT_LOC_HUBER_DELTA == 1.0
    maps = [torch.zeros(1, 2 * 4, 2, 2)]
    with pytest.raises(ValueError, match='loc_huber_delta.*0'):
        flip_consistency_loss([torch.zeros(1, 2 * 2, 2, 2)] * 1,
                              [torch.zeros(1, 2 * 2, 2, 2)], maps, maps,
                              num_classes=1, loc_huber_delta=0)


def test_mirror_symmetric_maps_give_zero_loss():
    torch.manual_seed(0)
    num_classes, anchors = 3, (2, 3)
    cls_scores = [
        torch.randn(2, a * (num_classes + 1), h, w)
        for a, (h, w) in zip(anchors, [(4, 5), (2, 2)])
    ]
    bbox_preds = [
        torch.randn(2, a * 4, s.size(2), s.size(3))
        for a, s in zip(anchors, cls_scores)
    ]
    for s in cls_scores:  # class 0 beats background: every prior masked
        s.view(2, -1, num_classes + 1, *s.shape[2:])[:, :, 0] += 5.0
    flipped_cls, flipped_bbox = _mirror_of(cls_scores, bbox_preds)
    out = flip_consistency_loss(cls_scores, flipped_cls, bbox_preds,
                                flipped_bbox, num_classes)
    assert set(out) == {'loss_con_cls', 'loss_con_loc'}
    assert out['loss_con_cls'].item() == pytest.approx(0.0, abs=1e-6)
    assert out['loss_con_loc'].item() == pytest.approx(0.0, abs=1e-6)
    # The same maps NOT mirrored are inconsistent: the test can fail.
    unmirrored = flip_consistency_loss(cls_scores, cls_scores, bbox_preds,
                                       bbox_preds, num_classes)
    assert unmirrored['loss_con_cls'].item() > 1e-2
    assert unmirrored['loss_con_loc'].item() > 1e-2


def test_mirrored_prior_index_hand_computed():
    # Level 0: 2 x 3 locations, 2 anchors, prior (y, x, a) = (3y + x)2 + a;
    # its twin is (y, 2 - x, a). Level 1: one location, its own twin.
    index = mirrored_prior_index([(2, 3), (1, 1)], [2, 1])
    assert index.tolist() == [4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7, 12]
    assert index.dtype == torch.long
    assert index[index].tolist() == list(range(13))  # an involution
    with pytest.raises(ValueError, match='2 feature maps but anchor counts '
                       'for 1 levels'):
        mirrored_prior_index([(2, 3), (1, 1)], [2])


@pytest.mark.parametrize('config, size', [
    ('alssl_ssd_lite0_synthetic_cpu.py', 128),
    ('alssl_ssd_lite0_bccd256_cpu.py', 256)])
def test_mirrored_prior_index_pairs_mirrored_ssd_anchors(config, size):
    # The shipped configs' real anchors: a prior and its twin are mirror
    # images about the vertical centre line of the input.
    from mmdet.registry import TASK_UTILS
    from mmengine.config import Config
    cfg = Config.fromfile(f'configs/{config}')
    (resize, ) = [t for t in cfg.test_dataloader.dataset.pipeline
                  if t.type == 'Resize']
    assert resize.scale == (size, size)
    generator = TASK_UTILS.build(cfg.model.bbox_head.anchor_generator)
    sizes = [(size // s[1], size // s[0]) for s in generator.strides]
    priors = torch.cat(generator.grid_priors(sizes, device='cpu'))
    twins = priors[mirrored_prior_index(sizes, generator.num_base_priors)]
    # pixel coordinates in float32: 1e-4 px is rounding, not a shift
    close = dict(atol=1e-4, rtol=0)
    torch.testing.assert_close(twins[:, [1, 3]], priors[:, [1, 3]], **close)
    torch.testing.assert_close(size - twins[:, [2, 0]], priors[:, [0, 2]],
                               **close)


def test_mirroring_and_mask_hand_computed():
    # One level, one anchor, C = 1, a 1x2 map. Original: column 0 is
    # foreground (p = (0.75, 0.25)), column 1 background (masked out).
    cls = torch.tensor([[LN3, 0.0], [0.0, LN3]]).T.reshape(1, 2, 1, 2)
    # Flipped image: its column 1 mirrors onto the original's column 0 and
    # predicts q = (0.25, 0.75); its column 0 (onto the masked column 1)
    # disagrees wildly and must not count.
    flipped_cls = torch.tensor([[5.0, -5.0], [0.0, LN3]]).T.reshape(1, 2, 1, 2)
    bbox = torch.tensor([[0.1, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]).T
    flipped_bbox = torch.tensor([[9.0, 9.0, 9.0, 9.0], [0.1, 0.0, 0.0, 0.0]]).T
    out = flip_consistency_loss([cls], [flipped_cls],
                                [bbox.reshape(1, 4, 1, 2)],
                                [flipped_bbox.reshape(1, 4, 1, 2)],
                                num_classes=1)
    # Eq. 2: 1/2 [(0.75-0.25) ln 3 + (0.25-0.75) ln(1/3)] = ln(3)/2.
    assert out['loss_con_cls'].item() == pytest.approx(LN3 / 2, abs=1e-5)
    # Eq. 8: equal dx = 0.1 on both sides: 1/4 * 0.2^2 = 0.01.
    assert out['loss_con_loc'].item() == pytest.approx(0.01, abs=1e-6)


def test_empty_mask_gives_zero_with_graph():
    cls = torch.zeros(1, 3, 2, 2)
    cls[:, 2] = 4.0  # background (last channel) wins everywhere
    cls.requires_grad_(True)
    bbox = torch.randn(1, 4, 2, 2, requires_grad=True)
    out = flip_consistency_loss([cls], [cls * 2], [bbox], [bbox + 1], 2)
    assert out['loss_con_cls'].item() == 0.0
    assert out['loss_con_loc'].item() == 0.0
    (out['loss_con_cls'] + out['loss_con_loc']).backward()
    assert cls.grad is not None and torch.equal(cls.grad,
                                                torch.zeros_like(cls))


def test_flip_consistency_bad_inputs():
    cls = [torch.zeros(1, 3, 2, 2)]
    bbox = [torch.zeros(1, 4, 2, 2)]
    with pytest.raises(ValueError, match=r'\[1, 1, 1, 2\]'):
        flip_consistency_loss(cls, cls, bbox, bbox + bbox, 2)
    with pytest.raises(ValueError, match='num_classes'):
        flip_consistency_loss(cls, cls, bbox, bbox, 0)
    with pytest.raises(ValueError, match='check num_classes'):
        flip_consistency_loss(cls, cls, bbox, bbox, 4)


@pytest.mark.parametrize('cur_iter, expected', [
    (0, math.exp(-5.0)),              # start of the ramp up
    (10, math.exp(-5.0 * 0.25)),      # half way up: 0.2865048
    (20, 1.0),                        # ramp up done
    (50, 1.0),
    (90, 1.0),                        # ramp down starts after 90
    (95, math.exp(-12.5 * 0.25)),     # half way down: 0.0439369
    (100, math.exp(-12.5)),           # end of training
    (150, math.exp(-12.5)),           # past the end counts as the end
])
def test_ramp_weight_known_points(cur_iter, expected):
    assert ramp_weight(cur_iter, 100, ramp_up=0.2,
                       ramp_down=0.1) == pytest.approx(expected, rel=1e-9)


def test_ramp_weight_disabled_and_defaults():
    assert ramp_weight(0, 100, ramp_up=0.0, ramp_down=0.0) == 1.0
    assert ramp_weight(100, 100, ramp_up=0.0, ramp_down=0.0) == 1.0
    # Defaults: CSD's 32k up / 20k down of 120k iterations.
    assert ramp_weight(16000, 120000) == pytest.approx(math.exp(-1.25))
    assert ramp_weight(60000, 120000) == 1.0
    assert ramp_weight(110000, 120000) == pytest.approx(math.exp(-3.125))


@pytest.mark.parametrize('kwargs, match', [
    (dict(cur_iter=0, max_iters=0), 'max_iters.*0'),
    (dict(cur_iter=-1, max_iters=10), 'cur_iter.*-1'),
    (dict(cur_iter=0, max_iters=10, ramp_up=1.5), 'ramp_up.*1.5'),
    (dict(cur_iter=0, max_iters=10, ramp_down=-0.1), r'ramp_down.*-0\.1'),
    (dict(cur_iter=0, max_iters=10, ramp_up=0.6, ramp_down=0.5),
     '0.6 \\+ 0.5'),
])
def test_ramp_weight_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ramp_weight(**kwargs)
