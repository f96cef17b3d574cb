"""results_report turns a results.json back into the report's inputs:
integer keys, the seeds behind a pooled selection, the integer box counts
of the selection and of the pool (answers computed by hand)."""
import pytest

from mmdet_alssl.analysis import results_report as rr


def rows(*labeled):
    return [dict(labeled=n) for n in labeled]


RESULTS = dict(
    runs=[dict(label='full', rows=rows(2, 4)),     # seed 1: 2 acquired
          dict(label='random', rows=rows(2, 5)),
          dict(label='full', rows=rows(2, 5)),     # seed 2: 3 acquired
          dict(label='full', rows=rows(2, 6))],    # from an earlier report
    selection=dict(full=dict(images=5, boxes_per_image=dict(a=0.2, b=1.4))),
    class_counts=dict(a=1, b=3),
    pool_boxes_per_image=dict(a=0.25, b=0.75))


def test_a_pooled_selection_covers_the_first_runs_that_add_up_to_it():
    assert rr.selection_seeds(RESULTS, 'full') == 2
    bad = dict(RESULTS, selection=dict(full=dict(images=4)))
    with pytest.raises(ValueError, match="'full' pools 4 images"):
        rr.selection_seeds(bad, 'full')


def test_selection_mixes_give_back_the_box_counts_and_seeds():
    # 5 images x (0.2, 1.4) boxes per image = 1 and 7 boxes
    assert rr.selection_mixes(RESULTS, ['a', 'b']) == dict(full=[
        dict(images=5, boxes=[1, 7]), dict(images=0, boxes=[0, 0])])


def test_the_pool_mix_is_its_class_counts_over_its_images():
    assert rr.pool_mix(RESULTS, ['b', 'a']) == dict(images=4, boxes=[3, 1])
    assert rr.pool_mix(dict(class_counts=None), ['a']) is None


def test_precision_keys_are_ints_again():
    at = dict(images=1, boxes=2, by_class={'1': dict(boxes=2)})
    assert rr.precision_by_label(dict(precision=dict(full=[{'3': at}]))) == \
        dict(full=[{3: dict(at, by_class={1: dict(boxes=2)})}])
