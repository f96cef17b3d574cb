"""The loop's decisions: initial split, next step (resume), finished
checkpoints, --cfg-options text."""
import argparse

import pytest
import torch
from mmengine.config import DictAction

from mmdet_alssl.loop import loop_plan as plan
from mmdet_alssl.workdir.cycle_state import CycleState
from mmdet_alssl.workdir.layout import EXPORT, STEPS

IDS = [str(i) for i in range(1, 11)]


# ---- initial split --------------------------------------------------------
def test_initial_split_known_answer():
    # default_rng(0).permutation(10) = [4 6 2 7 3 5 9 0 8 1]: ids in that
    # order are 5 7 3 8 4 6 10 1 9 2. Fixed on purpose: a changed split
    # procedure would change the runs already on disk.
    split = plan.initial_split(list(reversed(IDS)), initial=3, seed=0)
    assert split.labeled == ['3', '5', '7']
    assert split.unlabeled == ['1', '2', '4', '6', '8', '9', '10']
    assert split.pool == IDS
    assert split.messages == ()
    # pool_size keeps the first 6 of the permutation: 5 7 3 8 4 6.
    sub = plan.initial_split(IDS, initial=3, seed=0, pool_size=6)
    assert sub.pool == ['3', '4', '5', '6', '7', '8']
    assert sub.labeled == ['3', '5', '7']
    assert sub.unlabeled == ['4', '6', '8']


def test_initial_split_depends_on_seed_not_order():
    a = plan.initial_split(IDS, 4, seed=1)
    assert plan.initial_split(IDS[::-1], 4, seed=1) == a
    # default_rng(1).permutation(10)[:4] = [8 4 7 0] -> ids 9 5 8 1
    assert a.labeled == ['1', '5', '8', '9']
    assert set(a.labeled) | set(a.unlabeled) == set(IDS)


def test_initial_split_larger_than_pool_takes_it_all_and_says_so():
    split = plan.initial_split(['b', 'a'], initial=5, seed=0, pool_size=9)
    assert split.labeled == ['a', 'b'] and split.unlabeled == []
    assert 'pool_size 9 is larger than the pool (2 images)' in \
        split.messages[0]
    assert 'initial 5 is larger than the pool (2 images)' in \
        split.messages[1]


def test_initial_split_refuses_duplicates():
    with pytest.raises(ValueError, match='1 image id'):
        plan.initial_split(['1', '2', '1'], 1, 0)


# ---- next step ------------------------------------------------------------
def done(state, k, step, files=()):
    state.mark_done(k, step, files)


def test_next_step_walks_an_oracle_run(tmp_path):
    state = CycleState(tmp_path)
    assert plan.next_step(state, cycles=1) == plan.Step(0, 'split')
    state.write_split(0, ['1', '2'], ['3', '4', '5'])
    done(state, 0, 'split', ['labeled.txt'])
    assert plan.next_step(state, 1) == plan.Step(0, 'train', select=True)
    done(state, 0, 'train')
    assert plan.next_step(state, 1) == plan.Step(0, 'acquire', select=True)
    state.write_split(1, ['1', '2', '3'], ['4', '5'])  # what the hook does
    done(state, 0, 'acquire')
    assert plan.next_step(state, 1) == plan.Step(0, 'test', select=True)
    done(state, 0, 'test')
    # The last cycle selects nothing.
    assert plan.next_step(state, 1) == plan.Step(1, 'train', select=False)
    done(state, 1, 'train')
    assert plan.next_step(state, 1) == plan.Step(1, 'test')
    done(state, 1, 'test')
    end = plan.next_step(state, 1)
    assert (end.cycle, end.name) == (1, 'end')
    assert 'all 1 selection cycle(s) done' in end.reason
    # More cycles later: cycle 1 now selects, from its finished training.
    assert plan.next_step(state, 2) == plan.Step(1, 'acquire', select=True)


def test_next_step_resumes_at_a_step_whose_file_vanished(tmp_path):
    state = CycleState(tmp_path)
    state.write_split(0, ['1'], ['2'])
    done(state, 0, 'split', ['labeled.txt'])
    ckpt = state.path(0, 'train') / 'iter_4.pth'
    ckpt.parent.mkdir(parents=True)
    ckpt.write_bytes(b'x')
    done(state, 0, 'train', [ckpt])
    assert plan.next_step(state, 1).name == 'acquire'
    ckpt.unlink()
    assert plan.next_step(state, 1) == plan.Step(0, 'train', select=True)


def test_next_step_ends_when_no_unlabeled_image_is_left(tmp_path):
    state = CycleState(tmp_path)
    state.write_split(0, ['1', '2'], [])
    for step in ('split', 'train', 'test'):
        assert plan.next_step(state, 3).name == step
        done(state, 0, step)
    end = plan.next_step(state, 3)
    assert end.name == 'end' and end.cycle == 0
    assert 'no unlabeled image is left after cycle 0' in end.reason


def test_next_step_human_mode_waits_for_labels(tmp_path):
    state = CycleState(tmp_path)
    state.write_split(0, ['1'], ['2', '3'])
    done(state, 0, 'split')
    assert plan.next_step(state, 1, human=True) == plan.Step(0, 'export',
                                                              True)
    done(state, 0, 'export')
    assert plan.next_step(state, 1, human=True) == plan.Step(0, 'labels',
                                                              True)
    # Stays there until the labels step is marked (import_labels.py).
    assert plan.next_step(state, 1, human=True).name == 'labels'
    done(state, 0, 'labels')
    assert plan.next_step(state, 1, human=True).name == 'train'


