"""The pool built from a training dataloader config: every part, the
overrides on each, and one data set over several parts."""
import pytest
from mmengine.dataset import ConcatDataset
from mmengine.registry import init_default_scope

import mmdet_alssl  # noqa: F401  (registers the components)
from mmdet_alssl.datasets.pool import as_one_dataset, build_pool
from tests.helpers import write_voc

CLASSES = ('cat', 'dog')


@pytest.fixture(autouse=True)
def mmdet_scope():
    init_default_scope('mmdet')


def two_part_loader(tmp_path) -> dict:
    """VOC2007 (a, b) + VOC2012 (c) wrapped as an ActiveLearningDataset."""
    parts = []
    for year, ids in (('2007', 'ab'), ('2012', 'c')):
        root = tmp_path / f'VOC{year}'
        write_voc(root, {i: [('dog', 1, 1, 11, 11)] for i in ids})
        parts.append(dict(type='VOCDataset', data_root=f'{root}/',
                          ann_file='ImageSets/Main/trainval.txt',
                          data_prefix=dict(sub_data_root=''),
                          metainfo=dict(classes=CLASSES), pipeline=[]))
    return dict(dataset=dict(
        type='ActiveLearningDataset',
        dataset=dict(type='ConcatDataset', datasets=parts)))


def test_every_part_over_the_given_ids(tmp_path):
    loader = two_part_loader(tmp_path)
    parts = build_pool(loader)
    assert [[part.get_data_info(i)['img_id'] for i in range(len(part))]
            for part in parts] == [['a', 'b'], ['c']]
    # each part keeps the ids it holds; labeled parts read their boxes
    parts = build_pool(loader, 'labeled', ['b', 'c'])
    assert [len(p) for p in parts] == [1, 1]
    assert [p.get_data_info(0)['instances'][0]['bbox_label']
            for p in parts] == [1, 1]


def test_overrides_reach_every_part_and_one_dataset_joins_them(tmp_path):
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='PackDetInputs', meta_keys=('img_id', ))]
    parts = build_pool(two_part_loader(tmp_path), image_ids=['a', 'c'],
                       pipeline=pipeline, test_mode=True)
    assert all(p.test_mode for p in parts)
    pool = as_one_dataset(parts)
    assert isinstance(pool, ConcatDataset) and len(pool) == 2
    assert [pool[i]['data_samples'].img_id for i in range(2)] == ['a', 'c']
    assert [pool[i]['inputs'].shape for i in range(2)] == [(3, 64, 64)] * 2
    assert as_one_dataset(parts[:1]) is parts[0]


def test_a_loader_without_a_pool_is_refused():
    with pytest.raises(ValueError, match='no active-split data set, so '
                       'there is no pool'):
        build_pool(dict(dataset=dict(type='VOCDataset')))
