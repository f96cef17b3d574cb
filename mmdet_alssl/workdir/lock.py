"""One writer per WORK_DIR, and no writer outliving the loop.

:class:`WorkDirLock` holds an exclusive ``flock`` on ``WORK_DIR/loop.lock``
(the holder's pid written inside) for as long as the loop runs; the kernel
drops it when the holder dies, however it dies, so a stale lock never needs
cleaning. The loop passes the locked descriptor to its training processes
and starts them with :func:`die_with_parent`: a child of a killed loop is
killed with it, and until it is gone the lock stays held, so a new loop on
the same WORK_DIR cannot start beside a writer that is still finishing.
"""
import ctypes
import errno
import fcntl
import os
import signal
from pathlib import Path

from .layout import LOCK_FILE

#: Set by the loop for its children: a tool that sees it calls
#: die_with_parent() itself, so that torchrun's workers (grandchildren of the
#: loop) die with their agent as the agent dies with the loop.
DIE_WITH_PARENT_ENV = 'ALSSL_DIE_WITH_PARENT'
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class WorkDirBusy(ValueError):
    """Another process holds the WORK_DIR's lock."""


class WorkDirLock:
    """Exclusive, non-blocking lock of a WORK_DIR (context manager).

    Args:
        work_dir (str | Path): created if missing.

    Raises:
        WorkDirBusy: on enter, when another live process holds it; the
            message names the holder's pid.
    """

    def __init__(self, work_dir) -> None:
        self.path = Path(work_dir) / LOCK_FILE
        self.fd = None

    def __enter__(self) -> 'WorkDirLock':
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            holder = os.pread(fd, 32, 0).decode(errors='replace').strip()
            os.close(fd)
            if err.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise WorkDirBusy(
                f'{self.path.parent} is in use by another loop (pid '
                f'{holder or "unknown"}, lock {self.path}); wait for it to '
                f'end or stop it, then re-run this command to resume') \
                from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f'{os.getpid()}\n'.encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the flock (children may still hold)
            self.fd = None


def is_locked(work_dir) -> bool:
    """True while a loop (or a child it passed the lock to) holds the
    WORK_DIR's lock; does not take it."""
    path = Path(work_dir) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno in (errno.EAGAIN, errno.EACCES):
            return True
        raise
    finally:
        os.close(fd)  # also drops the shared lock if it was taken
    return False


def die_with_parent() -> None:
    """``preexec_fn`` for a child process: SIGKILL it when its parent dies
    (Linux ``PR_SET_PDEATHSIG``; elsewhere a no-op)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)
