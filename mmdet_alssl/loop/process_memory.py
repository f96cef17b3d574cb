"""Keep freed memory in the process: glibc malloc settings for CPU training.

glibc serves every allocation above its mmap threshold (at most 32 MB) with
a fresh ``mmap`` and returns it with ``munmap`` on free. A CPU training step
allocates and frees many such tensors (SSD at 256 px: activations of
a 16-image batch and its flips), so the kernel zero-fills the same pages
again at every step: measured, more than half of a 256 px step was system
time in minor page faults. With no mmap'd blocks and no trimming, freed
memory stays in the heap for the next step (the process keeps its peak;
it does not grow past it). Measured (docs/findings.md, "Where a CPU step
goes"): the ConsistencySSD step at 256 px 2.35x faster, at 128 px 1.22x.

Same effect as ``MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=...`` in the
environment, applied after start so that every entry point (the loop's
training children, tools/train.py and tools/test.py,
benchmark_train_step.py) gets it.
"""
import ctypes
import ctypes.util
import os
import platform

#: mallopt parameters (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
#: mallopt(M_TRIM_THRESHOLD, -1) disables trimming (man 3 mallopt); the
#: largest positive int, 2 GB, is less than a 256 px ConsistencySSD step
#: frees at once (its process peaks near 6 GB).
NO_TRIM = -1
#: Set to 1 to keep glibc's defaults (e.g. to measure the difference).
DEFAULT_MALLOC_ENV = 'ALSSL_DEFAULT_MALLOC'


def keep_freed_memory() -> bool:
    """Tell glibc malloc to serve large blocks from the heap and never give
    freed memory back; returns whether it applied (False: not glibc, or
    ``ALSSL_DEFAULT_MALLOC=1``, or the user set ``MALLOC_MMAP_MAX_``).
    Call early, before the large allocations (blocks mmap'd before keep
    their mapping until freed)."""
    if (os.environ.get(DEFAULT_MALLOC_ENV) == '1'
            or 'MALLOC_MMAP_MAX_' in os.environ
            or platform.libc_ver()[0] != 'glibc'):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library('c'))
    return bool(libc.mallopt(M_MMAP_MAX, 0)) and bool(
        libc.mallopt(M_TRIM_THRESHOLD, NO_TRIM))
