"""Rebuild committed reports from their results.json alone (the runs and
the data set are not needed): every table and the plot are drawn again
from the numbers the file keeps; the report's head (title, command, date)
is kept as it is.

    python tools/analysis_tools/rebuild_report.py REPORT_MD [REPORT_MD ...]
        [--check]

REPORT_MD is a ``benchmark.md`` (``benchmark_al.py``) or ``report.md``
(``al_report.py``) with its ``results.json`` beside it, or a
``pseudo_label_thresholds.py`` or ``benchmark_train_step.py`` report with
its ``.json`` of the same name.
``--check`` writes nothing and fails when a report differs from its
rebuild, e.g.

    python tools/analysis_tools/rebuild_report.py docs/results/*/*.md --check
"""
import argparse
import difflib
import sys
from pathlib import Path

from mmdet_alssl.analysis.expectations import expectations_table
from mmdet_alssl.analysis.results_report import rebuild_report
from mmdet_alssl.analysis.side_json_report import render_side_json_report
from mmdet_alssl.workdir.state_io import read_json

RESULTS = 'results.json'
#: The first section a report tool generates (benchmark.md, report.md).
FIRST_SECTIONS = ('## Expectations\n', '## mAP per cycle')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('reports', nargs='+', metavar='REPORT_MD')
    p.add_argument('--check', action='store_true',
                   help='write nothing; fail if a report differs')
    return p.parse_args(argv)


def head_of(text: str, path) -> str:
    """What precedes the report's first generated section."""
    starts = [text.find(s) for s in FIRST_SECTIONS if s in text]
    if not starts:
        raise ValueError(f'{path}: no "{FIRST_SECTIONS[-1]}" section; is '
                         f'this a report of al_report.py or benchmark_al.py?')
    return text[:min(starts)]


def rebuilt(path: Path, plot_dir=None) -> str:
    """The report at ``path`` drawn again from the results.json beside it
    (the plot into ``plot_dir`` when given), or the threshold table or step
    timing at ``path`` from the .json of its name."""
    if path.with_suffix('.json').is_file():
        source = path.with_suffix('.json')
        return render_side_json_report(read_json(source), source)
    results_json = path.parent / RESULTS
    if not results_json.is_file():
        raise FileNotFoundError(f'{results_json} does not exist: a report '
                                f'rebuilds from the results.json beside it')
    text = head_of(path.read_text(), path)
    checks = read_json(results_json).get('expectations')
    if checks is not None:
        text += f'## Expectations\n\n{expectations_table(checks)}\n'
    return text + rebuild_report(results_json, plot_dir)


def main(argv=None) -> int:
    args = parse_args(argv)
    differ = []
    for name in args.reports:
        path = Path(name)
        try:
            text = rebuilt(path, None if args.check else path.parent)
        except (FileNotFoundError, ValueError, KeyError) as err:
            print(f'rebuild_report: error: {path}: {err}', file=sys.stderr)
            return 2
        if not args.check:
            path.write_text(text)
            print(f'{path}: rebuilt')
        elif text != path.read_text():
            differ.append(path)
            sys.stdout.writelines(difflib.unified_diff(
                path.read_text().splitlines(True), text.splitlines(True),
                str(path), 'rebuilt', n=0))
        else:
            print(f'{path}: rebuilds identically')
    if differ:
        print(f'rebuild_report: {len(differ)} report(s) differ from their '
              f'rebuild: ' + ', '.join(map(str, differ)), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
