"""Helpers shared by several test modules: fabricated WORK_DIRs and pools,
and loading a tool script (tools/ is not a package) as a module."""
import importlib.util
from pathlib import Path

import cv2
import numpy as np

from mmdet_alssl.workdir import CycleState
from mmdet_alssl.workdir.state_io import write_ids
from mmdet_alssl.workdir.layout import (ACQUIRE, POOL_IDS, SPLIT, TEST, TRAIN)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def load_tool(relative_path: str):
    """The script ``tools/<relative_path>`` imported as a module (its
    ``__main__`` block does not run)."""
    path = PROJECT_ROOT / 'tools' / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- a VOC pool with known boxes ---------------------------------------
def write_voc(root, boxes_by_image, images=None, trainval=None):
    """A tiny VOC pool: {id: [(name, x1, y1, x2, y2)]} and its
    ``ImageSets/Main/trainval.txt`` (the ids ``trainval``, default all);
    each image is ``images[id]`` (an HxWx3 uint8 array) if given, else
    black 64x64."""
    for sub in ('Annotations', 'JPEGImages', 'ImageSets/Main'):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for image_id, boxes in boxes_by_image.items():
        image = np.zeros((64, 64, 3), np.uint8) if images is None else \
            images[image_id]
        cv2.imwrite(str(root / 'JPEGImages' / f'{image_id}.jpg'), image)
        objs = ''.join(
            f'<object><name>{n}</name><difficult>0</difficult><bndbox>'
            f'<xmin>{x1}</xmin><ymin>{y1}</ymin><xmax>{x2}</xmax>'
            f'<ymax>{y2}</ymax></bndbox></object>'
            for n, x1, y1, x2, y2 in boxes)
        height, width = image.shape[:2]
        (root / 'Annotations' / f'{image_id}.xml').write_text(
            f'<annotation><size><width>{width}</width><height>{height}'
            f'</height><depth>3</depth></size>{objs}</annotation>')
    (root / 'ImageSets/Main/trainval.txt').write_text(''.join(
        f'{i}\n' for i in (boxes_by_image if trainval is None else trainval)))


def write_cell_voc(root: Path, num_trainval: int, num_test: int,
                   seed: int = 0, width: int = 128) -> Path:
    """A generated stand-in for BCCD in its VOC layout: ``width`` x
    ``width * 3 / 4`` px images (BCCD's 640x480 at ``width=640``) with 2-5
    filled discs of BCCD's classes (RBC, WBC, Platelets) and their boxes,
    ``ImageSets/Main/trainval.txt`` and ``test.txt``. Returns root."""
    rng = np.random.default_rng(seed)
    height, scale = width * 3 // 4, width / 128
    look = {'RBC': ((60, 60, 200), 14), 'WBC': ((160, 40, 120), 18),
            'Platelets': ((150, 120, 200), 5)}  # BGR colour, radius at 128
    boxes, images = {}, {}
    for n in range(num_trainval + num_test):
        image_id = f'Cell_{n:05d}'
        images[image_id] = np.full((height, width, 3), 220, np.uint8)
        boxes[image_id] = []
        for _ in range(rng.integers(2, 6)):
            name = str(rng.choice(list(look)))
            colour, r = look[name][0], round(look[name][1] * scale)
            cx = int(rng.integers(r, width - r))
            cy = int(rng.integers(r, height - r))
            cv2.circle(images[image_id], (cx, cy), r, colour, -1)
            boxes[image_id].append((name, cx - r, cy - r, cx + r, cy + r))
    ids = list(boxes)
    write_voc(root, boxes, images, trainval=ids[:num_trainval])
    (root / 'ImageSets/Main/test.txt').write_text(
        ''.join(f'{i}\n' for i in ids[num_trainval:]))
    return root


# ---- finished WORK_DIRs for the report ---------------------------------
REPORT_CLASSES = ('a', 'b')
# pool: image id -> ground-truth boxes (name, x1, y1, x2, y2) in the XML
REPORT_POOL = {'p0': [('a', 1, 1, 11, 11)], 'p1': [('b', 21, 21, 41, 41)],
        'p2': [('b', 1, 1, 11, 11)], 'p3': []}


