"""Shared fixtures: the real data sets in ``../shared/datasets``.

A user's fresh clone has no ``../shared``; tests that need it skip with the
reason. CI always has it.
"""
import os
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
