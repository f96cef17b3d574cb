"""ALVOCDataset / ALCocoDataset: one cycle's split of a pool, on tiny VOC and
COCO pools written here (every box known in advance)."""
import json
import re
from unittest.mock import patch

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from mmdet.registry import DATASETS
from mmdet_alssl.datasets import ALCocoDataset, ALVOCDataset
from tests.datasets.test_active_learning_dataset import CLASSES as CAT_DOG
from tests.datasets.test_active_learning_dataset import write_coco
from tests.helpers import write_voc

LOG = 'mmdet_alssl.datasets.active_split.print_log'
PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='PackDetInputs')
]
BCCD_CLASSES = ('RBC', 'WBC', 'Platelets')
# The VOC pool, in trainval.txt order: id -> boxes (name, x1, y1, x2, y2) as
# the XML holds them (VOCDataset subtracts one); images are 64x64.
POOL = {
    'img0': [('WBC', 12, 22, 41, 51), ('RBC', 2, 3, 9, 10)],
    'img1': [('RBC', 30, 30, 40, 40)],
    'img2': [('Platelets', 5, 5, 15, 15), ('RBC', 40, 40, 60, 60),
             ('RBC', 1, 1, 8, 8)],
    # one zero-area box each, as in BCCD's BloodImage_00338 / _00343
    'flat_w': [('RBC', 10, 10, 10, 30), ('WBC', 20, 20, 40, 40)],  # x2 == x1
    'flat_h': [('RBC', 5, 9, 25, 9), ('RBC', 30, 3, 50, 20),  # y2 == y1
               ('Platelets', 1, 1, 4, 4)],
    'no_box': [],
}


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
    images = [dict(id=i, file_name=f'{i}.jpg', width=64, height=64)
              for i in boxes]
    return write_json(
        tmp_path / name,
        dict(images=images, annotations=anns,
             categories=[dict(id=c, name=n) for c, n in categories]))


# ---------------------------------------------------------------------- VOC
@pytest.fixture
def voc_pool(tmp_path):
    """POOL written as a VOC tree, to read and to break files in."""
    root = tmp_path / 'voc'
    write_voc(root, POOL)
    return root


def test_ids_file_restricts_the_pool_in_pool_order(voc_pool, tmp_path):
    ids_file = write_ids(tmp_path / 'l.txt', ['img2', '', 'img0', 'flat_w'])
    ds = voc(voc_pool, image_ids_file=ids_file)
    assert ids_of(ds) == ['img0', 'img2', 'flat_w']
    infos = [ds.get_data_info(i) for i in range(3)]
    assert [d['label_type'] for d in infos] == ['labeled'] * 3
    # ground truth kept: 2 / 3 objects; flat_w has 2, one of zero area
    assert [len(d['instances']) for d in infos] == [2, 3, 1]
    # first object of img0: WBC (12, 22, 41, 51), VOC's minus one
    assert infos[0]['instances'][0] == dict(
        bbox=[11, 21, 40, 50], bbox_label=1, ignore_flag=0)


def test_whole_pool_and_empty_split(voc_pool):
    # None keeps every image of trainval.txt, the one without objects too
    assert ids_of(voc(voc_pool)) == list(POOL)
    empty = voc(voc_pool, label_type='unlabeled', image_ids_file=[])
    assert len(empty) == 0


def test_zero_area_boxes_are_dropped_with_a_warning(voc_pool):
    with patch(LOG) as log:
        ds = voc(voc_pool, filter_cfg=dict(filter_empty_gt=True))
    warned = [c.args[0] for c in log.call_args_list]
    assert len(warned) == 2
    assert "'flat_w'" in warned[0] and '1 degenerate' in warned[0]
    assert "'flat_h'" in warned[1]
    for i in range(len(ds)):
        for inst in ds.get_data_info(i)['instances']:
            x1, y1, x2, y2 = inst['bbox']
            assert x2 > x1 and y2 > y1
    idx = ids_of(ds).index('flat_h')
    assert len(ds.get_data_info(idx)['instances']) == 2  # 3 - 1
    boxes = ds[idx]['data_samples'].gt_instances.bboxes.tensor
    assert len(boxes) == 2 and bool((boxes[:, 2:] > boxes[:, :2]).all())


