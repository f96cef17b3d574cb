"""Decisions of the active-learning loop: the seeded initial split, which
step of which cycle runs next, and whether a training run finished. Nothing
here trains or starts a process.

A cycle ``k`` is the sequence of steps of :data:`.work_dir_layout.STEPS`,
each recorded by a done marker of :class:`~.cycle_state.CycleState` once its
files are written. :func:`next_step` walks the cycles in order and returns
the first step whose marker is missing, so re-running after a kill resumes
there, and a finished step (a selection above all) is never redone.
"""
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Hashable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ..acquisition.strategies import id_sort_key
from ..workdir.cycle_state import CycleState
from ..workdir.layout import (ACQUIRE, END, EXPORT, LABELS, LAST_CHECKPOINT,
                              SPLIT, TEST, TRAIN)


@dataclass(frozen=True)
class InitialSplit:
    """The pool the loop works on and cycle 0's split of it (pool order).

    ``messages`` says what was cut (a pool or initial size larger than the
    pool)."""
    pool: List[str]
    labeled: List[str]
    unlabeled: List[str]
    messages: Tuple[str, ...]


def initial_split(pool_ids: Sequence[Hashable], initial: int, seed: int,
                  pool_size: Optional[int] = None) -> InitialSplit:
    """Seeded random split of the pool into cycle 0's labeled / unlabeled.

    The ids are put in ascending order (:func:`~.strategies.id_sort_key`)
    and permuted with ``numpy.random.default_rng(seed)``, so the split
    depends on the set of ids and the seed only. ``pool_size`` keeps the
    first ``pool_size`` ids of the permutation as the pool (a quick run on a
    subset); the labeled ids are the first ``initial`` of it.

    Args:
        pool_ids (Sequence): every image id of the pool, unique.
        initial (int): images labeled at random before cycle 0, >= 1.
        seed (int): the loop's seed.
        pool_size (int, optional): restrict the pool to this many images.

    Returns:
        InitialSplit: ids as strings, each list in ascending id order.
    """
    ids = sorted({str(i) for i in pool_ids}, key=id_sort_key)
    if len(ids) != len(pool_ids):
        raise ValueError(f'the pool lists {len(pool_ids) - len(ids)} image '
                         f'id(s) twice; every image must appear once')
    messages = []
    order = [ids[i] for i in np.random.default_rng(seed).permutation(
        len(ids))]
    if pool_size is not None:
        if pool_size > len(order):
            messages.append(f'pool_size {pool_size} is larger than the pool '
                            f'({len(order)} images): using all of it')
        order = order[:pool_size]
    if initial > len(order):
        messages.append(f'initial {initial} is larger than the pool '
                        f'({len(order)} images): labeling all of it, nothing '
                        f'is left to select')
    chosen = set(order[:initial])
    pool = sorted(order, key=id_sort_key)
    return InitialSplit(pool=pool,
                        labeled=[i for i in pool if i in chosen],
                        unlabeled=[i for i in pool if i not in chosen],
                        messages=tuple(messages))


@dataclass(frozen=True)
class Step:
    """What the loop does next.

    Attributes:
        cycle (int): the cycle the step belongs to.
        name (str): one of the step names of the module docstring, or
            :data:`END`.
        select (bool): whether this cycle selects (``acquire`` runs after
            its training): False on the last cycle and when no unlabeled
            image is left.
        reason (str): for :data:`END`, why the loop ends.
    """
    cycle: int
    name: str
    select: bool = False
    reason: str = ''


def new_labeled_ids(state: CycleState, k: int) -> List[str]:
    """Ids that entered cycle k's ``labeled.txt`` (all of them for k = 0),
    in file order: what a human labels in ``--human`` mode."""
    labeled, _ = state.read_split(k)
    if k == 0:
        return labeled
    before = set(state.read_split(k - 1)[0])
    return [i for i in labeled if i not in before]


def next_step(state: CycleState, cycles: int, human: bool = False) -> Step:
    """The first unfinished step, walking cycles 0..``cycles`` in order.

    Args:
        state (CycleState): the WORK_DIR.
        cycles (int): selection cycles after the initial training; cycle
            ``cycles`` is the last one trained (it selects nothing).
        human (bool): ``--human`` mode (``export`` / ``labels`` steps).

    Returns:
        Step: the step to run, or :data:`END` with the reason.
    """
    for k in range(cycles + 1):
        if k == 0 and not state.is_done(0, SPLIT):
            return Step(0, SPLIT)
        if k > 0 and not state.is_done(k - 1, ACQUIRE):
            # Unreachable: cycle k-1 either selected (acquire done) or
            # ended the loop below.
            raise RuntimeError(f'cycle {k - 1} has no finished selection but '
                               f'cycle {k} was reached')
        _, unlabeled = state.read_split(k)
        select = k < cycles and len(unlabeled) > 0
        if human:
            if not state.is_done(k, EXPORT):
                return Step(k, EXPORT, select)
            if not state.is_done(k, LABELS):
                return Step(k, LABELS, select)
        if not state.is_done(k, TRAIN):
            return Step(k, TRAIN, select)
        if select and not state.is_done(k, ACQUIRE):
            return Step(k, ACQUIRE, select)
        if not state.is_done(k, TEST):
            return Step(k, TEST, select)
        if not select:
            reason = (f'all {cycles} selection cycle(s) done'
                      if k == cycles else
                      f'no unlabeled image is left after cycle {k}: nothing '
                      f'to select, the loop ends before cycle {cycles}')
            return Step(k, END, reason=reason)
    raise AssertionError('unreachable: the last cycle never selects')


