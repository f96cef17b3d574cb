import json

import pytest

from mmdet_alssl.analysis.side_json_report import write_side_json_report
from mmdet_alssl.analysis.train_step_timing import train_step_report

TIMING = dict(report='train_step', config='configs/x.py', setting='batch 2',
              plain='plain SSDHead', ours='ConsistencySSD',
              rounds={'plain SSDHead': [0.1], 'ConsistencySSD': [0.2]})


def test_writes_the_json_and_the_markdown_its_kind_renders(tmp_path):
    out = tmp_path / 'deep' / 'step.md'
    text = write_side_json_report(out, TIMING)
    assert text == train_step_report(TIMING) == out.read_text()
    assert json.loads(out.with_suffix('.json').read_text()) == TIMING


def test_an_unknown_kind_is_refused_and_nothing_written(tmp_path):
    out = tmp_path / 'step.md'
    with pytest.raises(ValueError, match=r"step\.json: \"report\" is 'x'"):
        write_side_json_report(out, dict(TIMING, report='x'))
    assert not any(tmp_path.iterdir())
