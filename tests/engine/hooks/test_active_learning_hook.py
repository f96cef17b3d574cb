"""ActiveLearningHook with a tiny real ConsistencySSD on images written here.

Pool (VOC layout in a temporary folder, 2 classes): ``img0``-``img7``
(JPEGs of two sizes), ``ghost`` (listed, no file) and ``corrupt`` (a file that
is not an image). Cycle 0: ``img0``, ``img1`` labeled, the rest unlabeled.
The model's class-0 logit is raised by :data:`BIAS` so that every prior is
class 0 with probability > TAU: every image keeps detections (non-zero
scores) and every image left unlabeled gets pseudo-labels -- answers known
in advance that do not hang on random weights.
"""
import csv
import json
import os
import re
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
from mmdet.structures.bbox import bbox_flip
from mmengine.config import Config
from mmengine.runner import Runner

import mmdet_alssl  # noqa: F401  (registers the components)
from mmdet_alssl.acquisition import pseudo_label_boxes, rank_by, score_image
from mmdet_alssl.acquisition.settings import SUGGEST_THR
from mmdet_alssl.datasets.label_type import UNLABELED
from mmdet_alssl.datasets.pool import build_pool
from mmdet_alssl.engine.hooks import ActiveLearningHook
from mmdet_alssl.models.losses import mirrored_prior_index
from mmdet_alssl.workdir import CycleState

PROJECT_ROOT = Path(__file__).resolve().parents[3]
CLASSES = ('a', 'b')
IMAGES = [f'img{i}' for i in range(8)]
POOL = IMAGES + ['ghost', 'corrupt']
LABELED0 = ['img0', 'img1']
UNLABELED0 = [i for i in POOL if i not in LABELED0]
SIZE = 64  # network input, px
BIAS = 6.0  # added to the class-0 logit of every prior
TAU = 0.9
BUDGET = 2


@pytest.fixture(scope='module')
def data_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('voc')
    for sub in ('JPEGImages', 'Annotations', 'ImageSets/Main'):
        (root / sub).mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i, name in enumerate(IMAGES + ['corrupt']):
        w, h = (80, 60) if i % 2 else (64, 48)
        if name == 'corrupt':
            (root / 'JPEGImages' / 'corrupt.jpg').write_bytes(b'not a jpeg')
        else:
            img = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
            img[10:30, 5 + i:25 + 3 * i] = (255, 0, 0)
            cv2.imwrite(str(root / 'JPEGImages' / f'{name}.jpg'), img)
        ann = ET.Element('annotation')
        size = ET.SubElement(ann, 'size')
        for tag, value in (('width', w), ('height', h), ('depth', 3)):
            ET.SubElement(size, tag).text = str(value)
        obj = ET.SubElement(ann, 'object')
        ET.SubElement(obj, 'name').text = CLASSES[i % 2]
        ET.SubElement(obj, 'difficult').text = '0'
        box = ET.SubElement(obj, 'bndbox')
        for tag, value in zip(('xmin', 'ymin', 'xmax', 'ymax'),
                              (6 + i, 11, 25 + 3 * i, 30)):
            ET.SubElement(box, tag).text = str(value)
        ET.ElementTree(ann).write(root / 'Annotations' / f'{name}.xml')
    (root / 'ImageSets/Main/trainval.txt').write_text('\n'.join(POOL) + '\n')
    return root


def model_cfg() -> dict:
    """The CPU configs' SSD on ImageNet EfficientNet-Lite0, 2 classes.
    (A randomly initialised Lite0 in eval mode, its BN statistics still at
    their init, gives logits so large that every softmax is one-hot.)"""
    model = Config.fromfile(
        str(PROJECT_ROOT / 'configs/_base_/models/ssd_lite0_128.py')
    ).model.to_dict()
    # No init of neck and head: Runner.train() would redo it after
    # build_runner set the head's BIAS (the backbone's weights still load).
    model['neck'].update(init_cfg=None)
    model['bbox_head'].update(num_classes=len(CLASSES), init_cfg=None)
    return model


