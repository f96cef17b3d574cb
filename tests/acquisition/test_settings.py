"""The one set of bounds of the acquisition settings (used by the loop's
settings and the hook's constructor)."""
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
    settings.check_nms(0.45, 100, -1)
    assert settings.check_pseudo_flip_iou(None) is None
    assert settings.check_pseudo_flip_iou(1) == 1.0
    assert settings.check_pseudo_max_count_ratio(None) is None
    assert settings.check_pseudo_max_count_ratio(2) == 2.0


@pytest.mark.parametrize('call, match', [
    (lambda: settings.check_seed(None), 'seed=None'),
    (lambda: settings.check_score_thr(1.5), r'score_thr=1.5 is outside'),
    (lambda: settings.check_score_thr(math.nan), 'score_thr=nan'),
    (lambda: settings.check_strategy('best'), "unknown strategy 'best'"),
    (lambda: settings.check_nms(0.0, 100, 1000), 'iou_thr=0.0'),
    (lambda: settings.check_nms(0.45, 0, 1000), 'max_per_img=0'),
    (lambda: settings.check_nms(0.45, 100, 0), 'nms_pre=0'),
    (lambda: settings.check_pseudo_flip_iou(0.0),
     r'pseudo_flip_iou=0.0 is outside \(0, 1\].*--pseudo-flip-iou'),
    (lambda: settings.check_pseudo_flip_iou(1.5), 'pseudo_flip_iou=1.5'),
    (lambda: settings.check_pseudo_flip_iou(True), 'pseudo_flip_iou=True'),
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
