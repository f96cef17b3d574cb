"""The active-learning loop (tools/al_loop.py) end to end on a generated
stand-in for BCCD (real training on CPU, no ../shared needed).

Every run is the BCCD CPU config with 2 iterations per cycle, batches of 4,
no data workers (determinism), a pool of 10 of its 16 trainval images and 4
test images. After 2 iterations the detector is close to uniform, so a tau just
under 1/4 gives real pseudo-labels for the invariants to bite on.
"""
import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from mmengine.config import Config

from mmdet_alssl.analysis import report
from mmdet_alssl.loop import active_learning_loop
from mmdet_alssl.workdir import CycleState, read_ids
from mmdet_alssl.workdir.layout import LOCK_FILE
from tests.helpers import load_tool, write_cell_voc

ROOT = Path(__file__).resolve().parents[2]
CONFIG = 'configs/alssl_ssd_lite0_bccd_cpu.py'
CLASSES = ('RBC', 'WBC', 'Platelets')
POOL, INITIAL, BUDGET = 10, 4, 4


@pytest.fixture(scope='module')
def cells_root(tmp_path_factory):
    """The data set of every run: BCCD's layout and classes, generated."""
    return write_cell_voc(tmp_path_factory.mktemp('cells'), 16, 4)


@pytest.fixture(scope='module')
def options(cells_root, tmp_path_factory):
    """--cfg-options of every run: tiny, deterministic, data from
    cells_root (not the config's relative data_root)."""
    test_ids = (cells_root / 'ImageSets/Main/test.txt').read_text().split()
    test_list = tmp_path_factory.mktemp('split') / 'test4.txt'
    test_list.write_text('\n'.join(test_ids[:4]) + '\n')
    root = f'{cells_root}/'
    return [
        'train_dataloader.batch_size=4',
        'train_dataloader.sampler.batch_size=4',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        f'train_dataloader.dataset.dataset.data_root={root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        f'test_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.ann_file={test_list}',
        # a uniform detector is what the count guard refuses; these runs
        # want its pseudo-labels (the guard: test_active_learning_hook.py)
        'active_learning.pseudo_max_count_ratio=None',
    ]


def loop_args(work_dir, options, cycles=1, **flags):
    args = [CONFIG, str(work_dir), '--cycles', str(cycles), '--initial',
            str(INITIAL), '--budget', str(BUDGET), '--pool-size', str(POOL),
            '--train-iters', '2', '--initial-iters', '2', '--score-thr',
            '0.2', '--tau', '0.24', '--seed', '0']
    for flag, value in flags.items():
        args += [f'--{flag.replace("_", "-")}'] + ([] if value is True else
                                                     [str(value)])
    return args + ['--cfg-options', *options]


def start(args, log):
    """The loop in its own process group (a kill takes its children)."""
    return subprocess.Popen([sys.executable, 'tools/al_loop.py', *args],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def run(args, log_path):
    with open(log_path, 'w') as log:
        proc = start(args, log)
        rc = proc.wait(timeout=600)
    return rc, Path(log_path).read_text()


def kill_when(path: Path, proc, log_path, timeout=300):
    """SIGKILL the loop's process group as soon as ``path`` exists."""
    deadline = time.time() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f'the loop ended ({proc.returncode}) before '
                                 f'{path} appeared:\n'
                                 f'{Path(log_path).read_text()[-3000:]}')
        assert time.time() < deadline, f'{path} never appeared'
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture(scope='module')
def reference(options, tmp_path_factory):
    """An uninterrupted 2-cycle run, in-process (the kill tests run the
    script): (work_dir, the loop's output)."""
    work_dir = tmp_path_factory.mktemp('reference') / 'wd'
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as env, redirect_stdout(out):
        env.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')  # see al_loop
        rc = active_learning_loop.main(loop_args(work_dir, options))
    assert rc == 0, out.getvalue()[-5000:]
    return work_dir, out.getvalue()


def run_here(al_loop, args, capsys):
    """The loop run in-process (its training in child processes, as
    always): (rc, the loop's output)."""
    rc = al_loop.main(args)
    captured = capsys.readouterr()
    return rc, captured.out + captured.err


def split(state, k):
    labeled, unlabeled = state.read_split(k)
    assert not set(labeled) & set(unlabeled)
    return labeled, unlabeled


