"""Shared fixtures: BCCD from ``../shared/datasets``, the loop in-process,
waiting for pids.

A user's fresh clone has no ``../shared``: tests run on generated data
(tests/helpers.py's ``write_cell_voc`` stands in for BCCD). ``bccd_root``
skips with the reason; its last user is
tests/configs/test_configs.py::test_cpu_config_builds_its_data_on_bccd.
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
