"""The benchmark's runs (``tools/analysis_tools/benchmark_al.py``): which loop runs exist,
their ``al_loop`` arguments, which are finished, and how a run inherits the
shared cycle 0. Nothing here trains or starts a process.

Cycle 0 (a seeded random split, then training) does not depend on the
strategy, the pseudo-labels or the budget: only the selection after it
does. So for each seed, one loop run with ``--cycles 0`` (:data:`SHARED`)
trains cycle 0, and every run that trains the same way (same consistency
setting) starts from a copy of its split and checkpoint with the ``split``
and ``train`` steps marked done: the loop then resumes at cycle 0's
``acquire`` (:func:`~.loop_plan.next_step`).
"""
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence

from ..workdir.cycle_state import CycleState
from ..loop.loop_plan import next_step
from ..workdir.state_io import atomic_write_text, read_ids, write_ids
from ..workdir.layout import (END, LABELED_IDS, LAST_CHECKPOINT, MANIFEST,
                              POOL_IDS, SPLIT, TRAIN, UNLABELED_IDS)

#: A labeled count above any pool: the loop then labels the whole pool.
ALL_IMAGES = 10**9


@dataclass(frozen=True)
class RunSpec:
    """One curve of the benchmark.

    Attributes:
        name: folder and curve name. title: what it is, for the report.
        strategy: acquisition strategy. pseudo_labels: train with them.
        consistency: keep the config's consistency loss (else weight 0).
        all_labels: label the whole pool, no selection (a reference).
        opt_in: run only when named in ``--runs`` (not by default).
    """
    name: str
    title: str
    strategy: str
    pseudo_labels: bool = False
    consistency: bool = True
    all_labels: bool = False
    opt_in: bool = False

    @property
    def shares_cycle0(self) -> bool:
        """Trains cycle 0 exactly as :data:`SHARED_SPEC` does."""
        return self.consistency and not self.all_labels


RUNS = (
    RunSpec('random', 'random selection, consistency training', 'random'),
    RunSpec('entropy', 'max-entropy selection (Eq. 4), consistency '
            'training', 'entropy'),
    RunSpec('inconsistency', 'max-inconsistency selection (Eq. 3), '
            'consistency training', 'inconsistency'),
    RunSpec('unified', 'unified selection (Eq. 5), consistency training',
            'unified'),
    RunSpec('full', 'unified + pseudo-labels + consistency: the full method',
            'unified', pseudo_labels=True),
    RunSpec('random_pseudo', 'random selection + pseudo-labels + '
            'consistency: pseudo-labeling without active learning (the '
            "paper's Fig. 3b/4b baseline)", 'random', pseudo_labels=True,
            opt_in=True),
    RunSpec('random_no_con', 'random selection, supervised loss only '
            '(reference)', 'random', consistency=False),
    RunSpec('all_labels', 'every pool image labeled, supervised loss only '
            '(ceiling)', 'random', consistency=False, all_labels=True),
)
#: What ``benchmark_al.py`` runs without ``--runs``.
DEFAULT_RUNS = tuple(r.name for r in RUNS if not r.opt_in)
SHARED = 'cycle0_shared'
SHARED_SPEC = RunSpec(SHARED, 'cycle 0, shared', 'unified',
                      pseudo_labels=True)


@dataclass(frozen=True)
class PlannedRun:
    """A loop run: ``tools/al_loop.py *argv`` in ``work_dir``."""
    seed: int
    name: str
    title: str
    work_dir: Path
    cycles: int
    argv: List[str]
    shared_dir: Optional[Path]


def loop_argv(config, work_dir, seed: int, spec: RunSpec, cycles: int,
              flags: Sequence[str], cfg_options: Sequence[str],
              ceiling_iters: Optional[int] = None,
              initial_iters: Optional[int] = None) -> List[str]:
    """``al_loop`` arguments of one run (``flags``: loop flags such as
    ``--budget 50``; ``cfg_options``: ``key=value`` for every run;
    ``ceiling_iters``: training length of the all-labels run, if not the
    config's; ``initial_iters``: cycle 0's length in the other runs)."""
    argv = [str(config), str(work_dir), '--cycles', str(cycles), '--seed',
            str(seed), '--strategy', spec.strategy, *flags]
    if spec.all_labels:  # argparse: the last --initial / --train-iters wins
        argv += ['--initial', str(ALL_IMAGES)]
        if ceiling_iters is not None:  # its only cycle is cycle 0
            argv += ['--train-iters', str(ceiling_iters), '--initial-iters',
                     str(ceiling_iters)]
    elif initial_iters is not None:
        argv += ['--initial-iters', str(initial_iters)]
    options = list(cfg_options) + [
        f'active_learning.pseudo_labels={spec.pseudo_labels}']
    if not spec.consistency:
        options.append('model.consistency_weight=0.0')
    return argv + ['--cfg-options', *options]


