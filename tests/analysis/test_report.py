"""report.py on fabricated WORK_DIRs and boxes with answers known in
advance."""
import math

import numpy as np
import pytest
from mmengine.config import Config

from mmdet_alssl.analysis import report
from mmdet_alssl.workdir import CycleState
from tests.helpers import write_voc

CLASSES = ('a', 'b', 'c')


def pseudo_coco(boxes_by_image):
    """{image: [(x, y, w, h, label)]} -> pseudo_labels.json content."""
    images, anns = [], []
    for image_id, boxes in boxes_by_image.items():
        images.append(dict(id=image_id, file_name=f'{image_id}.jpg',
                           width=64, height=64))
        for x, y, w, h, label in boxes:
            anns.append(dict(id=len(anns) + 1, image_id=image_id,
                             bbox=[x, y, w, h], area=w * h,
                             category_id=label + 1, score=0.99, iscrowd=0))
    return dict(images=images, annotations=anns,
                categories=[dict(id=i + 1, name=c)
                            for i, c in enumerate(CLASSES)])


def make_run(root, name, seed, maps, strategy='random', pseudo=None,
             per_class=None, cfg_options=(), labeled=(100, 150, 200),
             config_path='configs/x.py'):
    """A finished WORK_DIR: cycle k labels ids 0..labeled[k]-1 of a pool
    of 1000, has mAP maps[k] and (k >= 1) pseudo-labels pseudo[k]."""
    state = CycleState(root / name)
    state.ensure_manifest(dict(config_path=config_path, seed=seed,
                               strategy=strategy, tau=0.9, budget=50,
                               pseudo_labels=pseudo is not None,
                               cfg_options=list(cfg_options)))
    for k, (n, m) in enumerate(zip(labeled, maps)):
        ids = [f'{i:04d}' for i in range(1000)]
        state.write_split(k, ids[:n], ids[n:])
        coco = (pseudo or {}).get(k)
        if coco is not None:
            state.write_pseudo_labels(k, coco)
        pc = (per_class or {}).get(k, {c: m for c in CLASSES})
        state.write_metrics(k, dict(mAP=m, per_class_AP=pc))
        state.update_summary(
            k, labeled=n, mAP=m,
            pseudo_labeled=len(coco['images']) if coco else 0,
            pseudo_boxes=len(coco['annotations']) if coco else 0)
    return state.work_dir


def test_labels_to_reach_interpolates_exactly():
    x, y = (100, 150, 200), (0.40, 0.50, 0.55)
    assert report.labels_to_reach(x, y, 0.45) == 125.0
    assert report.labels_to_reach(x, y, 0.55) == 200.0
    assert report.labels_to_reach(x, y, 0.50) == 150.0
    assert report.labels_to_reach(x, y, 0.6) is None
    assert report.labels_to_reach(x, y, 0.30) == 100.0  # reached at once
    # first crossing of a non-monotone curve
    assert report.labels_to_reach((0, 10, 20), (0.0, 1.0, 0.0), 0.5) == 5.0
    with pytest.raises(ValueError, match='increase strictly'):
        report.labels_to_reach((100, 100), (0.1, 0.2), 0.15)
    with pytest.raises(ValueError, match='parallel'):
        report.labels_to_reach((100, 200), (0.1, ), 0.15)


def test_read_run_rows(tmp_path):
    coco = pseudo_coco({'0500': [(0, 0, 5, 5, 0), (1, 1, 5, 5, 1)],
                        '0501': [(0, 0, 5, 5, 2)]})
    work = make_run(tmp_path, 'full', 0, (0.40, 0.50, 0.55),
                    strategy='unified', pseudo={1: coco},
                    per_class={2: dict(a=0.1, b=None, c=0.9)})
    run = report.read_run(work)
    assert run.label == 'unified + PL' and run.seed == 0
    assert [(r.cycle, r.labeled, r.pseudo_labeled, r.pseudo_boxes, r.mAP)
            for r in run.rows] == [(0, 100, 0, 0, 0.40), (1, 150, 2, 3, 0.50),
                                   (2, 200, 0, 0, 0.55)]
    assert run.rows[2].per_class_AP == dict(a=0.1, b=None, c=0.9)
    with pytest.raises(FileNotFoundError, match='no cycle'):
        report.read_run(tmp_path / 'missing')


