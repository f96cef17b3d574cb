"""seed_gaps.py: each curve against the reference, seed by seed, on
fabricated WORK_DIRs with gaps known in advance."""
import pytest

from mmdet_alssl.analysis import report
from mmdet_alssl.analysis.report_render import seed_gap_table
from mmdet_alssl.analysis.seed_gaps import seed_gaps, summarize
from tests.analysis.test_report import make_run


def test_gaps_pair_seeds_and_average_the_common_cycles(tmp_path):
    runs = [report.read_run(make_run(tmp_path, f'r{s}', s, maps))
            for s, maps in enumerate([(0.40, 0.50, 0.60),
                                      (0.30, 0.40, 0.50),
                                      (0.90, 0.90, 0.90)])]  # no full seed 2
    # full seed 0: +0, +3, +6 -> +3; seed 1 stops after two cycles: its
    # gap is over cycles 0-1 only (-1, +1 -> 0); class 'a' undefined at
    # seed 0's cycle 1, so its gap there is over cycles 0 and 2
    runs += [report.read_run(make_run(
        tmp_path, 'f0', 0, (0.40, 0.53, 0.66), strategy='unified',
        per_class={1: dict(a=None, b=0.5, c=0.5)})),
        report.read_run(make_run(tmp_path, 'f1', 1, (0.29, 0.41),
                                 strategy='unified', labeled=(100, 150)))]
    gaps = seed_gaps(runs, 'random', classes=('a', 'b'))
    assert list(gaps) == ['unified']
    assert gaps['unified']['mAP'] == pytest.approx({0: 3.0, 1: 0.0})
    # a: (0 + 6) / 2; b: (0 - 0 + 6) / 3 with b = 0.5 at cycle 1 both
    assert gaps['unified']['a'] == pytest.approx({0: 3.0, 1: 0.0})
    assert gaps['unified']['b'] == pytest.approx({0: 2.0, 1: 0.0})
    assert summarize(gaps['unified']['mAP']) == pytest.approx(
        dict(mean=1.5, std=2.1213203, seeds=2, above=1))
    assert seed_gaps(runs, 'nobody') == {}


def test_seed_gap_table_exact():
    table = seed_gap_table({'full': {'mAP': {0: 0.61, 1: 1.38, 2: -0.2},
                                     'rare': {0: 4.0}}})
    assert table.splitlines()[2:] == [
        '| full | mAP | +0.6 | 0.8 | 2 of 3 | 0: +0.6, 1: +1.4, 2: -0.2 |',
        '| full | rare | +4.0 | - | 1 of 1 | 0: +4.0 |']
