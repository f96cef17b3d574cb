"""The paper's configs run end to end: the whole loop (split, train, score
the pool, select, pseudo-label, train, test) on tiny mock trees in the
layouts MMDetection expects, shrunk only through --cfg-options (batch size,
iterations, workers, the VGG16 download)."""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import numpy as np
import pytest
from mmdet.datasets import CocoDataset

from mmdet_alssl.workdir import CycleState

ROOT = Path(__file__).resolve().parents[2]
VOC_CLASSES = ('aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car',
               'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse',
               'motorbike', 'person', 'pottedplant', 'sheep', 'sofa',
               'train', 'tvmonitor')
SHRINK = [
    'model.backbone.init_cfg=None',  # no VGG16 download
    # 1 labeled + 1 unlabeled image a batch: SSD300 on CPU is the slow part
    'train_dataloader.batch_size=2', 'train_dataloader.sampler.batch_size=2',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
    'test_dataloader.batch_size=2',
]


def _image_and_boxes(rng, n):
    """A 96x80 image with n filled rectangles; their boxes (x1 y1 x2 y2)."""
    img = np.full((80, 96, 3), rng.integers(0, 255, 3), np.uint8)
    boxes = []
    for _ in range(n):
        x1, y1 = rng.integers(0, 60), rng.integers(0, 45)
        x2, y2 = x1 + rng.integers(12, 34), y1 + rng.integers(12, 33)
        img[y1:y2, x1:x2] = rng.integers(0, 255, 3)
        boxes.append((int(x1), int(y1), int(x2), int(y2)))
    return img, boxes


def write_vocdevkit(root: Path, per_trainval: int = 6,
                    num_test: int = 4) -> None:
    """data/VOCdevkit/VOC2007 (trainval + test) and VOC2012 (trainval):
    ``per_trainval`` images in each trainval, ``num_test`` in the test."""
    rng = np.random.default_rng(0)
    for year, splits in (('2007', ('trainval', 'test')),
                         ('2012', ('trainval', ))):
        base = root / f'VOC{year}'
        for sub in ('Annotations', 'JPEGImages', 'ImageSets/Main'):
            (base / sub).mkdir(parents=True, exist_ok=True)
        for split in splits:
            count = num_test if split == 'test' else per_trainval
            ids = [f'{year}_{split}_{i:03d}' for i in range(count)]
            for i in ids:
                img, boxes = _image_and_boxes(rng, int(rng.integers(1, 3)))
                cv2.imwrite(str(base / 'JPEGImages' / f'{i}.jpg'), img)
                ann = ET.Element('annotation')
                size = ET.SubElement(ann, 'size')
                for key, value in (('width', 96), ('height', 80),
                                   ('depth', 3)):
                    ET.SubElement(size, key).text = str(value)
                for box in boxes:
                    obj = ET.SubElement(ann, 'object')
                    ET.SubElement(obj, 'name').text = VOC_CLASSES[int(
                        rng.integers(0, len(VOC_CLASSES)))]
                    ET.SubElement(obj, 'difficult').text = '0'
                    bnd = ET.SubElement(obj, 'bndbox')
                    for key, value in zip(('xmin', 'ymin', 'xmax', 'ymax'),
                                          box):
                        ET.SubElement(bnd, key).text = str(value)
                ET.ElementTree(ann).write(base / 'Annotations' / f'{i}.xml')
            (base / 'ImageSets/Main' / f'{split}.txt').write_text(
                '\n'.join(ids) + '\n')


def write_coco(root: Path, num_train: int = 12, num_val: int = 4) -> None:
    """data/coco/{train2017,val2017}/ and annotations/instances_*.json with
    COCO's 80 categories (boxes of the first three only)."""
    classes = CocoDataset.METAINFO['classes']
    rng = np.random.default_rng(1)
    (root / 'annotations').mkdir(parents=True, exist_ok=True)
    for split, count in (('train2017', num_train), ('val2017', num_val)):
        (root / split).mkdir(exist_ok=True)
        images, anns = [], []
        for n in range(count):
            image_id = 1000 * (split == 'val2017') + n + 1
            img, boxes = _image_and_boxes(rng, int(rng.integers(1, 3)))
            name = f'{image_id:012d}.jpg'
            cv2.imwrite(str(root / split / name), img)
            images.append(dict(id=image_id, file_name=name, width=96,
                               height=80))
            for x1, y1, x2, y2 in boxes:
                anns.append(dict(id=len(anns) + 1, image_id=image_id,
                                 category_id=int(rng.integers(1, 4)),
                                 bbox=[x1, y1, x2 - x1, y2 - y1],
                                 area=(x2 - x1) * (y2 - y1), iscrowd=0))
        coco = dict(images=images, annotations=anns,
                    categories=[dict(id=c + 1, name=name)
                                for c, name in enumerate(classes)])
        (root / 'annotations' / f'instances_{split}.json').write_text(
            json.dumps(coco))