def test_end_to_end_state(reference, cells_root):
    work_dir, out = reference
    state = CycleState(work_dir)
    assert 'done: all 1 selection cycle(s) done' in out
    pool = read_ids(work_dir / 'pool.txt')
    trainval = (cells_root / 'ImageSets/Main/trainval.txt').read_text().split()
    assert len(pool) == POOL and set(pool) <= set(trainval)

    labeled0, unlabeled0 = split(state, 0)
    assert len(labeled0) == INITIAL and set(labeled0) | set(unlabeled0) == \
        set(pool)
    selected = state.read_selected(0)
    assert len(selected) == BUDGET and set(selected) <= set(unlabeled0)
    labeled1, unlabeled1 = split(state, 1)
    # Labeled grows by exactly the budget, with exactly the selection.
    assert labeled1 == labeled0 + selected
    assert set(labeled1) | set(unlabeled1) == set(pool)
    assert sorted(state.read_scores(0)) == sorted(unlabeled0)

    # Pseudo-labels (made by cycle 0's model for cycle 1) only on images
    # still unlabeled; read_pseudo_labels itself refuses labeled ones.
    pseudo = state.read_pseudo_labels(1)
    on = {str(i['id']) for i in pseudo['images']}
    assert on and on <= set(unlabeled1) and not on & set(labeled1)
    assert {str(a['image_id']) for a in pseudo['annotations']} == on
    assert not state.path(0, 'pseudo_labels.json').exists()

    # in the order they ran (work_dir_layout.STEPS)
    assert state.done_steps(0) == ['split', 'train', 'acquire', 'test']
    assert state.done_steps(1) == ['train', 'test']
    summary = state.read_summary()['cycles']
    assert [c['cycle'] for c in summary] == [0, 1]
    assert [c['labeled'] for c in summary] == [INITIAL, INITIAL + BUDGET]
    assert [c['pseudo_labeled'] for c in summary] == [0, len(on)]
    for k, entry in enumerate(summary):
        metrics = state.read_metrics(k)
        assert entry['mAP'] == metrics['mAP']
        assert 0.0 <= metrics['mAP'] <= 1.0
        assert list(metrics['per_class_AP']) == list(CLASSES)
        assert metrics['mAP_key'] == 'pascal_voc/mAP'
        assert metrics['num_test_images'] == 4
    # Every state file parses.
    for path in work_dir.rglob('*.json'):
        json.loads(path.read_text())
    for path in work_dir.glob('cycle_*/*.txt'):
        read_ids(path)
    manifest = json.loads((work_dir / 'manifest.json').read_text())
    assert (manifest['seed'], manifest['budget'], manifest['initial'],
            manifest['pool_size']) == (0, BUDGET, INITIAL, POOL)


def test_rerunning_a_finished_loop_changes_nothing(reference, options,
                                                   al_loop, capsys):
    work_dir, _ = reference

    def state_files():  # loop.lock is the lock (its holder's pid), not state
        return {p: p.stat().st_mtime_ns for p in work_dir.rglob('*')
                if p.is_file() and p.name != LOCK_FILE}

    before = state_files()
    rc, out = run_here(al_loop, loop_args(work_dir, options), capsys)
    assert rc == 0 and 'done: all 1 selection cycle(s) done' in out
    assert 'training' not in out and 'scoring' not in out
    assert state_files() == before


def same_state(a: Path, b: Path) -> None:
    for name in ('pool.txt', 'cycle_0/labeled.txt', 'cycle_0/unlabeled.txt',
                 'cycle_0/selected.txt', 'cycle_0/scores.csv',
                 'cycle_1/labeled.txt', 'cycle_1/unlabeled.txt',
                 'cycle_1/pseudo_labels.json', 'summary.json'):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for k in (0, 1):
        ma, mb = (json.loads((w / f'cycle_{k}/metrics.json').read_text())
                  for w in (a, b))
        assert ma['metrics'] == mb['metrics']


