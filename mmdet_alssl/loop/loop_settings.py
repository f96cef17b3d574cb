"""The loop's settings: command-line values over the config's
``active_learning`` dict, validated before anything is written, and the run
manifest that ties a WORK_DIR to them.

Settings (``tools/al_loop.py`` flag / ``active_learning`` key):

- ``initial`` (>= 1), ``budget`` (>= 1), ``cycles`` (>= 0), ``seed``
  (>= 0), ``strategy`` (a registered name), ``tau`` (in (0, 1]),
  ``score_thr`` (in [0, 1]): required, from either place;
- ``pseudo_labels`` (default True), ``warm_start`` (default False;
  ``--no-warm-start`` turns a config's off and drops its
  ``warm_start_cfg_options``),
  ``strategy_kwargs`` (config only, default {}), ``initial_iters``
  (``train_cfg.max_iters`` of cycle 0 only, >= 1; default None: the same
  length as every cycle), ``warm_start_cfg_options`` (config only, default
  {}: ``--cfg-options`` for the warm-started cycles k >= 1, e.g. a lower
  learning rate for fine-tuning), ``pseudo_flip_iou`` (default None: the
  τ gate only; else in (0, 1], the flip gate of ``pseudo_label_boxes``),
  ``pseudo_max_count_ratio`` (config only; default None: off; else > 0,
  the count guard of ``ActiveLearningHook``), ``suggest_thr`` (in
  (0, 1], default :data:`~mmdet_alssl.labeling.predictions.SUGGEST_THR`:
  the model boxes written to ``predictions.json`` as a labeler's
  suggestions; not in the manifest, since no training depends on it);
- ``human``, ``pool_size`` (command line only; pool_size >= 1 or None).
"""
from typing import Any, Mapping, Optional, Sequence

from ..acquisition.settings import (check_budget, check_int,
                                    check_pseudo_flip_iou,
                                    check_pseudo_max_count_ratio,
                                    check_score_thr, check_seed,
                                    check_strategy, check_tau)
from ..labeling.predictions import SUGGEST_THR, check_suggest_thr
from .cycle_state import make_manifest

#: Settings that must be given on the command line or in the config.
REQUIRED = ('initial', 'budget', 'cycles', 'strategy', 'tau', 'seed',
            'score_thr')
#: Settings with a default: name -> default.
OPTIONAL = dict(pseudo_labels=True, warm_start=False, strategy_kwargs={},
                initial_iters=None, warm_start_cfg_options={},
                pseudo_flip_iou=None, pseudo_max_count_ratio=None,
                suggest_thr=SUGGEST_THR)


def resolve_settings(cli: Mapping[str, Any],
                     defaults: Optional[Mapping[str, Any]]) -> dict:
    """Merge and validate the settings.

    Args:
        cli (Mapping): command-line values by setting name; None (or
            absent) = not given.
        defaults (Mapping, optional): the config's ``active_learning``.

    Returns:
        dict: every setting of the module docstring.

    Raises:
        ValueError: a missing or invalid setting, naming it and the flag.
    """
    defaults = dict(defaults or {})
    s = {}
    for name in REQUIRED + tuple(OPTIONAL):
        value = cli.get(name)
        s[name] = defaults.get(name) if value is None else value
        if s[name] is None:
            if name in REQUIRED:
                raise ValueError(
                    f'no {name} given: pass --{name.replace("_", "-")} or '
                    f'set active_learning.{name} in the config')
            s[name] = OPTIONAL[name]
    check_int('cycles', s['cycles'], 0, 'pass --cycles N')
    check_int('initial', s['initial'], 1, 'pass --initial N')
    s['budget'] = check_budget(s['budget'])
    s['seed'] = check_seed(s['seed'])
    s['tau'] = check_tau(s['tau'])
    s['strategy'] = check_strategy(s['strategy'])
    s['score_thr'] = check_score_thr(s['score_thr'])
    s['pseudo_labels'] = bool(s['pseudo_labels'])
    s['pseudo_flip_iou'] = check_pseudo_flip_iou(s['pseudo_flip_iou'])
    s['pseudo_max_count_ratio'] = check_pseudo_max_count_ratio(
        s['pseudo_max_count_ratio'])
    s['suggest_thr'] = check_suggest_thr(s['suggest_thr'])
    s['warm_start'] = bool(s['warm_start'])
    s['strategy_kwargs'] = dict(s['strategy_kwargs'])
    s['warm_start_cfg_options'] = dict(s['warm_start_cfg_options'])
    if s['warm_start_cfg_options'] and not s['warm_start']:
        if cli.get('warm_start') is False:
            # --no-warm-start over a warm-starting config: its fine-tuning
            # options have no cycle to apply to (the manifest records {})
            s['warm_start_cfg_options'] = {}
        else:
            raise ValueError(
                f'active_learning.warm_start_cfg_options='
                f'{s["warm_start_cfg_options"]!r} only applies to '
                f'warm-started cycles: pass --warm-start or leave it out')
    if s['initial_iters'] is not None:
        s['initial_iters'] = check_int(
            'initial_iters', s['initial_iters'], 1,
            'or leave it out to train cycle 0 as long as the others')
    s['human'] = bool(cli.get('human'))
    s['pool_size'] = cli.get('pool_size')
    if s['pool_size'] is not None:
        check_int('pool_size', s['pool_size'], 1, 'or leave it out for '
                  'the whole pool')
    return s


def run_manifest(config_path, settings: Mapping,
                 cfg_options: Sequence[str]) -> dict:
    """What a WORK_DIR must keep: the config (hash), every setting except
    ``cycles`` (a finished run may be extended by more cycles) and
    ``suggest_thr`` (only what a labeler is shown), and the
    ``--cfg-options`` (sorted, as text)."""
    s = {k: v for k, v in settings.items()
         if k not in ('cycles', 'suggest_thr')}
    return make_manifest(config_path, s.pop('seed'), s.pop('strategy'),
                         s.pop('tau'), s.pop('budget'),
                         cfg_options=sorted(cfg_options), **s)
