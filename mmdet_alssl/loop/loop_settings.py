"""The loop's settings: command-line values over the config's
``active_learning`` dict, validated before anything is written, and the run
manifest that ties a WORK_DIR to them.

Settings (``tools/al_loop.py`` flag / ``active_learning`` key):

- every field of :class:`~mmdet_alssl.acquisition.settings.
  AcquisitionSettings` (declared, checked and documented there; handed to
  each cycle's ``ActiveLearningHook`` unchanged); of them ``budget``,
  ``strategy``, ``tau``, ``seed`` and ``score_thr`` are required here, from
  either place;
- ``initial`` (>= 1), ``cycles`` (>= 0): required;
- ``warm_start`` (default False; ``--no-warm-start`` turns a config's off
  and drops its ``warm_start_cfg_options``), ``initial_iters``
  (``train_cfg.max_iters`` of cycle 0 only, >= 1; default None: the same
  length as every cycle), ``warm_start_cfg_options`` (config only, default
  {}: ``--cfg-options`` for the warm-started cycles k >= 1, e.g. a lower
  learning rate for fine-tuning);
- ``human``, ``pool_size`` (command line only; pool_size >= 1 or None).
"""
from typing import Any, Mapping, Optional, Sequence

from ..acquisition.settings import AcquisitionSettings, check_int
from ..workdir.cycle_state import make_manifest

#: Settings that must be given on the command line or in the config.
REQUIRED = ('initial', 'budget', 'cycles', 'strategy', 'tau', 'seed',
            'score_thr')
#: The loop's own settings with a default: name -> default.
OPTIONAL = dict(warm_start=False, initial_iters=None,
                warm_start_cfg_options={})
#: Every key ``active_learning`` may hold.
CONFIG_KEYS = tuple(dict.fromkeys(
    REQUIRED + tuple(OPTIONAL) + AcquisitionSettings.names()))


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
    unknown = sorted(set(defaults) - set(CONFIG_KEYS))
    if unknown:
        raise ValueError(f'active_learning has unknown setting(s) {unknown}; '
                         f'known: {", ".join(CONFIG_KEYS)}')
    s = {}
    for name in CONFIG_KEYS:
        value = cli.get(name)
        s[name] = defaults.get(name) if value is None else value
        if s[name] is None and name in REQUIRED:
            raise ValueError(
                f'no {name} given: pass --{name.replace("_", "-")} or '
                f'set active_learning.{name} in the config')
    check_int('cycles', s['cycles'], 0, 'pass --cycles N')
    check_int('initial', s['initial'], 1, 'pass --initial N')
    s.update(AcquisitionSettings.from_mapping({
        name: s[name] for name in AcquisitionSettings.names()
        if s[name] is not None}).to_dict())
    for name, default in OPTIONAL.items():
        if s[name] is None:
            s[name] = default
    s['warm_start'] = bool(s['warm_start'])
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
    ``cycles`` (a finished run may be extended by more cycles) and the
    ``--cfg-options`` (sorted, as text)."""
    s = {k: v for k, v in settings.items() if k != 'cycles'}
    return make_manifest(config_path, s.pop('seed'), s.pop('strategy'),
                         s.pop('tau'), s.pop('budget'),
                         cfg_options=sorted(cfg_options), **s)
