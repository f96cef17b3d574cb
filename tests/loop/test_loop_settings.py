"""The loop's settings: command line over the config, validation, and the
manifest that binds a WORK_DIR to them."""
import pytest

from mmdet_alssl.loop.loop_settings import (resolve_settings, run_manifest)

CONFIG = dict(initial=40, budget=30, cycles=4, strategy='unified', tau=0.9,
              score_thr=0.3, seed=0, pseudo_labels=True, warm_start=False)


def test_command_line_overrides_the_config():
    s = resolve_settings(dict(budget=5, strategy='entropy', tau=None,
                              human=True, pool_size=10, warm_start=True),
                         CONFIG)
    assert s == dict(initial=40, budget=5, cycles=4, strategy='entropy',
                     tau=0.9, seed=0, score_thr=0.3, pseudo_labels=True,
                     warm_start=True, strategy_kwargs={}, human=True,
                     pool_size=10, initial_iters=None,
                     warm_start_cfg_options={},
                     pseudo_max_count_ratio=None, iou_thr=0.45,
                     max_per_img=100, nms_pre=1000, flip_candidates='mirror',
                     suggest_thr=0.3)
    assert resolve_settings(dict(initial_iters=600), CONFIG)[
        'initial_iters'] == 600
    assert resolve_settings({}, dict(CONFIG, initial_iters=300))[
        'initial_iters'] == 300
    assert resolve_settings({}, dict(CONFIG, iou_thr=0.5))['iou_thr'] == 0.5
    assert resolve_settings({}, dict(CONFIG, pseudo_max_count_ratio=2))[
        'pseudo_max_count_ratio'] == 2.0


def test_defaults_of_the_optional_settings():
    required = {k: CONFIG[k] for k in ('initial', 'budget', 'cycles',
                                       'strategy', 'tau', 'score_thr',
                                       'seed')}
    s = resolve_settings({}, required)
    assert (s['pseudo_labels'], s['warm_start'], s['strategy_kwargs'],
            s['human'], s['pool_size']) == (True, False, {}, False, None)
    assert resolve_settings({}, dict(required, strategy_kwargs=dict(
        filter_num=9)))['strategy_kwargs'] == dict(filter_num=9)


@pytest.mark.parametrize('cli, match', [
    (dict(tau=0.0), r'tau=0.0 is outside \(0, 1\]'),
    (dict(tau=1.01), r'tau=1.01 is outside \(0, 1\]'),
    (dict(strategy='best'), "unknown strategy 'best'; known: entropy, "
     'entropy_filtered, inconsistency, random, unified'),
    (dict(budget=0), 'budget=0 must be an integer >= 1; the images to '
     r'label per cycle \(--budget N'),
    (dict(initial=0), 'initial=0 must be an integer >= 1'),
    (dict(cycles=-1), 'cycles=-1 must be an integer >= 0'),
    (dict(score_thr=1.5), r'score_thr=1.5 is outside \[0, 1\]'),
    (dict(pool_size=0), 'pool_size=0 must be an integer >= 1'),
    (dict(initial_iters=0), 'initial_iters=0 must be an integer >= 1'),
    (dict(initial_iters=2.5), 'initial_iters=2.5 must be an integer'),
    (dict(nms_pre=0), 'nms_pre=0 must be an integer >= 1'),
    (dict(pseudo_max_count_ratio=0), 'pseudo_max_count_ratio=0 must be a '
     'number > 0'),
    (dict(pseudo_max_count_ratio=float('inf')), 'pseudo_max_count_ratio=inf '
     'must be a number > 0'),
])
def test_bad_values_name_the_value(cli, match):
    with pytest.raises(ValueError, match=match):
        resolve_settings(cli, CONFIG)


def test_warm_start_cfg_options_need_warm_start():
    lower_lr = {'optim_wrapper.optimizer.lr': 5e-4}
    s = resolve_settings({}, dict(CONFIG, warm_start=True,
                                  warm_start_cfg_options=lower_lr))
    assert s['warm_start_cfg_options'] == lower_lr
    with pytest.raises(ValueError, match='only applies to warm-started '
                       'cycles: pass --warm-start'):
        resolve_settings({}, dict(CONFIG, warm_start_cfg_options=lower_lr))


def test_no_warm_start_over_a_warm_starting_config_drops_its_options():
    """The CPU configs warm-start with fine-tuning options;
    --no-warm-start (the paper's protocol) runs them without either."""
    warm = dict(CONFIG, warm_start=True,
                warm_start_cfg_options={'optim_wrapper.optimizer.lr': 5e-4})
    s = resolve_settings(dict(warm_start=False), warm)
    assert (s['warm_start'], s['warm_start_cfg_options']) == (False, {})
    # not given on the command line: the config's own
    assert resolve_settings({}, warm)['warm_start'] is True


def test_missing_setting_names_flag_and_key():
    config = {k: v for k, v in CONFIG.items() if k != 'budget'}
    with pytest.raises(ValueError, match='no budget given: pass --budget or '
                       'set active_learning.budget in the config'):
        resolve_settings({}, config)
    with pytest.raises(ValueError, match='pass --score-thr'):
        resolve_settings(
            {}, {k: v for k, v in CONFIG.items() if k != 'score_thr'})


def test_manifest_leaves_out_cycles_only(tmp_path):
    config = tmp_path / 'c.py'
    config.write_text('a = 1\n')
    s = resolve_settings(dict(pool_size=10), CONFIG)
    m = run_manifest(config, s, ['b=2', 'a=1'])
    assert 'cycles' not in m
    assert m['cfg_options'] == ['a=1', 'b=2']
    assert {k: m[k] for k in s if k != 'cycles'} == {
        k: v for k, v in s.items() if k != 'cycles'}
    more = run_manifest(config, dict(s, cycles=9), ['a=1', 'b=2'])
    assert {k: v for k, v in more.items() if k != 'created_at'} == m


def test_unknown_config_keys_are_named():
    """A removed setting (the flip gate) or a typo in active_learning is
    refused, not silently ignored."""
    with pytest.raises(ValueError, match=r"active_learning has unknown "
                       r"setting\(s\) \['pseudo_flip_iou', 'taus'\]; "
                       r'known: initial, budget'):
        resolve_settings({}, dict(CONFIG, pseudo_flip_iou=0.5, taus=0.9))
