"""WorkDirLock: one holder at a time, named in the refusal; released when
the holder ends; die_with_parent kills an orphaned child."""
import os
import subprocess
import sys

import pytest

from mmdet_alssl.workdir.layout import LOCK_FILE
from mmdet_alssl.workdir.lock import (WorkDirBusy, WorkDirLock)


def test_second_holder_is_refused_with_the_pid(tmp_path):
    with WorkDirLock(tmp_path / 'wd') as lock:
        assert (tmp_path / 'wd' / LOCK_FILE).read_text() == f'{os.getpid()}\n'
        with pytest.raises(WorkDirBusy, match=f'in use by another loop '
                           f'\\(pid {os.getpid()}, lock '):
            WorkDirLock(tmp_path / 'wd').__enter__()
        assert lock.fd is not None
    with WorkDirLock(tmp_path / 'wd'):  # released on exit
        pass


def test_lock_of_a_killed_holder_is_free(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, '-c',
         'import sys, time\n'
         'from mmdet_alssl.workdir.lock import WorkDirLock\n'
         f'with WorkDirLock({str(tmp_path)!r}):\n'
         '    print("locked", flush=True); time.sleep(60)\n'],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == 'locked\n'
    with pytest.raises(WorkDirBusy, match=f'pid {holder.pid}'):
        WorkDirLock(tmp_path).__enter__()
    holder.kill()
    holder.wait()
    with WorkDirLock(tmp_path):
        pass


def test_child_dies_with_its_parent(tmp_path, wait_until_dead):
    # parent starts a sleeping child with die_with_parent, prints its pid,
    # then is SIGKILLed: the child must not outlive it.
    parent = subprocess.Popen(
        [sys.executable, '-c',
         'import subprocess, sys, time\n'
         'from mmdet_alssl.workdir.lock import '
         'die_with_parent\n'
         'child = subprocess.Popen([sys.executable, "-c", '
         '"import time; time.sleep(60)"], preexec_fn=die_with_parent)\n'
         'print(child.pid, flush=True); time.sleep(60)\n'],
        stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    wait_until_dead([child], timeout=10)  # it did not outlive its parent