def make_cfg(data_root: Path, train_dir: Path, work_dir=None,
             **acquisition) -> Config:
    common = dict(type='ALVOCDataset', data_root=str(data_root),
                  ann_file='ImageSets/Main/trainval.txt',
                  data_prefix=dict(sub_data_root=''),
                  metainfo=dict(classes=CLASSES))
    train_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', with_bbox=True),
        dict(type='Resize', scale=(SIZE, SIZE), keep_ratio=False),
        dict(type='PackDetInputs')
    ]
    test_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(SIZE, SIZE), keep_ratio=False),
        dict(type='PackDetInputs',
             meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                        'scale_factor'))
    ]
    hook = dict(type='ActiveLearningHook', work_dir=work_dir, batch_size=3,
                acquisition=dict(dict(budget=BUDGET, tau=TAU, score_thr=0.5),
                                 **acquisition))
    return Config(dict(
        model=model_cfg(),
        work_dir=str(train_dir),
        train_dataloader=dict(
            batch_size=2, num_workers=0,
            sampler=dict(type='SemiSupervisedSampler', batch_size=2),
            batch_sampler=None,
            dataset=dict(type='ConcatDataset', datasets=[
                dict(common, label_type='labeled', image_ids_file=LABELED0,
                     pipeline=train_pipeline),
                dict(common, label_type='unlabeled',
                     image_ids_file=UNLABELED0, pipeline=train_pipeline),
            ])),
        # lr 0: a real training step that keeps the weights (and BIAS)
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.0)),
        test_dataloader=dict(
            batch_size=1, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(common, type='VOCDataset', test_mode=True,
                         pipeline=test_pipeline)),
        test_cfg=dict(type='TestLoop'),
        test_evaluator=dict(type='VOCMetric'),
        custom_hooks=[hook],
        default_hooks=dict(checkpoint=None, logger=None),
        default_scope='mmdet',
        randomness=dict(seed=0),
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        log_level='WARNING'))


def build_runner(cfg: Config):
    runner = Runner.from_cfg(cfg)
    runner.model.init_weights()  # the ImageNet backbone (train() skips it)
    head = runner.model.bbox_head
    with torch.no_grad():
        for convs in head.cls_convs:
            conv = convs[-1] if isinstance(convs, torch.nn.Sequential) \
                else convs
            # damped weights: the bias decides every prior's class
            conv.weight.mul_(0.1)
            # channels are (anchor, class) with class fastest
            conv.bias.view(-1, len(CLASSES) + 1)[:, 0] += BIAS
    hook = next(h for h in runner.hooks if isinstance(h, ActiveLearningHook))
    return runner, hook


def start_cycle(al_dir: Path) -> CycleState:
    state = CycleState(al_dir)
    state.write_split(0, LABELED0, UNLABELED0)
    return state


def read_csv(path):
    with open(path) as f:
        return {row['image_id']: row for row in csv.DictReader(f)}


def test_after_train_writes_the_next_cycle(data_root, tmp_path):
    """A real Runner.train() (1 iteration) ends in the hook."""
    al_dir = tmp_path / 'al'
    state = start_cycle(al_dir)
    runner, hook = build_runner(
        make_cfg(data_root, tmp_path / 'train', work_dir=str(al_dir)))
    runner.train()
    assert runner.model.training  # the loop's mode, restored by the hook

    scores = read_csv(al_dir / 'cycle_0' / 'scores.csv')
    scored = [i for i in UNLABELED0 if i not in ('ghost', 'corrupt')]
    assert sorted(scores) == sorted(scored)
    assert all(int(r['num_detections']) > 0 and float(r['unified']) > 0
               for r in scores.values()), scores
    # unified ranking (ties in random's order): recomputed from the file
    ranking = rank_by({i: dict(unified=float(scores[i]['unified']))
                       for i in scored}, 'unified', hook.settings.seed)
    selected = state.read_selected(0)
    assert selected == ranking[:BUDGET]

    labeled1, unlabeled1 = state.read_split(1)
    assert labeled1 == LABELED0 + selected
    assert unlabeled1 == [i for i in UNLABELED0 if i not in selected]
    assert 'ghost' in unlabeled1 and 'corrupt' in unlabeled1
    skipped = json.loads((al_dir / 'cycle_0' /
                          'skipped_images.json').read_text())
    assert sorted(skipped) == ['corrupt', 'ghost']
    assert skipped['ghost'] == f'{data_root}/JPEGImages/ghost.jpg: image ' \
        f'file not found'
    # left out when the pool was built: never reaches a dataloader worker
    assert skipped['corrupt'] == f'{data_root}/JPEGImages/corrupt.jpg: ' \
        f'cannot be decoded as an image (10 bytes)'

    coco = state.read_pseudo_labels(1)
    pseudo_ids = {img['id'] for img in coco['images']}
    # BIAS makes every prior confident: every scored image left unlabeled
    assert pseudo_ids == set(unlabeled1) - {'ghost', 'corrupt'}
    assert not pseudo_ids & set(labeled1)
    assert {a['image_id'] for a in coco['annotations']} == pseudo_ids
    assert all(a['score'] >= TAU and a['category_id'] == 1
               for a in coco['annotations']), [
        (a['score'], a['category_id']) for a in coco['annotations']]
    for img in coco['images']:  # odd images are 80 x 60, even 64 x 48
        odd = int(img['id'][3:]) % 2
        assert (img['width'], img['height']) == ((80, 60) if odd else
                                                 (64, 48))
        assert img['file_name'] == f'JPEGImages/{img["id"]}.jpg'
    assert state.is_done(0, 'acquire')

    # Done: a second call changes nothing.
    before = {p: p.stat().st_mtime_ns for p in al_dir.rglob('*')}
    hook.after_train(runner)
    assert {p: p.stat().st_mtime_ns for p in al_dir.rglob('*')} == before


