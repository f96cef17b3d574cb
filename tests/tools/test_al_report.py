"""tools/al_report.py on fabricated finished WORK_DIRs (known numbers) with
a tiny VOC pool as ground truth."""
import json
import sys
from pathlib import Path

import pytest

from mmdet_alssl.active_learning import CycleState

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'tools'))
import al_report  # noqa: E402

sys.path.insert(
    0, str(Path(__file__).resolve().parents[1] / 'active_learning'))
from test_report import write_voc  # noqa: E402

CLASSES = ('a', 'b')
# pool: image id -> ground-truth boxes (name, x1, y1, x2, y2) in the XML
POOL = {'p0': [('a', 1, 1, 11, 11)], 'p1': [('b', 21, 21, 41, 41)],
        'p2': [('b', 1, 1, 11, 11)], 'p3': []}


def write_pool(root: Path) -> Path:
    """The VOC pool and a config whose train_dataloader reads it."""
    write_voc(root, POOL)
    config = root / 'cfg.py'
    config.write_text(
        f"part = dict(type='ALVOCDataset', data_root='{root}/', "
        f"ann_file='ImageSets/Main/trainval.txt', "
        f"data_prefix=dict(sub_data_root=''), "
        f"metainfo=dict(classes={CLASSES!r}), pipeline=[])\n"
        f"train_dataloader = dict(dataset=dict(type='ConcatDataset', "
        f"datasets=[dict(part, label_type='labeled'), "
        f"dict(part, label_type='unlabeled', image_ids_file=[])]))\n")
    return config


def pseudo(boxes_by_image):
    images = [dict(id=i, file_name=f'{i}.jpg', width=64, height=64)
              for i in boxes_by_image]
    anns = [dict(id=n, image_id=i, bbox=list(b[:4]), area=b[2] * b[3],
                 category_id=b[4] + 1, score=0.95, iscrowd=0)
            for n, (i, b) in enumerate(
                ((i, b) for i, bs in boxes_by_image.items() for b in bs), 1)]
    return dict(images=images, annotations=anns,
                categories=[dict(id=k + 1, name=c)
                            for k, c in enumerate(CLASSES)])


def make_run(path, config, seed, maps, strategy, pl=None):
    """Cycle k: labeled = the first 1 + k pool images, mAP maps[k],
    per-class AP a = mAP, b = mAP / 2; pseudo-labels pl[k]."""
    state = CycleState(path)
    state.ensure_manifest(dict(config_path=str(config), seed=seed,
                               strategy=strategy, tau=0.9, budget=1,
                               pseudo_labels=pl is not None, cfg_options=[]))
    ids = list(POOL)
    for k, m in enumerate(maps):
        state.write_split(k, ids[:1 + k], ids[1 + k:])
        coco = (pl or {}).get(k)
        if coco:
            state.write_pseudo_labels(k, coco)
        state.write_metrics(k, dict(mAP=m, per_class_AP=dict(a=m, b=m / 2)))
        state.update_summary(k, labeled=1 + k, mAP=m, pseudo_labeled=len(
            coco['images']) if coco else 0)
    return path


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
            '| random | 3.0 | 100.0% |']:
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
    assert al_report.main([str(work_dirs[0]), '--labels', 'a', 'b']) == 2
    assert al_report.main([str(tmp_path / 'nothing')]) == 2
    assert 'no cycle of this run was tested' in capsys.readouterr().err


def test_ground_truth_of_the_runs_pool(work_dirs, tmp_path):
    # a --pool-size run: class counts over its pool.txt only; the
    # pseudo-labeled images must be in it
    (work_dirs[2] / 'pool.txt').write_text('p0\np2\np3\n')
    out = tmp_path / 'sub'
    assert al_report.main([str(work_dirs[2]), '--out', str(out)]) == 0
    results = json.loads((out / 'results.json').read_text())
    assert results['class_counts'] == dict(a=1, b=1)
    assert results['precision']['unified + PL'][0]['1']['correct'] == 1
