"""The ablation of the paper's §4 at CPU scale: every strategy, seeds x
cycles, through the resumable loop (``tools/al_loop.sh``), then a report.

    python tools/analysis_tools/benchmark_al.py CONFIG OUT_DIR [--seeds 0 1 2] [--cycles 4]
        [--initial N] [--budget N] [--tau X] [--score-thr X]
        [--train-iters N] [--initial-iters N] [--pool-size N]
        [--warm-start | --no-warm-start]
        [--runs NAME ...]
        [--report-dir DIR] [--dry-run] [--report-only]
        [--earlier-results RESULTS_JSON ...] [--cfg-options k=v ...]

Runs (``--runs``, default all but the opt-in ones; see :data:`RUNS`): ``random``, ``entropy``,
``inconsistency``, ``unified`` (consistency training, no pseudo-labels),
``full`` (unified + pseudo-labels + consistency: the method), and two
references: ``random_no_con`` (``model.consistency_weight=0``: SSD's
supervised loss only; batches keep their unlabeled half, which then adds
nothing, so labeled images per step match the other runs) and
``all_labels`` (every pool image labeled, no consistency: the ceiling;
with warm starts it trains as many iterations as the last cycle's model
has in all, ``initial_iters + cycles x`` the cycle length). Only when named:
``random_pseudo`` (random selection with the full method's pseudo-labels:
does the selection add anything on top of them?).
``--initial-iters`` trains the shared cycle 0 longer than the later cycles:
it is paid once per seed, and selection from a model that has not learned
yet is no better than random.

Layout: ``OUT_DIR/seed_<s>/<run>/`` is each run's loop WORK_DIR (readable
by ``tools/analysis_tools/al_report.py``). Cycle 0 does not depend on the strategy, so the
consistency runs share it: ``seed_<s>/cycle0_shared`` trains it once
(``al_loop --cycles 0``); each run's WORK_DIR is then seeded with its split
and checkpoint (manifest, split and train done markers), and the loop
resumes at cycle 0's selection. Re-running the same command skips finished
runs and resumes the others; ``--cycles`` may grow.

Writes ``REPORT_DIR/benchmark.md`` (default ``OUT_DIR/report``): mAP per
cycle (mean ± std over seeds), per-class AP of the rarest and most common
classes at the first and last cycle, pseudo-label precision and
pseudo-labels per image, labeled images to reach random's final mAP, the
paper's expectations checked, and ``mAP_vs_labels.png``, over cycles 0 to
``--cycles`` (a run that has grown beyond them is cut there, so the report
of the first cycles can be rebuilt after more cycles ran).
``--earlier-results`` adds the runs of earlier reports' ``results.json``
whose work dirs are gone (their mAP rows; no pseudo-label precision or
selections for them); a run (seed and name) found under OUT_DIR replaces
the same run of such a file, and an earlier file's the same run of a later
one (a seed is never counted twice).
"""
import argparse
import datetime
import json
import shlex
import subprocess
import sys
from pathlib import Path

from mmdet_alssl.analysis.benchmark_plan import (DEFAULT_RUNS, RUNS, SHARED,
                                                 ceiling_iters, plan_runs,
                                                 run_status, seed_from_shared)
from mmdet_alssl.analysis.expectations import (expectations,
                                               expectations_table)
from mmdet_alssl.loop import active_learning_loop
from mmdet_alssl.loop.active_learning_loop import run_manifest_of

#: Each run is the package's loop, in its own process.
LOOP_MODULE = active_learning_loop.__name__

#: Iterations per cycle are the config's unless --train-iters.
LOOP_FLAGS = ('initial', 'budget', 'tau', 'score_thr', 'train_iters',
              'pool_size')


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description='Active-learning ablation (resumable: re-run the same '
        'command after an interruption).')
    p.add_argument('config')
    p.add_argument('out_dir')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--cycles', type=int, default=4,
                   help='selection cycles after cycle 0 (default 4)')
    for name, kind in (('initial', int), ('budget', int), ('tau', float),
                       ('score-thr', float), ('train-iters', int),
                       ('initial-iters', int), ('pool-size', int)):
        p.add_argument(f'--{name}', type=kind, default=None,
                       help='passed to al_loop (default: the config\'s)')
    p.add_argument('--warm-start', action=argparse.BooleanOptionalAction,
                   default=None,
                   help='passed to al_loop (default: the config\'s); '
                   '--no-warm-start retrains every cycle from the same '
                   'initialisation, the paper\'s protocol')
    p.add_argument('--runs', nargs='+', default=list(DEFAULT_RUNS),
                   choices=[r.name for r in RUNS])
    p.add_argument('--report-dir', default=None,
                   help='where benchmark.md and the plot go '
                   '(default OUT_DIR/report)')
    p.add_argument('--dry-run', action='store_true',
                   help='print the plan (done / resume / new) and exit')
    p.add_argument('--report-only', action='store_true',
                   help='write the report of what is finished; train nothing')
    p.add_argument('--earlier-results', nargs='+', default=[],
                   metavar='RESULTS_JSON',
                   help='add the runs of earlier reports whose work dirs '
                   'are gone (mAP rows only)')
    p.add_argument('--cfg-options', nargs='+', default=[],
                   help='key=value overrides for every run')
    return p.parse_args(argv)


def loop_flags(args) -> list:
    """The al_loop flags the user gave (the config's values otherwise)."""
    flags = []
    for name in LOOP_FLAGS:
        value = getattr(args, name)
        if value is not None:
            flags += [f'--{name.replace("_", "-")}', str(value)]
    if args.warm_start is not None:
        flags.append('--warm-start' if args.warm_start else '--no-warm-start')
    return flags


