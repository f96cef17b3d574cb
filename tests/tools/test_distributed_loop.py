"""tools/al_loop.py with --launcher pytorch: a cycle trained and scored by
2 gloo processes on the CPU keeps the state invariants, and its selection
equals a 1-process scoring of the same checkpoint; 2 "nodes" of 1 process
(node 1 following node 0's loop) select what 1 node of 2 processes does."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mmdet_alssl.workdir import CycleState
from mmdet_alssl.datasets.synthetic_voc import generate_voc_dataset

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / 'configs/alssl_ssd_lite0_synthetic_cpu.py')


@pytest.fixture(scope='module')
def tiny_shapes(tmp_path_factory):
    root = tmp_path_factory.mktemp('shapes') / 'data'
    generate_voc_dataset(root, seed=3, num_train=24, num_test=4)
    return root


def loop_command(work_dir, data_root, *extra):
    root = f'{data_root}/'
    # batch_size 1 per process: scoring shards the pool, and a batch of one
    # image gives each image the same result on any rank.
    args = [CONFIG, str(work_dir), '--cycles', '1', '--initial', '8',
            '--budget', '4', '--train-iters', '2', '--initial-iters', '2',
            '--tau', '0.2', '--score-thr', '0.1', '--seed', '0',
            *extra, '--cfg-options',
            'train_dataloader.batch_size=2',
            'train_dataloader.sampler.batch_size=2',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'test_dataloader.num_workers=0',
            'test_dataloader.persistent_workers=False',
            f'train_dataloader.dataset.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}',
            'custom_hooks.2.batch_size=1']
    return [sys.executable, 'tools/al_loop.py', *args]


ENV = dict(os.environ, OMP_NUM_THREADS='1')


def loop(work_dir, data_root, *extra):
    proc = subprocess.run(loop_command(work_dir, data_root, *extra),
                          cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900)
    return proc.returncode, proc.stdout


def loop_until(path, work_dir, data_root, log_path, timeout=900):
    """The loop of ``loop_command``, its process group killed as soon as
    ``path`` exists (what follows it is not needed); its output."""
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(loop_command(work_dir, data_root), cwd=ROOT,
                                env=ENV, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        deadline = time.time() + timeout
        try:
            while not path.exists():
                assert proc.poll() is None, \
                    f'the loop ended ({proc.returncode}) before {path} ' \
                    f'appeared:\n{log_path.read_text()[-6000:]}'
                assert time.time() < deadline, f'{path} never appeared'
                time.sleep(0.05)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return log_path.read_text()


@pytest.fixture(scope='module')
def two_processes(tiny_shapes, tmp_path_factory):
    """A loop of 1 cycle trained and scored by 2 gloo processes."""
    work_dir = tmp_path_factory.mktemp('two') / 'dist'
    rc, out = loop(work_dir, tiny_shapes, '--launcher', 'pytorch',
                   '--nproc-per-node', '2', '--master-port', '29731')
    assert rc == 0, out[-6000:]
    assert 'torch.distributed.run' in out and '--nproc_per_node=2' in out
    return work_dir


def test_two_gloo_processes_select_as_one_process_scores(
        two_processes, tiny_shapes, tmp_path):
    work_dir = two_processes
    state = CycleState(work_dir)
    pool = (tiny_shapes / 'ImageSets/Main/trainval.txt').read_text().split()
    for k in (0, 1):
        labeled, unlabeled = state.read_split(k)
        assert sorted(labeled + unlabeled) == sorted(pool)
        assert not set(labeled) & set(unlabeled)
    selected = state.read_selected(0)
    assert len(selected) == 4
    assert sorted(state.read_scores(0)) == sorted(state.read_split(0)[1])
    scores = state.read_scores(0)

    # The same checkpoint scored by one process: drop the selection and
    # everything after it, re-run without --launcher up to the selection.
    single = tmp_path / 'single'
    shutil.copytree(work_dir, single)
    shutil.rmtree(single / 'cycle_1')
    s = CycleState(single)
    for name in ('done/acquire.json', 'done/test.json'):
        (single / 'cycle_0' / name).unlink(missing_ok=True)
    shutil.rmtree(single / 'cycle_0/acquire', ignore_errors=True)
    summary = single / 'summary.json'
    summary.unlink(missing_ok=True)
    out = loop_until(single / 'cycle_0/done/acquire.json', single,
                     tiny_shapes, tmp_path / 'single.log')
    assert 'cycle 0: scoring the pool' in out
    assert s.read_selected(0) == selected
    single_scores = s.read_scores(0)
    assert single_scores.keys() == scores.keys()
    for image_id, row in scores.items():
        for column, value in row.items():
            assert single_scores[image_id][column] == pytest.approx(
                value, rel=1e-4, abs=1e-6), (image_id, column)


def test_two_nodes_select_as_one_node_of_two_processes(
        two_processes, tiny_shapes, tmp_path):
    work_dir = tmp_path / 'nodes'
    nodes = ['--launcher', 'pytorch', '--nproc-per-node', '1', '--nnodes',
             '2', '--master-addr', '127.0.0.1', '--master-port', '29733']
    # node 1 first: it waits for node 0's loop to publish its runs (its
    # output to a file: a full pipe would stall the ranks it runs)
    log = tmp_path / 'node1.log'
    with open(log, 'w') as sink:
        follower = subprocess.Popen(
            loop_command(work_dir, tiny_shapes, *nodes, '--node-rank', '1'),
            cwd=ROOT, env=ENV, stdout=sink, stderr=subprocess.STDOUT)
        try:
            rc, out = loop(work_dir, tiny_shapes, *nodes, '--node-rank', '0')
            follower.wait(timeout=120)
        finally:
            follower.kill()
    follower_out = log.read_text()
    assert rc == 0, out[-6000:]
    assert follower.returncode == 0, follower_out[-6000:]
    assert '--nnodes=2' in out and '--node_rank=0' in out
    assert '--node_rank=1' in follower_out
    assert 'node 0 ended its loop' in follower_out
    state, reference = CycleState(work_dir), CycleState(two_processes)
    assert state.read_selected(0) == reference.read_selected(0)
    assert state.read_split(1) == reference.read_split(1)
