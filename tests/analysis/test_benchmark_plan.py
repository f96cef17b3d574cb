"""benchmark_plan.py: the runs, their arguments, finished/resumed/new, and
seeding a run with the shared cycle 0 -- on fabricated WORK_DIRs."""
import os
from pathlib import Path

import pytest

from mmdet_alssl.analysis import benchmark_plan as bp
from mmdet_alssl.workdir import CycleState
from mmdet_alssl.loop.loop_plan import Step, next_step
from mmdet_alssl.workdir.layout import ACQUIRE, SPLIT, TRAIN
from tests.helpers import BENCH_POOL as POOL
from tests.helpers import fake_cycle, finished_run, manifest

def test_plan_order_arguments_and_sharing(tmp_path):
    plan = bp.plan_runs(tmp_path, 'cfg.py', [0, 1], [r.name for r in bp.RUNS],
                        cycles=4, flags=['--budget', '50', '--initial', '100'],
                        cfg_options=['a.b=1'])
    names = [r.name for r in bp.RUNS]
    assert [(r.seed, r.name) for r in plan] == \
        [(0, bp.SHARED)] + [(0, n) for n in names] + \
        [(1, bp.SHARED)] + [(1, n) for n in names]
    by = {(r.seed, r.name): r for r in plan}
    shared = tmp_path / 'seed_1' / bp.SHARED
    assert by[1, bp.SHARED].argv == [
        'cfg.py', str(shared), '--cycles', '0', '--seed', '1', '--strategy',
        'unified', '--budget', '50', '--initial', '100', '--cfg-options',
        'a.b=1', 'active_learning.pseudo_labels=True']
    assert by[1, bp.SHARED].shared_dir is None
    for name in ('random', 'entropy', 'inconsistency', 'unified', 'full'):
        assert by[1, name].shared_dir == shared
        assert by[1, name].cycles == 4
    assert by[1, 'entropy'].argv[2:8] == ['--cycles', '4', '--seed', '1',
                                          '--strategy', 'entropy']
    assert by[1, 'unified'].argv[-1] == 'active_learning.pseudo_labels=False'
    assert by[1, 'full'].argv[-1] == 'active_learning.pseudo_labels=True'
    pseudo_only = by[1, 'random_pseudo']  # the full method's labels,
    assert pseudo_only.shared_dir == shared  # random's selection
    assert pseudo_only.argv[6:8] == ['--strategy', 'random']
    assert pseudo_only.argv[-1] == 'active_learning.pseudo_labels=True'
    no_con = by[1, 'random_no_con']
    assert no_con.shared_dir is None and no_con.cycles == 4
    assert no_con.argv[-1] == 'model.consistency_weight=0.0'
    ceiling = by[1, 'all_labels']
    assert ceiling.cycles == 0 and ceiling.shared_dir is None
    cut = ceiling.argv.index('--cfg-options')
    assert ceiling.argv[cut - 2:cut] == ['--initial', str(bp.ALL_IMAGES)]
    assert '--train-iters' not in ceiling.argv  # the config's length
    assert ceiling.work_dir == tmp_path / 'seed_1' / 'all_labels'


def test_the_opt_in_runs_run_only_when_named():
    assert 'random_pseudo' not in bp.DEFAULT_RUNS
    assert bp.DEFAULT_RUNS == ('random', 'entropy', 'inconsistency',
                               'unified', 'full', 'random_no_con',
                               'all_labels')


def test_plan_without_shared_runs_and_bad_names(tmp_path):
    plan = bp.plan_runs(tmp_path, 'c.py', [3], ['all_labels',
                                                'random_no_con'], 2)
    assert [r.name for r in plan] == ['random_no_con', 'all_labels']
    with pytest.raises(ValueError, match='unknown runs'):
        bp.plan_runs(tmp_path, 'c.py', [0], ['random', 'greedy'], 2)


