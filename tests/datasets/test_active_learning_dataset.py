"""ActiveLearningDataset: a plain MMDetection data set config (COCO or VOC,
wrapped or in parts) as a cycle's [labeled, unlabeled] training set."""
import json

import cv2
import numpy as np
import pytest
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS
from mmengine.registry import init_default_scope

from mmdet_alssl.datasets import ActiveLearningDataset
from mmdet_alssl.datasets.active_learning_dataset import (active_split_cfg,
                                                          pool_parts)
from tests.helpers import write_voc

CLASSES = ('cat', 'dog')


def write_coco(root, boxes_by_id):
    """images/<id>.jpg (64 px) and annotations/train.json; ids are ints."""
    (root / 'images').mkdir(parents=True, exist_ok=True)
    (root / 'annotations').mkdir(exist_ok=True)
    images, anns = [], []
    for img_id, boxes in boxes_by_id.items():
        cv2.imwrite(str(root / 'images' / f'{img_id}.jpg'),
                    np.zeros((64, 64, 3), np.uint8))
        images.append(dict(id=img_id, file_name=f'{img_id}.jpg', width=64,
                           height=64))
        for b in boxes:
            anns.append(dict(id=len(anns) + 1, image_id=img_id,
                             bbox=list(b[:4]), area=b[2] * b[3],
                             category_id=b[4], iscrowd=0))
    (root / 'annotations' / 'train.json').write_text(json.dumps(dict(
        images=images, annotations=anns,
        categories=[dict(id=i + 1, name=c) for i, c in enumerate(CLASSES)])))


def coco_cfg(root):
    """A user's plain CocoDataset config (mmdet's filter_cfg included)."""
    return dict(type='CocoDataset', data_root=f'{root}/',
                ann_file='annotations/train.json',
                data_prefix=dict(img='images/'),
                metainfo=dict(classes=CLASSES),
                filter_cfg=dict(filter_empty_gt=True, min_size=4),
                pipeline=[])


@pytest.fixture(autouse=True)
def mmdet_scope():
    init_default_scope('mmdet')


def test_coco_config_split_by_the_cycle_ids(tmp_path):
    # image 3 has no box: kept (as labeled background, and as unlabeled)
    write_coco(tmp_path, {1: [(2, 2, 20, 20, 1)], 2: [(5, 5, 30, 30, 2)],
                          3: [], 4: [(1, 1, 9, 9, 2)]})
    wrapped = dict(type='RepeatDataset', times=3, dataset=coco_cfg(tmp_path))
    ds = DATASETS.build(dict(type='ActiveLearningDataset', dataset=wrapped,
                             labeled_ids_file=['1', '3'],
                             unlabeled_ids_file=['2', '4']))
    labeled, unlabeled = ds.datasets
    assert [labeled.get_data_info(i)['img_id'] for i in range(2)] == [1, 3]
    assert [unlabeled.get_data_info(i)['img_id'] for i in range(2)] == [2, 4]
    assert ds.cumulative_sizes == [2, 4]  # repetition dropped
    assert len(labeled.get_data_info(0)['instances']) == 1
    assert unlabeled.get_data_info(0)['instances'] == []
    assert {labeled.get_data_info(i)['label_type'] for i in range(2)} == \
        {'labeled'}
    assert ds.metainfo['classes'] == CLASSES


