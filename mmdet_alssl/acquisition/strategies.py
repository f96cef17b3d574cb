"""Selection strategies: which unlabeled images a human labels next.

A strategy ranks the WHOLE pool, best first; :func:`select` takes the first
``budget`` ids. New strategies plug in without touching the hook::

    @register_strategy('my_score')
    def rank_my_score(scores_table, budget, seed, my_arg=1.0):
        return rank_by(scores_table, 'my_column')

Score table: ``{image_id: {'entropy': float, 'inconsistency': float,
'unified': float, 'num_detections': int, ...}}`` -- one row per unlabeled
image, as :func:`~.scores.score_image` returns and ``scores.csv`` stores.

Ties are broken deterministically. The score strategies rank by score
descending, then by the seeded ``random`` order of the same ``seed``: with
an untrained model every score is 0, and an id-order tie-break would then
pick the lowest ids (one corner of the pool) instead of a random sample.
:func:`rank_by` without a seed breaks ties by image id ascending
(:func:`id_sort_key`: all-digit ids compare as numbers, others as strings).
"""
import inspect
import logging
import math
from typing import Callable, Dict, Hashable, List, Mapping, Optional, Tuple

import numpy as np
from mmengine.logging import print_log

ScoreTable = Mapping[Hashable, Mapping[str, float]]
StrategyFn = Callable[..., List[Hashable]]

_STRATEGIES: Dict[str, StrategyFn] = {}


def register_strategy(name: str) -> Callable[[StrategyFn], StrategyFn]:
    """Decorator registering ``fn(scores_table, budget, seed, ...)``.

    ``fn`` returns every id of ``scores_table`` exactly once, best first.
    Its further keyword arguments are what :func:`select` accepts as
    ``**kwargs`` for it; anything else is refused with a ValueError.
    """

    def _register(fn: StrategyFn) -> StrategyFn:
        if name in _STRATEGIES:
            raise ValueError(f'strategy {name!r} is already registered; '
                             f'pick another name')
        _STRATEGIES[name] = fn
        return fn

    return _register


def available_strategies() -> List[str]:
    """Registered strategy names, sorted."""
    return sorted(_STRATEGIES)


def id_sort_key(image_id: Hashable) -> tuple:
    """Ascending id order: numeric ids as numbers ('9' < '10'), then others
    as strings. The same id written as int or str sorts the same."""
    text = str(image_id)
    return (0, int(text), text) if text.isdigit() else (1, 0, text)


def rank_by(scores_table: ScoreTable,
            column: str,
            seed: Optional[int] = None) -> List[Hashable]:
    """All ids by ``column`` descending; ties in the ``random`` strategy's
    order for ``seed`` (:func:`rank_random`), or by id ascending when
    ``seed`` is None."""
    if seed is None:
        tie_order = {i: id_sort_key(i) for i in scores_table}
    else:
        tie_order = {
            image_id: position for position, image_id in enumerate(
                rank_random(scores_table, len(scores_table), seed))
        }
    values = {}
    for image_id, row in scores_table.items():
        if column not in row:
            raise ValueError(f'image {image_id!r} has no {column!r} score '
                             f'(columns: {sorted(row)}); score the pool with '
                             f'score_image() before selecting')
        value = float(row[column])
        if math.isnan(value):
            raise ValueError(f'image {image_id!r} has a NaN {column!r} '
                             f'score; the model diverged or the predictions '
                             f'are broken')
        values[image_id] = value
    return sorted(values, key=lambda i: (-values[i], tie_order[i]))


@register_strategy('random')
def rank_random(scores_table: ScoreTable, budget: int,
                seed: int) -> List[Hashable]:
    """A seeded permutation of the ids (taken in ascending order first, so
    the result does not depend on the table's order)."""
    ids = sorted(scores_table, key=id_sort_key)
    order = np.random.default_rng(seed).permutation(len(ids))
    return [ids[i] for i in order]


@register_strategy('entropy')
def rank_entropy(scores_table, budget, seed):
    """By H(Δ) (Eq. 4) descending."""
    return rank_by(scores_table, 'entropy', seed)


@register_strategy('inconsistency')
def rank_inconsistency(scores_table, budget, seed):
    """By I(Δ) (Eq. 3) descending."""
    return rank_by(scores_table, 'inconsistency', seed)


