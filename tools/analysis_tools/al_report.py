"""Tables and a plot from finished active-learning WORK_DIRs.

    python tools/analysis_tools/al_report.py WORK_DIR [WORK_DIR ...] [--out DIR]
        [--labels NAME ...] [--band {minmax,std}] [--reference NAME]
        [--no-precision]

Prints (and writes to ``OUT/report.md``) labeled images, pseudo-labels and
mAP per cycle, per-class AP of the first and last cycle, the pseudo-labels'
precision against the ground truth, the labeling cost against the
``--reference`` curve when there is one, and plots mAP against labeled
images into ``OUT/mAP_vs_labels.png``; the numbers also go to
``OUT/results.json``. WORK_DIRs with the same label (default: strategy,
``+ PL`` with pseudo-labels, ``no consistency`` without the consistency
loss) are seeds of one curve: mean ± std over them. ``OUT`` defaults to
``FIRST_WORK_DIR/report``.

The ground truth (class box counts over the run's ``pool.txt``, rarest
class first; the pseudo-labels' precision) is parsed by the data set
classes of each run's config (``manifest.json``), whose relative
``data_root`` is read from the current directory: run from where the loop
ran (the repository root). Without it the report leaves those parts out.
"""
import argparse
import json
import sys
from pathlib import Path

from mmdet_alssl.analysis import report
from mmdet_alssl.analysis.build_report import build_report

MARKDOWN, RESULTS = 'report.md', 'results.json'


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('work_dirs', nargs='+', metavar='WORK_DIR')
    p.add_argument('--out', help='output folder (default FIRST/report)')
    p.add_argument('--labels', nargs='+', help='a curve name per WORK_DIR')
    p.add_argument('--band', choices=('minmax', 'std'), default='minmax',
                   help='band over seeds in the plot (default min-max)')
    p.add_argument('--reference', default=None,
                   help='curve whose final mAP the labeling cost targets '
                   '(default: "random" if present)')
    p.add_argument('--no-precision', action='store_true',
                   help='read no ground truth: no pseudo-label precision, '
                   'classes in metric order')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.labels and len(args.labels) != len(args.work_dirs):
        print(f'al_report: error: {len(args.labels)} --labels for '
              f'{len(args.work_dirs)} WORK_DIRs; give one each',
              file=sys.stderr)
        return 2
    labels = args.labels or [None] * len(args.work_dirs)
    try:
        runs = [report.read_run(w, label)
                for w, label in zip(args.work_dirs, labels)]
    except (FileNotFoundError, ValueError) as err:
        print(f'al_report: error: {err}', file=sys.stderr)
        return 2
    out = Path(args.out or Path(args.work_dirs[0]) / 'report')

    def warn(msg):
        print(f'al_report: warning: {msg}', file=sys.stderr)

    md, results = build_report(runs, args.band, args.reference,
                               not args.no_precision, out, warn)
    title = '# Active-learning report\n\nWORK_DIRs: ' + ', '.join(
        f'`{r.work_dir}`' for r in runs) + '\n\n'
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKDOWN).write_text(title + md)
    (out / RESULTS).write_text(json.dumps(results, indent=1) + '\n')
    print(title + md)
    print(f'plot: {results["plot"]}\nreport: {out / MARKDOWN}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