def test_unlabeled_items_have_no_boxes(voc_pool):
    # an empty-GT filter must not remove unlabeled images
    ds = voc(voc_pool, label_type='unlabeled', image_ids_file=['img0', 'img1'],
             filter_cfg=dict(filter_empty_gt=True))
    assert ids_of(ds) == ['img0', 'img1']
    for i in range(2):
        info = ds.get_data_info(i)
        assert info['instances'] == [] and info['label_type'] == 'unlabeled'
        sample = ds[i]['data_samples']
        assert sample.metainfo['label_type'] == 'unlabeled'
        assert len(sample.gt_instances) == 0


def test_pseudo_labels_replace_ground_truth(voc_pool, tmp_path):
    # category ids differ from the label order: mapping is by name
    pseudo = pseudo_file(
        tmp_path, {
            'img1': [(7, [10, 20, 30, 40]), (3, [30.5, 50, 20, 10])],
            'img2': [(3, [1, 2, 3, 4])]
        }, [(3, 'RBC'), (7, 'Platelets')])
    # pseudo-labeled images are unlabeled ones that train with pseudo boxes
    ds = voc(voc_pool, label_type='unlabeled',
             image_ids_file=['img0', 'img1', 'img2'],
             pseudo_labels_file=pseudo)
    assert ids_of(ds) == ['img0', 'img1', 'img2']
    unlabeled, p1, p2 = (ds.get_data_info(i) for i in range(3))
    assert unlabeled['label_type'] == 'unlabeled'
    assert unlabeled['instances'] == []  # GT dropped
    assert p1['label_type'] == p2['label_type'] == 'pseudo'
    assert p1['instances'] == [
        dict(bbox=[10, 20, 40, 60], bbox_label=2, ignore_flag=0),
        dict(bbox=[30.5, 50, 50.5, 60], bbox_label=0, ignore_flag=0)
    ]  # not img1's 1 GT object
    assert p2['instances'] == [
        dict(bbox=[1, 2, 4, 6], bbox_label=0, ignore_flag=0)]  # not its 3
    samples = [ds[i]['data_samples'] for i in range(3)]
    assert [s.metainfo['label_type'] for s in samples] == [
        'unlabeled', 'pseudo', 'pseudo']
    assert [len(s.gt_instances) for s in samples] == [0, 2, 1]
    assert samples[1].gt_instances.labels.tolist() == [2, 0]
    # 64x64 -> 32x32: halved
    np.testing.assert_allclose(
        samples[1].gt_instances.bboxes.tensor[0].numpy(),
        [5.0, 10.0, 20.0, 30.0], rtol=1e-5)


def test_built_from_config_registry(voc_pool):
    ds = DATASETS.build(
        dict(type='ALVOCDataset', label_type='unlabeled',
             image_ids_file=['img1'], data_root=str(voc_pool),
             ann_file='ImageSets/Main/trainval.txt',
             data_prefix=dict(sub_data_root=''),
             metainfo=dict(classes=BCCD_CLASSES), pipeline=PIPELINE))
    assert isinstance(ds, ALVOCDataset) and ids_of(ds) == ['img1']


@pytest.mark.parametrize('label_type', ['pseudo', 'Labeled', 'foo'])
def test_bad_label_type_names_the_value(voc_pool, label_type):
    with pytest.raises(ValueError, match=re.escape(repr(label_type))):
        voc(voc_pool, label_type=label_type)


def test_unknown_id_names_the_id_and_the_file(voc_pool, tmp_path):
    ids_file = write_ids(tmp_path / 'l.txt', ['img0', 'img9'])
    with pytest.raises(ValueError) as err:
        voc(voc_pool, image_ids_file=ids_file)
    assert "'img9'" in str(err.value)
    assert ids_file in str(err.value) and 'trainval.txt' in str(err.value)


