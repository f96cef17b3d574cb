"""ALVOCDataset / ALCocoDataset: one cycle's split of a pool, on the real BCCD
(VOC) and aquarium (COCO) data and on a tiny COCO JSON written here."""
import json
import re
import shutil
from unittest.mock import patch

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from mmdet.registry import DATASETS
from mmdet_alssl.datasets import ALCocoDataset, ALVOCDataset

LOG = 'mmdet_alssl.datasets.active_split.print_log'
PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='PackDetInputs')
]
BCCD_CLASSES = ('RBC', 'WBC', 'Platelets')


@pytest.fixture(autouse=True)
def mmdet_scope():
    # the pipelines' transforms are looked up in mmdet's registry
    init_default_scope('mmdet')


def write_ids(path, ids):
    path.write_text('\n'.join(ids) + '\n')
    return str(path)


def write_json(path, obj):
    path.write_text(json.dumps(obj))
    return str(path)


def voc(root, **kwargs):
    return ALVOCDataset(
        data_root=str(root),
        ann_file='ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root=''),
        metainfo=dict(classes=BCCD_CLASSES),
        pipeline=PIPELINE,
        **kwargs)


def ids_of(dataset):
    return [dataset.get_data_info(i)['img_id'] for i in range(len(dataset))]


def pseudo_file(tmp_path, boxes, categories, name='pseudo.json'):
    """boxes: {image id: [(category id, [x, y, w, h]), ...]}"""
    anns = [
        dict(id=k, image_id=img_id, bbox=bbox, area=bbox[2] * bbox[3],
             category_id=cid, score=0.995, iscrowd=0)
        for k, (img_id, cid, bbox) in enumerate(
            ((i, c, b) for i, bs in boxes.items() for c, b in bs), 1)
    ]
    images = [dict(id=i, file_name=f'{i}.jpg', width=640, height=480)
              for i in boxes]
    return write_json(
        tmp_path / name,
        dict(images=images, annotations=anns,
             categories=[dict(id=c, name=n) for c, n in categories]))


# --------------------------------------------------------------- BCCD (VOC)
def test_ids_file_restricts_the_pool_in_pool_order(bccd_root, tmp_path):
    ids_file = write_ids(tmp_path / 'l.txt', [
        'BloodImage_00003', '', 'BloodImage_00000', 'BloodImage_00338'])
    ds = voc(bccd_root, image_ids_file=ids_file)
    assert ids_of(ds) == [
        'BloodImage_00000', 'BloodImage_00003', 'BloodImage_00338']
    infos = [ds.get_data_info(i) for i in range(3)]
    assert [d['label_type'] for d in infos] == ['labeled'] * 3
    # ground truth kept: 20 / 17 objects; 00338 has 14, one of zero area
    assert [len(d['instances']) for d in infos] == [20, 17, 13]
    # first object of 00000: WBC (260, 177, 491, 376), VOC's minus one
    assert infos[0]['instances'][0] == dict(
        bbox=[259, 176, 490, 375], bbox_label=1, ignore_flag=0)


def test_whole_pool_and_empty_split(bccd_root):
    assert len(voc(bccd_root)) == 292  # trainval.txt
    empty = voc(bccd_root, label_type='unlabeled', image_ids_file=[])
    assert len(empty) == 0


def test_zero_area_boxes_are_dropped_with_a_warning(bccd_root):
    with patch(LOG) as log:
        ds = voc(bccd_root, filter_cfg=dict(filter_empty_gt=True))
    warned = [c.args[0] for c in log.call_args_list]
    assert len(warned) == 2
    assert "'BloodImage_00338'" in warned[0] and '1 degenerate' in warned[0]
    assert "'BloodImage_00343'" in warned[1]
    for i in range(len(ds)):
        for inst in ds.get_data_info(i)['instances']:
            x1, y1, x2, y2 = inst['bbox']
            assert x2 > x1 and y2 > y1
    idx = ids_of(ds).index('BloodImage_00343')
    assert len(ds.get_data_info(idx)['instances']) == 11  # 12 - 1
    boxes = ds[idx]['data_samples'].gt_instances.bboxes.tensor
    assert len(boxes) == 11 and bool((boxes[:, 2:] > boxes[:, :2]).all())