def direct_prediction(runner, hook, image_id):
    """The model's dense predictions on one pool image and its flip, each
    in its own forward: the pure functions' inputs, computed without the
    hook."""
    model = runner.model.eval()
    pool, = build_pool(runner.cfg.train_dataloader, UNLABELED, [image_id],
                       pipeline=hook._pool_pipeline(runner), test_mode=True)
    data = model.data_preprocessor(
        {k: [v] for k, v in pool[0].items()}, False)
    meta = data['data_samples'][0].metainfo
    out = []
    with torch.no_grad():
        for inputs in (data['inputs'], data['inputs'].flip(-1)):
            heads = model.bbox_head(model.extract_feat(inputs))
            out.append(model.bbox_head.predict_dense(*heads, [meta])[0])
    (boxes, probs), (flip_boxes, flip_probs) = out
    flip_boxes = bbox_flip(flip_boxes, meta['ori_shape'], 'horizontal')
    mirror = mirrored_prior_index([s.shape[-2:] for s in heads[0]],
                                  model.bbox_head.num_base_priors)
    return boxes, probs, flip_boxes, flip_probs, mirror


def test_scores_equal_the_pure_function(data_root, tmp_path):
    al_dir = tmp_path / 'al'
    state = start_cycle(al_dir)
    runner, hook = build_runner(
        make_cfg(data_root, tmp_path / 'train', work_dir=str(al_dir)))
    runner.model.train()
    hook.after_train(runner)
    assert runner.model.training  # restored
    table = state.read_scores(0)
    for image_id in ('img3', 'img6'):  # one of each size
        boxes, probs, fboxes, fprobs, mirror = direct_prediction(
            runner, hook, image_id)
        want = score_image(boxes, probs, fboxes, fprobs, score_thr=0.5,
                           mirror_index=mirror)
        got = table[image_id]
        assert got['num_detections'] == want['num_detections'] > 0
        for key in ('entropy', 'inconsistency', 'unified'):
            assert got[key] == pytest.approx(want[key], rel=1e-4, abs=1e-7)
        if image_id not in state.read_selected(0):
            pseudo = pseudo_label_boxes(boxes, probs, TAU)
            coco = state.read_pseudo_labels(1)
            anns = [a for a in coco['annotations']
                    if a['image_id'] == image_id]
            assert len(anns) == len(pseudo['bboxes']) > 0
            # xywh -> xyxy; compared as sorted rows (near-equal scores may
            # swap places between a batched and a single forward)
            got_boxes = sorted([x, y, x + w, y + h]
                               for x, y, w, h in (a['bbox'] for a in anns))
            np.testing.assert_allclose(
                got_boxes, sorted(pseudo['bboxes'].tolist()), rtol=1e-4,
                atol=1e-3)