def write_pool(root: Path) -> Path:
    """The VOC pool and a config whose train_dataloader reads it."""
    write_voc(root, REPORT_POOL)
    config = root / 'cfg.py'
    config.write_text(
        f"part = dict(type='ALVOCDataset', data_root='{root}/', "
        f"ann_file='ImageSets/Main/trainval.txt', "
        f"data_prefix=dict(sub_data_root=''), "
        f"metainfo=dict(classes={REPORT_CLASSES!r}), pipeline=[])\n"
        f"train_dataloader = dict(dataset=dict(type='ConcatDataset', "
        f"datasets=[dict(part, label_type='labeled'), "
        f"dict(part, label_type='unlabeled', image_ids_file=[])]))\n")
    return config


def pseudo(boxes_by_image):
    images = [dict(id=i, file_name=f'{i}.jpg', width=64, height=64)
              for i in boxes_by_image]
    anns = [dict(id=n, image_id=i, bbox=list(b[:4]), area=b[2] * b[3],
                 category_id=b[4] + 1, score=0.95, iscrowd=0)
            for n, (i, b) in enumerate(
                ((i, b) for i, bs in boxes_by_image.items() for b in bs), 1)]
    return dict(images=images, annotations=anns,
                categories=[dict(id=k + 1, name=c)
                            for k, c in enumerate(REPORT_CLASSES)])


def make_run(path, config, seed, maps, strategy, pl=None):
    """Cycle k: labeled = the first 1 + k pool images, mAP maps[k],
    per-class AP a = mAP, b = mAP / 2; pseudo-labels pl[k]."""
    state = CycleState(path)
    state.ensure_manifest(dict(config_path=str(config), seed=seed,
                               strategy=strategy, tau=0.9, budget=1,
                               pseudo_labels=pl is not None, cfg_options=[]))
    ids = list(REPORT_POOL)
    for k, m in enumerate(maps):
        state.write_split(k, ids[:1 + k], ids[1 + k:])
        coco = (pl or {}).get(k)
        if coco:
            state.write_pseudo_labels(k, coco)
        state.write_metrics(k, dict(mAP=m, per_class_AP=dict(a=m, b=m / 2)))
        state.update_summary(k, labeled=1 + k, mAP=m, pseudo_labeled=len(
            coco['images']) if coco else 0)
    return path



# ---- fabricated loop state for the benchmark ---------------------------
BENCH_POOL = [f'{i:03d}' for i in range(10)]


def manifest(strategy='unified', **extra):
    return dict(config_path='c.py', config_sha256='x', seed=0,
                strategy=strategy, tau=0.9, budget=2, **extra)


def fake_cycle(state: CycleState, k: int, select: bool, steps=(TRAIN, TEST)):
    """Cycle k's files and done markers, as the loop would leave them."""
    labeled, unlabeled = state.read_split(k)
    if k == 0:
        write_ids(state.work_dir / POOL_IDS, BENCH_POOL)
        state.mark_done(0, SPLIT, ['labeled.txt', 'unlabeled.txt',
                                   state.work_dir / POOL_IDS])
    if TRAIN in steps:
        ckpt = state.path(k, 'train') / 'iter_2.pth'
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        ckpt.write_bytes(b'weights of cycle %d' % k)
        state.mark_done(k, TRAIN, [ckpt])
    if select and ACQUIRE in steps:
        state.write_selected(k, unlabeled[:2])
        state.write_split(k + 1, labeled + unlabeled[:2], unlabeled[2:])
        state.mark_done(k, ACQUIRE, ['selected.txt'])
    if TEST in steps:
        state.write_metrics(k, dict(mAP=0.5, per_class_AP={}))
        state.mark_done(k, TEST, ['metrics.json'])


def finished_run(work_dir, cycles: int, **kw) -> CycleState:
    state = CycleState(work_dir)
    state.ensure_manifest(manifest(**kw))
    state.write_split(0, BENCH_POOL[:4], BENCH_POOL[4:])
    for k in range(cycles + 1):
        fake_cycle(state, k, select=k < cycles,
                   steps=(TRAIN, ACQUIRE, TEST))
    return state
