"""Acquisition scores (Eq. 1-5) against hand-computed answers.

Predictions: 3 classes + background (last), 4 priors. Natural logs.
``IDENTITY``: the flipped prior i is prior i's mirror twin.
"""
import math

import pytest
import torch
from mmdet.structures.bbox import bbox_flip

from mmdet_alssl.acquisition.scores import (class_divergence, entropy,
                                            keep_detections, match_flipped,
                                            score_image)

BOXES = torch.tensor([
    [0., 0., 10., 10.],  # prior 0: class 0 at 0.7 -> kept
    [1., 1., 11., 11.],  # prior 1: class 0 at 0.6, IoU 81/119=0.68 with 0
    [20., 20., 30., 30.],  # prior 2: class 1 at exactly 0.5 -> kept (>=)
    [40., 40., 50., 50.],  # prior 3: best class 0.2 < 0.5 -> dropped
])
PROBS = torch.tensor([
    [0.7, 0.1, 0.1, 0.1],
    [0.6, 0.2, 0.1, 0.1],
    [0.1, 0.5, 0.2, 0.2],
    [0.2, 0.2, 0.2, 0.4],
])
# Flipped predictions, already un-flipped. Flip prior 0 is the exact partner
# of detection 0 (IoU 1) but disagrees with it; flip prior 1 overlaps it less
# (IoU 0.68) and agrees, so a wrong match would score 0. Flip prior 2 equals
# detection 2.
FLIP_BOXES = BOXES.clone()
FLIP_PROBS = torch.tensor([
    [0.4, 0.4, 0.1, 0.1],
    [0.7, 0.1, 0.1, 0.1],
    [0.1, 0.5, 0.2, 0.2],
    [0.2, 0.2, 0.2, 0.4],
])

# By hand:
# H(det 0) = -(0.7 ln 0.7 + 3 * 0.1 ln 0.1)               = 0.9404480
# H(det 2) = -(0.1 ln 0.1 + 0.5 ln 0.5 + 2 * 0.2 ln 0.2)   = 1.2206073
# KL(p||q) for p = det 0, q = flip 0:
#   0.7 ln(0.7/0.4) + 0.1 ln(0.1/0.4)                      = 0.2531016
# KL(q||p) = 0.4 ln(0.4/0.7) + 0.4 ln(0.4/0.1)             = 0.3306714
# L_conC(det 0) = (0.2531016 + 0.3306714) / 2              = 0.2918865
# L_conC(det 2) = 0 (identical distributions)
# Image: H = max = 1.2206073 (det 2), I = max = 0.2918865 (det 0),
#        A = H * I = 0.3562788
H_DET0, H_DET2 = 0.9404480, 1.2206073
I_DET0 = 0.2918865
IDENTITY = torch.arange(4)


def test_keep_detections_nms_and_threshold():
    # Prior 1 is suppressed by prior 0 (same class, IoU 0.68 > 0.45);
    # prior 3 is under the threshold. Score order: 0.7, 0.5.
    assert keep_detections(BOXES, PROBS).tolist() == [0, 2]
    assert keep_detections(BOXES, PROBS, max_per_img=1).tolist() == [0]
    assert keep_detections(BOXES, PROBS, nms_pre=1).tolist() == [0]
    # No NMS suppression when the IoU threshold is above 0.68.
    assert keep_detections(BOXES, PROBS, iou_thr=0.7).tolist() == [0, 1, 2]
    assert keep_detections(BOXES, PROBS, score_thr=0.71).tolist() == []
    assert keep_detections(BOXES, PROBS).dtype == torch.long


def test_keep_detections_is_class_aware():
    probs = PROBS.clone()
    probs[1] = torch.tensor([0.2, 0.6, 0.1, 0.1])  # prior 1 now class 1
    assert keep_detections(BOXES, probs).tolist() == [0, 1, 2]


def test_entropy_hand_values_and_zeros():
    h = entropy(PROBS[[0, 2]])
    assert h.tolist() == pytest.approx([H_DET0, H_DET2], abs=1e-6)
    assert entropy(torch.full((4, ), 0.25)).item() == pytest.approx(
        math.log(4), abs=1e-6)
    one_hot = torch.tensor([1., 0., 0., 0.])
    assert entropy(one_hot).item() == 0.0  # 0 log 0 = 0, no NaN


