"""node_launch: a follower node runs node 0's published runs while node 0's
loop holds the WORK_DIR lock, each once, and stops at the end of that loop;
an entry left by a dead loop is never started."""
import json
import sys
import threading
import time

from mmdet_alssl.loop.node_launch import LaunchBoard, follow
from mmdet_alssl.workdir.lock import WorkDirLock


def start_follower(work_dir, results):
    def run():
        results.append(follow(work_dir, lambda tool: [sys.executable, *tool],
                              {}, lambda msg: None, poll_s=0.02))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def touch(path):
    return ['-c', f'open({str(path)!r}, "a").write("x")']


def wait_for(path, timeout=20.0):
    deadline = time.time() + timeout
    while not path.exists():
        assert time.time() < deadline, f'{path} never appeared'
        time.sleep(0.02)


def test_follows_each_run_once_and_stops_at_the_end(tmp_path):
    results = []
    with WorkDirLock(tmp_path):
        board = LaunchBoard(tmp_path)
        thread = start_follower(tmp_path, results)
        board.publish_run(touch(tmp_path / 'run1'))
        wait_for(tmp_path / 'run1')
        board.publish_run(touch(tmp_path / 'run2'))
        wait_for(tmp_path / 'run2')
        time.sleep(0.2)  # the same entry is not started twice
        board.publish_end()
        thread.join(timeout=20)
    assert results == [0]
    assert (tmp_path / 'run1').read_text() == 'x'
    assert (tmp_path / 'run2').read_text() == 'x'


def test_an_entry_of_a_dead_loop_is_not_started(tmp_path):
    # a loop (pid 999999) published a run, then died
    LaunchBoard(tmp_path).publish_run(touch(tmp_path / 'stale'))
    entry = json.loads((tmp_path / 'node_launch.json').read_text())
    (tmp_path / 'node_launch.json').write_text(
        json.dumps(dict(entry, holder='999999')))
    results = []
    thread = start_follower(tmp_path, results)
    time.sleep(0.5)  # nobody holds the lock
    assert not (tmp_path / 'stale').exists() and thread.is_alive()
    with WorkDirLock(tmp_path):  # a new loop: only its own runs are started
        time.sleep(0.5)
        assert not (tmp_path / 'stale').exists()
        board = LaunchBoard(tmp_path)
        board.publish_run(touch(tmp_path / 'new'))
        wait_for(tmp_path / 'new')
        board.publish_end()
        thread.join(timeout=20)
    assert results == [0] and not (tmp_path / 'stale').exists()


def test_a_failed_run_ends_the_follower_with_its_status(tmp_path):
    results = []
    with WorkDirLock(tmp_path):
        board = LaunchBoard(tmp_path)
        thread = start_follower(tmp_path, results)
        board.publish_run(['-c', 'raise SystemExit(3)'])
        thread.join(timeout=20)
    assert results == [3]