def test_unlabeled_items_have_no_boxes(bccd_root):
    # an empty-GT filter must not remove unlabeled images
    ds = voc(bccd_root, label_type='unlabeled',
             image_ids_file=['BloodImage_00001', 'BloodImage_00002'],
             filter_cfg=dict(filter_empty_gt=True))
    assert ids_of(ds) == ['BloodImage_00001', 'BloodImage_00002']
    for i in range(2):
        info = ds.get_data_info(i)
        assert info['instances'] == [] and info['label_type'] == 'unlabeled'
        sample = ds[i]['data_samples']
        assert sample.metainfo['label_type'] == 'unlabeled'
        assert len(sample.gt_instances) == 0


def test_pseudo_labels_replace_ground_truth(bccd_root, tmp_path):
    # category ids differ from the label order: mapping is by name
    pseudo = pseudo_file(
        tmp_path, {
            'BloodImage_00001': [(7, [10, 20, 30, 40]),
                                 (3, [100.5, 50, 20, 10])],
            'BloodImage_00002': [(3, [1, 2, 3, 4])]
        }, [(3, 'RBC'), (7, 'Platelets')])
    ds = voc(bccd_root, image_ids_file=['BloodImage_00000'],
             pseudo_labels_file=pseudo)
    assert ids_of(ds) == [
        'BloodImage_00000', 'BloodImage_00001', 'BloodImage_00002']
    labeled, p1, p2 = (ds.get_data_info(i) for i in range(3))
    assert labeled['label_type'] == 'labeled'
    assert len(labeled['instances']) == 20  # GT kept
    assert p1['label_type'] == p2['label_type'] == 'pseudo'
    assert p1['instances'] == [
        dict(bbox=[10, 20, 40, 60], bbox_label=2, ignore_flag=0),
        dict(bbox=[100.5, 50, 120.5, 60], bbox_label=0, ignore_flag=0)
    ]  # not 00001's 19 GT objects
    assert p2['instances'] == [
        dict(bbox=[1, 2, 4, 6], bbox_label=0, ignore_flag=0)]
    samples = [ds[i]['data_samples'] for i in range(3)]
    assert [s.metainfo['label_type'] for s in samples] == [
        'labeled', 'pseudo', 'pseudo']
    assert [len(s.gt_instances) for s in samples] == [20, 2, 1]
    assert samples[1].gt_instances.labels.tolist() == [2, 0]
    # 640x480 -> 32x32: x * 0.05, y * 1/15
    np.testing.assert_allclose(
        samples[1].gt_instances.bboxes.tensor[0].numpy(),
        [0.5, 20 / 15, 2.0, 4.0], rtol=1e-5)


def test_built_from_config_registry(bccd_root):
    ds = DATASETS.build(
        dict(type='ALVOCDataset', label_type='unlabeled',
             image_ids_file=['BloodImage_00004'], data_root=str(bccd_root),
             ann_file='ImageSets/Main/trainval.txt',
             data_prefix=dict(sub_data_root=''),
             metainfo=dict(classes=BCCD_CLASSES), pipeline=PIPELINE))
    assert isinstance(ds, ALVOCDataset) and ids_of(ds) == ['BloodImage_00004']


@pytest.mark.parametrize('label_type', ['pseudo', 'Labeled', 'foo'])
def test_bad_label_type_names_the_value(bccd_root, label_type):
    with pytest.raises(ValueError, match=re.escape(repr(label_type))):
        voc(bccd_root, label_type=label_type)


def test_unknown_id_names_the_id_and_the_file(bccd_root, tmp_path):
    ids_file = write_ids(tmp_path / 'l.txt',
                        ['BloodImage_00000', 'BloodImage_99999'])
    with pytest.raises(ValueError) as err:
        voc(bccd_root, image_ids_file=ids_file)
    assert "'BloodImage_99999'" in str(err.value)
    assert ids_file in str(err.value) and 'trainval.txt' in str(err.value)


def test_ids_of_another_pool_part_can_be_ignored(bccd_root, tmp_path):
    # VOC07+12: one id list spans two VOCDatasets; each keeps its own ids.
    ids_file = write_ids(tmp_path / 'l.txt',
                        ['BloodImage_00000', '2008_000002', 'BloodImage_00001'])
    part = voc(bccd_root, image_ids_file=ids_file, ids_outside_pool='ignore')
    assert ids_of(part) == ['BloodImage_00000', 'BloodImage_00001']
    with pytest.raises(ValueError, match="ids_outside_pool='warn'"):
        voc(bccd_root, image_ids_file=ids_file, ids_outside_pool='warn')