def test_match_flipped_highest_iou():
    det = BOXES[[0, 2]]
    # det 0: IoU 1 with flip 0, 0.68 with flip 1 -> 0; det 2 -> 2.
    assert match_flipped(det, FLIP_BOXES).tolist() == [0, 2]
    # Without its exact partner det 0 falls back to the 0.68 overlap.
    assert match_flipped(det, FLIP_BOXES[1:]).tolist() == [0, 1]
    assert match_flipped(det[:0], FLIP_BOXES).tolist() == []


@pytest.mark.parametrize('pairing', [
    dict(flip_candidates='mirror', mirror_index=IDENTITY),
    dict(flip_candidates='priors')])
def test_score_image_hand_computed(pairing):
    # det 0's twin is also its highest-IoU flipped prior: both pairings agree
    s = score_image(BOXES, PROBS, FLIP_BOXES, FLIP_PROBS, **pairing)
    assert s['num_detections'] == 2
    assert s['entropy'] == pytest.approx(H_DET2, abs=1e-5)
    assert s['inconsistency'] == pytest.approx(I_DET0, abs=1e-5)
    assert s['unified'] == pytest.approx(H_DET2 * I_DET0, abs=1e-5)
    assert s['unified'] == pytest.approx(0.3562788, abs=1e-5)


def test_score_image_unknown_pairing():
    # 'detections' (highest IoU among the flipped detections) was measured
    # below the mirror pairing and removed
    for mode in ('nearest', 'detections'):
        with pytest.raises(ValueError, match='flip_candidates'):
            score_image(BOXES, PROBS, FLIP_BOXES, FLIP_PROBS,
                        flip_candidates=mode)


def test_symmetric_image_zero_inconsistency():
    # A left-right symmetric image, 60 px wide: priors 0 and 1 are mirror
    # images of each other (as SSD's anchors are), so are priors 2 and 3.
    # The flipped image's prior j sees what the original's mirror(j) sees.
    width = 60
    boxes = torch.tensor([[5., 10., 20., 30.], [40., 10., 55., 30.],
                          [25., 0., 35., 8.], [25., 50., 35., 58.]])
    probs = torch.tensor([[0.8, 0.1, 0.05, 0.05], [0.8, 0.1, 0.05, 0.05],
                          [0.1, 0.6, 0.2, 0.1], [0.05, 0.05, 0.1, 0.8]])
    mirror = torch.tensor([1, 0, 2, 3])
    pred_on_flipped = bbox_flip(boxes[mirror], (40, width))
    flip_boxes = bbox_flip(pred_on_flipped, (40, width))  # un-flip (hook)
    flip_probs = probs[mirror]
    s = score_image(boxes, probs, flip_boxes, flip_probs,
                    mirror_index=mirror)
    assert s['num_detections'] == 3
    assert s['inconsistency'] == pytest.approx(0.0, abs=1e-7)
    assert s['unified'] == pytest.approx(0.0, abs=1e-7)
    # entropy max is prior 2's: -(0.1 ln .1 * 2 + 0.6 ln .6 + 0.2 ln .2)
    assert s['entropy'] == pytest.approx(1.0888999, abs=1e-5)


def test_nothing_above_threshold_scores_zero():
    probs = torch.tensor([[0.3, 0.1, 0.1, 0.5]] * 4)
    s = score_image(BOXES, probs, FLIP_BOXES, FLIP_PROBS,
                    mirror_index=IDENTITY)
    assert s == dict(entropy=0.0, inconsistency=0.0, unified=0.0,
                     num_detections=0)


def test_score_image_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match='classes'):
        score_image(BOXES, PROBS, FLIP_BOXES, FLIP_PROBS[:, 1:],
                    mirror_index=IDENTITY)
    with pytest.raises(ValueError, match='rows'):
        score_image(BOXES[:3], PROBS, FLIP_BOXES, FLIP_PROBS,
                    mirror_index=IDENTITY)
    for bad in (None, IDENTITY[:3]):
        with pytest.raises(ValueError, match=r"needs mirror_index of shape "
                           r"\(4,\).*flip_candidates='priors'"):
            score_image(BOXES, PROBS, FLIP_BOXES, FLIP_PROBS,
                        mirror_index=bad)


