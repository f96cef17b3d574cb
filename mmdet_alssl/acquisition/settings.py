"""The bounds of every acquisition setting, in one place.

Checked once at each boundary where a user's value enters: the loop's
settings (:mod:`mmdet_alssl.loop.loop_settings`: command line and config)
and ``ActiveLearningHook``'s constructor (a config used without the loop).
The pure functions of this package take the values as checked and only
check the shapes of their tensors. Each check returns the value, normalised
(e.g. ``float``), or raises ValueError naming it, its bounds and the fix.
"""
import math
import numbers

from .strategies import available_strategies


def check_int(name: str, value, minimum: int, fix: str) -> int:
    """``value`` as an int >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value < minimum:
        raise ValueError(f'{name}={value!r} must be an integer >= {minimum}; '
                         f'{fix}')
    return int(value)


def check_budget(budget) -> int:
    """Images a human labels per cycle: >= 1."""
    return check_int('budget', budget, 1, 'the images to label per cycle '
                     '(--budget N or active_learning.budget)')


def check_seed(seed) -> int:
    return check_int('seed', seed, 0, 'it makes the split and the random '
                     'strategy reproducible (--seed N)')


def check_in_unit_interval(name: str, value, fix: str) -> float:
    """``value`` as a float in (0, 1] (a probability or an IoU threshold)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not 0.0 < value <= 1.0:
        raise ValueError(f'{name}={value!r} is outside (0, 1]; {fix}')
    return float(value)


def check_tau(tau) -> float:
    """τ of Eq. 6, the class probability a box needs to become a
    pseudo-label: in (0, 1]."""
    return check_in_unit_interval(
        'tau', tau, 'τ is the class probability a box needs to become a '
        'pseudo-label (Eq. 6): use e.g. 0.99 (VOC) or 0.75 (COCO) (--tau X '
        'or active_learning.tau)')


def check_pseudo_flip_iou(value):
    """The flip gate on pseudo-labels: None (off, the paper) or the IoU in
    (0, 1] a pseudo box needs with its mirror twin's box on the flip."""
    if value is None:
        return None
    return check_in_unit_interval(
        'pseudo_flip_iou', value, 'the IoU a pseudo box needs with the box '
        'its mirror twin predicts on the flipped image, e.g. 0.5; leave it '
        'out (None) for the τ gate only (--pseudo-flip-iou X or '
        'active_learning.pseudo_flip_iou)')


def check_pseudo_max_count_ratio(value):
    """The count guard on pseudo-labels: None (off, the paper) or a finite
    ratio > 0 (``overconfident_classes``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError(
            f'pseudo_max_count_ratio={value!r} must be a number > 0: a '
            f'cycle gets no pseudo-labels when the model is sure (>= tau) of '
            f'more boxes of a class per unlabeled image than this many times '
            f'the labeled images hold, e.g. 2.0; None turns the guard off '
            f'(active_learning.pseudo_max_count_ratio)')
    return float(value)


def check_score_thr(score_thr) -> float:
    """The class probability a detection needs to be scored: in [0, 1]."""
    if isinstance(score_thr, bool) or not isinstance(
            score_thr, numbers.Real) or not 0.0 <= score_thr <= 1.0:
        raise ValueError(f'score_thr={score_thr!r} is outside [0, 1]: the '
                         f'class probability a detection needs to be scored, '
                         f'e.g. 0.5 (--score-thr X or '
                         f'active_learning.score_thr)')
    return float(score_thr)


def check_strategy(strategy: str) -> str:
    """A registered strategy's name."""
    if strategy not in available_strategies():
        raise ValueError(f'unknown strategy {strategy!r}; known: '
                         f'{", ".join(available_strategies())} (--strategy '
                         f'NAME, or register one with @register_strategy)')
    return strategy


def check_nms(iou_thr, max_per_img, nms_pre) -> None:
    """NMS settings of the scoring (``keep_detections``)."""
    check_in_unit_interval('iou_thr', iou_thr, 'use e.g. 0.45 (SSD)')
    check_int('max_per_img', max_per_img, 1, 'e.g. 100')
    if nms_pre != -1:
        check_int('nms_pre', nms_pre, 1, 'or -1 for all priors')
