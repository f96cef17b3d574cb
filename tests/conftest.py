"""Shared fixtures: the loop in-process, waiting for pids.

Every test runs on data it generates (tests/helpers.py's
``write_cell_voc`` stands in for BCCD), so a fresh clone without
``../shared`` runs them all.
"""
import time

import pytest


@pytest.fixture()
def al_loop(monkeypatch):
    """The loop's module, run in-process. Its main sets
    TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD for itself (mmengine's checkpoints need
    it under torch >= 2.6); monkeypatch restores the environment after."""
    from mmdet_alssl.loop import active_learning_loop
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    return active_learning_loop


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, exited but not reaped, is dead)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


@pytest.fixture
def wait_until_dead():
    """``wait_until_dead(pids, timeout)``: fail unless every pid has ended
    within ``timeout`` seconds."""
    def wait(pids, timeout: float) -> None:
        deadline = time.time() + timeout
        while any(_alive(pid) for pid in pids):
            assert time.time() < deadline, f'{list(pids)} still running ' \
                f'after {timeout} s'
            time.sleep(0.05)
    return wait


@pytest.fixture(scope='session')
def label_studio(tmp_path_factory):
    """A real Label Studio server for the session (tests/
    label_studio_server.py); it serves local files from the session's
    temporary folder, where the tests write their data sets."""
    from tests.label_studio_server import start_server, stop_server
    server, proc = start_server(tmp_path_factory.mktemp('label_studio'),
                                tmp_path_factory.getbasetemp())
    try:
        yield server
    finally:
        stop_server(proc)