def test_ids_of_another_pool_part_can_be_ignored(voc_pool, tmp_path):
    # VOC07+12: one id list spans two VOCDatasets; each keeps its own ids.
    ids_file = write_ids(tmp_path / 'l.txt', ['img0', '2008_000002', 'img1'])
    part = voc(voc_pool, image_ids_file=ids_file, ids_outside_pool='ignore')
    assert ids_of(part) == ['img0', 'img1']
    with pytest.raises(ValueError, match="ids_outside_pool='warn'"):
        voc(voc_pool, image_ids_file=ids_file, ids_outside_pool='warn')


def test_human_labels_replace_the_annotation(voc_pool, tmp_path):
    # human mode: boxes drawn for a labeled image whose XML does not exist
    ids = ['img0', 'img1']
    (voc_pool / 'Annotations' / f'{ids[1]}.xml').unlink()
    human = pseudo_file(tmp_path, {ids[1]: [(7, [10, 20, 30, 40])]},
                        [(7, 'Platelets'), (8, 'RBC'), (9, 'WBC')],
                        name='human.json')
    labeled = write_ids(tmp_path / 'l.txt', ids)
    dataset = voc(voc_pool, image_ids_file=labeled, labels_file=human)
    info = dataset.get_data_info(1)
    assert info['img_id'] == ids[1] and info['label_type'] == 'labeled'
    assert [(i['bbox'], i['bbox_label']) for i in info['instances']] == [
        ([10, 20, 40, 60], 2)]  # Platelets: class 2 of (RBC, WBC, Platelets)
    assert len(dataset.get_data_info(0)['instances']) == 2  # from its XML
    outside = write_ids(tmp_path / 'o.txt', ids[:1])
    with pytest.raises(ValueError, match=f"image '{ids[1]}' of labels_file"):
        voc(voc_pool, image_ids_file=outside, labels_file=human)


def test_pseudo_errors(voc_pool, tmp_path):
    cats = [(1, 'RBC')]
    unlabeled = dict(label_type='unlabeled')
    pseudo = pseudo_file(tmp_path, {'img1': [(1, [1, 1, 5, 5])]}, cats)
    # a pseudo-labeled image must be one of the split's unlabeled ones
    with pytest.raises(ValueError, match="'img1'.*pseudo.json.*is not in"):
        voc(voc_pool, **unlabeled, image_ids_file=['img0'],
            pseudo_labels_file=pseudo)
    with pytest.raises(ValueError, match='image_ids_file is None'):
        voc(voc_pool, **unlabeled, pseudo_labels_file=pseudo)
    # the labeled part never takes them (they would crowd out human labels)
    with pytest.raises(ValueError, match="'labeled' data set.*unlabeled"):
        voc(voc_pool, image_ids_file=['img0'], pseudo_labels_file=pseudo)
    outside = pseudo_file(tmp_path, {'img7': []}, cats, 'o.json')
    with pytest.raises(ValueError, match="'img7'.*o.json"):
        voc(voc_pool, **unlabeled, image_ids_file=['img0', 'img7'],
            pseudo_labels_file=outside)
    unknown = pseudo_file(tmp_path, {'img2': []}, [(1, 'Neutrophil')],
                          'u.json')
    with pytest.raises(ValueError, match="'Neutrophil'"):
        voc(voc_pool, **unlabeled, image_ids_file=['img2'],
            pseudo_labels_file=unknown)


def test_missing_xml(voc_pool):
    (voc_pool / 'Annotations' / 'img2.xml').unlink()
    # not the XML's 64x64: the size must come from this image
    cv2.imwrite(str(voc_pool / 'JPEGImages' / 'img2.jpg'),
                np.zeros((40, 48, 3), np.uint8))
    ds = voc(voc_pool, label_type='unlabeled', image_ids_file=['img2'])
    info = ds.get_data_info(0)
    assert (info['width'], info['height']) == (48, 40)  # from the image
    assert info['instances'] == [] and info['label_type'] == 'unlabeled'
    assert ds[0]['data_samples'].metainfo['label_type'] == 'unlabeled'
    with pytest.raises(FileNotFoundError, match='img2.xml'):
        voc(voc_pool, image_ids_file=['img2'])
    # outside the split, a missing XML is never read
    assert len(voc(voc_pool, image_ids_file=['img1'])) == 1