@register_strategy('unified')
def rank_unified(scores_table, budget, seed):
    """By A(Δ) = H x I (Eq. 5) descending: the paper's method."""
    return rank_by(scores_table, 'unified', seed)


@register_strategy('entropy_filtered')
def rank_entropy_filtered(scores_table: ScoreTable,
                          budget: int,
                          seed: int,
                          filter_num: Optional[int] = None,
                          filter_ratio: Optional[float] = None
                          ) -> List[Hashable]:
    """The released code's variant: the top-K images by entropy, ranked by
    inconsistency, come first; the rest follow, also by inconsistency.

    Args:
        filter_num (int, optional): K. Default ``3 * budget`` (the released
            code's 3000 for a budget of 1000).
        filter_ratio (float, optional): K as a fraction of the pool in
            (0, 1], rounded up. Give at most one of the two.
    """
    if filter_num is not None and filter_ratio is not None:
        raise ValueError(f'give filter_num ({filter_num}) or filter_ratio '
                         f'({filter_ratio}) for entropy_filtered, not both')
    if filter_ratio is not None:
        if not 0.0 < filter_ratio <= 1.0:
            raise ValueError(f'filter_ratio={filter_ratio} is outside (0, 1]; '
                             f'it is the fraction of the pool kept by '
                             f'entropy, e.g. 0.3')
        k = math.ceil(filter_ratio * len(scores_table))
    elif filter_num is not None:
        if isinstance(filter_num, bool) or int(filter_num) != filter_num \
                or filter_num < 1:
            raise ValueError(f'filter_num={filter_num} must be an integer '
                             f'>= 1, e.g. 3 * budget')
        k = int(filter_num)
    else:
        k = 3 * budget
    by_entropy = rank_by(scores_table, 'entropy', seed)
    by_inconsistency = rank_by(scores_table, 'inconsistency', seed)
    head = set(by_entropy[:k])
    return ([i for i in by_inconsistency if i in head] +
            [i for i in by_inconsistency if i not in head])


def select(strategy: str,
           scores_table: ScoreTable,
           budget: int,
           seed: int = 0,
           **kwargs) -> Tuple[List[Hashable], dict]:
    """Choose ``budget`` images of the pool for labeling.

    Args:
        strategy (str): a registered name (:func:`available_strategies`).
        scores_table (Mapping): the pool, ``{image_id: {column: score}}``.
        budget (int): images to select, >= 0. A budget larger than the pool
            takes the whole pool and says so (``info['message']`` and the
            log).
        seed (int): seed of ``random`` (and of any strategy that needs one).
            Default 0.
        **kwargs: strategy arguments, e.g. ``filter_num`` of
            ``entropy_filtered``.

    Returns:
        tuple: the selected ids in rank order (best first), and ``info``:
        ``strategy``, ``budget``, ``pool_size``, ``num_selected``,
        ``message`` (None unless the budget was cut or the pool was empty).
    """
    if strategy not in _STRATEGIES:
        raise ValueError(f'unknown strategy {strategy!r}; known strategies: '
                         f'{", ".join(available_strategies())} (add one with '
                         f'@register_strategy)')
    budget = int(budget)  # checked where it entered (.settings)
    pool_size = len(scores_table)
    info = dict(strategy=strategy, budget=budget, pool_size=pool_size,
                num_selected=0, message=None)
    fn = _STRATEGIES[strategy]
    try:
        inspect.signature(fn).bind(scores_table, budget, seed, **kwargs)
    except TypeError as err:
        raise ValueError(f'strategy {strategy!r} cannot take arguments '
                         f'{sorted(kwargs)} ({err}); its signature is '
                         f'{inspect.signature(fn)}') from None
    if pool_size == 0:
        info['message'] = 'the unlabeled pool is empty: nothing to select'
        print_log(info['message'], logger='current')
        return [], info
    ranking = list(fn(scores_table, budget, seed, **kwargs))
    if len(ranking) != pool_size or set(ranking) != set(scores_table):
        raise ValueError(f'strategy {strategy!r} must return every pool id '
                         f'exactly once (got {len(ranking)} ids for a pool '
                         f'of {pool_size})')
    if budget > pool_size:
        info['message'] = (f'budget {budget} is larger than the unlabeled '
                           f'pool ({pool_size} images): selecting all '
                           f'{pool_size} that are left')
        print_log(info['message'], logger='current', level=logging.WARNING)
    selected = ranking[:budget]
    info['num_selected'] = len(selected)
    return selected, info