def test_predictions_are_the_selected_images_boxes_at_suggest_thr(
        data_root, tmp_path):
    al_dir = tmp_path / 'al'
    state = start_cycle(al_dir)
    runner, hook = build_runner(
        make_cfg(data_root, tmp_path / 'train', work_dir=str(al_dir)))
    hook.after_train(runner)
    predictions = json.loads(
        (al_dir / 'cycle_0' / 'predictions.json').read_text())
    selected = state.read_selected(0)
    assert [img['id'] for img in predictions['images']] == sorted(selected)
    assert hook.settings.suggest_thr == SUGGEST_THR
    for image_id in selected:
        boxes, probs, *_ = direct_prediction(runner, hook, image_id)
        want = pseudo_label_boxes(boxes, probs, SUGGEST_THR)
        anns = [a for a in predictions['annotations']
                if a['image_id'] == image_id]
        assert len(anns) == len(want['bboxes']) > 0
        assert all(a['score'] >= SUGGEST_THR for a in anns)
        np.testing.assert_allclose(
            sorted([x, y, x + w, y + h] for x, y, w, h in
                   (a['bbox'] for a in anns)),
            sorted(want['bboxes'].tolist()), rtol=1e-4, atol=1e-3)


def test_eval_mode_restored_and_disabled_hook(data_root, tmp_path):
    al_dir = tmp_path / 'al'
    start_cycle(al_dir)
    runner, hook = build_runner(
        make_cfg(data_root, tmp_path / 'train', work_dir=None))
    runner.model.eval()
    before = sorted(al_dir.rglob('*'))
    hook.after_train(runner)  # work_dir=None: nothing at all
    assert sorted(al_dir.rglob('*')) == before
    hook.work_dir, hook.select = str(al_dir), False  # the last cycle
    hook.after_train(runner)
    assert sorted(al_dir.rglob('*')) == before
    hook.select = True
    hook.after_train(runner)
    assert not runner.model.training  # eval before, eval after
    assert (al_dir / 'cycle_1' / 'labeled.txt').is_file()


def hook_at(state: CycleState, **acquisition) -> ActiveLearningHook:
    """A hook of make_cfg's settings (and ``acquisition``) on ``state``."""
    return ActiveLearningHook(
        work_dir=str(state.work_dir), batch_size=3, acquisition=dict(
            dict(budget=BUDGET, tau=TAU, score_thr=0.5), **acquisition))


def test_count_guard_refuses_an_overconfident_model(data_root, tmp_path,
                                                    monkeypatch):
    """BIAS makes the model sure of class a at every prior: many boxes per
    unlabeled image, where the labeled img0 and img1 hold 0.5 of a (and 0.5
    of b) each. The guard keeps the selection and drops every pseudo box."""
    al_dir = tmp_path / 'al'
    state = start_cycle(al_dir)
    runner, hook = build_runner(make_cfg(
        data_root, tmp_path / 'train', work_dir=str(al_dir),
        pseudo_max_count_ratio=2.0))
    warnings = []
    monkeypatch.setattr(runner.logger, 'warning',
                        lambda msg, *a, **k: warnings.append(msg))
    hook.after_train(runner)
    assert len(state.read_selected(0)) == BUDGET
    assert state.read_pseudo_labels(1)['images'] == []
    assert state.read_pseudo_labels(1)['annotations'] == []
    guard = [w for w in warnings if 'NO pseudo-labels' in w]
    assert len(guard) == 1, warnings
    assert re.search(r'\(a: \d+\.\d\d boxes per unlabeled image, 0\.50 '
                     r'per labeled image\)', guard[0]), guard[0]
    assert 'active_learning.pseudo_max_count_ratio=None' in guard[0]

    # a ratio the model stays under: the pseudo-labels of the τ gate
    state = start_cycle(tmp_path / 'b')
    hook_at(state, pseudo_max_count_ratio=1e6).after_train(runner)
    _, unlabeled1 = state.read_split(1)
    assert {img['id'] for img in state.read_pseudo_labels(1)['images']} == \
        set(unlabeled1) - {'ghost', 'corrupt'}


