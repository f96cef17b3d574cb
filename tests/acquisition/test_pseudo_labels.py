"""Pseudo-labels (Eq. 6) and their exact COCO-style JSON."""

import pytest
import torch

from mmdet_alssl.acquisition.pseudo_labels import (build_pseudo_label_json,
                                                   overconfident_classes,
                                                   pseudo_label_boxes)

BOXES = torch.tensor([
    [0., 0., 10., 10.],  # class 0 at 0.95 -> pseudo-label
    [1., 1., 11., 11.],  # class 0 at 0.92, suppressed by the box above
    [20., 20., 30., 30.],  # class 2 at 0.85 < tau
    [40., 40., 50., 50.],  # class 2 at 0.99 -> pseudo-label
])
PROBS = torch.tensor([
    [0.95, 0.02, 0.02, 0.01],
    [0.92, 0.03, 0.03, 0.02],
    [0.05, 0.05, 0.85, 0.05],
    [0.00, 0.00, 0.99, 0.01],
])


def test_pseudo_label_boxes_eq6():
    out = pseudo_label_boxes(BOXES, PROBS, tau=0.9)
    assert out['bboxes'].tolist() == [[40., 40., 50., 50.], [0., 0., 10., 10.]]
    assert out['labels'].tolist() == [2, 0]
    assert out['scores'].tolist() == pytest.approx([0.99, 0.95])
    # tau = 0.8 also takes the 0.85 box.
    assert pseudo_label_boxes(BOXES, PROBS, tau=0.8)['labels'].tolist() == \
        [2, 0, 2]
    assert pseudo_label_boxes(BOXES, PROBS, tau=1.0)['bboxes'].shape == (0, 4)


def test_a_score_exactly_tau_is_a_pseudo_label():
    # Eq. 6 is max_c p_c >= tau: 0.75 and 0.5 are exact in binary.
    probs = torch.tensor([[0.75, 0.0, 0.0, 0.25], [0.0, 0.5, 0.0, 0.5]])
    assert pseudo_label_boxes(BOXES[[0, 2]], probs, tau=0.75)[
        'labels'].tolist() == [0]
    assert pseudo_label_boxes(BOXES[[2]], probs[[1]], tau=0.5)[
        'labels'].tolist() == [1]


def test_boxes_thinner_than_a_pixel_are_not_pseudo_labels():
    boxes = torch.tensor([[14.2, 640.0, 36.1, 640.0], [0., 0., 0.5, 9.],
                          [20., 20., 21., 21.]])
    probs = torch.tensor([[0.99, 0.0, 0.0, 0.01]]).repeat(3, 1)
    out = pseudo_label_boxes(boxes, probs, tau=0.9)
    assert out['bboxes'].tolist() == [[20., 20., 21., 21.]]


def test_background_argmax_is_never_a_pseudo_label():
    # Best class 0.45 >= tau 0.4, but background (0.55) is the argmax.
    probs = torch.tensor([[0.45, 0.0, 0.0, 0.55]])
    out = pseudo_label_boxes(BOXES[:1], probs, tau=0.4)
    assert out['labels'].tolist() == []


def test_overconfident_classes_hand_computed():
    # 10 unlabeled images, 8 labeled; ratio 2:
    # class 0: 31 / 10 = 3.1 per image > 2 x 12 / 8 = 3.0 -> over
    # class 1: 30 / 10 = 3.0, exactly 2 x 1.5: not over (strictly above)
    # class 2: no pseudo box; class 3: 1 box of a class no label holds
    found = overconfident_classes([31, 30, 0, 1], 10, [12, 12, 0, 0], 8,
                                  max_ratio=2.0)
    assert found == {0: (3.1, 1.5), 3: (0.1, 0.0)}
    assert overconfident_classes([31, 30, 0, 0], 10, [12, 12, 0, 0], 8,
                                 max_ratio=3.0) == {}
    # nothing scored or nothing labeled: nothing to compare
    assert overconfident_classes([5], 0, [1], 8, 2.0) == {}
    assert overconfident_classes([5], 10, [0], 0, 2.0) == {}
    with pytest.raises(ValueError, match='one per class'):
        overconfident_classes([1, 2], 10, [1], 8, 2.0)


