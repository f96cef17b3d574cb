"""Archive the report inputs of every run under SRC (no checkpoints) into
DEST, keeping their relative paths, so that the report can be rebuilt, and
seeds from other sessions or machines added, after the WORK_DIRs are gone.

    python tools/analysis_tools/archive_runs.py SRC DEST

SRC is a benchmark's OUT_DIR (``seed_<s>/<run>/`` each archived) or one
WORK_DIR. Run it from the checkout the runs were trained in (each run's
config is resolved and checked against its manifest; the resolved configs
are stored once, in ``DEST/configs``, or ``--configs DIR``). Then, e.g.:

    python tools/analysis_tools/benchmark_al.py CONFIG DEST --seeds 0 1 \\
        --report-only
    python tools/analysis_tools/al_report.py DEST/seed_0/random ...

Re-running after more cycles updates DEST. To add one WORK_DIR to an
existing archive, give the archive's configs folder, so that the archive
keeps one copy of each config:

    python tools/analysis_tools/archive_runs.py WORK_DIR \
        ARCHIVE/seed_3/random --configs ARCHIVE/configs
"""
import argparse
import sys
from pathlib import Path

from mmdet_alssl.analysis.run_archive import CONFIGS_DIR, archive_run
from mmdet_alssl.workdir.layout import SUMMARY


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('src', help="a benchmark's OUT_DIR or one WORK_DIR")
    p.add_argument('dest', help='the archive folder (created)')
    p.add_argument('--configs', metavar='DIR',
                   help='where the resolved configs are stored (default '
                   'DEST/configs); an existing archive\'s configs folder '
                   'when adding runs to it')
    return p.parse_args(argv)


def run_dirs(src: Path):
    """Every folder under ``src`` (itself included) with a summary.json."""
    return sorted(p.parent for p in src.rglob(SUMMARY))


def main(argv=None) -> int:
    args = parse_args(argv)
    src, dest = Path(args.src), Path(args.dest)
    configs = Path(args.configs) if args.configs else dest / CONFIGS_DIR
    runs = run_dirs(src)
    if not runs:
        print(f'archive_runs: error: no run with a tested cycle under {src} '
              f'(no {SUMMARY})', file=sys.stderr)
        return 2
    for run in runs:
        try:
            files = archive_run(run, dest / run.relative_to(src), configs)
        except (FileNotFoundError, ValueError) as err:
            print(f'archive_runs: error: {err}', file=sys.stderr)
            return 2
        size = sum(f.stat().st_size for f in files)
        print(f'{run} -> {dest / run.relative_to(src)}: {len(files)} files, '
              f'{size / 1e3:.0f} kB')
    return 0


if __name__ == '__main__':
    sys.exit(main())
