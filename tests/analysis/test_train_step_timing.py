import pytest

from mmdet_alssl.analysis.train_step_timing import (step_ratio,
                                                    train_step_report)

PLAIN, OURS = 'plain FCOSHead', 'ConsistencyDetector'


def test_step_ratio_pairs_rounds_and_takes_medians():
    # rounds' ratios 2.0, 1.5, 3.0: median 2.0; medians 0.3 / 0.2: 1.5
    ratio = step_ratio([0.1, 0.2, 0.3], [0.2, 0.3, 0.9])
    assert ratio['plain_median'] == pytest.approx(0.2)
    assert ratio['ours_median'] == pytest.approx(0.3)
    assert ratio['ratio_of_medians'] == pytest.approx(1.5)
    assert ratio['median_paired_ratio'] == pytest.approx(2.0)


@pytest.mark.parametrize('plain,ours', [([], []), ([0.1], [0.1, 0.2])])
def test_step_ratio_needs_one_time_per_round_for_both(plain, ours):
    with pytest.raises(ValueError, match='one time per round'):
        step_ratio(plain, ours)


def results(ours_times):
    return dict(report='train_step', config='configs/x.py',
                setting='batch 4 at 128 px', plain=PLAIN, ours=OURS,
                rounds={PLAIN: [0.1, 0.2, 0.3], OURS: ours_times})


def test_report_lists_every_round_and_the_verdict():
    text = train_step_report(results([0.2, 0.3, 0.9]))
    assert f'| {PLAIN} | 200.0 | 100.0, 200.0, 300.0 |' in text
    assert f'| {OURS} | 300.0 | 200.0, 300.0, 900.0 |' in text
    assert '**2.00x**' in text and '1.50x of the medians' in text
    assert 'Target <= 2.1x: met.' in text


def test_report_says_when_the_target_is_missed():
    text = train_step_report(results([0.3, 0.5, 0.9]))  # 3.0, 2.5, 3.0
    assert '**3.00x**' in text and 'Target <= 2.1x: missed.' in text