CLASSES = ('cat', 'dog', 'bird')
INFOS = {
    '000007': dict(file_name='000007.jpg', width=64, height=48),
    '000003': dict(file_name='000003.jpg', width=32, height=32),
    '000009': dict(file_name='000009.jpg', width=16, height=16),
}


def per_image():
    # Dyadic scores/coordinates: exact in float32, so equality is exact.
    return {
        '000007': dict(bboxes=torch.tensor([[40., 40., 50., 50.],
                                            [0., 2., 10.5, 10.]]),
                       labels=torch.tensor([2, 0]),
                       scores=torch.tensor([0.9921875, 0.96875])),
        '000003': dict(bboxes=torch.tensor([[1., 2., 3., 6.]]),
                       labels=torch.tensor([1]),
                       scores=torch.tensor([0.75])),
        '000009': dict(bboxes=torch.zeros(0, 4),
                       labels=torch.zeros(0, dtype=torch.long),
                       scores=torch.zeros(0)),
    }


def test_build_pseudo_label_json_exact():
    coco = build_pseudo_label_json(per_image(), CLASSES, INFOS,
                                   labeled_ids=['000001', '000002'])
    assert coco == {
        # 000009 has no box: not pseudo-labeled, not listed. Id order.
        'images': [
            {'id': '000003', 'file_name': '000003.jpg', 'width': 32,
             'height': 32},
            {'id': '000007', 'file_name': '000007.jpg', 'width': 64,
             'height': 48},
        ],
        'annotations': [
            {'id': 1, 'image_id': '000003', 'bbox': [1.0, 2.0, 2.0, 4.0],
             'area': 8.0, 'category_id': 2, 'score': 0.75, 'iscrowd': 0},
            {'id': 2, 'image_id': '000007', 'bbox': [40.0, 40.0, 10.0, 10.0],
             'area': 100.0, 'category_id': 3, 'score': 0.9921875,
             'iscrowd': 0},
            {'id': 3, 'image_id': '000007', 'bbox': [0.0, 2.0, 10.5, 8.0],
             'area': 84.0, 'category_id': 1, 'score': 0.96875, 'iscrowd': 0},
        ],
        'categories': [{'id': 1, 'name': 'cat'}, {'id': 2, 'name': 'dog'},
                       {'id': 3, 'name': 'bird'}],
    }


def test_labeled_image_never_gets_pseudo_labels():
    with pytest.raises(ValueError, match="labeled image.*'000007'"):
        build_pseudo_label_json(per_image(), CLASSES, INFOS,
                                labeled_ids=['000007'])
    # Ids compare as text: an int id labeled as '3' is the same image.
    with pytest.raises(ValueError, match='labeled image'):
        build_pseudo_label_json({3: per_image()['000003']}, CLASSES,
                                {3: INFOS['000003']}, labeled_ids=['3'])


def test_bad_json_inputs():
    boxes = per_image()
    boxes['000003']['labels'] = torch.tensor([3])
    with pytest.raises(ValueError, match='label 3'):
        build_pseudo_label_json(boxes, CLASSES, INFOS, labeled_ids=[])
    with pytest.raises(ValueError, match="'000007'.*image_infos"):
        build_pseudo_label_json(per_image(), CLASSES,
                                {'000003': INFOS['000003']}, labeled_ids=[])
    with pytest.raises(ValueError, match='unique'):
        build_pseudo_label_json(per_image(), ('cat', 'cat'), INFOS,
                                labeled_ids=[])


def test_sigmoid_pseudo_labels_need_tau_only():
    # sigmoid outputs have no background to beat: 0.4 >= tau 0.3 is a label
    boxes = torch.tensor([[0., 0., 10., 10.], [20., 20., 30., 30.]])
    probs = torch.tensor([[0.4, 0.1], [0.1, 0.2]])
    out = pseudo_label_boxes(boxes, probs, tau=0.3, use_sigmoid=True)
    assert out['labels'].tolist() == [0]
    assert out['scores'].tolist() == pytest.approx([0.4])