def test_human_labels_replace_the_annotation(small_voc, tmp_path):
    # human mode: boxes drawn for a labeled image whose XML does not exist
    root = small_voc
    ids = ['BloodImage_00000', 'BloodImage_00001']
    (root / 'Annotations' / f'{ids[1]}.xml').unlink()
    human = pseudo_file(tmp_path, {ids[1]: [(7, [10, 20, 30, 40])]},
                        [(7, 'Platelets'), (8, 'RBC'), (9, 'WBC')],
                        name='human.json')
    labeled = write_ids(tmp_path / 'l.txt', ids)
    dataset = voc(root, image_ids_file=labeled, labels_file=human)
    info = dataset.get_data_info(1)
    assert info['img_id'] == ids[1] and info['label_type'] == 'labeled'
    assert [(i['bbox'], i['bbox_label']) for i in info['instances']] == [
        ([10, 20, 40, 60], 2)]  # Platelets: class 2 of (RBC, WBC, Platelets)
    assert len(dataset.get_data_info(0)['instances']) > 0  # from its XML
    outside = write_ids(tmp_path / 'o.txt', ids[:1])
    with pytest.raises(ValueError, match=f"image '{ids[1]}' of labels_file"):
        voc(root, image_ids_file=outside, labels_file=human)


def test_pseudo_errors(bccd_root, tmp_path):
    cats = [(1, 'RBC')]
    overlap = pseudo_file(tmp_path, {'BloodImage_00001': [(1, [1, 1, 5, 5])]},
                          cats)
    with pytest.raises(ValueError, match="'BloodImage_00001'.*both"):
        voc(bccd_root, image_ids_file=['BloodImage_00000', 'BloodImage_00001'],
            pseudo_labels_file=overlap)
    with pytest.raises(ValueError, match='image_ids_file is None'):
        voc(bccd_root, pseudo_labels_file=overlap)
    with pytest.raises(ValueError, match='unlabeled'):
        voc(bccd_root, label_type='unlabeled', image_ids_file=[],
            pseudo_labels_file=overlap)
    outside = pseudo_file(tmp_path, {'BloodImage_77777': []}, cats, 'o.json')
    with pytest.raises(ValueError, match="'BloodImage_77777'.*o.json"):
        voc(bccd_root, image_ids_file=['BloodImage_00000'],
            pseudo_labels_file=outside)
    unknown = pseudo_file(tmp_path, {'BloodImage_00002': []},
                          [(1, 'Neutrophil')], 'u.json')
    with pytest.raises(ValueError, match="'Neutrophil'"):
        voc(bccd_root, image_ids_file=['BloodImage_00000'],
            pseudo_labels_file=unknown)


@pytest.fixture
def small_voc(bccd_root, tmp_path):
    """A 3-image copy of BCCD, to break files in."""
    root = tmp_path / 'voc'
    ids = ['BloodImage_00000', 'BloodImage_00001', 'BloodImage_00002']
    for sub in ('Annotations', 'JPEGImages', 'ImageSets/Main'):
        (root / sub).mkdir(parents=True)
    for i in ids:
        shutil.copy(bccd_root / 'Annotations' / f'{i}.xml',
                    root / 'Annotations')
        shutil.copy(bccd_root / 'JPEGImages' / f'{i}.jpg', root / 'JPEGImages')
    write_ids(root / 'ImageSets/Main/trainval.txt', ids)
    return root


def test_missing_xml(small_voc):
    (small_voc / 'Annotations' / 'BloodImage_00002.xml').unlink()
    ds = voc(small_voc, label_type='unlabeled',
             image_ids_file=['BloodImage_00002'])
    info = ds.get_data_info(0)
    assert (info['width'], info['height']) == (640, 480)  # from the image
    assert info['instances'] == [] and info['label_type'] == 'unlabeled'
    assert ds[0]['data_samples'].metainfo['label_type'] == 'unlabeled'
    with pytest.raises(FileNotFoundError, match='BloodImage_00002.xml'):
        voc(small_voc, image_ids_file=['BloodImage_00002'])
    # outside the split, a missing XML is never read
    assert len(voc(small_voc, image_ids_file=['BloodImage_00001'])) == 1


def test_corrupt_xml_of_a_labeled_image(small_voc):
    (small_voc / 'Annotations' / 'BloodImage_00001.xml').write_text('<a><b>')
    with pytest.raises(ValueError, match='BloodImage_00001.xml'):
        voc(small_voc, image_ids_file=['BloodImage_00001'])


