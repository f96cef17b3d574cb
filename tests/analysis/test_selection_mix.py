"""selection_mix.py: what a run's selections added, counted by class, on
fabricated WORK_DIRs with answers known in advance."""
import numpy as np
import pytest

from mmdet_alssl.analysis import report
from mmdet_alssl.analysis.selection_mix import (acquired_ids, class_mix,
                                                pooled_per_image)
from mmdet_alssl.workdir import CycleState
from mmdet_alssl.workdir.layout import LABELED_IDS
from tests.analysis.test_report import make_run


def test_acquired_ids_are_what_each_cycle_added_in_cycle_order(tmp_path):
    run = report.read_run(make_run(tmp_path, 'r', 0, (0.1, 0.2, 0.3),
                                   labeled=(3, 5, 6)))
    assert acquired_ids(run) == ['0003', '0004', '0005']
    one_cycle = report.read_run(make_run(tmp_path, 'one', 0, (0.5,),
                                         labeled=(9,)))
    assert acquired_ids(one_cycle) == []


def test_acquired_ids_follow_the_files_not_the_id_order(tmp_path):
    state = CycleState(tmp_path / 'w')
    state.ensure_manifest(dict(config_path='c.py', seed=0))
    splits = [(['c', 'a'], ['b', 'd', 'e']), (['c', 'a', 'e'], ['b', 'd']),
              (['c', 'a', 'e', 'b', 'd'], [])]
    for k, (labeled, unlabeled) in enumerate(splits):
        state.write_split(k, labeled, unlabeled)
        state.update_summary(k, labeled=len(labeled), mAP=0.1,
                             pseudo_labeled=0)
    run = report.read_run(tmp_path / 'w')
    assert acquired_ids(run) == ['e', 'b', 'd']
    state.path(1, LABELED_IDS).unlink()
    assert acquired_ids(run) is None  # cannot tell what cycle 1 added


def test_class_mix_counts_boxes_by_label_and_pools_seeds():
    gt = {'x': dict(labels=np.array([0, 2, 2])), 'y': dict(labels=np.array(
        [1])), 'z': dict(labels=np.array([], np.int64))}
    assert class_mix(['x', 'z'], gt, 3) == dict(images=2, boxes=[1, 0, 2])
    assert class_mix([], gt, 3) == dict(images=0, boxes=[0, 0, 0])
    seeds = [class_mix(['x', 'z'], gt, 3), class_mix(['y', 'x'], gt, 3)]
    assert pooled_per_image(seeds) == [0.5, 0.25, 1.0]  # 4 images
    assert pooled_per_image([class_mix([], gt, 3)]) is None
    with pytest.raises(ValueError, match="'w' has no ground truth"):
        class_mix(['w'], gt, 3)