def test_new_labeled_ids(tmp_path):
    state = CycleState(tmp_path)
    state.write_split(0, ['3', '1'], ['2', '4', '5'])
    state.write_split(1, ['3', '1', '5', '2'], ['4'])
    assert plan.new_labeled_ids(state, 0) == ['3', '1']
    assert plan.new_labeled_ids(state, 1) == ['5', '2']


def test_steps_run_in_the_layouts_order(tmp_path):
    # Marking each step done as it comes walks a human-mode cycle through
    # work_dir_layout.STEPS in order, then the next cycle from its export.
    state = CycleState(tmp_path)
    state.write_split(0, ['1'], ['2', '3'])
    state.write_split(1, ['1', '2'], ['3'])
    walked = []
    for _ in range(len(STEPS) + 1):
        step = plan.next_step(state, 1, True)
        walked.append((step.cycle, step.name))
        state.mark_done(step.cycle, step.name)
    assert walked == [(0, s) for s in STEPS] + [(1, EXPORT)]


def test_budget_message():
    assert plan.budget_message(4, 4, 0) is None
    assert plan.budget_message(5, 2, 3) == (
        'cycle 3: budget 5 is larger than the 2 unlabeled image(s) left: '
        'selecting all 2')


# ---- checkpoints ----------------------------------------------------------
def save(train_dir, name, meta, pointer=True):
    train_dir.mkdir(parents=True, exist_ok=True)
    torch.save(dict(meta=meta, state_dict={'w': torch.ones(2)}),
               train_dir / name)
    if pointer:
        # mmengine writes the absolute path; only the name is used.
        (train_dir / 'last_checkpoint').write_text(f'/elsewhere/{name}')


def test_finished_checkpoint(tmp_path):
    iters = dict(type='IterBasedTrainLoop', max_iters=4)
    assert plan.finished_checkpoint(tmp_path / 'none', iters) is None
    save(tmp_path, 'iter_2.pth', dict(iter=2, epoch=0))
    assert plan.finished_checkpoint(tmp_path, iters) is None  # not the end
    save(tmp_path, 'iter_4.pth', dict(iter=4, epoch=0))
    assert plan.finished_checkpoint(tmp_path, iters) == tmp_path / \
        'iter_4.pth'
    # A kill while saving leaves a truncated file: train again.
    data = (tmp_path / 'iter_4.pth').read_bytes()
    (tmp_path / 'iter_4.pth').write_bytes(data[:len(data) // 2])
    assert plan.finished_checkpoint(tmp_path, iters) is None
    epochs = dict(type='EpochBasedTrainLoop', max_epochs=3)
    save(tmp_path / 'ep', 'epoch_3.pth', dict(iter=30, epoch=3))
    assert plan.finished_checkpoint(tmp_path / 'ep', epochs).name == \
        'epoch_3.pth'


def test_train_length_and_zero_length():
    assert plan.train_length(dict(max_iters=7)) == ('iter', 7)
    assert plan.zero_length(dict(max_iters=7)) == {'train_cfg.max_iters': 0}
    assert plan.zero_length(dict(max_epochs=2)) == {
        'train_cfg.max_epochs': 0}
    with pytest.raises(ValueError, match='neither max_iters nor max_epochs'):
        plan.train_length(dict(type='X'))


def test_cycle_length_sets_only_cycle_0():
    iters = dict(type='IterBasedTrainLoop', max_iters=120)
    assert plan.cycle_length(iters, 0, 600) == {'train_cfg.max_iters': 600}
    assert plan.cycle_length(iters, 1, 600) == {}
    assert plan.cycle_length(iters, 0, None) == {}
    with pytest.raises(ValueError, match='initial_iters=600 needs an '
                       'iteration-based train_cfg'):
        plan.cycle_length(dict(max_epochs=24), 0, 600)
    assert plan.cycle_length(dict(max_epochs=24), 0, None) == {}


# ---- --cfg-options text ---------------------------------------------------
def parse_back(strings):
    ns = argparse.Namespace()
    DictAction(option_strings=[], dest='o')(None, ns, strings)
    return ns.o


def test_cli_options_round_trip_through_dict_action():
    options = {'a.path': '/w/cycle_0/labeled.txt', 'b': None, 'c': True,
               'd': 3, 'e': 0.25, 'f': [1, 2], 'g': ('x', 'y'),
               'h': {'num': 9, 'r': 0.5}}
    strings = plan.cli_options(options)
    assert strings[:5] == ['a.path=/w/cycle_0/labeled.txt', 'b=None',
                           'c=True', 'd=3', 'e=0.25']
    assert strings[-2:] == ['h.num=9', 'h.r=0.5']
    back = parse_back(strings)
    expected = {k: v for k, v in options.items() if k != 'h'}
    expected.update({'h.num': 9, 'h.r': 0.5})
    assert back == expected
    assert plan.parse_cli_options(strings) == expected
    assert plan.parse_cli_options([]) == {}


@pytest.mark.parametrize('value', ['/my dir/x.txt', '/a,b', '/a[1]', '12',
                                   'None', "it's"])
def test_cli_value_refuses_what_dict_action_would_change(value):
    with pytest.raises(ValueError, match='k='):
        plan.cli_value('k', value)