def test_missing_image(small_voc):
    (small_voc / 'JPEGImages' / 'BloodImage_00000.jpg').unlink()
    with pytest.raises(ValueError, match='1 labeled / pseudo-labeled image'
                       r'.*BloodImage_00000.jpg .*image file not found'):
        voc(small_voc, image_ids_file=['BloodImage_00000'])
    with patch(LOG) as log:
        ds = voc(small_voc, label_type='unlabeled',
                 image_ids_file=['BloodImage_00000', 'BloodImage_00001'])
    assert ids_of(ds) == ['BloodImage_00001']
    assert list(ds.unusable_images) == ['BloodImage_00000']
    assert 'BloodImage_00000' in log.call_args.args[0]


# --------------------------------------------------------------------- COCO
@pytest.fixture
def tiny_coco(tmp_path):
    """4 images of 32x24; categories 5 'shark', 9 'fish' (JSON order)."""
    (tmp_path / 'img').mkdir()
    for i in range(1, 5):
        cv2.imwrite(str(tmp_path / 'img' / f'{i}.jpg'),
                    np.full((24, 32, 3), 40 * i, np.uint8))
    anns = [(1, 5, [2, 3, 10, 8]), (1, 9, [0, 0, 5, 5]), (2, 9, [4, 4, 6, 6]),
            (4, 5, [1, 1, 4, 4])]  # image 3 has no box
    write_json(
        tmp_path / 'pool.json',
        dict(images=[dict(id=i, file_name=f'{i}.jpg', width=32, height=24)
                     for i in range(1, 5)],
             annotations=[dict(id=k, image_id=i, category_id=c, bbox=b,
                               area=b[2] * b[3], iscrowd=0)
                          for k, (i, c, b) in enumerate(anns, 1)],
             categories=[dict(id=5, name='shark'), dict(id=9, name='fish')]))
    return tmp_path


def coco(root, classes=('shark', 'fish'), **kwargs):
    return ALCocoDataset(
        data_root=str(root), ann_file='pool.json', data_prefix=dict(img='img/'),
        metainfo=dict(classes=classes), pipeline=PIPELINE, **kwargs)


def test_coco_split_with_pseudo_labels(tiny_coco):
    ids_file = write_ids(tiny_coco / 'l.txt', ['2', '1'])
    pseudo = pseudo_file(tiny_coco, {3: [(1, [1, 2, 3, 4])]}, [(1, 'fish')])
    # image 3 has no box in pool.json but a pseudo box: the empty-GT filter
    # must judge the boxes the split trains on
    ds = coco(tiny_coco, image_ids_file=ids_file, pseudo_labels_file=pseudo,
              filter_cfg=dict(filter_empty_gt=True))
    assert ids_of(ds) == [1, 2, 3]
    infos = [ds.get_data_info(i) for i in range(3)]
    assert [d['label_type'] for d in infos] == ['labeled', 'labeled', 'pseudo']
    assert [(x['bbox'], x['bbox_label']) for x in infos[0]['instances']] == [
        ([2, 3, 12, 11], 0), ([0, 0, 5, 5], 1)]
    assert infos[2]['instances'] == [
        dict(bbox=[1, 2, 4, 6], bbox_label=1, ignore_flag=0)]
    samples = [ds[i]['data_samples'] for i in range(3)]
    assert [s.metainfo['label_type'] for s in samples] == [
        'labeled', 'labeled', 'pseudo']
    assert [s.gt_instances.labels.tolist() for s in samples] == [[0, 1], [1],
                                                                [1]]


def test_coco_unlabeled(tiny_coco):
    ds = coco(tiny_coco, label_type='unlabeled', image_ids_file=['3', '1'],
              filter_cfg=dict(filter_empty_gt=True))
    assert ids_of(ds) == [1, 3]
    assert all(ds.get_data_info(i)['instances'] == [] for i in range(2))
    assert [len(ds[i]['data_samples'].gt_instances) for i in range(2)] == [0, 0]
    assert ds[1]['data_samples'].metainfo['label_type'] == 'unlabeled'


def test_coco_errors(tiny_coco):
    with pytest.raises(ValueError, match="'7'.*the image_ids_file list"):
        coco(tiny_coco, image_ids_file=['1', '7'])
    with pytest.raises(ValueError, match=r"\('fish', 'shark'\)"):
        coco(tiny_coco, classes=('fish', 'shark'), image_ids_file=['1'])
    pseudo = pseudo_file(tiny_coco, {1: [(1, [1, 2, 3, 4])]}, [(1, 'fish')])
    with pytest.raises(ValueError, match="'1'.*both"):
        coco(tiny_coco, image_ids_file=['1'], pseudo_labels_file=pseudo)
    (tiny_coco / 'img' / '2.jpg').unlink()
    with pytest.raises(ValueError, match='2.jpg'):
        coco(tiny_coco, image_ids_file=['2'])