def test_resume_after_kills_matches_the_uninterrupted_run(
        reference, options, tmp_path):
    work_dir, log = tmp_path / 'wd', tmp_path / 'log.txt'
    state = CycleState(work_dir)
    args = loop_args(work_dir, options)
    # 1. Killed while cycle 0's model scores the pool: its final checkpoint
    #    is written, its selection is not.
    with open(log, 'w') as f:
        proc = start(args, f)
        kill_when(work_dir / 'cycle_0/train/last_checkpoint', proc, log)
    assert not state.is_done(0, 'acquire')
    assert not (work_dir / 'cycle_1').exists()
    # 2. Re-run: keeps the checkpoint, scores again; killed in cycle 1's
    #    training.
    with open(log, 'w') as f:
        proc = start(args, f)
        kill_when(work_dir / 'cycle_1/train', proc, log)
    out = log.read_text()
    assert 'cycle 0: training had finished' in out
    assert 'cycle 0: scoring the pool' in out
    assert 'cycle 0: training:' not in out
    assert state.is_done(0, 'acquire') and state.is_done(0, 'test')
    assert not state.is_done(1, 'train')
    # 3. Re-run to the end: the same state as without interruption.
    rc, out = run(args, log)
    assert rc == 0, out[-5000:]
    assert 'cycle 1: training:' in out and 'cycle 0:' not in out
    same_state(reference[0], work_dir)


def test_more_cycles_later_with_a_budget_larger_than_what_is_left(
        reference, options, tmp_path):
    # Extending the finished run: cycle 1 (trained as the last cycle, so
    # without selecting) now selects from its checkpoint; 2 images are left
    # for a budget of 4.
    work_dir, log = tmp_path / 'wd', tmp_path / 'log.txt'
    shutil.copytree(reference[0], work_dir)
    state = CycleState(work_dir)
    with open(log, 'w') as f:
        proc = start(loop_args(work_dir, options, cycles=2), f)
        kill_when(work_dir / 'cycle_1/done/acquire.json', proc, log)
    out = log.read_text()
    assert 'cycle 1: budget 4 is larger than the 2 unlabeled image(s) left: ' \
        'selecting all 2' in out
    _, unlabeled1 = split(state, 1)
    assert sorted(state.read_selected(1)) == sorted(unlabeled1)
    labeled2, unlabeled2 = split(state, 2)
    assert len(labeled2) == POOL and unlabeled2 == []


def cycle_0_run_args(work_dir, options, iou_thr=0.5, **flags):
    """Cycle 0 alone, 3 iterations long (--initial-iters 3), with a
    config-only acquisition setting (the scoring's NMS ``iou_thr`` 0.5;
    None: its default) and the config's own count guard; a flag set to None
    is left out."""
    options = [o for o in options if 'pseudo_max_count_ratio' not in o]
    if iou_thr is not None:
        options = options + [f'active_learning.iou_thr={iou_thr}']
    flags = {'cycles': 0, 'initial_iters': 3, **flags}
    return loop_args(work_dir, options,
                     **{k: v for k, v in flags.items() if v is not None})


@pytest.fixture(scope='module')
def cycle_0_run(options, tmp_path_factory):
    """The finished run of :func:`cycle_0_run_args`: its work_dir."""
    work_dir = tmp_path_factory.mktemp('cycle0') / 'wd'
    rc, out = run(cycle_0_run_args(work_dir, options),
                  work_dir.parent / 'log.txt')
    assert rc == 0, out[-5000:]
    return work_dir


def test_initial_iters_trains_cycle_0_longer_and_resumes(
        cycle_0_run, options, tmp_path, al_loop, capsys):
    work_dir = tmp_path / 'wd'
    shutil.copytree(cycle_0_run, work_dir)
    args = cycle_0_run_args(work_dir, options)
    train_dir = work_dir / 'cycle_0/train'
    assert sorted(p.name for p in train_dir.glob('*.pth')) == ['iter_3.pth']
    # A resume that lost the train marker finds the 3-iteration checkpoint
    # finished (judged by cycle 0's length, not the config's 2).
    (work_dir / 'cycle_0/done/train.json').unlink()
    rc, out = run_here(al_loop, args, capsys)
    assert rc == 0, out[-5000:]
    assert f'cycle 0: training had finished ({train_dir / "iter_3.pth"})' \
        in out


def trained_cfg(work_dir, k):
    """The config cycle k trained with, as ``tools/train.py`` saved it."""
    return Config.fromfile(
        str(work_dir / f'cycle_{k}/train' / Path(CONFIG).name))


def test_the_cpu_config_warm_starts_cycles_after_the_first(reference):
    """The shipped config's cycles: cycle 0 from the initial weights at lr
    2e-3, cycle 1 from cycle 0's checkpoint at the fine-tuning lr 5e-4."""
    work_dir, _ = reference
    first, second = trained_cfg(work_dir, 0), trained_cfg(work_dir, 1)
    assert first.optim_wrapper.optimizer.lr == 0.002
    assert first.load_from is None
    assert second.optim_wrapper.optimizer.lr == 0.0005
    assert second.load_from == str(work_dir / 'cycle_0/train/iter_2.pth')
    assert json.loads((work_dir / 'manifest.json').read_text())[
        'warm_start'] is True


