"""Shared fixtures: the real data sets in ``../shared/datasets``.

A user's fresh clone has no ``../shared``; tests that need it skip with the
reason. CI always has it.
"""
import os
import time
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = Path(
    os.environ.get('ALSSL_SHARED_DATASETS',
                   PROJECT_ROOT.parent / 'shared' / 'datasets'))


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f'real data set not found at {path} (it lives in '
                    f'../shared/datasets beside the checkout; set '
                    f'ALSSL_SHARED_DATASETS to point elsewhere)')
    return path


@pytest.fixture(scope='session')
def bccd_root() -> Path:
    """``.../bccd/BCCD``: VOC layout (Annotations, JPEGImages, ImageSets)."""
    return _require(SHARED_DATASETS / 'bccd' / 'BCCD')


@pytest.fixture(scope='session')
def aquarium_root() -> Path:
    """``.../aquarium``: COCO JSON (annotations/*.json, images/<split>/)."""
    return _require(SHARED_DATASETS / 'aquarium')


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
