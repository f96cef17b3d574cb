"""Every acquisition setting, declared and validated in one place:
:class:`AcquisitionSettings`.

The config's ``active_learning`` dict and the loop's flags build it
(:mod:`mmdet_alssl.loop.loop_settings`), the loop hands its fields unchanged
to ``ActiveLearningHook(acquisition=...)`` of every cycle, and the hook
rebuilds the same object; the pure functions of this package take the
values as checked and only check the shapes of their tensors. Each check
returns the value, normalised (e.g. ``float``), or raises ValueError naming
it, its bounds and the fix.
"""
import dataclasses
import math
import numbers
from typing import Any, Mapping, Optional

from .scores import FLIP_CANDIDATES
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


#: Default suggestion threshold (``suggest_thr``). Measured on the demo's
#: synthetic shapes (docs/labeling_tools.md, 2 selections of 50 images, 415
#: boxes): the labeler's edits are flat from 0.3 to 0.7 (318-327) but the
#: boxes left to draw by hand, the costly edit, rise from 163 at 0.3 to 197
#: at 0.5 and 231 at 0.6. Below 0.3 only 1 more box of 310 comes (and is
#: deleted): after NMS a box's class must also beat background (Eq. 6's
#: argmax).
SUGGEST_THR = 0.3


def check_suggest_thr(value) -> float:
    """The class probability a box needs to be suggested: in (0, 1]."""
    return check_in_unit_interval(
        'suggest_thr', value, 'the class probability a model box needs to '
        f'be shown to the labeler as a suggestion, e.g. {SUGGEST_THR} '
        '(--suggest-thr X or active_learning.suggest_thr)')


def check_flip_candidates(value) -> str:
    """How Eq. 1 pairs a detection with the flipped predictions."""
    if value not in FLIP_CANDIDATES:
        raise ValueError(f'flip_candidates={value!r}; use one of '
                         f'{FLIP_CANDIDATES} (active_learning.'
                         f'flip_candidates)')
    return value


def _setting(default, check=None, flag: Optional[type] = None,
             doc: str = ''):
    """A field of :class:`AcquisitionSettings`: its default, its check
    (value -> normalised value), the type of its ``tools/al_loop.py`` flag
    (None: config only) and a line of help."""
    kwargs = dict(default_factory=default) if callable(default) else dict(
        default=default)
    return dataclasses.field(
        metadata=dict(check=check, flag=flag, doc=doc), **kwargs)


def _optional(check):
    return lambda value: None if value is None else check(value)


@dataclasses.dataclass(frozen=True)
class AcquisitionSettings:
    """What the hook needs to score, select and pseudo-label (§3.1-3.2).

    A new setting is one field here (default, check, flag, help) plus its
    test: the loop's flags, its manifest, the cycle's ``--cfg-options`` and
    the hook all read the fields. Values are checked and normalised on
    construction; bad ones raise ValueError naming the value and the fix.
    """
    budget: Optional[int] = _setting(
        None, _optional(check_budget), int,
        'images a human labels per cycle (required to select)')
    strategy: str = _setting('unified', check_strategy, str,
                             'a registered selection strategy')
    strategy_kwargs: dict = _setting(
        dict, dict, doc="the strategy's arguments, e.g. "
        "dict(filter_num=90) for entropy_filtered")
    tau: float = _setting(0.99, check_tau, float,
                          'pseudo-label threshold τ (Eq. 6)')
    score_thr: float = _setting(0.5, check_score_thr, float,
                                'detections kept for the scores')
    pseudo_labels: bool = _setting(True, bool,
                                   doc='pseudo-label the confident rest')
    seed: int = _setting(0, check_seed, int,
                         'seed of the split and the random strategy')
    pseudo_max_count_ratio: Optional[float] = _setting(
        None, check_pseudo_max_count_ratio,
        doc='the count guard on pseudo-labels (None: off, the paper)')
    iou_thr: float = _setting(
        0.45, lambda v: check_in_unit_interval(
            'iou_thr', v, 'use e.g. 0.45 (SSD)'),
        doc='NMS IoU threshold of the scoring')
    max_per_img: int = _setting(
        100, lambda v: check_int('max_per_img', v, 1, 'e.g. 100'),
        doc='detections kept per image')
    nms_pre: int = _setting(
        1000, lambda v: v if v == -1 else check_int(
            'nms_pre', v, 1, 'or -1 for all priors'),
        doc='priors entering NMS (-1: all)')
    flip_candidates: str = _setting(
        'mirror', check_flip_candidates,
        doc="Eq. 1's pairing: 'mirror' (the prior's twin) or 'priors' "
        '(highest IoU, the paper as published)')
    suggest_thr: float = _setting(
        SUGGEST_THR, check_suggest_thr, float,
        "class probability of the model's boxes suggested to the labeler "
        '(predictions.json)')

    def __post_init__(self):
        for f in dataclasses.fields(self):
            check = f.metadata['check']
            if check is not None:
                object.__setattr__(self, f.name, check(getattr(self, f.name)))

    @classmethod
    def names(cls) -> tuple:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any],
                     where: str = 'acquisition') -> 'AcquisitionSettings':
        """Settings from a dict; an unknown key raises ValueError naming
        it (``where`` says where it came from)."""
        unknown = sorted(set(values) - set(cls.names()))
        if unknown:
            raise ValueError(f'{where} has unknown setting(s) {unknown}; '
                             f'known: {list(cls.names())}')
        return cls(**values)

    @classmethod
    def flags(cls) -> list:
        """``(name, type, help)`` of each setting ``tools/al_loop.py``
        takes as a flag (``--score-thr`` for ``score_thr``)."""
        return [(f.name, f.metadata['flag'], f.metadata['doc'])
                for f in dataclasses.fields(cls) if f.metadata['flag']]

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.names()}

    def nms(self) -> dict:
        """The NMS arguments of ``keep_detections``."""
        return dict(iou_thr=self.iou_thr, max_per_img=self.max_per_img,
                    nms_pre=self.nms_pre)