def test_up_to_cycle_keeps_the_first_cycles_only(tmp_path):
    run = report.read_run(make_run(tmp_path, 'r', 3, (0.40, 0.50, 0.55)))
    cut = report.up_to_cycle(run, 1)
    assert [r.cycle for r in cut.rows] == [0, 1]
    assert (cut.work_dir, cut.label, cut.seed, cut.manifest) == (
        run.work_dir, run.label, run.seed, run.manifest)
    assert len(run.rows) == 3  # the run itself is left as it was
    assert report.up_to_cycle(run, 5).rows == run.rows


def test_run_label_marks_no_consistency():
    assert report.run_label(dict(
        strategy='random', pseudo_labels=False,
        cfg_options=['model.consistency_weight=0.0'])) == \
        'random, no consistency'
    assert report.run_label(dict(strategy='entropy', cfg_options=[
        'model.consistency_weight=0.5'])) == 'entropy'


def test_aggregate_mean_and_sample_std(tmp_path):
    runs = [report.read_run(make_run(tmp_path, f'r{s}', s, maps))
            for s, maps in enumerate([(0.40, 0.50, 0.55),
                                      (0.42, 0.46, 0.57)])]
    runs.append(report.read_run(make_run(tmp_path, 'short', 2, (0.44, ),
                                         labeled=(100, ))))
    agg = report.aggregate(runs)['random']
    assert [(r.cycle, r.n, r.labeled) for r in agg] == [
        (0, 3, 100.0), (1, 2, 150.0), (2, 2, 200.0)]
    assert agg[0].mAP == pytest.approx(0.42)
    assert agg[0].mAP_std == pytest.approx(0.02)  # sample std of .40 .42 .44
    assert agg[1].mAP == pytest.approx(0.48)
    assert agg[1].mAP_std == pytest.approx(math.sqrt(2) * 0.02)
    assert (agg[2].mAP_min, agg[2].mAP_max) == (0.55, 0.57)
    assert agg[2].per_class_AP['a'][0] == pytest.approx(0.56)
    assert report.mean_std([0.3]) == (0.3, None, 1)
    assert report.mean_std([None]) == (None, None, 0)


def test_labeling_cost_on_mean_curves(tmp_path):
    runs = [report.read_run(make_run(tmp_path, 'r', 0, (0.40, 0.50, 0.55))),
            report.read_run(make_run(tmp_path, 'u', 0, (0.50, 0.55, 0.60),
                                     strategy='unified')),
            report.read_run(make_run(tmp_path, 'e', 0, (0.30, 0.35, 0.40),
                                     strategy='entropy')),
            report.read_run(make_run(tmp_path, 'all', 0, (0.7, ),
                                     labeled=(1000, ), strategy='x'))]
    cost = report.labeling_cost(report.aggregate(runs), 'random')
    assert cost['random'] == dict(target=0.55, labeled=200.0, fraction=1.0)
    assert cost['unified'] == dict(target=0.55, labeled=150.0, fraction=0.75)
    assert cost['entropy']['labeled'] is None
    assert 'x' not in cost  # one point is no curve


