"""Flip-consistency terms of any dense head on paired priors, against
hand-computed values (sigmoid form, masks, aux term)."""
import math

import pytest
import torch

from mmdet_alssl.models.losses import (foreground_mask,
                                       paired_flip_consistency,
                                       sigmoid_symmetric_kl, symmetric_kl)

LN3 = math.log(3.0)


def bernoulli_kl(p, q):
    return p * math.log(p / q) + (1 - p) * math.log((1 - p) / (1 - q))


def test_sigmoid_symmetric_kl_is_the_sum_of_bernoulli_ones():
    # p = sigmoid(0, ln 3) = (0.5, 0.75), q = sigmoid(ln 3, ln 3)
    logits = torch.tensor([0.0, LN3])
    other = torch.tensor([LN3, LN3])
    expected = 0.5 * (bernoulli_kl(0.5, 0.75) + bernoulli_kl(0.75, 0.5))
    # = 1/2 (0.5 - 0.75)(0 - ln 3) = ln(3) / 8 for class 0, 0 for class 1
    assert expected == pytest.approx(LN3 / 8)
    assert sigmoid_symmetric_kl(logits, other).item() == \
        pytest.approx(LN3 / 8)
    assert sigmoid_symmetric_kl(other, logits).item() == \
        pytest.approx(LN3 / 8)
    # far logits stay finite (no log of an underflowed probability)
    far = sigmoid_symmetric_kl(torch.tensor([-200.0]), torch.tensor([200.]))
    assert far.item() == pytest.approx(200.0)
    with pytest.raises(ValueError, match='differ in shape'):
        sigmoid_symmetric_kl(torch.zeros(2), torch.zeros(3))


def test_foreground_masks():
    # softmax, background last: best foreground beats background
    softmax = torch.log(torch.tensor([[0.5, 0.1, 0.4], [0.3, 0.3, 0.4]]))
    assert foreground_mask(softmax, use_sigmoid=False).tolist() == \
        [True, False]
    # sigmoid: best class probability above 0.5 (present beats absent)
    sigmoid = torch.tensor([[0.1, -3.0], [-0.1, -3.0], [-2.0, 2.0]])
    assert foreground_mask(sigmoid, use_sigmoid=True).tolist() == \
        [True, False, True]
    assert foreground_mask(sigmoid, True, score_thr=0.9).tolist() == \
        [False, False, False]
    with pytest.raises(ValueError, match='score_thr'):
        foreground_mask(sigmoid, True, score_thr=1.0)


def test_paired_consistency_hand_computed():
    # 1 image, 3 priors; prior 2 is masked out
    cls = torch.tensor([[[0.0, 0.0], [LN3, 0.0], [5.0, 5.0]]])
    twin_cls = torch.tensor([[[0.0, 0.0], [LN3, LN3], [-5.0, 9.0]]])
    bbox = torch.tensor([[[0.1, 0.2, 0.3, 0.4]] * 3])
    twin_bbox = bbox.clone()
    twin_bbox[0, 0, 1] += 0.5  # residual 0.5: 0.25 / 4
    twin_bbox[0, 1, 0] -= 3.0  # residual 3, Huber 1: (2 * 3 - 1) / 4
    twin_bbox[0, 2] += 100.0  # masked
    mask = torch.tensor([[True, True, False]])
    aux = torch.tensor([[0.0, 1.0, 2.0]])
    twin_aux = torch.tensor([[LN3, 1.0, -7.0]])
    out = paired_flip_consistency(cls, twin_cls, bbox, twin_bbox, mask,
                                  True, 1.0, aux, twin_aux)
    assert out['loss_con_cls'].item() == pytest.approx((0 + LN3 / 8) / 2)
    assert out['loss_con_loc'].item() == pytest.approx(
        (0.25 / 4 + 5 / 4) / 2)
    assert out['loss_con_aux'].item() == pytest.approx((LN3 / 8 + 0) / 2)
    # Eq. 8's square without Huber
    square = paired_flip_consistency(cls, twin_cls, bbox, twin_bbox, mask,
                                     True, None)
    assert square['loss_con_loc'].item() == pytest.approx(
        (0.25 / 4 + 9 / 4) / 2)
    assert 'loss_con_aux' not in square
    # softmax form: Eq. 2 on the softmax of the logits
    soft = paired_flip_consistency(cls, twin_cls, bbox, twin_bbox, mask,
                                   False, 1.0)
    expected = symmetric_kl(torch.tensor([0.75, 0.25]),
                            torch.tensor([0.5, 0.5])).item() / 2
    assert soft['loss_con_cls'].item() == pytest.approx(expected)


def test_empty_mask_is_an_attached_zero_and_shapes_are_checked():
    cls = torch.randn(2, 3, 4, requires_grad=True)
    bbox = torch.randn(2, 3, 4, requires_grad=True)
    out = paired_flip_consistency(cls, cls * 2, bbox, bbox * 2,
                                  torch.zeros(2, 3, dtype=torch.bool), True)
    assert out['loss_con_cls'].item() == 0.0
    (out['loss_con_cls'] + out['loss_con_loc']).backward()
    assert cls.grad is not None and bbox.grad is not None
    with pytest.raises(ValueError, match='mask'):
        paired_flip_consistency(cls, cls, bbox, bbox,
                                torch.zeros(2, 4, dtype=torch.bool), True)
    with pytest.raises(ValueError, match='loc_huber_delta'):
        paired_flip_consistency(cls, cls, bbox, bbox,
                                torch.zeros(2, 3, dtype=torch.bool), True,
                                loc_huber_delta=0.0)
