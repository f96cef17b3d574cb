"""Tables and a plot from finished active-learning WORK_DIRs.

    python tools/al_report.py WORK_DIR [WORK_DIR ...] [--out DIR]
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
import dataclasses
import json
import sys
from pathlib import Path

from mmdet_alssl.active_learning import read_ids, report
from mmdet_alssl.active_learning.loop_plan import POOL_FILE
from mmdet_alssl.active_learning.report_render import (plot_curves,
                                                       render_report)

PLOT, MARKDOWN, RESULTS = 'mAP_vs_labels.png', 'report.md', 'results.json'


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


def _gt_key(run):
    """What a run's ground truth depends on: its config, its options and
    its pool (``pool.txt``: a subset with ``--pool-size``)."""
    pool = run.work_dir / POOL_FILE
    return (run.manifest.get('config_path'),
            tuple(run.manifest.get('cfg_options') or []),
            tuple(read_ids(pool)) if pool.is_file() else None)


def ground_truth(runs, warn):
    """``{_gt_key: gt}`` for the first run (class counts) and the runs
    with pseudo-labels (precision); None, and a warning, for a config
    whose data cannot be read."""
    cache = {}
    for i, run in enumerate(runs):
        key = _gt_key(run)
        if key in cache or (i > 0 and not any(
                r.pseudo_labeled for r in run.rows)):
            continue
        try:
            cache[key] = report.load_ground_truth(
                report.run_config(run.manifest), key[2])
        except (FileNotFoundError, ValueError, KeyError, OSError) as err:
            warn(f'no ground truth for {run.work_dir} ({err}); precision and '
                 f'class frequencies left out')
            cache[key] = None
    return cache


def build(runs, band='minmax', reference=None, precision=True, out='.',
          warn=print, extremes_only=False):
    """``(markdown, results dict)`` of ``runs``; the plot goes to
    ``out/mAP_vs_labels.png``. ``extremes_only``: per-class AP of the
    rarest and the most common class only (when their counts are known)."""
    groups = report.aggregate(runs)
    gts = ground_truth(runs, warn) if precision else {}
    # The metrics' class order is the data set's label order.
    classes = list(dict.fromkeys(
        c for agg in groups.values() for r in agg for c in r.per_class_AP))
    first = next((gt for gt in gts.values() if gt is not None), None)
    counts = None
    if first is not None:
        counts = report.box_counts(first, classes)
        classes = sorted(classes, key=lambda c: counts[c])  # rarest first
        if extremes_only and len(classes) > 2:
            classes = [classes[0], classes[-1]]
    per_label = {}
    for run in runs:
        gt = gts.get(_gt_key(run))
        if gt is not None:
            prec = report.run_precision(run, gt)
            if prec:
                per_label.setdefault(run.label, []).append(prec)
    reference = reference or ('random' if 'random' in groups else None)
    cost = report.labeling_cost(groups, reference) if reference in groups \
        else None
    plot = plot_curves(groups, Path(out) / PLOT, band=band)
    md = render_report(groups, classes=classes, class_counts=counts,
                       precision=per_label, cost=cost, reference=reference,
                       plot=PLOT)
    results = dict(
        runs=[dict(work_dir=str(r.work_dir), label=r.label, seed=r.seed,
                   rows=[dataclasses.asdict(x) for x in r.rows])
              for r in runs],
        curves={k: [dataclasses.asdict(x) for x in v]
                for k, v in groups.items()},
        classes=classes, class_counts=counts, precision=per_label,
        labeling_cost=cost, reference=reference, plot=str(plot))
    return md, results


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

    md, results = build(runs, args.band, args.reference,
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