def test_labeling_cost_seed_by_seed(tmp_path):
    # mean curves: random ends at 0.55, unified (.40 .50 .625) reaches it at
    # 170 of 200; seed by seed unified needs 150 of 200 on seed 0 (random's
    # 0.50) and never reaches random's 0.60 on seed 1
    def run(name, seed, maps, strategy='random'):
        return report.read_run(make_run(tmp_path, name, seed, maps,
                                        strategy=strategy))
    runs = [run('r0', 0, (0.40, 0.50, 0.50)), run('r1', 1, (0.40, 0.50, 0.60)),
            run('u0', 0, (0.40, 0.50, 0.70), 'unified'),
            run('u1', 1, (0.40, 0.50, 0.55), 'unified'),
            run('e2', 2, (0.40, 0.50, 0.60), 'entropy')]  # no random seed 2
    cost = report.labeling_cost(report.aggregate(runs), 'random')
    assert cost['unified']['fraction'] == pytest.approx(0.85)
    assert report.seed_labeling_cost(runs, 'random') == {
        'random': {0: 0.75, 1: 1.0},  # seed 0 reaches 0.50 at 150 already
        'unified': {0: 0.75, 1: None}}


def test_pseudo_label_precision_hand_built():
    gt = {'a': dict(bboxes=np.array([[0, 0, 10, 10], [20, 20, 40, 40.]]),
                    labels=np.array([0, 1])),
          'b': dict(bboxes=np.array([[0, 0, 10, 10.]]), labels=np.array([2])),
          'c': dict(bboxes=np.zeros((0, 4)), labels=np.zeros(0, int))}
    coco = pseudo_coco({
        'a': [(0, 0, 10, 10, 0),  # IoU 1, same class: correct
              (0, 0, 10, 5, 0),  # IoU 0.5 exactly: correct
              (20, 20, 20, 20, 0)],  # IoU 1 but GT is class 1: wrong
        'b': [(0, 0, 10, 4, 2)],  # IoU 0.4, same class: mislocated
        'c': [(0, 0, 3, 3, 1)]})  # no GT box at all: wrong
    out = report.pseudo_label_precision(coco, gt)
    assert out == dict(
        images=3, boxes=5, correct=2, precision=0.4, boxes_per_image=5 / 3,
        by_class={0: dict(boxes=3, correct=2, mislocated=0),
                  1: dict(boxes=1, correct=0, mislocated=0),
                  2: dict(boxes=1, correct=0, mislocated=1)})
    with pytest.raises(ValueError, match='no ground truth'):
        report.pseudo_label_precision(coco, {'a': gt['a']})
    empty = report.pseudo_label_precision(pseudo_coco({}), gt)
    assert empty['precision'] is None and empty['boxes_per_image'] is None


def voc_config(root) -> Config:
    part = dict(type='ALVOCDataset', data_root=f'{root}/',
                ann_file='ImageSets/Main/trainval.txt',
                data_prefix=dict(sub_data_root=''),
                metainfo=dict(classes=CLASSES), pipeline=[])
    return Config(dict(train_dataloader=dict(dataset=dict(
        type='ConcatDataset', datasets=[
            dict(part, label_type='labeled', image_ids_file=['x']),
            dict(part, label_type='unlabeled', image_ids_file=[])]))))


def test_load_ground_truth_through_the_dataset_class(tmp_path):
    write_voc(tmp_path, {'x': [('a', 11, 11, 20, 20), ('c', 31, 1, 40, 9)],
                         'y': [('b', 1, 1, 30, 30)], 'z': []})
    gt = report.load_ground_truth(voc_config(tmp_path))
    assert sorted(gt) == ['x', 'y', 'z']
    # VOCDataset's own parsing: minus one on every coordinate
    np.testing.assert_array_equal(gt['x']['bboxes'],
                                  [[10, 10, 19, 19], [30, 0, 39, 8]])
    np.testing.assert_array_equal(gt['x']['labels'], [0, 2])
    assert gt['z']['bboxes'].shape == (0, 4)
    assert report.box_counts(gt, CLASSES) == dict(a=1, b=1, c=1)
    only = report.load_ground_truth(voc_config(tmp_path), image_ids=['y'])
    assert list(only) == ['y']
