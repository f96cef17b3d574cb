import os
import platform
import subprocess
import sys

import pytest

from mmdet_alssl.loop.process_memory import DEFAULT_MALLOC_ENV

# 10 rounds of a 64 MB tensor, filled (every page touched) then freed; prints
# the minor page faults they took and whether the setting applied.
_ROUNDS = """
import resource, torch
from mmdet_alssl.loop.process_memory import keep_freed_memory
applied = keep_freed_memory()
torch.ones(1)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    t = torch.ones(16 * 2**20)
    del t
after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
print(applied, after - before)
"""
_PAGES_PER_TENSOR = 64 * 2**20 // 4096


def _faults(**env):
    base = {k: v for k, v in os.environ.items()
            if k not in ('MALLOC_MMAP_MAX_', DEFAULT_MALLOC_ENV)}
    out = subprocess.run([sys.executable, '-c', _ROUNDS], check=True,
                         capture_output=True, text=True,
                         env={**base, **env}).stdout.split()
    return out[0] == 'True', int(out[1])


@pytest.mark.skipif(platform.libc_ver()[0] != 'glibc', reason='glibc only')
def test_freed_blocks_are_reused_without_new_page_faults():
    applied, kept = _faults()
    skipped, default = _faults(**{DEFAULT_MALLOC_ENV: '1'})
    assert applied and not skipped
    # glibc's default: every round mmaps afresh, so it faults every page in
    assert default >= 9 * _PAGES_PER_TENSOR
    # kept: the pages of the first rounds serve the rest (measured: two
    # tensors' worth, 32765 faults against 163869 by default)
    assert kept <= 3 * _PAGES_PER_TENSOR


@pytest.mark.skipif(platform.libc_ver()[0] != 'glibc', reason='glibc only')
def test_user_malloc_settings_are_left_alone():
    applied, _ = _faults(MALLOC_MMAP_MAX_='65536')
    assert not applied
