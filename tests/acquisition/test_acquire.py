"""The acquire decision, pure: exact selections, pseudo-labels of the rest
only, skipped images, the count guard and the errors."""
import pytest

from mmdet_alssl.acquisition.acquire import (coco_image_info, decide,
                                             overconfident_message,
                                             summary_message)
from mmdet_alssl.acquisition.settings import AcquisitionSettings

CLASSES = ('cat', 'dog')


def row(i, unified, boxes=(), labels=()):
    """A scorer row: image ``i`` of 40 x 30 px with the given pseudo boxes
    (and one more suggestion box, 0.4, at the top left); entropy = unified,
    inconsistency 1 (so every strategy sees the same order)."""
    pseudo = dict(bboxes=[list(b) for b in boxes], labels=list(labels),
                  scores=[0.995] * len(boxes))
    return dict(id=str(i), raw_id=i,
                scores=dict(entropy=unified, inconsistency=1.0,
                            unified=unified, num_detections=len(boxes)),
                pseudo=pseudo,
                suggested=dict(bboxes=pseudo['bboxes'] + [[0, 0, 4, 4]],
                               labels=pseudo['labels'] + [0],
                               scores=pseudo['scores'] + [0.4]),
                info=dict(file_name=f'/data/JPEGImages/{i}.jpg', width=40,
                          height=30))


ROWS = [row(3, 0.2, [(0, 0, 10, 10)], [0]),
        row(4, 0.9, [(1, 1, 5, 5)], [1]),
        row(5, 0.5),
        row(6, 0.7, [(2, 2, 12, 12), (20, 5, 30, 25)], [1, 1])]


def test_selects_the_top_scores_and_pseudo_labels_only_the_rest():
    settings = AcquisitionSettings(budget=2, strategy='unified')
    acq = decide(settings, ['1', '2'], ['3', '4', '5', '6'], ROWS, {},
                 CLASSES, data_root='/data')
    assert acq.selected == ['4', '6']  # unified 0.9, then 0.7
    assert acq.next_labeled == ['1', '2', '4', '6']
    assert acq.next_unlabeled == ['3', '5']
    assert acq.skipped == {} and acq.overconfident == {}
    assert set(acq.scores) == {'3', '4', '5', '6'}
    # only image 3 of the rest has a box; its file name is under data_root
    assert acq.pseudo_labels == dict(
        images=[dict(id=3, file_name='JPEGImages/3.jpg', width=40,
                     height=30)],
        annotations=[dict(id=1, image_id=3, bbox=[0.0, 0.0, 10.0, 10.0],
                          area=100.0, category_id=1, score=0.995,
                          iscrowd=0)],
        categories=[dict(id=1, name='cat'), dict(id=2, name='dog')])
    assert acq.selection['num_selected'] == 2
    # the suggestions: every box at suggest_thr of the selected images only
    assert [img['id'] for img in acq.predictions['images']] == [4, 6]
    assert [(a['image_id'], a['score']) for a in
            acq.predictions['annotations']] == [
        (4, 0.995), (4, 0.4), (6, 0.995), (6, 0.995), (6, 0.4)]
    assert summary_message(0, acq, settings).startswith(
        'ActiveLearningHook cycle 0: scored 4 images, selected 2 (unified, '
        'budget 2); pseudo-labeled 1 images with 1 boxes (tau 0.99); '
        'entropy mean 0.5750 max 0.9000')


def test_no_pseudo_labels_when_off():
    settings = AcquisitionSettings(budget=1, pseudo_labels=False)
    acq = decide(settings, [], ['3', '4', '5', '6'], ROWS, {}, CLASSES)
    assert acq.selected == ['4'] and acq.pseudo_labels is None


def test_skipped_images_are_never_selected():
    settings = AcquisitionSettings(budget=3)
    rows = ROWS[:2] + [dict(id='5', raw_id=5, error='cannot decode')]
    acq = decide(settings, [], ['3', '4', '5', '6'], rows,
                 {'6': 'no such file'}, CLASSES)
    assert acq.skipped == {'6': 'no such file', '5': 'cannot decode'}
    # the budget is cut to the two scored images
    assert acq.selected == ['4', '3']
    assert acq.next_unlabeled == ['5', '6']


def test_an_image_neither_scored_nor_skipped_is_an_error():
    with pytest.raises(RuntimeError, match=r"1 pool image\(s\) were neither "
                       r"scored nor reported, e.g. \['7'\]"):
        decide(AcquisitionSettings(budget=1), [], ['3', '4', '5', '6', '7'],
               ROWS, {}, CLASSES)


def test_no_loadable_image_is_an_error():
    rows = [dict(id='3', raw_id=3, error='cannot decode')]
    with pytest.raises(RuntimeError, match='no pool image could be loaded '
                       r'\(first error: cannot decode\)'):
        decide(AcquisitionSettings(budget=1), [], ['3'], rows, {}, CLASSES)


def test_count_guard_drops_every_pseudo_label_of_an_overconfident_model():
    # budget 1 takes image 4; the rest (3, 5, 6) holds 1 cat and 2 dogs in
    # 3 scored images: 0.33 cats and 0.67 dogs per image. The labeled
    # images hold 0.5 cats and 0.1 dogs per image (10 images).
    settings = AcquisitionSettings(budget=1, pseudo_max_count_ratio=2.0)
    acq = decide(settings, [], ['3', '4', '5', '6'], ROWS, {}, CLASSES,
                 labeled_counts=([5, 1], 10))
    assert acq.selected == ['4']
    assert list(acq.overconfident) == [1]  # dog: 0.67 > 2 x 0.1
    assert acq.overconfident[1] == pytest.approx((2 / 3, 0.1))
    assert acq.pseudo_labels['images'] == []
    assert 'dog: 0.67 boxes per unlabeled image, 0.10 per labeled image' \
        in overconfident_message(0, acq, settings, CLASSES)
    # within the ratio: kept
    acq = decide(settings, [], ['3', '4', '5', '6'], ROWS, {}, CLASSES,
                 labeled_counts=([5, 5], 10))
    assert acq.overconfident == {}
    assert [a['image_id'] for a in acq.pseudo_labels['annotations']] == [
        3, 6, 6]


def test_coco_image_info_paths():
    info = dict(file_name='/data/a/b.jpg', width=4, height=3)
    assert coco_image_info(info, 'b', '/data')['file_name'] == 'a/b.jpg'
    assert coco_image_info(info, 'b', '/other')['file_name'] == \
        '/data/a/b.jpg'
    assert coco_image_info(dict(info, file_name=None), 'b',
                           None)['file_name'] == 'b'
