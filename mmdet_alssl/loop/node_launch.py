"""Several machines: node 0 runs the loop, the other nodes follow it.

Every node runs the same loop command with its own ``--node-rank``, from
the same directory of a file system all nodes share (the WORK_DIR, the
config and the data paths are read there). Node 0 is the loop: it holds the
WORK_DIR's lock, writes all state, and before each training (or scoring)
run publishes the run's tool arguments in ``WORK_DIR/node_launch.json``;
each other node waits for a new entry and starts the same run with torchrun
and its own node rank, so the nodes' ranks meet in one process group.
Scoring is sharded over every rank of every node, and global rank 0 (on
node 0) alone writes the cycle's files. A node follows an entry only while
the loop that published it holds the lock (its pid is the lock's), so an
entry left by a killed loop is never started; it stops when node 0
publishes the end of its session.
"""
import json
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Callable, List, Optional

from ..workdir.state_io import write_json
from ..workdir.layout import LOCK_FILE, NODE_LAUNCH
from ..workdir.lock import die_with_parent, is_locked

RUN, END = 'run', 'end'


class LaunchBoard:
    """Node 0's side: publishes each run, then the end of the session."""

    def __init__(self, work_dir) -> None:
        self.path = Path(work_dir) / NODE_LAUNCH
        self.session = uuid.uuid4().hex
        self.seq = 0

    def _write(self, state: str, tool_args: List[str]) -> None:
        self.seq += 1
        # holder: the lock holder's pid as the lock file records it
        write_json(self.path, dict(session=self.session, seq=self.seq,
                                   holder=str(os.getpid()), state=state,
                                   tool_args=list(tool_args)))

    def publish_run(self, tool_args: List[str]) -> None:
        self._write(RUN, tool_args)

    def publish_end(self) -> None:
        self._write(END, [])


def _read(path: Path) -> Optional[dict]:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None  # not there yet, or being replaced


def _published_by_holder(work_dir, entry: dict) -> bool:
    """The entry's loop holds the WORK_DIR lock now."""
    try:
        holder = (Path(work_dir) / LOCK_FILE).read_text().strip()
    except FileNotFoundError:
        return False
    return holder == entry.get('holder') and is_locked(work_dir)


def follow(work_dir, launcher: Callable[[List[str]], List[str]], env: dict,
           log: Callable[[str], None], poll_s: float = 0.5) -> int:
    """Run node 0's published runs on this node until node 0's loop ends.

    Args:
        work_dir: the shared WORK_DIR.
        launcher: tool arguments -> this node's full torchrun command.
        env: the environment of the runs.
        log: progress messages.

    Returns:
        int: 0 when node 0 ended its session, else the failed run's status.
    """
    path = Path(work_dir) / NODE_LAUNCH
    done, followed = set(), None
    log(f'following the loop of node 0 through {path}')
    while True:
        entry = _read(path)
        if entry is not None:
            key = (entry['session'], entry['seq'])
            if entry['state'] == END and entry['session'] == followed:
                log('node 0 ended its loop')
                return 0
            if entry['state'] == RUN and key not in done and \
                    _published_by_holder(work_dir, entry):
                done.add(key)
                followed = entry['session']
                cmd = launcher(entry['tool_args'])
                log(f'run {entry["seq"]}: {" ".join(cmd)}')
                rc = subprocess.run(cmd, env=env,
                                    preexec_fn=die_with_parent).returncode
                if rc != 0:
                    log(f'run {entry["seq"]} failed (exit status {rc})')
                    return rc
                continue
        time.sleep(poll_s)