def test_the_threshold_table_scores_as_the_loop_pseudo_labeled(reference):
    """tools/analysis_tools/pseudo_label_thresholds.py on cycle 0: at the
    run's τ (0.24) its boxes on each pseudo-labeled image are the loop's
    pseudo-labels (same model, image and τ); every image counts once."""
    work_dir, _ = reference
    tool = load_tool('analysis_tools/pseudo_label_thresholds.py')
    state = CycleState(work_dir)
    cfg = report.run_config(json.loads((work_dir / 'manifest.json')
                                       .read_text()))
    unlabeled = state.read_split(0)[1]
    with pytest.MonkeyPatch.context() as env:
        env.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
        boxes = tool.score_pool(cfg, work_dir / 'cycle_0/train/iter_2.pth',
                                unlabeled, 0.24)
    assert sorted(boxes) == sorted(unlabeled)
    pseudo = state.read_pseudo_labels(1)
    assert pseudo['annotations']
    per_image = {}
    for ann in pseudo['annotations']:
        per_image.setdefault(str(ann['image_id']), []).append(ann)
    for image_id, anns in per_image.items():
        assert sorted(boxes[image_id]['scores']) == pytest.approx(
            sorted(a['score'] for a in anns), abs=1e-6)
    out = work_dir / 'thresholds.md'
    with pytest.MonkeyPatch.context() as env:
        env.chdir(ROOT)
        assert tool.main([str(work_dir), '--thresholds', '0.24', '0.99',
                          '--out', str(out)]) == 0
    result = json.loads(out.with_suffix('.json').read_text())
    rows = result['rows']
    assert result['images'] == len(unlabeled)
    assert [r['tau'] for r in rows] == [0.24, 0.99]
    # every unlabeled image, the pseudo-labeled ones among them
    assert rows[0]['boxes'] >= len(pseudo['annotations'])
    assert rows[0]['boxes'] >= rows[1]['boxes']
    assert '| 0.24 |' in out.read_text()
    rebuild = load_tool('analysis_tools/rebuild_report.py')
    assert rebuild.main([str(out), '--check']) == 0


def test_no_warm_start_trains_every_cycle_from_the_initial_weights(
        options, tmp_path, al_loop, capsys):
    work_dir = tmp_path / 'wd'
    rc, out = run_here(al_loop, loop_args(work_dir, options,
                                          no_warm_start=True), capsys)
    assert rc == 0, out[-5000:]
    second = trained_cfg(work_dir, 1)
    assert second.optim_wrapper.optimizer.lr == 0.002
    assert second.load_from is None
    manifest = json.loads((work_dir / 'manifest.json').read_text())
    assert (manifest['warm_start'], manifest['warm_start_cfg_options']) == \
        (False, {})


def test_acquisition_settings_reach_the_hook_and_bind_the_work_dir(
        cycle_0_run, options, al_loop, capsys):
    """A flag (--score-thr) and a config-only setting (iou_thr) reach the
    hook's acquisition settings unchanged and are the run's identity."""
    work_dir = cycle_0_run
    hook, = [h for h in trained_cfg(work_dir, 0).custom_hooks
             if h['type'] == 'ActiveLearningHook']
    acquisition = hook['acquisition']
    assert (acquisition['iou_thr'], acquisition['score_thr']) == (0.5, 0.2)
    manifest = json.loads((work_dir / 'manifest.json').read_text())
    assert (manifest['iou_thr'], manifest['score_thr']) == (0.5, 0.2)
    # the config's count guard (configs/_base_/alssl_runtime.py) as well
    assert acquisition['pseudo_max_count_ratio'] == 2.0
    assert manifest['pseudo_max_count_ratio'] == 2.0
    # The same WORK_DIR at the default NMS threshold is another run.
    rc, out = run_here(al_loop, cycle_0_run_args(
        work_dir, options, iou_thr=None), capsys)
    assert rc == 2 and 'iou_thr: stored 0.5, now 0.45' in out


