"""report_render.py: exact markdown cells and a real PNG."""
import cv2
import numpy as np
import pytest

from mmdet_alssl.analysis.report import AggRow
from mmdet_alssl.analysis import report_render as render


def row(k, labeled, m, std=None, lo=None, hi=None, n=2, pl=0, boxes=0,
        per_class=None):
    return AggRow(k, n, labeled, pl, boxes, m, std, lo, hi, per_class or {})


GROUPS = {
    'random': [row(0, 100.0, 0.41, 0.014, 0.40, 0.42,
                   per_class=dict(star=(0.1, 0.02), circle=(0.8, None))),
               row(1, 150.0, 0.48, 0.028, 0.46, 0.50,
                   per_class=dict(star=(0.2, 0.0), circle=(0.85, 0.01)))],
    'unified + PL': [row(0, 100.0, 0.41, None, 0.41, 0.41, n=1),
                     row(1, 150.0, 0.53, None, 0.53, 0.53, n=1, pl=12.5,
                         boxes=30.0,
                         per_class=dict(star=(0.35, None)))],
    'all labels': [row(0, 1000.0, 0.7, 0.01, 0.69, 0.71)],
}


def test_points():
    assert render.points(0.512) == '51.2'
    assert render.points(0.41, 0.014) == '41.0 ± 1.4'
    assert render.points(None) == '-'
    assert render.points(float('nan')) == '-'


def test_counts_and_their_means():
    assert render.count(3) == '3' and render.count(2.0) == '2'
    # 223, 0, 0 pseudo-labeled images over three seeds
    assert render.count(223 / 3) == '74.3'


def test_curve_table_exact():
    assert render.curve_table(GROUPS).splitlines() == [
        '| run | cycle 0 | cycle 1 | mean over cycles | seeds |',
        '|---|---:|---:|---:|---:|',
        '| random | 41.0 ± 1.4 | 48.0 ± 2.8 | 44.5 | 2 |',
        '| unified + PL | 41.0 | 53.0 | 47.0 | 1 |',
        '| all labels | 70.0 ± 1.0 |  | 70.0 | 2 |']


def test_a_partial_curve_names_its_seeds_per_cycle():
    """Two seeds reached cycle 1, one of them cycle 2: the mean of each
    cycle is over different seeds, and the table says so."""
    partial = {'full': [row(0, 40.0, 0.35), row(1, 70.0, 0.40),
                        row(2, 100.0, 0.47, n=1)]}
    assert render.curve_table(partial).splitlines()[2] == \
        '| full | 35.0 | 40.0 | 47.0 | 40.7 | 2/2/1 |'


def test_cycle_table_exact():
    lines = render.cycle_table(GROUPS).splitlines()
    assert lines[0] == ('| run | cycle | labeled images | pseudo-labeled '
                        'images | pseudo boxes | mAP | seeds |')
    assert lines[2:] == [
        '| random | 0 | 100 | 0 | 0 | 41.0 ± 1.4 | 2 |',
        '| random | 1 | 150 | 0 | 0 | 48.0 ± 2.8 | 2 |',
        '| unified + PL | 0 | 100 | 0 | 0 | 41.0 | 1 |',
        '| unified + PL | 1 | 150 | 12.5 | 30 | 53.0 | 1 |',
        '| all labels | 0 | 1000 | 0 | 0 | 70.0 ± 1.0 | 2 |']


def test_class_ap_table_first_and_last_cycle():
    lines = render.class_ap_table(GROUPS, ['star', 'circle']).splitlines()
    assert lines[0] == '| run | class | AP first cycle | AP last cycle |'
    assert lines[2:6] == ['| random | star | 10.0 ± 2.0 | 20.0 ± 0.0 |',
                          '| random | circle | 80.0 | 85.0 ± 1.0 |',
                          '| unified + PL | star | - | 35.0 |',
                          '| unified + PL | circle | - | - |']
    assert lines[6:] == ['| all labels | star | - | - |',
                         '| all labels | circle | - | - |']