def plan_runs(out_dir, config, seeds: Sequence[int], names: Sequence[str],
              cycles: int, flags: Sequence[str] = (),
              cfg_options: Sequence[str] = (),
              ceiling_iters: Optional[int] = None,
              initial_iters: Optional[int] = None) -> List[PlannedRun]:
    """Every loop run, in execution order: per seed, the shared cycle 0
    (when a chosen run uses it), then the chosen runs in :data:`RUNS`
    order. ``ceiling_iters``: see :func:`ceiling_iters`;
    ``initial_iters``: cycle 0's length (al_loop's ``--initial-iters``)."""
    unknown = sorted(set(names) - {r.name for r in RUNS})
    if unknown:
        raise ValueError(f'unknown runs {unknown}; choose from '
                         f'{[r.name for r in RUNS]}')
    chosen = [r for r in RUNS if r.name in names]
    planned = []
    for seed in seeds:
        base = Path(out_dir) / f'seed_{seed}'
        shared = base / SHARED
        if any(r.shares_cycle0 for r in chosen):
            planned.append(PlannedRun(
                seed, SHARED, SHARED_SPEC.title, shared, 0, loop_argv(
                    config, shared, seed, SHARED_SPEC, 0, flags,
                    cfg_options, initial_iters=initial_iters), None))
        for spec in chosen:
            n = 0 if spec.all_labels else cycles
            planned.append(PlannedRun(
                seed, spec.name, spec.title, base / spec.name, n,
                loop_argv(config, base / spec.name, seed, spec, n, flags,
                          cfg_options, ceiling_iters, initial_iters),
                shared if spec.shares_cycle0 else None))
    return planned


def ceiling_iters(iters: int, cycles: int, warm_start: bool,
                  initial_iters: Optional[int] = None) -> int:
    """Training length of the all-labels run: as long as the last cycle's
    model has trained. With warm starts that is ``initial_iters + cycles *
    iters`` iterations in all (``initial_iters`` defaults to ``iters``);
    without, ``iters`` (each cycle trains from scratch)."""
    if not warm_start:
        return int(iters)
    return int(initial_iters or iters) + cycles * int(iters)


def run_status(work_dir, cycles: int) -> str:
    """``'new'`` (no manifest), ``'done'`` (the loop has nothing left for
    ``cycles``) or ``'resume'``."""
    state = CycleState(Path(work_dir))
    if not (state.work_dir / MANIFEST).is_file():
        return 'new'
    try:
        step = next_step(state, cycles)
    except (FileNotFoundError, ValueError, RuntimeError):
        return 'resume'  # the loop itself reports what is wrong
    return 'done' if step.name == END else 'resume'


def _link(src: Path, dst: Path) -> None:
    dst.unlink(missing_ok=True)
    try:
        os.link(src, dst)  # no copy of the weights where the disk allows
    except OSError:
        shutil.copy2(src, dst)


def seed_from_shared(shared_dir, work_dir,
                     manifest: Callable[[], dict]) -> bool:
    """Give ``work_dir`` the shared run's cycle 0 (split + checkpoint),
    unless its cycle 0 is already trained.

    Args:
        shared_dir: the finished ``--cycles 0`` run of the same seed.
        work_dir: the run's WORK_DIR (new, or seeded halfway).
        manifest: returns the manifest the loop will expect in work_dir.

    Returns:
        bool: True if it seeded, False if cycle 0 was trained already.

    Raises:
        ValueError: the shared cycle 0 is unfinished, or work_dir belongs
            to other settings (the manifest check).
    """
    src, dst = CycleState(Path(shared_dir)), CycleState(Path(work_dir))
    if dst.is_done(0, TRAIN):
        return False
    if not (src.is_done(0, SPLIT) and src.is_done(0, TRAIN)):
        raise ValueError(f'{src.work_dir} has no finished cycle 0 to share; '
                         f'run it first (re-run the benchmark)')
    dst.ensure_manifest(manifest())
    labeled, unlabeled = src.read_split(0)
    dst.write_split(0, labeled, unlabeled)
    write_ids(dst.work_dir / POOL_IDS, read_ids(src.work_dir / POOL_IDS))
    dst.mark_done(0, SPLIT, [LABELED_IDS, UNLABELED_IDS, dst.work_dir / POOL_IDS])
    ckpt = src.trained_checkpoint(0)
    train_dir = dst.path(0, TRAIN)
    train_dir.mkdir(parents=True, exist_ok=True)
    _link(ckpt, train_dir / ckpt.name)
    # mmengine's pointer, so the train dir reads as finished on its own too
    atomic_write_text(train_dir / LAST_CHECKPOINT,
                      str(train_dir / ckpt.name))
    dst.mark_done(0, TRAIN, [train_dir / ckpt.name])
    return True
