"""Reports kept as ``F.md`` beside the ``F.json`` they are drawn from
(``pseudo_label_thresholds.py``, ``benchmark_train_step.py``): the .json
names its kind under ``report``, so ``rebuild_report.py`` redraws the .md
with the same renderer that wrote it."""
from pathlib import Path
from typing import Mapping

from ..workdir.state_io import atomic_write_text, write_json
from .pseudo_label_thresholds import threshold_report
from .train_step_timing import train_step_report

#: ``report`` value -> renderer of the .md from the .json's content.
RENDERERS = {'pseudo_label_thresholds': threshold_report,
             'train_step': train_step_report}


def render_side_json_report(results: Mapping, source) -> str:
    """The markdown of ``results`` (read from ``source``, named in the
    error) by the renderer its ``report`` key names."""
    kind = results.get('report')
    if kind not in RENDERERS:
        raise ValueError(f'{source}: "report" is {kind!r}, not one of '
                         f'{sorted(RENDERERS)}: which tool wrote it?')
    return RENDERERS[kind](results)


def write_side_json_report(out, results: Mapping) -> str:
    """Write ``results`` to ``out``'s .json and its markdown to ``out``
    (a .md path), each atomically; return the markdown."""
    out = Path(out)
    text = render_side_json_report(results, out.with_suffix('.json'))
    out.parent.mkdir(parents=True, exist_ok=True)
    write_json(out.with_suffix('.json'), results)
    atomic_write_text(out, text)
    return text