def budget_message(budget: int, num_unlabeled: int, k: int) -> Optional[str]:
    """The notice for a budget larger than what is left, else None."""
    if budget > num_unlabeled:
        return (f'cycle {k}: budget {budget} is larger than the '
                f'{num_unlabeled} unlabeled image(s) left: selecting all '
                f'{num_unlabeled}')
    return None


def train_length(train_cfg: Mapping) -> Tuple[str, int]:
    """``('iter', max_iters)`` or ``('epoch', max_epochs)`` of a
    ``train_cfg``: what a finished checkpoint's meta must show."""
    for key, unit in (('max_iters', 'iter'), ('max_epochs', 'epoch')):
        if key in (train_cfg or {}):
            return unit, int(train_cfg[key])
    raise ValueError(f'train_cfg {dict(train_cfg or {})} has neither '
                     f'max_iters nor max_epochs; the loop needs a fixed '
                     f'length to know when a cycle finished training')


def zero_length(train_cfg: Mapping) -> dict:
    """``train_cfg`` overrides for a run that trains nothing but still
    calls ``after_train`` (the hook), e.g. ``{'train_cfg.max_iters': 0}``."""
    unit, _ = train_length(train_cfg)
    return {f'train_cfg.max_{unit}s': 0}


def cycle_length(train_cfg: Mapping, k: int,
                 initial_iters: Optional[int]) -> dict:
    """``train_cfg`` overrides giving cycle ``k`` its own length: ``{}``
    except cycle 0 with ``initial_iters``, ``{'train_cfg.max_iters': n}``.

    Raises:
        ValueError: ``initial_iters`` with an epoch-based ``train_cfg``.
    """
    if k != 0 or initial_iters is None:
        return {}
    unit, _ = train_length(train_cfg)
    if unit != 'iter':
        raise ValueError(f'initial_iters={initial_iters} needs an '
                         f'iteration-based train_cfg (max_iters), but this '
                         f'config trains by epochs; leave --initial-iters '
                         f'out or use an IterBasedTrainLoop')
    return {'train_cfg.max_iters': int(initial_iters)}


def finished_checkpoint(train_dir, train_cfg: Mapping) -> Optional[Path]:
    """The final checkpoint of a training work dir, if training finished.

    Finished means: mmengine's ``last_checkpoint`` names a file in
    ``train_dir`` that loads (a kill while saving leaves a truncated file
    that does not) and whose ``meta`` shows the full length of
    ``train_cfg`` (:func:`train_length`).

    Returns:
        Path | None: the checkpoint, or None (train again).
    """
    import torch  # only here: the rest of the module stays light
    pointer = Path(train_dir) / LAST_CHECKPOINT
    if not pointer.is_file():
        return None
    name = Path(pointer.read_text().strip()).name
    path = Path(train_dir) / name
    if not name or not path.is_file():
        return None
    try:
        meta = torch.load(path, map_location='cpu',
                          weights_only=False).get('meta', {})
    except Exception:  # noqa: BLE001 -- any unreadable file: train again
        return None
    unit, length = train_length(train_cfg)
    return path if meta.get(unit) == length else None


def cli_value(key: str, value) -> str:
    """``value`` written so that mmengine's ``DictAction`` reads it back.

    Raises:
        ValueError: a string that ``DictAction`` would change (spaces,
            commas, brackets, quotes) -- e.g. a WORK_DIR path with a space.
    """
    if value is None or isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f'{key}={value} is not finite')
        return repr(value)
    if isinstance(value, (list, tuple)):
        inner = ','.join(cli_value(key, v) for v in value)
        return f'[{inner}]' if isinstance(value, list) else f'({inner})'
    if isinstance(value, (str, Path)):
        text = str(value)
        bad = sorted(set(text) & set(' ,[]()\'"\t\n'))
        if bad or text in ('None', 'True', 'False', 'true', 'false'):
            raise ValueError(
                f'{key}={text!r} cannot be passed through --cfg-options '
                f'(characters {bad} are parsed by mmengine); use a path '
                f'without spaces, commas, brackets or quotes')
        try:
            float(text)
        except ValueError:
            return text
        raise ValueError(f'{key}={text!r} would be read back as a number; '
                         f'rename it')
    raise ValueError(f'{key}={value!r}: cannot pass a '
                     f'{type(value).__name__} through --cfg-options')


def parse_cli_options(options: Sequence[str]) -> dict:
    """``['a.b=1', ...]`` -> ``{'a.b': 1, ...}``, read as MMDetection's tools
    read ``--cfg-options`` (mmengine's ``DictAction``); the inverse of
    :func:`cli_options`."""
    import argparse

    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(prog='--cfg-options')
    parser.add_argument('options', nargs='*', action=DictAction, default={})
    return dict(parser.parse_args(list(options)).options or {})


def cli_options(options: Mapping) -> List[str]:
    """``{'a.b': 1, 'c': {'d': 2}}`` -> ``['a.b=1', 'c.d=2']`` for
    ``tools/train.py --cfg-options`` (a dict value becomes one option per
    key: it updates the config's dict rather than replacing it)."""
    out = []
    for key, value in options.items():
        if isinstance(value, Mapping):
            out += cli_options({f'{key}.{k}': v for k, v in value.items()})
        else:
            out.append(f'{key}={cli_value(key, value)}')
    return out