def test_corrupt_xml_of_a_labeled_image(voc_pool):
    (voc_pool / 'Annotations' / 'img1.xml').write_text('<a><b>')
    with pytest.raises(ValueError, match='img1.xml'):
        voc(voc_pool, image_ids_file=['img1'])


def test_missing_image(voc_pool):
    (voc_pool / 'JPEGImages' / 'img0.jpg').unlink()
    with pytest.raises(ValueError, match='1 labeled / pseudo-labeled image'
                       r'.*img0.jpg .*image file not found'):
        voc(voc_pool, image_ids_file=['img0'])
    with patch(LOG) as log:
        ds = voc(voc_pool, label_type='unlabeled',
                 image_ids_file=['img0', 'img1'])
    assert ids_of(ds) == ['img1']
    assert list(ds.unusable_images) == ['img0']
    assert 'img0' in log.call_args.args[0]


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
    ids_file = write_ids(tiny_coco / 'u.txt', ['2', '1', '3'])
    pseudo = pseudo_file(tiny_coco, {3: [(1, [1, 2, 3, 4])]}, [(1, 'fish')])
    # image 3 has no box in pool.json but a pseudo box: it trains with it
    ds = coco(tiny_coco, label_type='unlabeled', image_ids_file=ids_file,
              pseudo_labels_file=pseudo)
    assert ids_of(ds) == [1, 2, 3]
    infos = [ds.get_data_info(i) for i in range(3)]
    assert [d['label_type'] for d in infos] == [
        'unlabeled', 'unlabeled', 'pseudo']
    assert infos[0]['instances'] == infos[1]['instances'] == []
    assert infos[2]['instances'] == [
        dict(bbox=[1, 2, 4, 6], bbox_label=1, ignore_flag=0)]
    samples = [ds[i]['data_samples'] for i in range(3)]
    assert [s.metainfo['label_type'] for s in samples] == [
        'unlabeled', 'unlabeled', 'pseudo']
    assert [s.gt_instances.labels.tolist() for s in samples] == [[], [], [1]]


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
    with pytest.raises(ValueError, match="'1'.*is not in"):
        coco(tiny_coco, label_type='unlabeled', image_ids_file=['2'],
             pseudo_labels_file=pseudo)
    (tiny_coco / 'img' / '2.jpg').unlink()
    with pytest.raises(ValueError, match='2.jpg'):
        coco(tiny_coco, image_ids_file=['2'])


def test_coco_pool_in_the_usual_layout(tmp_path):
    """annotations/train.json + images/, as aquarium and COCO lay it out."""
    # write_coco: bbox (x, y, w, h, category_id), categories 1 'cat', 2 'dog'
    write_coco(tmp_path, {1: [(2, 3, 10, 8, 2)], 2: [], 3: [(5, 6, 20, 10, 1)],
                          4: [(1, 1, 5, 5, 1)], 5: []})
    kwargs = dict(data_root=str(tmp_path), ann_file='annotations/train.json',
                  data_prefix=dict(img='images/'),
                  metainfo=dict(classes=CAT_DOG), pipeline=PIPELINE)
    labeled = ALCocoDataset(
        image_ids_file=write_ids(tmp_path / 'l.txt', ['3', '1']), **kwargs)
    unlabeled = ALCocoDataset(label_type='unlabeled',
                              image_ids_file=['5', '4'], **kwargs)
    assert ids_of(labeled) == [1, 3] and ids_of(unlabeled) == [4, 5]
    assert [[(x['bbox'], x['bbox_label'])
             for x in labeled.get_data_info(i)['instances']]
            for i in range(2)] == [[([2, 3, 12, 11], 1)],
                                   [([5, 6, 25, 16], 0)]]  # dog, cat
    sample = unlabeled[0]['data_samples']  # image 4: its box is dropped
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