def _children(pid: int) -> list:
    kids = []
    for entry in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open(f'/proc/{entry}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid and fields[0] != 'Z':
            kids.append(int(entry))
    return kids


def test_busy_work_dir_is_refused_and_a_killed_loop_leaves_no_writer(
        options, tmp_path, wait_until_dead):
    work_dir = tmp_path / 'wd'
    args = loop_args(work_dir, options)
    with open(tmp_path / 'log1.txt', 'w') as log:
        first = start(args, log)
        deadline = time.time() + 300
        while not _children(first.pid):  # the training process
            assert first.poll() is None and time.time() < deadline, \
                (tmp_path / 'log1.txt').read_text()[-3000:]
            time.sleep(0.05)
        trainer = _children(first.pid)
        rc, out = run(args, tmp_path / 'log2.txt')
        assert rc == 2, out[-3000:]
        assert f'is in use by another loop (pid {first.pid}, lock ' in out
        os.kill(first.pid, signal.SIGKILL)  # the loop alone, not its group
        first.wait()
    wait_until_dead(trainer, timeout=20)  # no writer outlives the loop
    rc, out = run(args, tmp_path / 'log3.txt')
    assert rc == 0, out[-5000:]
    assert CycleState(work_dir).is_done(1, 'test')


# ---- bad input (no training: in-process) ----------------------------------
def test_a_full_disk_is_an_error_that_loses_nothing(al_loop, options,
                                                    tmp_path, capsys,
                                                    monkeypatch):
    from mmdet_alssl.workdir import state_io

    def full_disk(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, 'No space left on device', str(path))

    monkeypatch.setattr(state_io, 'atomic_write_text', full_disk)
    work_dir = tmp_path / 'wd'
    assert al_loop.main(loop_args(work_dir, options, cycles=0)) == 2
    err = capsys.readouterr().err
    assert 'al_loop: error: cannot write ' in err
    assert 'No space left on device' in err and 'Traceback' not in err
    assert 're-run the same command to resume' in err
    assert CycleState(work_dir).cycles() == []


def test_a_first_run_that_fails_at_the_split_leaves_no_manifest(
        al_loop, options, tmp_path, capsys):
    work_dir = tmp_path / 'wd'
    broken = options + ['train_dataloader.dataset.dataset.ann_file=missing.txt']
    # --human stops after the split: no training needed to see it taken
    assert al_loop.main(loop_args(work_dir, broken, human=True)) == 2
    assert 'missing.txt' in capsys.readouterr().err
    assert not (work_dir / 'manifest.json').exists()
    # ... so the same WORK_DIR takes the corrected command (other
    # --cfg-options: a manifest left behind would refuse it)
    assert al_loop.main(loop_args(work_dir, options, human=True)) == 0



def test_bad_settings_are_refused_before_anything_is_written(
        al_loop, options, tmp_path, capsys):
    work_dir = tmp_path / 'wd'
    for flags, match in [
        (dict(tau=0), 'tau=0.0 is outside (0, 1]'),
        (dict(tau=1.5), 'tau=1.5 is outside (0, 1]'),
        (dict(strategy='best'), "unknown strategy 'best'; known: entropy"),
        (dict(budget=0), 'budget=0 must be an integer >= 1'),
        (dict(initial_iters=0), 'initial_iters=0 must be an integer >= 1'),
    ]:
        args = loop_args(work_dir, options, **flags)
        assert al_loop.main(args) == 2, flags
        assert match in capsys.readouterr().err
    assert not work_dir.exists()


def test_a_work_dir_of_another_run_is_refused(al_loop, options, tmp_path,
                                              capsys):
    work_dir = tmp_path / 'wd'
    # A --human run stops after its split: a WORK_DIR with state, cheaply.
    assert al_loop.main(loop_args(work_dir, options, human=True)) == 0
    before = sorted(p.relative_to(work_dir) for p in work_dir.rglob('*'))
    assert al_loop.main(loop_args(work_dir, options, human=True,
                                  seed=1)) == 2
    err = capsys.readouterr().err
    assert 'belongs to a different run (seed: stored 0, now 1)' in err
    other = tmp_path / 'other_config.py'
    other.write_text(f"_base_ = '{ROOT / CONFIG}'\n"
                     "randomness = dict(seed=1)\n")
    args = loop_args(work_dir, options, human=True)
    args[0] = str(other)
    assert al_loop.main(args) == 2
    assert 'config_sha256: stored' in capsys.readouterr().err
    assert sorted(p.relative_to(work_dir)
                  for p in work_dir.rglob('*')) == before


def small_voc(cells_root, folder, options, without_xml=None,
              without_jpg=None):
    """A VOC root of 3 of its images (links), the XML or the image of the
    one at index ``without_xml`` / ``without_jpg`` left out; returns (ids,
    options pointing the training set at it)."""
    ids = (cells_root / 'ImageSets/Main/trainval.txt').read_text().split()[:3]
    for sub in ('JPEGImages', 'Annotations', 'ImageSets/Main'):
        (folder / sub).mkdir(parents=True)
    for n, i in enumerate(ids):
        if n != without_jpg:
            (folder / f'JPEGImages/{i}.jpg').symlink_to(
                cells_root / f'JPEGImages/{i}.jpg')
        if n != without_xml:
            (folder / f'Annotations/{i}.xml').symlink_to(
                cells_root / f'Annotations/{i}.xml')
    (folder / 'ImageSets/Main/pool.txt').write_text('\n'.join(ids) + '\n')
    return ids, options + [f'train_dataloader.dataset.dataset.data_root={folder}',
                           'train_dataloader.dataset.dataset.ann_file=ImageSets/Main/pool.txt']


def test_missing_annotation_in_oracle_mode_names_the_file(
        al_loop, cells_root, options, tmp_path, capsys):
    ids, voc = small_voc(cells_root, tmp_path / 'voc', options,
                         without_xml=1)
    work_dir = tmp_path / 'wd'
    args = loop_args(work_dir, voc)
    args[args.index('--initial') + 1] = '3'
    assert al_loop.main(args) == 2
    err = capsys.readouterr().err
    assert f"annotation '{tmp_path}/voc/Annotations/{ids[1]}.xml' of " \
        f"labeled image '{ids[1]}' not found" in err
    # Nothing trained; the split is kept for the re-run after the fix.
    state = CycleState(work_dir)
    assert state.done_steps(0) == ['split']
    assert not state.path(0, 'train').exists()


def test_a_missing_image_is_left_out_of_the_pool_and_reported(
        al_loop, cells_root, options, tmp_path, capsys):
    ids, voc = small_voc(cells_root, tmp_path / 'voc', options, without_jpg=0)
    work_dir = tmp_path / 'wd'
    # --human stops after the split (before any training).
    assert al_loop.main(loop_args(work_dir, voc, human=True)) == 0
    out = capsys.readouterr().out
    assert '1 pool image(s) cannot be used and are left out of the pool ' \
        "(listed in each cycle's skipped images): " in out
    assert f"[('{ids[0]}', '" in out and \
        f"{ids[0]}.jpg: image file not found')]" in out
    assert 'pool_size 10 is larger than the pool (2 images)' in out
    assert read_ids(work_dir / 'pool.txt') == ids[1:]


def test_an_empty_pool_ends_cleanly(al_loop, options, tmp_path, capsys,
                                    cells_root):
    empty = tmp_path / 'empty.txt'
    empty.write_text('')
    opts = options + [f'train_dataloader.dataset.dataset.ann_file={empty}']
    assert al_loop.main(loop_args(tmp_path / 'wd', opts)) == 0
    assert 'the pool is empty' in capsys.readouterr().out
    assert CycleState(tmp_path / 'wd').cycles() == []


# ---- human mode -----------------------------------------------------------
def human_labels(cells_root, to_label: dict) -> dict:
    """What a labeling tool would export: COCO with its own ids, the
    boxes taken from the data set's XMLs."""
    cats = [dict(id=10 + c, name=n) for c, n in enumerate(CLASSES)]
    images, anns = [], []
    for n, img in enumerate(to_label['images']):
        images.append(dict(id=n + 1, file_name=img['file_name'],
                           width=img['width'], height=img['height']))
        xml = ET.parse(cells_root / 'Annotations' /
                       f'{img["alssl_image_id"]}.xml')
        for obj in xml.findall('object'):
            b = [float(obj.find(f'bndbox/{k}').text)
                 for k in ('xmin', 'ymin', 'xmax', 'ymax')]
            if b[2] > b[0] and b[3] > b[1]:
                anns.append(dict(id=len(anns) + 1, image_id=n + 1,
                                 category_id=10 + CLASSES.index(
                                     obj.find('name').text),
                                 bbox=[b[0], b[1], b[2] - b[0],
                                       b[3] - b[1]]))
    return dict(images=images, annotations=anns, categories=cats)


@pytest.fixture()
def exported(al_loop, cells_root, options, tmp_path, capsys):
    """A --human run stopped for cycle 0's labels: (work_dir, args)."""
    work_dir = tmp_path / 'wd'
    args = loop_args(work_dir, options, cycles=0, human=True)
    assert al_loop.main(args) == 0
    out = capsys.readouterr().out
    assert 'cycle 0: waiting for labels. Label the 4 image(s)' in out
    assert 'tools/import_labels.py' in out
    return work_dir, args


def test_human_mode_exports_and_checks_the_import(exported, cells_root,
                                                  tmp_path, capsys):
    work_dir, _ = exported
    state = CycleState(work_dir)
    labeled, _ = state.read_split(0)
    to_label = json.loads(state.path(0, 'to_label.json').read_text())
    assert [i['alssl_image_id'] for i in to_label['images']] == labeled
    assert read_ids(state.path(0, 'to_label.txt')) == labeled
    paths = state.path(0, 'to_label_images.txt').read_text().split()
    assert [Path(p).name for p in paths] == [f'{i}.jpg' for i in labeled]
    assert all(Path(p).is_file() for p in paths)
    assert [c['name'] for c in to_label['categories']] == list(CLASSES)
    assert not state.path(0, 'train').exists()  # stopped before training

    tool = load_tool('import_labels.py')
    good = human_labels(cells_root, to_label)
    bad = json.loads(json.dumps(good))
    bad['images'][0]['file_name'] = 'Cell_99999.jpg'
    (tmp_path / 'bad.json').write_text(json.dumps(bad))
    assert tool.main([str(work_dir), str(tmp_path / 'bad.json')]) == 2
    err = capsys.readouterr().err
    assert f"1 selected image(s) missing: ['{labeled[0]}']" in err
    assert "1 image(s) that were not selected: ['Cell_99999.jpg']" \
        in err
    assert not state.is_done(0, 'labels')
    assert not state.path(0, 'human_labels.json').exists()

    (tmp_path / 'broken.json').write_text('{"images": [')
    assert tool.main([str(work_dir), str(tmp_path / 'broken.json')]) == 2
    err = capsys.readouterr().err
    assert f'labels file {tmp_path / "broken.json"} cannot be read as ' \
        f'JSON' in err and 'delete' not in err
    bad['images'][0]['file_name'] = good['images'][0]['file_name']
    bad['annotations'][0]['bbox'] = [600, 450, 200, 200]
    (tmp_path / 'outside.json').write_text(json.dumps(bad))
    assert tool.main([str(work_dir), str(tmp_path / 'outside.json')]) == 2
    assert 'outside the 128x96 image' in capsys.readouterr().err
    assert not state.path(0, 'human_labels.json').exists()

    (tmp_path / 'good.json').write_text(json.dumps(good))
    assert tool.main([str(work_dir), str(tmp_path / 'good.json')]) == 0
    assert state.is_done(0, 'labels')
    merged = json.loads(state.path(0, 'human_labels.json').read_text())
    assert sorted(i['id'] for i in merged['images']) == sorted(labeled)
    assert len(merged['annotations']) == len(good['annotations']) > 0
    # Nothing is waiting any more.
    assert tool.main([str(work_dir), str(tmp_path / 'good.json')]) == 2
    assert 'no cycle of' in capsys.readouterr().err


def test_human_mode_continues_after_the_import(al_loop, exported, cells_root,
                                               capsys):
    work_dir, args = exported
    state = CycleState(work_dir)
    to_label = json.loads(state.path(0, 'to_label.json').read_text())
    labels = work_dir.parent / 'labels.json'
    labels.write_text(json.dumps(human_labels(cells_root, to_label)))
    assert load_tool('import_labels.py').main([str(work_dir), str(labels)]) == 0
    assert al_loop.main(args) == 0, capsys.readouterr().err
    assert 'done: all 0 selection cycle(s) done' in capsys.readouterr().out
    assert state.read_summary()['cycles'][0]['labeled'] == INITIAL
    # Cycle 0 trained on these boxes: a second import is refused, unchanged.
    before = state.path(0, 'human_labels.json').read_bytes()
    assert load_tool('import_labels.py').main(
        [str(work_dir), str(labels), '--cycle', '0']) == 2
    assert 'cycle 0 of' in capsys.readouterr().err
    assert state.path(0, 'human_labels.json').read_bytes() == before