def test_aquarium(aquarium_root, tmp_path):
    ann = json.loads((aquarium_root / 'annotations/train.json').read_text())
    classes = tuple(c['name'] for c in ann['categories'])
    kwargs = dict(data_root=str(aquarium_root),
                  ann_file='annotations/train.json',
                  data_prefix=dict(img='images/'),
                  metainfo=dict(classes=classes), pipeline=PIPELINE)
    labeled = ALCocoDataset(
        image_ids_file=write_ids(tmp_path / 'l.txt', ['3', '1']), **kwargs)
    unlabeled = ALCocoDataset(label_type='unlabeled',
                              image_ids_file=['5', '4'], **kwargs)
    assert ids_of(labeled) == [1, 3] and ids_of(unlabeled) == [4, 5]
    for i, img_id in enumerate([1, 3]):
        gt = [a for a in ann['annotations'] if a['image_id'] == img_id]
        info = labeled.get_data_info(i)
        assert len(info['instances']) == len(gt) > 0
        x, y, w, h = gt[0]['bbox']
        assert info['instances'][0]['bbox'] == [x, y, x + w, y + h]
        assert classes[info['instances'][0]['bbox_label']] == next(
            c['name'] for c in ann['categories']
            if c['id'] == gt[0]['category_id'])
    sample = unlabeled[0]['data_samples']
    assert sample.metainfo['label_type'] == 'unlabeled'
    assert len(sample.gt_instances) == 0


def _edit_pool(root, edit):
    pool = json.loads((root / 'pool.json').read_text())
    edit(pool)
    (root / 'pool.json').write_text(json.dumps(pool))


@pytest.mark.parametrize('edit, match', [
    (lambda p: p['annotations'][0].update(category_id=7),
     r"pool.json: annotation 1 of image '1.jpg' \(id 1\) has category_id 7"
     r", which is not one of the data set's categories"),
    (lambda p: p['annotations'][0].update(bbox=[20, 3, -10, 8]),
     r"annotation 1 of image '1.jpg' \(id 1\) has bbox \[20, 3, -10, 8\]"
     r" with a negative width"),
])
def test_coco_labels_that_cocodataset_would_drop_are_refused(
        tiny_coco, edit, match):
    _edit_pool(tiny_coco, edit)
    with pytest.raises(ValueError, match=match):
        coco(tiny_coco, image_ids_file=['1', '2'])
    # Unlabeled images carry no boxes: nothing to refuse there.
    assert len(coco(tiny_coco, label_type='unlabeled',
                    image_ids_file=['1'])) == 1


def test_coco_sliver_boxes_are_reported(tiny_coco):
    _edit_pool(tiny_coco,
               lambda p: p['annotations'][2].update(bbox=[4, 4, 0.5, 6]))
    with patch(LOG) as log:
        ds = coco(tiny_coco, image_ids_file=['2'])
    assert ds.get_data_info(0)['instances'] == []
    assert "annotation 3 of image '2.jpg'" in log.call_args.args[0]


def test_coco_annotation_file_that_is_not_json(tiny_coco):
    (tiny_coco / 'pool.json').write_text('')
    with pytest.raises(ValueError, match='pool.json is not valid JSON'):
        coco(tiny_coco, image_ids_file=['1'])


def test_undecodable_images_are_reported_all_at_once(tiny_coco):
    for name in ('2.jpg', '3.jpg'):
        (tiny_coco / 'img' / name).write_bytes(b'not an image')
    (tiny_coco / 'img' / '4.jpg').unlink()
    with pytest.raises(ValueError) as err:
        coco(tiny_coco, image_ids_file=['1', '2', '3', '4'])
    msg = str(err.value)
    assert msg.startswith('3 labeled / pseudo-labeled image(s) cannot be '
                          'used: ')
    assert "2.jpg (labeled image '2'): cannot be decoded" in msg
    assert "3.jpg (labeled image '3'): cannot be decoded" in msg
    assert "4.jpg (labeled image '4'): image file not found" in msg
    with patch(LOG):
        pool = coco(tiny_coco, label_type='unlabeled')
    assert ids_of(pool) == [1]
    assert sorted(pool.unusable_images) == ['2', '3', '4']
    assert 'cannot be decoded as an image (12 bytes)' in \
        pool.unusable_images['2']