def test_run_status(tmp_path):
    assert bp.run_status(tmp_path / 'none', 2) == 'new'
    done = finished_run(tmp_path / 'done', cycles=2)
    assert bp.run_status(done.work_dir, 2) == 'done'
    assert bp.run_status(done.work_dir, 3) == 'resume'  # more cycles asked
    (done.path(2, 'metrics.json')).unlink()  # its test step must rerun
    assert bp.run_status(done.work_dir, 2) == 'resume'


def test_seed_from_shared_with_relative_paths(tmp_path, monkeypatch):
    # The benchmark's OUT_DIR is usually relative (work_dirs/...).
    monkeypatch.chdir(tmp_path)
    shared = CycleState(Path('shared'))
    shared.ensure_manifest(manifest())
    shared.write_split(0, POOL[:4], POOL[4:])
    fake_cycle(shared, 0, select=False)
    assert bp.seed_from_shared('shared', 'run', lambda: manifest('random'))
    run = CycleState(Path('run'))
    assert run.work_dir == tmp_path / 'run'
    assert run.is_done(0, SPLIT) and run.is_done(0, TRAIN)
    assert next_step(run, 3) == Step(0, ACQUIRE, select=True)


def test_seed_from_shared(tmp_path):
    shared = CycleState(tmp_path / 'shared')
    shared.ensure_manifest(manifest())
    shared.write_split(0, POOL[:4], POOL[4:])
    with pytest.raises(ValueError, match='no finished cycle 0'):
        bp.seed_from_shared(shared.work_dir, tmp_path / 'run',
                            lambda: manifest('random'))
    fake_cycle(shared, 0, select=False)

    assert bp.seed_from_shared(shared.work_dir, tmp_path / 'run',
                               lambda: manifest('random'))
    run = CycleState(tmp_path / 'run')
    assert run.read_split(0) == (POOL[:4], POOL[4:])
    assert next_step(run, 3) == Step(0, ACQUIRE, select=True)
    ckpt = run.path(0, 'train') / 'iter_2.pth'
    assert ckpt.read_bytes() == b'weights of cycle 0'
    assert os.path.samefile(ckpt, shared.path(0, 'train') / 'iter_2.pth')
    assert (run.path(0, 'train') / 'last_checkpoint').read_text() == str(ckpt)
    assert run.ensure_manifest(manifest('random'))['strategy'] == 'random'
    # cycle 0 trained already: nothing to do, the manifest not even asked
    assert not bp.seed_from_shared(shared.work_dir, run.work_dir,
                                   lambda: pytest.fail('asked'))
    # a WORK_DIR of other settings is refused
    with pytest.raises(ValueError, match='belongs to a different run'):
        CycleState(tmp_path / 'other').ensure_manifest(manifest('entropy'))
        bp.seed_from_shared(shared.work_dir, tmp_path / 'other',
                            lambda: manifest('random'))


def test_ceiling_trains_as_long_as_the_last_warm_started_cycle(tmp_path):
    assert bp.ceiling_iters(250, 4, warm_start=True) == 1250
    assert bp.ceiling_iters(250, 4, warm_start=True, initial_iters=600) == 1600
    assert bp.ceiling_iters(250, 4, warm_start=False, initial_iters=600) == 250
    plan = bp.plan_runs(tmp_path, 'c.py', [0], ['unified', 'all_labels'], 4,
                        flags=['--train-iters', '250'], ceiling_iters=1600,
                        initial_iters=600)
    shared, unified, ceiling = plan
    cut = ceiling.argv.index('--cfg-options')
    # the ceiling's only cycle is cycle 0: both lengths are the ceiling's
    assert ceiling.argv[cut - 6:cut] == ['--initial', str(bp.ALL_IMAGES),
                                         '--train-iters', '1600',
                                         '--initial-iters', '1600']
    for run in (shared, unified):  # the shared cycle 0 and its users
        assert run.argv.count('--train-iters') == 1
        cut = run.argv.index('--cfg-options')
        assert run.argv[cut - 2:cut] == ['--initial-iters', '600']