def test_pseudo_labeled_images_train_in_the_unlabeled_half(tmp_path):
    # The labeled half of a batch stays human labels however many images
    # are pseudo-labeled: with them in the labeled part, 400 pseudo-labeled
    # images beside 150 labeled ones cut each labeled image's draws by 3.7x.
    write_coco(tmp_path, {1: [(2, 2, 20, 20, 1)], 2: [(5, 5, 30, 30, 2)],
                          3: [(1, 1, 9, 9, 2)]})
    pseudo = tmp_path / 'pseudo.json'
    pseudo.write_text(json.dumps(dict(
        images=[dict(id=3, file_name='3.jpg', width=64, height=64)],
        annotations=[dict(id=1, image_id=3, bbox=[4, 4, 10, 10],
                          category_id=1)],
        categories=[dict(id=1, name='cat')])))
    ds = ActiveLearningDataset(dataset=coco_cfg(tmp_path),
                               labeled_ids_file=['1'],
                               unlabeled_ids_file=['2', '3'],
                               pseudo_labels_file=str(pseudo))
    labeled, unlabeled = ds.datasets
    assert [labeled.get_data_info(0)['img_id']] == [1] and len(labeled) == 1
    infos = [unlabeled.get_data_info(i) for i in range(2)]
    assert [(d['img_id'], d['label_type']) for d in infos] == [
        (2, 'unlabeled'), (3, 'pseudo')]
    assert infos[0]['instances'] == []
    assert infos[1]['instances'] == [
        dict(bbox=[4, 4, 14, 14], bbox_label=0, ignore_flag=0)]


def test_defaults_are_the_whole_pool_labeled(tmp_path):
    write_coco(tmp_path, {1: [(2, 2, 20, 20, 1)], 2: []})
    ds = ActiveLearningDataset(dataset=coco_cfg(tmp_path))
    assert [len(part) for part in ds.datasets] == [2, 0]


def test_voc_parts_each_keep_their_own_ids(tmp_path):
    # VOC07 + VOC12 style: one id list for both years
    parts = []
    for year, ids in (('2007', ['a', 'b']), ('2012', ['c', 'd'])):
        root = tmp_path / f'VOC{year}'
        write_voc(root, {i: [('cat', 1, 1, 11, 11)] for i in ids})
        parts.append(dict(type='VOCDataset', data_root=f'{root}/',
                          ann_file='ImageSets/Main/trainval.txt',
                          data_prefix=dict(sub_data_root=''),
                          metainfo=dict(classes=CLASSES), pipeline=[]))
    ds = ActiveLearningDataset(
        dataset=dict(type='ConcatDataset', datasets=parts),
        labeled_ids_file=['d'], unlabeled_ids_file=['a', 'b', 'c'])
    labeled, unlabeled = ds.datasets
    assert [labeled.get_data_info(i)['img_id'] for i in range(1)] == ['d']
    assert [unlabeled.get_data_info(i)['img_id'] for i in range(3)] == \
        ['a', 'b', 'c']
    # parts of different sizes (cumulative_sizes in their metainfo) combine
    assert ds.metainfo['classes'] == CLASSES
    assert [cfg['type'] for cfg in pool_parts(parts)] == ['VOCDataset'] * 2


def test_subclass_keeps_its_declared_classes():
    @DATASETS.register_module(force=True)
    class PetsCocoDataset(CocoDataset):
        METAINFO = dict(classes=CLASSES, palette=[(0, 0, 0), (1, 1, 1)])

    cfg = active_split_cfg(dict(type='PetsCocoDataset', ann_file='a.json'),
                           'unlabeled', ['1'])
    assert cfg['type'] == 'ALCocoDataset'
    assert cfg['metainfo']['classes'] == CLASSES
    assert cfg['filter_cfg'] == dict(filter_empty_gt=False)
    assert cfg['label_type'] == 'unlabeled' and cfg['image_ids_file'] == ['1']
    assert 'pseudo_labels_file' not in cfg


def test_unsupported_or_unknown_type_is_named():
    with pytest.raises(ValueError, match='CrowdHumanDataset is neither COCO'):
        active_split_cfg(dict(type='CrowdHumanDataset'), 'labeled', None)
    with pytest.raises(ValueError, match="'NoSuchDataset' is not registered"):
        active_split_cfg(dict(type='NoSuchDataset'), 'labeled', None)
    with pytest.raises(ValueError, match='is not a data set config'):
        pool_parts([dict(ann_file='x.json')])
