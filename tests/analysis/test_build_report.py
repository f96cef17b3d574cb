"""build_report.py's ground truth: each distinct pool parsed once."""
from mmdet_alssl.analysis import build_report as build_report_module
from mmdet_alssl.analysis import report
from mmdet_alssl.workdir.state_io import write_ids
from mmdet_alssl.workdir.layout import POOL_IDS
from tests.helpers import make_run, write_pool


def test_ground_truth_parses_each_pool_once(tmp_path, monkeypatch):
    config = write_pool(tmp_path / 'pool')
    parsed = []
    load = build_report_module.load_ground_truth
    monkeypatch.setattr(build_report_module, 'load_ground_truth',
                        lambda cfg, ids: parsed.append(ids) or load(cfg, ids))
    runs = [make_run(tmp_path / name, config, 0, (0.4, ), 'random')
            for name in ('a', 'b', 'c')]
    # an option that leaves the data alone shares the pool; a subset not
    (runs[1] / 'manifest.json').write_text(
        (runs[1] / 'manifest.json').read_text().replace(
            '"cfg_options": []', '"cfg_options": ["model.x=1"]'))
    write_ids(runs[2] / POOL_IDS, ['p0', 'p1'])
    gts = build_report_module.ground_truth(
        [report.read_run(w) for w in runs], warn=print)
    assert parsed == [None, ('p0', 'p1')]
    assert gts[runs[0]] is gts[runs[1]] and set(gts[runs[2]]) == {'p0', 'p1'}
