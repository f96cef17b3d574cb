"""Edits a labeler makes to the model's suggestions, known answers."""
import numpy as np
import pytest

from mmdet_alssl.analysis.pre_annotations import (box_edits,
                                                  pre_annotation_table,
                                                  predictions_edits,
                                                  run_pre_annotation_edits)
from mmdet_alssl.analysis.report_render import render_report
from mmdet_alssl.workdir import CycleState, write_ids
from mmdet_alssl.workdir.state_io import write_json

GT = dict(bboxes=np.array([[0, 0, 10, 10], [20, 20, 30, 30],
                           [50, 50, 60, 60]], np.float64),
          labels=np.array([0, 1, 0]))


def test_kept_moved_deleted_added():
    boxes = np.array([
        [0, 0, 10, 10],      # GT 0 exactly, right class: kept
        [0, 0, 10, 9],       # GT 0 again (IoU .9) but GT 0 is taken
        [22, 20, 30, 30],    # GT 1, IoU 0.8, wrong class: moved
        [90, 90, 99, 99],    # nothing there: deleted
    ], np.float64)
    counts = box_edits(boxes, np.array([0.9, 0.8, 0.7, 0.6]),
                       np.array([0, 0, 0, 1]), GT['bboxes'], GT['labels'])
    # The second box of GT 0 overlaps no free GT box >= 0.1: deleted; GT 2
    # was not suggested: added.
    assert counts == dict(gt_boxes=3, suggested=4, kept=1, moved=1,
                          deleted=2, added=1)


def test_the_higher_score_is_kept():
    boxes = np.array([[0, 0, 10, 9], [0, 0, 10, 10]], np.float64)
    counts = box_edits(boxes, np.array([0.5, 0.9]), np.array([0, 0]),
                       GT['bboxes'][:1], GT['labels'][:1])
    assert (counts['kept'], counts['deleted']) == (1, 1)


def test_no_suggestions_means_drawing_everything():
    counts = box_edits(np.zeros((0, 4)), np.zeros(0), np.zeros(0, int),
                       GT['bboxes'], GT['labels'])
    assert counts == dict(gt_boxes=3, suggested=0, kept=0, moved=0,
                          deleted=0, added=3)


def test_summed_over_images_with_a_score_floor():
    predictions = dict(annotations=[
        dict(image_id='a', bbox=[0, 0, 10, 10], category_id=1, score=0.9),
        dict(image_id='a', bbox=[50, 50, 10, 10], category_id=1, score=0.3),
        dict(image_id='b', bbox=[0, 0, 5, 5], category_id=2, score=0.8)])
    gt = {'a': GT, 'b': dict(bboxes=np.zeros((0, 4)),
                             labels=np.zeros(0, int))}
    total = predictions_edits(predictions, gt, ['a', 'b'])
    assert (total['kept'], total['moved'], total['deleted'],
            total['added'], total['edits']) == (2, 0, 1, 1, 2)
    assert total['found'] == pytest.approx(2 / 3)
    high = predictions_edits(predictions, gt, ['a', 'b'], min_score=0.5)
    assert (high['kept'], high['deleted'], high['added']) == (1, 1, 2)
    with pytest.raises(ValueError, match="image 'c' to label has no "):
        predictions_edits(predictions, gt, ['c'])


def test_a_run_s_cycles_and_their_table(tmp_path):
    state = CycleState(tmp_path / 'wd')
    state.cycle_dir(0).mkdir(parents=True)
    write_json(state.path(0, 'predictions.json'), dict(
        images=[], categories=[dict(id=1, name='A'), dict(id=2, name='B')],
        annotations=[dict(image_id='a', bbox=[0, 0, 10, 10], category_id=1,
                          score=0.9)]))
    write_ids(state.path(0, 'selected.txt'), ['a'])
    edits = run_pre_annotation_edits(state.work_dir, {'a': GT})
    assert list(edits) == [1]  # cycle 0's suggestions, labeled for cycle 1
    assert (edits[1]['kept'], edits[1]['added'], edits[1]['images']) == \
        (1, 2, 1)
    table = pre_annotation_table({'unified': [edits, edits]})
    assert table.splitlines()[-1] == \
        '| unified | 1 | 2 | 6 | 2 | 0 | 0 | 4 | 4 | 33.3% | 2 |'
    md = render_report({}, pre_annotations={'unified': [edits]})
    assert '## What the suggestions save the labeler' in md
