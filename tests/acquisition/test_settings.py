"""The acquisition settings: one object, each value checked once (the
loop's settings and the hook's constructor both build it)."""
import math

import numpy as np
import pytest

from mmdet_alssl.acquisition import settings


@pytest.mark.parametrize('tau', [0, 0.0, -0.1, 1.01, math.nan, True, '0.9'])
def test_tau_outside_unit_interval(tau):
    with pytest.raises(ValueError, match=r'tau=.*outside \(0, 1\].*0\.99'):
        settings.check_tau(tau)


def test_tau_bounds_are_inclusive_at_one_only():
    assert settings.check_tau(1) == 1.0
    assert settings.check_tau(np.float32(0.5)) == 0.5


@pytest.mark.parametrize('budget', [-1, 0, 1.5, True, '3', None])
def test_bad_budget(budget):
    with pytest.raises(ValueError, match='budget=.*must be an integer >= 1'):
        settings.check_budget(budget)


def test_good_values_come_back_normalised():
    assert settings.check_budget(np.int64(3)) == 3
    assert settings.check_seed(0) == 0
    assert settings.check_score_thr(0) == 0.0
    assert settings.check_strategy('unified') == 'unified'
    assert settings.check_pseudo_max_count_ratio(None) is None
    assert settings.check_pseudo_max_count_ratio(2) == 2.0


@pytest.mark.parametrize('call, match', [
    (lambda: settings.check_seed(None), 'seed=None'),
    (lambda: settings.check_score_thr(1.5), r'score_thr=1.5 is outside'),
    (lambda: settings.check_score_thr(math.nan), 'score_thr=nan'),
    (lambda: settings.check_strategy('best'), "unknown strategy 'best'"),
    (lambda: settings.check_pseudo_max_count_ratio(-1.0),
     r'pseudo_max_count_ratio=-1.0 must be a number > 0.*None turns the '
     r'guard off'),
    (lambda: settings.check_pseudo_max_count_ratio(math.nan),
     'pseudo_max_count_ratio=nan'),
    (lambda: settings.check_pseudo_max_count_ratio('2'),
     "pseudo_max_count_ratio='2'"),
])
def test_bad_values_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_settings_object_defaults_normalise_and_round_trip():
    s = settings.AcquisitionSettings()
    assert s.to_dict() == dict(
        budget=None, strategy='unified', strategy_kwargs={}, tau=0.99,
        score_thr=0.5, pseudo_labels=True, seed=0,
        pseudo_max_count_ratio=None, iou_thr=0.45, max_per_img=100,
        nms_pre=1000, flip_candidates='mirror', suggest_thr=0.3)
    s = settings.AcquisitionSettings(budget=np.int64(3), tau=1, score_thr=0,
                                     nms_pre=-1, pseudo_max_count_ratio=2)
    assert (s.budget, s.tau, s.score_thr, s.nms_pre) == (3, 1.0, 0.0, -1)
    assert type(s.budget) is int and type(s.tau) is float
    assert s.pseudo_max_count_ratio == 2.0
    again = settings.AcquisitionSettings.from_mapping(s.to_dict())
    assert again == s
    assert s.nms() == dict(iou_thr=0.45, max_per_img=100, nms_pre=-1)


def test_flags_are_the_settings_the_loop_takes_on_its_command_line():
    assert [(name, kind) for name, kind, _ in
            settings.AcquisitionSettings.flags()] == [
        ('budget', int), ('strategy', str), ('tau', float),
        ('score_thr', float), ('seed', int), ('suggest_thr', float)]


@pytest.mark.parametrize('values, match', [
    (dict(tau=0.0), r'tau=0.0 is outside \(0, 1\]'),
    (dict(budget=0), 'budget=0 must be an integer >= 1'),
    (dict(iou_thr=0.0), r'iou_thr=0.0 is outside \(0, 1\]'),
    (dict(max_per_img=0), 'max_per_img=0 must be an integer >= 1'),
    (dict(nms_pre=0), 'nms_pre=0 must be an integer >= 1; or -1'),
    (dict(suggest_thr=0), r'suggest_thr=0 is outside \(0, 1\].*--suggest-thr'),
    (dict(flip_candidates='detections'),
     "flip_candidates='detections'; use one of \\('mirror', 'priors'\\)"),
    (dict(pseudo_flip_iou=0.5),
     r"hook has unknown setting\(s\) \['pseudo_flip_iou'\]; known: "
     r"\['budget'"),
])
def test_settings_object_names_bad_values(values, match):
    with pytest.raises(ValueError, match=match):
        settings.AcquisitionSettings.from_mapping(values, 'hook')