def run_tool(args, cwd, timeout=900):
    proc = subprocess.run([sys.executable, *args], cwd=cwd, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    return proc.returncode, proc.stdout


def loop(al_loop, config, work_dir, options, capsys):
    """The loop in-process (its training in child processes, as always),
    from the current directory (the tree's root): (rc, its output)."""
    rc = al_loop.main([str(config), str(work_dir), '--cycles', '1',
                       '--initial', '6', '--budget', '4', '--train-iters',
                       '1', '--tau', '0.02', '--score-thr', '0.01',
                       '--cfg-options', *options])
    captured = capsys.readouterr()
    return rc, captured.out + captured.err


def check_cycles(work_dir: Path, pool_ids) -> None:
    state = CycleState(work_dir)
    for k in (0, 1):
        labeled, unlabeled = state.read_split(k)
        assert sorted(labeled + unlabeled) == sorted(pool_ids)
        assert not set(labeled) & set(unlabeled)
        assert state.is_done(k, 'test')
    selected = state.read_selected(0)
    assert len(selected) == 4
    labeled1, _ = state.read_split(1)
    assert set(selected) <= set(labeled1)
    scored = state.read_scores(0)
    # every unlabeled image of cycle 0 was scored, from both years
    assert sorted(scored) == sorted(state.read_split(0)[1])


def voc_pool(voc_tree: Path) -> list:
    """The ids of VOC2007 + VOC2012 trainval: the VOC configs' pool."""
    return [i for year in ('2007', '2012') for i in (
        voc_tree / f'data/VOCdevkit/VOC{year}/ImageSets/Main/trainval.txt'
    ).read_text().split()]


@pytest.fixture(scope='module')
def voc_tree(tmp_path_factory):
    cwd = tmp_path_factory.mktemp('voc')
    write_vocdevkit(cwd / 'data/VOCdevkit')
    return cwd


def test_voc0712_config_runs_the_whole_loop(voc_tree, al_loop, monkeypatch,
                                           capsys):
    work_dir = voc_tree / 'work'
    options = SHRINK + ['test_dataloader.dataset.ann_file='
                        'VOC2007/ImageSets/Main/test.txt']
    monkeypatch.chdir(voc_tree)
    rc, out = loop(al_loop, ROOT / 'configs/alssl_ssd300_voc.py', work_dir,
                   options, capsys)
    assert rc == 0, out[-6000:]
    check_cycles(work_dir, voc_pool(voc_tree))
    scored = CycleState(work_dir).read_scores(0)
    assert any(i.startswith('2012') for i in scored)
    assert any(i.startswith('2007') for i in scored)


def test_voc0712_config_trains_and_tests_with_the_mmdet_tools(voc_tree):
    work_dir = voc_tree / 'plain'
    rc, out = run_tool([str(ROOT / 'tools/train.py'),
                        str(ROOT / 'configs/alssl_ssd300_voc.py'),
                        '--work-dir', str(work_dir), '--cfg-options', *SHRINK,
                        'train_cfg.max_iters=1', 'train_cfg.val_interval=1'],
                       voc_tree)
    assert rc == 0, out[-6000:]
    assert (work_dir / 'iter_1.pth').is_file()
    rc, out = run_tool([str(ROOT / 'tools/test.py'),
                        str(ROOT / 'configs/alssl_ssd300_voc.py'),
                        str(work_dir / 'iter_1.pth'), '--cfg-options',
                        *SHRINK], voc_tree)
    assert rc == 0, out[-6000:]
    assert 'pascal_voc/mAP' in out


@pytest.mark.parametrize('name', ['alssl_ssd300_coco.py',
                                  'alssl_retinanet_r50_coco.py',
                                  'alssl_fcos_r50_coco.py'])
def test_coco_config_runs_the_whole_loop(name, tmp_path, al_loop,
                                        monkeypatch, capsys):
    write_coco(tmp_path / 'data/coco')
    monkeypatch.chdir(tmp_path)
    rc, out = loop(al_loop, ROOT / 'configs' / name, tmp_path / 'work',
                   SHRINK, capsys)
    assert rc == 0, out[-6000:]
    check_cycles(tmp_path / 'work', [str(i) for i in range(1, 13)])


@pytest.mark.parametrize('name', ['alssl_retinanet_r50_voc.py',
                                  'alssl_fcos_r50_voc.py'])
def test_dense_voc0712_config_runs_the_whole_loop(name, voc_tree, al_loop,
                                                  monkeypatch, capsys):
    """MMDetection's RetinaNet (sigmoid classes, anchors centred at
    i * stride, keep-ratio batches) and FCOS (points at stride / 2, on the
    VOC data of mmdet's pascal_voc configs) as consistency detectors:
    trained, their pool scored and selected from, pseudo-labeled and
    tested by the loop; R50 from scratch, no validation."""
    work_dir = voc_tree / name
    monkeypatch.chdir(voc_tree)
    rc, out = loop(al_loop, ROOT / 'configs' / name, work_dir, SHRINK,
                   capsys)
    assert rc == 0, out[-6000:]
    check_cycles(work_dir, voc_pool(voc_tree))