def test_precision_and_cost_tables():
    seeds = [{1: dict(images=10, boxes_per_image=2.0, precision=0.9)},
             {1: dict(images=20, boxes_per_image=3.0, precision=0.7),
              2: dict(images=4, boxes_per_image=None, precision=None)}]
    lines = render.precision_table({'u': seeds}).splitlines()
    assert lines[2:] == ['| u | 1 | 15 | 2.50 | 80.0 ± 14.1 | 2 |',
                         '| u | 2 | 4 | - | - | 1 |']
    # by class: pooled over the seeds' cycles, boxes per seed
    seeds[0][1]['by_class'] = {0: dict(boxes=8, correct=4, mislocated=4)}
    seeds[1][1]['by_class'] = {0: dict(boxes=2, correct=2, mislocated=0),
                               2: dict(boxes=5, correct=1, mislocated=1)}
    seeds[1][2]['by_class'] = {2: dict(boxes=5, correct=4, mislocated=0)}
    lines = render.class_precision_table({'u': seeds},
                                         ['star', 'circle']).splitlines()
    assert lines[2:] == ['| u | star | 5 | 60.0 | 40.0 | 2 |',
                         '| u | 2 | 5 | 50.0 | 10.0 | 2 |']
    cost = {'random': dict(target=0.5, labeled=200.0, fraction=1.0),
            'unified': dict(target=0.5, labeled=125.0, fraction=0.625),
            'entropy': dict(target=0.5, labeled=None, fraction=None)}
    assert render.cost_table(cost).splitlines()[2:] == [
        '| random | 200.0 | 100.0% |', '| unified | 125.0 | 62.5% |',
        '| entropy | - | - |']
    cost['unified']['by_seed'] = {0: 0.5, 1: None}
    lines = render.cost_table(cost).splitlines()
    assert lines[0].endswith('| share by seed |')
    assert lines[2:] == ['| random | 200.0 | 100.0% |  |',
                         '| unified | 125.0 | 62.5% | 0: 50.0%, 1: - |',
                         '| entropy | - | - |  |']


def test_render_report_sections():
    md = render.render_report(
        GROUPS, classes=['star'], class_counts=dict(star=7),
        precision={'u': [{1: dict(images=1, boxes_per_image=1.0,
                                  precision=1.0, by_class={0: dict(
                                      boxes=1, correct=1, mislocated=0)})}]},
        label_names=['star'],
        cost={'random': dict(target=0.48, labeled=150.0, fraction=1.0)},
        plot='p.png')
    for part in ('## mAP per cycle', '## Labeled images, pseudo-labels',
                 'Classes: star (7 boxes).', '## Pseudo-labels',
                 'By class, pooled over cycles and seeds',
                 '| u | star | 1 | 100.0 | 0.0 | 1 |',
                 "reach random's final mAP (48.0)", '![mAP against labeled '
                 'images](p.png)'):
        assert part in md
    bare = render.render_report(GROUPS)
    assert '## Pseudo-labels' not in bare and 'Labeling cost' not in bare
    no_classes = render.render_report(GROUPS, precision={'u': [{1: dict(
        images=1, boxes_per_image=1.0, precision=1.0)}]})
    assert '## Pseudo-labels' in no_classes and 'By class' not in no_classes


@pytest.mark.parametrize('band', ['minmax', 'std'])
def test_plot_is_a_png(tmp_path, band):
    path = render.plot_curves(GROUPS, tmp_path / 'sub' / 'plot.png', band)
    data = path.read_bytes()
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape[0] > 100 and img.shape[1] > 100
    with pytest.raises(ValueError, match='minmax'):
        render.plot_curves(GROUPS, tmp_path / 'x.png', band='iqr')


def test_selection_table_rarest_class_first_with_the_pool_ratio():
    # labels: 0 'common', 1 'rare'; pool: 10 images, 20 common, 2 rare
    pool = dict(images=10, boxes=[20, 2])
    mixes = {'random': [dict(images=3, boxes=[6, 0]),
                        dict(images=3, boxes=[6, 1])],
             'full': [dict(images=3, boxes=[3, 3])],
             'all labels': [dict(images=0, boxes=[0, 0])]}  # no row
    table = render.selection_table(mixes, pool, ['rare', 'common'],
                                   ['common', 'rare'])
    assert table.splitlines()[0] == (
        '| run | images selected per seed | boxes per image | rare | '
        'common | seeds |')
    assert table.splitlines()[2:] == [
        '| random | 3 | 2.17 | 0.17 (0.83x) | 2.00 (1.00x) | 2 |',
        '| full | 3 | 2.00 | 1.00 (5.00x) | 1.00 (0.50x) | 1 |',
        '| pool | 10 | 2.20 | 0.20 | 2.00 |  |']