def test_empty_pool_and_budget_larger_than_pool(data_root, tmp_path):
    runner, _ = build_runner(make_cfg(data_root, tmp_path / 'train'))
    state = CycleState(tmp_path / 'empty')
    state.write_split(0, POOL, [])
    hook_at(state).after_train(runner)
    assert state.read_selected(0) == []
    assert state.read_split(1) == (POOL, [])
    assert state.read_scores(0) == {}

    state = CycleState(tmp_path / 'big')
    state.write_split(0, IMAGES[:5], IMAGES[5:] + ['ghost'])
    hook_at(state, budget=100).after_train(runner)
    assert sorted(state.read_selected(0)) == IMAGES[5:]  # ghost never
    assert state.read_split(1) == (IMAGES[:5] + state.read_selected(0),
                                   ['ghost'])


@pytest.mark.parametrize('acquisition, match', [
    (dict(strategy='nope'), "unknown strategy 'nope'"),
    (dict(tau=0), 'tau=0'),
    (dict(budget=-1), 'budget=-1'),
    (dict(score_thr=1.5), 'score_thr=1.5'),
    (dict(flip_candidates='x'), "flip_candidates='x'"),
    (dict(pseudo_max_count_ratio=0), 'pseudo_max_count_ratio=0'),
    (dict(pseudo_flip_iou=0.5), r"ActiveLearningHook\(acquisition=...\) has "
     r"unknown setting\(s\) \['pseudo_flip_iou'\]"),
])
def test_bad_acquisition_settings(acquisition, match):
    with pytest.raises(ValueError, match=match):
        ActiveLearningHook(acquisition=acquisition)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"enabled \(work_dir='wd'\) but has "
                       r'no budget; pass acquisition=dict\(budget=N\)'):
        ActiveLearningHook(work_dir='wd')
    with pytest.raises(ValueError, match='batch_size=0'):
        ActiveLearningHook(batch_size=0)
    ActiveLearningHook(work_dir='wd', select=False)  # last cycle: no budget


# ---- distributed: 2 gloo processes == 1 process ---------------------------
def _dist_worker(rank, world_size, port, data_root, tmp_path):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    torch.distributed.init_process_group('gloo', rank=rank,
                                         world_size=world_size)
    try:
        runner, hook = build_runner(
            make_cfg(data_root, tmp_path / f'train{rank}',
                     work_dir=str(tmp_path / 'dist')))
        assert torch.distributed.get_world_size() == world_size
        scored = []  # what THIS rank scores: its shard of the pool
        score_batch = hook.scorer.score_batch

        def counting(model, data_batch):
            rows = score_batch(model, data_batch)
            scored.extend(row['id'] for row in rows)
            return rows

        hook.scorer.score_batch = counting
        hook.after_train(runner)
        (tmp_path / f'rank{rank}.json').write_text(json.dumps(scored))
    finally:
        torch.distributed.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_gloo_processes_match_one(data_root, tmp_path):
    start_cycle(tmp_path / 'dist')
    mp.spawn(_dist_worker, args=(2, _free_port(), data_root, tmp_path),
             nprocs=2, join=True)
    start_cycle(tmp_path / 'single')
    runner, hook = build_runner(
        make_cfg(data_root, tmp_path / 'train', work_dir=str(
            tmp_path / 'single')))
    hook.after_train(runner)

    # DefaultSampler shards the pool img2..img7 (ghost and corrupt are
    # dropped by the data set) by stride 2.
    shards = [json.loads((tmp_path / f'rank{r}.json').read_text())
              for r in range(2)]
    assert shards == [['img2', 'img4', 'img6'], ['img3', 'img5', 'img7']]
    dist, single = CycleState(tmp_path / 'dist'), CycleState(tmp_path /
                                                             'single')
    got, want = dist.read_scores(0), single.read_scores(0)
    assert list(got) == list(want) and len(got) == 6
    for image_id, row in want.items():
        assert got[image_id] == pytest.approx(row, rel=1e-5, abs=1e-8)
    assert dist.read_selected(0) == single.read_selected(0)
    assert dist.read_split(1) == single.read_split(1)
    for name in ('skipped_images.json', ):
        assert (dist.path(0, name).read_text() ==
                single.path(0, name).read_text())
    a, b = dist.read_pseudo_labels(1), single.read_pseudo_labels(1)
    assert [i['id'] for i in a['images']] == [i['id'] for i in b['images']]
    assert len(a['annotations']) == len(b['annotations'])
