"""train_exit: a training process killed by a signal is named as such,
SIGKILL with the input and batch sizes that decide its memory; the loop
says so and its WORK_DIR resumes (the training is started again)."""
from types import SimpleNamespace

from mmengine.config import Config

from mmdet_alssl.workdir import CycleState
from mmdet_alssl.loop.train_exit import describe_exit, train_resize
# the loop's generated BCCD stand-in and its options (fixtures)
from tests.loop.test_active_learning_loop import (  # noqa: F401 (fixtures)
    cells_root, loop_args, options)

COCO_LIKE = Config(dict(train_dataloader=dict(
    batch_size=16,
    dataset=dict(type='ActiveLearningDataset', dataset=dict(pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(1333, 800), keep_ratio=True)])))))


def test_the_first_resize_under_the_loader_is_found():
    assert train_resize(COCO_LIKE.train_dataloader) == dict(
        scale=(1333, 800), keep_ratio=True)
    assert train_resize(dict(dataset=dict(pipeline=[]))) is None


def test_an_exit_status_a_sigkill_and_another_signal():
    assert describe_exit(1, COCO_LIKE) == 'failed (exit status 1)'
    assert describe_exit(-9, COCO_LIKE) == (
        'was killed by signal 9 (SIGKILL), most likely out of memory '
        '(images resized to (1333, 800), keep_ratio True; batches of 16): '
        'lower the input size or train_dataloader.batch_size')
    assert describe_exit(-15, COCO_LIKE) == 'was killed by signal 15 (SIGTERM)'


def test_the_loop_names_a_killed_training_and_resumes_it(
        al_loop, options, tmp_path, capsys, monkeypatch):
    started = []

    def killed(cmd, **kwargs):
        started.append(cmd)
        return SimpleNamespace(returncode=-9)

    monkeypatch.setattr(al_loop.subprocess, 'run', killed)
    work_dir = tmp_path / 'wd'
    for attempt in (1, 2):  # the same command again: the same step
        assert al_loop.main(loop_args(work_dir, options, cycles=0)) == 1
        err = capsys.readouterr().err
        assert ('cycle 0: training was killed by signal 9 (SIGKILL), most '
                'likely out of memory (images resized to (128, 128), '
                'keep_ratio False; batches of 4)') in err, err
        assert 're-run the same command to resume' in err
        assert len(started) == attempt
    assert CycleState(work_dir).cycles() == [0]
