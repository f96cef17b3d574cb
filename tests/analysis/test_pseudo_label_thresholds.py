"""Pseudo-label precision by τ on hand-made boxes (known answers)."""
import numpy as np

from mmdet_alssl.analysis.pseudo_label_thresholds import (
    precision_by_threshold, threshold_report, threshold_table)


def test_each_threshold_keeps_the_boxes_above_it():
    gt = {'a': dict(bboxes=np.array([[0., 0., 10., 10.], [20., 20., 30., 30.]]),
                    labels=np.array([0, 1])),
          'b': dict(bboxes=np.array([[0., 0., 8., 8.]]), labels=np.array([2]))}
    boxes = {
        # right (0.95), wrong class (0.8), right but off by half (0.6)
        'a': dict(bboxes=[[0, 0, 10, 10], [20, 20, 30, 30], [25, 25, 35, 35]],
                  labels=[0, 2, 1], scores=[0.95, 0.8, 0.6]),
        # right (0.5)
        'b': dict(bboxes=[[0, 0, 8, 8]], labels=[2], scores=[0.5])}
    rows = precision_by_threshold(boxes, gt, thresholds=(0.5, 0.7, 0.9, 0.99))
    got = [(r['tau'], r['images'], r['boxes'], r['correct']) for r in rows]
    assert got == [(0.5, 2, 4, 2), (0.7, 1, 2, 1), (0.9, 1, 1, 1),
                   (0.99, 0, 0, 0)]
    assert [r['precision'] for r in rows] == [0.5, 0.5, 1.0, None]
    assert [r['recall'] for r in rows] == [2 / 3, 1 / 3, 1 / 3, 0.0]
    table = threshold_table(rows)
    assert '| 0.9 | 1 | 1 | 1 | 100.0 % | 33.3 % |' in table
    assert '| 0.99 | 0 | 0 | 0 | – | 0.0 % |' in table
    report = threshold_report(dict(work_dir='wd', cycle=2, images=2,
                                   rows=rows))
    assert "Cycle 2's model on 2 unlabeled images of `wd`" in report
    assert report.endswith(table + '\n')
