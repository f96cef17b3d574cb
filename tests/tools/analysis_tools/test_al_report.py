"""tools/analysis_tools/al_report.py on fabricated finished WORK_DIRs (known numbers) with
a tiny VOC pool as ground truth."""
import json

import pytest

from mmdet_alssl.workdir import CycleState
from tests.helpers import load_tool, make_run, pseudo, write_pool

al_report = load_tool('analysis_tools/al_report.py')

@pytest.fixture
def work_dirs(tmp_path):
    config = write_pool(tmp_path / 'pool')
    # x, y, w, h, label: p2's box matches its GT (IoU 1, class b); p3 has
    # no GT; at cycle 2, p3's box is the only one.
    full_pl = {1: pseudo({'p2': [(0, 0, 10, 10, 1), (0, 0, 10, 10, 0)],
                          'p3': [(5, 5, 5, 5, 0)]}),
               2: pseudo({'p3': [(5, 5, 5, 5, 0)]})}
    return [make_run(tmp_path / 'r0', config, 0, (0.40, 0.50, 0.55),
                     'random'),
            make_run(tmp_path / 'r1', config, 1, (0.42, 0.46, 0.57),
                     'random'),
            make_run(tmp_path / 'full', config, 0, (0.40, 0.56, 0.60),
                     'unified', full_pl)]


def test_report_of_three_runs(work_dirs, tmp_path, capsys):
    out = tmp_path / 'out'
    assert al_report.main([*map(str, work_dirs), '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    md = (out / 'report.md').read_text()
    assert md in printed
    for line in [
            # mAP per cycle: random = mean ± sample std of two seeds
            '| random | 41.0 ± 1.4 | 48.0 ± 2.8 | 56.0 ± 1.4 | 48.3 |',
            '| unified + PL | 40.0 | 56.0 | 60.0 | 52.0 |',
            # labeled images, pseudo-labels, mAP per cycle
            '| random | 2 | 3 | 0 | 0 | 56.0 ± 1.4 | 2 |',
            '| unified + PL | 1 | 2 | 2 | 3 | 56.0 | 1 |',
            '| unified + PL | 2 | 3 | 1 | 1 | 60.0 | 1 |',
            # precision: cycle 1 one of three boxes right, cycle 2 none
            '| unified + PL | 1 | 2 | 1.50 | 33.3 | 1 |',
            '| unified + PL | 2 | 1 | 1.00 | 0.0 | 1 |',
            # random's final 0.56 is reached at the full method's cycle 1
            '| unified + PL | 2.0 | 66.7% |',
            '| random | 3.0 | 100.0% |',
            # selections: p1 and p2 (one b each) against the pool's 4
            # images (a 1 box, b 2), rarest class first
            '| random | 2 | 1.00 | 0.00 (0.00x) | 1.00 (2.00x) | 2 |',
            '| unified + PL | 2 | 1.00 | 0.00 (0.00x) | 1.00 (2.00x) | 1 |',
            '| pool | 4 | 0.75 | 0.25 | 0.50 |  |',
            # seed 0 against seed 0 of random: mAP +0, +6, +5; b = mAP / 2
            '| unified + PL | mAP | +3.7 | - | 1 of 1 | 0: +3.7 |',
            '| unified + PL | b | +1.8 | - | 1 of 1 | 0: +1.8 |']:
        assert line in md, line
    # classes rarest first: a has 1 box, b 2
    assert 'Classes: a (1 boxes), b (2 boxes).' in md
    assert '| random | a | 41.0 ± 1.4 | 56.0 ± 1.4 |\n' \
        '| random | b | 20.5 ± 0.7 | 28.0 ± 0.7 |' in md
    plot = out / 'mAP_vs_labels.png'
    assert f'plot: {plot}' in printed
    assert plot.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    results = json.loads((out / 'results.json').read_text())
    assert results['class_counts'] == dict(a=1, b=2)
    assert results['labeling_cost']['unified + PL']['labeled'] == 2.0
    assert results['precision']['unified + PL'][0]['1']['correct'] == 1
    assert results['selection']['random'] == dict(
        images=4, boxes_per_image=dict(a=0.0, b=1.0))
    assert results['pool_boxes_per_image'] == dict(a=0.25, b=0.5)
    assert results['seed_gaps']['unified + PL']['mAP'] == pytest.approx(
        {'0': 11 / 3})


def test_default_out_labels_and_missing_data(work_dirs, tmp_path, capsys):
    # other labels; the pool is gone: no precision, a warning, still a report
    for f in (tmp_path / 'pool' / 'Annotations').iterdir():
        f.unlink()
    (tmp_path / 'pool' / 'ImageSets/Main/trainval.txt').unlink()
    assert al_report.main([str(work_dirs[2]), '--labels', 'mine']) == 0
    captured = capsys.readouterr()
    assert 'no ground truth' in captured.err
    md = (work_dirs[2] / 'report' / 'report.md').read_text()
    assert '| mine | 40.0 | 56.0 | 60.0 | 52.0 |' in md
    assert '## Pseudo-labels' not in md and 'Labeling cost' not in md
    assert 'What the selections gave' not in md
    assert al_report.main([str(work_dirs[0]), '--labels', 'a', 'b']) == 2
    assert al_report.main([str(tmp_path / 'nothing')]) == 2
    assert 'no cycle of this run was tested' in capsys.readouterr().err


def test_ground_truth_of_the_runs_pool(work_dirs, tmp_path):
    # a --pool-size run: class counts over its pool.txt only; the
    # labeled and pseudo-labeled images must be in it
    (work_dirs[2] / 'pool.txt').write_text('p0\np2\np3\n')
    state = CycleState(work_dirs[2])
    state.write_split(1, ['p0'], ['p2', 'p3'])
    state.write_split(2, ['p0', 'p2'], ['p3'])
    out = tmp_path / 'sub'
    assert al_report.main([str(work_dirs[2]), '--out', str(out)]) == 0
    results = json.loads((out / 'results.json').read_text())
    assert results['class_counts'] == dict(a=1, b=1)
    assert results['precision']['unified + PL'][0]['1']['correct'] == 1
    # selected p2 (one b) against the 3 images of the pool
    assert results['selection']['unified + PL'] == dict(
        images=1, boxes_per_image=dict(a=0.0, b=1.0))
    assert results['pool_boxes_per_image'] == dict(a=1 / 3, b=1 / 3)