def test_mirror_pairing_ignores_background_priors_that_overlap_more():
    # What the embedded set showed (docs/findings.md): a confident
    # detection (prior 0, class 0 at 0.99) whose mirror twin in the flip
    # agrees but sits 3 px off (IoU 0.57 after the un-flip), while another
    # flipped prior that the model calls background decodes (untrained
    # deltas) to a box that overlaps better (IoU 0.82).
    boxes = torch.tensor([[10., 10., 30., 30.], [60., 60., 70., 70.]])
    probs = torch.tensor([[0.99, 0.004, 0.003, 0.003],
                          [0.01, 0.01, 0.01, 0.97]])
    flip_boxes = torch.tensor([[13., 13., 33., 33.], [11., 11., 31., 31.]])
    flip_probs = torch.tensor([[0.98, 0.008, 0.006, 0.006],
                               [0.001, 0.001, 0.001, 0.997]])
    mirror = torch.tensor([0, 1])
    # mirror: 0.5 (0.99 - 0.98) ln(0.99/0.98) + the small classes' terms
    p, q = probs[0], flip_probs[0]
    want = 0.5 * ((p - q) * (p.log() - q.log())).sum().item()
    s = score_image(boxes, probs, flip_boxes, flip_probs,
                    mirror_index=mirror)
    assert s['num_detections'] == 1
    assert s['inconsistency'] == pytest.approx(want, rel=1e-5)
    assert s['inconsistency'] < 0.01
    # highest IoU over all priors takes the background prior: KL ~ 3.7
    p, q = probs[0], flip_probs[1]
    by_iou = score_image(boxes, probs, flip_boxes, flip_probs,
                         flip_candidates='priors')
    assert by_iou['inconsistency'] == pytest.approx(
        0.5 * ((p - q) * (p.log() - q.log())).sum().item(), rel=1e-5)
    assert by_iou['inconsistency'] > 3.0


def test_mirror_pairing_scores_an_object_that_vanishes_in_the_flip():
    # The twin calls background: the strongest inconsistency, not dropped.
    probs = torch.tensor([[0.9, 0.05, 0.03, 0.02]])
    flip_probs = torch.tensor([[0.02, 0.03, 0.05, 0.9]])
    box = torch.tensor([[0., 0., 10., 10.]])
    s = score_image(box, probs, box, flip_probs,
                    mirror_index=torch.tensor([0]))
    p, q = probs[0], flip_probs[0]
    assert s['inconsistency'] == pytest.approx(
        0.5 * ((p - q) * (p.log() - q.log())).sum().item(), rel=1e-5)


def test_sigmoid_forms_hand_computed():
    # two classes, independent Bernoullis: H = Σ_c H(p_c)
    p = torch.tensor([[0.5, 0.2]])
    h = -(0.5 * math.log(0.5) * 2) - (0.2 * math.log(0.2) +
                                      0.8 * math.log(0.8))
    assert entropy(p, use_sigmoid=True).item() == pytest.approx(h)
    # Σ_c ½ (p − q)(logit p − logit q)
    q = torch.tensor([[0.5, 0.6]])
    want = 0.5 * (0.2 - 0.6) * (math.log(0.2 / 0.8) - math.log(0.6 / 0.4))
    assert class_divergence(p, q, use_sigmoid=True).item() == \
        pytest.approx(want, rel=1e-5)
    assert class_divergence(p, p, use_sigmoid=True).item() == 0.0


def test_score_image_sigmoid_and_priors_without_twins():
    # sigmoid: the detection's score is its best class (no background)
    boxes = torch.tensor([[0., 0., 10., 10.], [30., 30., 40., 40.]])
    probs = torch.tensor([[0.9, 0.1], [0.05, 0.7]])
    flip_probs = torch.tensor([[0.9, 0.1], [0.05, 0.2]])
    twin = torch.tensor([0, 1])
    s = score_image(boxes, probs, boxes, flip_probs, score_thr=0.5,
                    mirror_index=twin, use_sigmoid=True)
    inc = 0.5 * (0.7 - 0.2) * (math.log(0.7 / 0.3) - math.log(0.2 / 0.8))
    assert s['num_detections'] == 2
    assert s['inconsistency'] == pytest.approx(inc, rel=1e-5)
    # prior 1 has no twin: it adds no inconsistency
    s = score_image(boxes, probs, boxes, flip_probs, score_thr=0.5,
                    mirror_index=twin, mirror_valid=torch.tensor([True,
                                                                  False]),
                    use_sigmoid=True)
    assert s['inconsistency'] == 0.0 and s['num_detections'] == 2
