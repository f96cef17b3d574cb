"""Selection strategies: exact orders on a hand-built score table."""
import pytest

from mmdet_alssl.acquisition import strategies
from mmdet_alssl.acquisition.strategies import (available_strategies,
                                                    register_strategy, select)

# unified = entropy * inconsistency, written out by hand.
TABLE = {
    '000005': dict(entropy=0.9, inconsistency=0.10, unified=0.09,
                   num_detections=2),
    '000001': dict(entropy=0.2, inconsistency=0.50, unified=0.10,
                   num_detections=1),
    '000003': dict(entropy=0.6, inconsistency=0.30, unified=0.18,
                   num_detections=3),
    '000002': dict(entropy=0.0, inconsistency=0.00, unified=0.00,
                   num_detections=0),
    '000004': dict(entropy=0.6, inconsistency=0.05, unified=0.03,
                   num_detections=1),
    '000010': dict(entropy=0.4, inconsistency=0.30, unified=0.12,
                   num_detections=2),
}


@pytest.mark.parametrize('strategy,expected', [
    # 0.9; 0.6 tie -> random's seed-0 order (000004, 000003); 0.4; 0.2; 0.0
    ('entropy', ['000005', '000004', '000003', '000010', '000001', '000002']),
    # 0.5; 0.3 tie -> random's seed-0 order (000003, 000010); 0.1; 0.05; 0.0
    ('inconsistency',
     ['000001', '000003', '000010', '000005', '000004', '000002']),
    # 0.18, 0.12, 0.10, 0.09, 0.03, 0.0
    ('unified', ['000003', '000010', '000001', '000005', '000004', '000002']),
])
def test_score_strategies_exact_order(strategy, expected):
    selected, info = select(strategy, TABLE, budget=6)
    assert selected == expected
    assert select(strategy, TABLE, budget=2)[0] == expected[:2]
    assert info['message'] is None and info['num_selected'] == 6


def test_entropy_filtered_order():
    # Top-3 by entropy: {000005, 000004, 000003}; by inconsistency within:
    # 000003 (0.3), 000005 (0.1), 000004 (0.05). Then the rest by
    # inconsistency: 000001 (0.5), 000010 (0.3), 000002 (0).
    order = ['000003', '000005', '000004', '000001', '000010', '000002']
    assert select('entropy_filtered', TABLE, 6, filter_num=3)[0] == order
    assert select('entropy_filtered', TABLE, 2, filter_num=3)[0] == \
        ['000003', '000005']
    # Default K = 3 * budget = 3 for a budget of 1.
    assert select('entropy_filtered', TABLE, 1)[0] == ['000003']
    # K = ceil(0.3 * 6) = 2: {000005, 000004} (the 0.6 tie goes to 000004
    # in random's seed-0 order) -> 000005 (0.1), 000004 (0.05); then 000001.
    assert select('entropy_filtered', TABLE, 3, filter_ratio=0.3)[0] == \
        ['000005', '000004', '000001']


@pytest.mark.parametrize('kwargs', [
    dict(filter_num=0), dict(filter_num=2.5), dict(filter_ratio=0.0),
    dict(filter_ratio=1.5), dict(filter_num=2, filter_ratio=0.5)
])
def test_entropy_filtered_bad_filter(kwargs):
    with pytest.raises(ValueError, match='filter_'):
        select('entropy_filtered', TABLE, 2, **kwargs)


def test_random_is_seeded_and_order_independent():
    table = {f'{i:06d}': dict(entropy=0.0) for i in range(20)}
    reordered = dict(reversed(list(table.items())))
    first, _ = select('random', table, 5, seed=3)
    assert first == select('random', table, 5, seed=3)[0]
    assert first == select('random', reordered, 5, seed=3)[0]
    assert len(set(first)) == 5 and set(first) <= set(table)
    everything = select('random', table, 20, seed=3)[0]
    assert sorted(everything) == sorted(table)
    assert everything[:5] == first
    assert select('random', table, 20, seed=4)[0] != everything


def test_unknown_strategy_lists_known_names():
    with pytest.raises(ValueError) as err:
        select('coreset', TABLE, 2)
    for name in ('random', 'entropy', 'inconsistency', 'unified',
                 'entropy_filtered'):
        assert name in str(err.value)
    assert 'coreset' in str(err.value)


def test_budget_larger_than_pool_takes_the_rest():
    selected, info = select('unified', TABLE, budget=10)
    assert selected == ['000003', '000010', '000001', '000005', '000004',
                        '000002']
    assert info['num_selected'] == 6 and info['pool_size'] == 6
    assert 'larger than the unlabeled pool' in info['message']


def test_empty_pool_and_zero_budget():
    selected, info = select('unified', {}, budget=3)
    assert selected == [] and info['num_selected'] == 0
    assert 'empty' in info['message']
    assert select('unified', TABLE, budget=0)[0] == []


def test_arguments_a_strategy_does_not_take():
    with pytest.raises(ValueError, match="'unified' cannot take.*filter_num"):
        select('unified', TABLE, 2, filter_num=3)
    with pytest.raises(ValueError, match='filter_nm'):
        select('entropy_filtered', TABLE, 2, filter_nm=3)


def test_seed_0_random_order_of_the_table():
    # The tie order the exact-order tests above rely on.
    assert select('random', TABLE, 6, seed=0)[0] == \
        ['000004', '000003', '000010', '000005', '000001', '000002']


def test_numeric_ids_tie_break_as_numbers_without_a_seed():
    table = {'10': dict(unified=0.5), '9': dict(unified=0.5),
             'b': dict(unified=0.5), 'a': dict(unified=0.5)}
    assert strategies.rank_by(table, 'unified') == ['9', '10', 'a', 'b']


@pytest.mark.parametrize('strategy', ['entropy', 'inconsistency', 'unified',
                                      'entropy_filtered'])
def test_all_zero_scores_select_a_random_sample(strategy):
    # An untrained model scores every image 0: the selection must then be
    # random's sample for the same seed, not the lowest ids.
    table = {f'{i:06d}': dict(entropy=0.0, inconsistency=0.0, unified=0.0)
             for i in range(30)}
    for seed in (0, 1):
        assert select(strategy, table, 5, seed=seed)[0] == \
            select('random', table, 5, seed=seed)[0]
    assert select(strategy, table, 5, seed=0)[0] != \
        ['000000', '000001', '000002', '000003', '000004']


def test_missing_column_names_the_image():
    with pytest.raises(ValueError, match="'000007'.*'unified'"):
        select('unified', {'000007': dict(entropy=0.1)}, 1)


def test_register_new_strategy(monkeypatch):
    monkeypatch.setattr(strategies, '_STRATEGIES',
                        dict(strategies._STRATEGIES))

    @register_strategy('most_detections')
    def rank(scores_table, budget, seed, **kwargs):
        return strategies.rank_by(scores_table, 'num_detections')

    assert 'most_detections' in available_strategies()
    assert select('most_detections', TABLE, 3)[0] == \
        ['000003', '000005', '000010']
    with pytest.raises(ValueError, match='already registered'):
        register_strategy('unified')(rank)

    @register_strategy('broken')
    def broken(scores_table, budget, seed, **kwargs):
        return ['000001']

    with pytest.raises(ValueError, match='exactly once'):
        select('broken', TABLE, 1)
