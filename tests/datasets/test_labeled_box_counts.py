"""Ground-truth boxes per class of a cycle's labeled images, read from the
training data set (parts and wrappers walked, unlabeled part ignored)."""
import numpy as np
import pytest
from mmdet.registry import DATASETS
from mmengine.registry import init_default_scope

from mmdet_alssl.datasets.labeled_box_counts import (count_per_class,
                                                     labeled_box_counts)
from tests.helpers import write_voc

CLASSES = ('cat', 'dog')


@pytest.fixture(autouse=True)
def mmdet_scope():
    init_default_scope('mmdet')


def test_counts_the_labeled_images_of_every_part(tmp_path):
    # VOC07 + VOC12 style parts, wrapped in a RepeatDataset:
    # labeled a (2 cats), b (none), d (1 dog, 1 cat); unlabeled c (5 dogs)
    boxes = {'a': [('cat', 1, 1, 11, 11), ('cat', 20, 20, 30, 30)],
             'b': [], 'c': [('dog', 1, 1, 11, 11)] * 5,
             'd': [('dog', 1, 1, 11, 11), ('cat', 20, 20, 30, 30)]}
    parts = []
    for year, ids in (('2007', 'ab'), ('2012', 'cd')):
        root = tmp_path / f'VOC{year}'
        write_voc(root, {i: boxes[i] for i in ids})
        parts.append(dict(type='VOCDataset', data_root=f'{root}/',
                          ann_file='ImageSets/Main/trainval.txt',
                          data_prefix=dict(sub_data_root=''),
                          metainfo=dict(classes=CLASSES), pipeline=[]))
    ds = DATASETS.build(dict(
        type='RepeatDataset', times=2, dataset=dict(
            type='ActiveLearningDataset',
            dataset=dict(type='ConcatDataset', datasets=parts),
            labeled_ids_file=['a', 'b', 'd'], unlabeled_ids_file=['c'])))
    assert labeled_box_counts(ds, len(CLASSES)) == ([3, 1], 3)


def test_a_data_set_without_a_labeled_part_is_named(tmp_path):
    write_voc(tmp_path, {'a': [('cat', 1, 1, 11, 11)]})
    plain = DATASETS.build(dict(
        type='VOCDataset', data_root=f'{tmp_path}/',
        ann_file='ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root=''), metainfo=dict(classes=CLASSES),
        pipeline=[]))
    with pytest.raises(ValueError, match='VOCDataset holds no labeled '
                       'active-split data set'):
        labeled_box_counts(plain, len(CLASSES))


def test_count_per_class_hand_computed():
    # labels of three images
    counts = count_per_class([[0, 1, 1], [], np.array([2, 1])], 3)
    assert counts.tolist() == [1, 3, 1] and counts.dtype == np.int64
    assert count_per_class([], 2).tolist() == [0, 0]