def log(msg: str) -> None:
    print(f'[benchmark] {msg}', flush=True)


def execute(planned) -> int:
    """Run every unfinished run in order; stop at the first failure."""
    for i, run in enumerate(planned, 1):
        status = run_status(run.work_dir, run.cycles)
        where = f'[{i}/{len(planned)}] seed {run.seed} {run.name}'
        if status == 'done':
            log(f'{where}: finished, skipped ({run.work_dir})')
            continue
        if run.shared_dir is not None and seed_from_shared(
                run.shared_dir, run.work_dir, lambda: run_manifest_of(
                    run.argv)):
            log(f'{where}: cycle 0 taken from {run.shared_dir}')
            status = 'from the shared cycle 0'
        cmd = [sys.executable, '-m', LOOP_MODULE, *run.argv]
        log(f'{where}: {status}: {shlex.join(cmd)}')
        rc = subprocess.run(cmd).returncode
        if rc != 0:
            log(f'{where} failed (exit status {rc}); fix the cause and '
                f're-run the same command to resume')
            return rc
    return 0


def earlier_note(earlier, files) -> str:
    """The head's line on runs taken from earlier results.json files."""
    if not earlier:
        return ''
    names = ', '.join(f'seed {r.seed} `{r.label}`' for r in earlier)
    listed = ', '.join(f'`{f}`' for f in dict.fromkeys(files))  # each once
    return (f'From earlier reports ({listed}; '
            f'work dirs gone, mAP rows only): {names}.\n\n')


def write_report(args, planned, report_dir: Path) -> Path:
    from mmdet_alssl.analysis import report
    from mmdet_alssl.analysis.build_report import build_report
    runs = [report.read_run(r.work_dir, r.name) for r in planned
            if r.name != SHARED and (r.work_dir / 'summary.json').is_file()]
    # one run per (name, seed): OUT_DIR's first, then the first file's
    seen, earlier = {(r.label, r.seed) for r in runs}, []
    for path in args.earlier_results:
        for r in report.runs_from_results(path):
            if (r.label, r.seed) not in seen:
                seen.add((r.label, r.seed))
                earlier.append(r)
    runs += earlier
    # the cycles the report's head names, when a run has grown beyond them
    runs = [report.up_to_cycle(r, args.cycles) for r in runs]
    if not runs:
        raise FileNotFoundError(f'no finished cycle under {args.out_dir} '
                                f'yet: nothing to report')
    md, results = build_report(runs, reference='random', out=report_dir,
                                 extremes_only=True)
    # rarest first when the ground truth gave the class counts
    classes = results['classes'] if results['class_counts'] else [None]
    checks = expectations(runs, results['labeling_cost'], classes[0],
                          classes[-1])
    titles = '\n'.join(f'- `{r.name}`: {r.title}' for r in RUNS
                       if r.name in args.runs)
    # The command that runs (or resumes) the benchmark, not this report's.
    command = shlex.join(['python', 'tools/analysis_tools/benchmark_al.py', *[
        a for a in args.argv if a != '--report-only']])
    head = (f'# Active-learning benchmark\n\n`{command}`\n\n'
            f'Config `{args.config}`, seeds {args.seeds}, {args.cycles} '
            f'selection cycles; written {datetime.date.today()}.\n\n'
            f'{earlier_note(earlier, args.earlier_results)}'
            f'{titles}\n\n## Expectations\n\n{expectations_table(checks)}\n')
    report_dir.mkdir(parents=True, exist_ok=True)
    path = report_dir / 'benchmark.md'
    path.write_text(head + md)
    results['expectations'] = checks
    (report_dir / 'results.json').write_text(
        json.dumps(results, indent=1) + '\n')
    print(head + md)
    return path


def main(argv=None) -> int:
    args = parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.cycles < 0 or not args.seeds or min(args.seeds) < 0:
        print('benchmark_al: error: --cycles >= 0 and seeds >= 0 needed',
              file=sys.stderr)
        return 2
    from mmdet_alssl.analysis.report import run_config
    cfg = run_config(dict(config_path=args.config,
                          cfg_options=args.cfg_options))
    loop_cfg = cfg.get('active_learning', {})
    warm = loop_cfg.get('warm_start', False) if args.warm_start is None \
        else args.warm_start
    initial_iters = args.initial_iters or loop_cfg.get('initial_iters')
    planned = plan_runs(args.out_dir, args.config, args.seeds, args.runs,
                        args.cycles, loop_flags(args), args.cfg_options,
                        ceiling_iters(args.train_iters or
                                      cfg.train_cfg.max_iters, args.cycles,
                                      warm, initial_iters),
                        args.initial_iters)
    if args.dry_run:
        for r in planned:
            print(f'{run_status(r.work_dir, r.cycles):7s} seed {r.seed} '
                  f'{r.name}: {shlex.join(["tools/al_loop.sh", *r.argv])}')
        return 0
    if not args.report_only:
        rc = execute(planned)
        if rc != 0:
            return rc
    report_dir = Path(args.report_dir or Path(args.out_dir) / 'report')
    try:
        path = write_report(args, planned, report_dir)
    except (FileNotFoundError, ValueError) as err:
        print(f'benchmark_al: error: {err}', file=sys.stderr)
        return 2
    print(f'report: {path}\nplot: {report_dir / "mAP_vs_labels.png"}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
