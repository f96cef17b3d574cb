"""Which config keys point a training run at one active-learning cycle.

A cycle is trained by MMDetection's own ``tools/train.py``; what makes it
"cycle k" is a handful of ``--cfg-options``: the labeled/unlabeled id files
(and pseudo-labels) of the active-split data set(s) of ``train_dataloader``,
and the ``ActiveLearningHook`` entry of ``custom_hooks``. The training set
is either an ``ActiveLearningDataset`` around the user's own data set config
(the usual way), or explicit ``ALVOCDataset`` / ``ALCocoDataset`` parts with
``label_type`` ``'labeled'`` and ``'unlabeled'``. This module
computes them from a config and a
:class:`~mmdet_alssl.workdir.CycleState`; it is pure (no Runner, no file
written), so a loop can print, log or test them.

Keys are dotted paths with list indices, as ``Config.merge_from_dict`` and
``--cfg-options`` take them, e.g.
``train_dataloader.dataset.datasets.0.image_ids_file``. Variables of the
config file cannot be overridden (MMEngine substitutes them when it reads
the file), which is why the data set keys themselves are returned.
"""
import inspect
from typing import Any, Dict, Mapping

from mmdet.registry import HOOKS

from ..datasets.active_learning_dataset import registered_class
from ..datasets.label_type import LABEL_TYPE_KEY, LABELED, UNLABELED
from ..datasets.pool import NO_SPLIT_FIX, find_al_datasets, is_wrapper
from ..workdir.cycle_state import CycleState
from ..workdir.layout import (HUMAN_LABELS, LABELED_IDS, PSEUDO_LABELS,
                              UNLABELED_IDS)

HOOK_TYPE = 'ActiveLearningHook'
#: The role of an ActiveLearningDataset: labeled and unlabeled in one.
WRAPPER = 'labeled+unlabeled'
#: Hook arguments the loop sets itself; not accepted as overrides.
_LOOP_SET = ('work_dir', 'cycle')


def find_hook(custom_hooks: Any) -> int:
    """Index of the single ``ActiveLearningHook`` entry of ``custom_hooks``.

    Raises:
        ValueError: no such entry, or more than one.
    """
    hook_cls = HOOKS.get(HOOK_TYPE)
    matches = [
        i for i, hook in enumerate(custom_hooks or [])
        if isinstance(hook, Mapping) and hook_cls is not None
        and registered_class(hook.get('type'), HOOKS) is hook_cls
    ]
    if not matches:
        raise ValueError(
            f'the config has no {HOOK_TYPE} in custom_hooks, so no cycle '
            f'would score or select anything; add '
            f"custom_hooks = [..., dict(type='{HOOK_TYPE}', work_dir=None)]")
    if len(matches) > 1:
        raise ValueError(f'custom_hooks has {len(matches)} {HOOK_TYPE} '
                         f'entries (indices {matches}); keep exactly one')
    return matches[0]


def _check_hook_overrides(overrides: Mapping) -> None:
    params = inspect.signature(HOOKS.get(HOOK_TYPE)).parameters
    allowed = sorted(p for p in params if p not in ('self', *_LOOP_SET))
    wrong = sorted(set(overrides) - set(allowed))
    if wrong:
        raise ValueError(f'{wrong} cannot be set on {HOOK_TYPE} by the loop '
                         f'(work_dir and cycle come from the state); allowed: '
                         f'{allowed}')


def cycle_cfg_options(cfg: Mapping, state: CycleState, k: int, *,
                      human: bool = False,
                      **hook_overrides) -> Dict[str, Any]:
    """The ``--cfg-options`` that make a training run cycle ``k``.

    - an ``ActiveLearningDataset``: ``labeled_ids_file``,
      ``pseudo_labels_file`` and ``unlabeled_ids_file`` as below;
    - every ``label_type='labeled'`` active-split data set of
      ``train_dataloader``: ``image_ids_file`` = cycle k's ``labeled.txt``;
    - every ``label_type='unlabeled'`` one: ``image_ids_file`` = cycle k's
      ``unlabeled.txt``, ``pseudo_labels_file`` = its
      ``pseudo_labels.json`` if that file exists, else None (so a config's
      own value never leaks in);
    - with ``human``, the labeled ones (and the wrapper) also get
      ``labels_file`` = cycle k's ``human_labels.json``;
    - the ``ActiveLearningHook`` of ``custom_hooks``: ``work_dir`` =
      ``state.work_dir``, ``cycle`` = k, and ``hook_overrides``.

    Paths are absolute strings (the data sets use them as given, not under
    ``data_root``). Only the pseudo-label file is looked at on disk.

    Args:
        cfg (Mapping): the training config (``mmengine.Config`` or dict).
        state (CycleState): the loop's WORK_DIR.
        k (int): cycle index, >= 0.
        human (bool): the loop's ``--human`` mode (boxes drawn by a human).
        **hook_overrides: further ``ActiveLearningHook`` arguments, e.g.
            ``budget=30, strategy='unified', tau=0.99, score_thr=0.5,
            pseudo_labels=True, seed=0, select=False``.

    Returns:
        dict[str, Any]: dotted key -> value, in a fixed order (data sets in
        config order, then the hook's keys).

    Raises:
        ValueError: no labeled active-split data set in ``train_dataloader``,
            an unknown ``label_type``, no (or several) ``ActiveLearningHook``,
            or an override the hook does not take.
    """
    state.cycle_dir(k)  # validates k
    datasets = find_al_datasets(cfg.get('train_dataloader') or {})
    types = [WRAPPER if is_wrapper(ds) else ds.get(LABEL_TYPE_KEY, LABELED)
             for _, ds in datasets]
    if LABELED not in types and WRAPPER not in types:
        raise ValueError(
            'train_dataloader has no active-split data set for labeled '
            "images, so the cycle's labeled ids have nowhere to go; "
            f'{NO_SPLIT_FIX}')
    labeled_txt = str(state.path(k, LABELED_IDS).absolute())
    unlabeled_txt = str(state.path(k, UNLABELED_IDS).absolute())
    pseudo = state.path(k, PSEUDO_LABELS).absolute()
    pseudo_file = str(pseudo) if pseudo.is_file() else None
    labels_file = str(state.path(k, HUMAN_LABELS).absolute())

    options: Dict[str, Any] = {}
    for (key, _), label_type in zip(datasets, types):
        if label_type == WRAPPER:
            options[f'{key}.labeled_ids_file'] = labeled_txt
            options[f'{key}.pseudo_labels_file'] = pseudo_file
            options[f'{key}.unlabeled_ids_file'] = unlabeled_txt
        elif label_type == LABELED:
            options[f'{key}.image_ids_file'] = labeled_txt
        elif label_type == UNLABELED:
            options[f'{key}.image_ids_file'] = unlabeled_txt
            options[f'{key}.pseudo_labels_file'] = pseudo_file
        else:
            raise ValueError(f'{key}.{LABEL_TYPE_KEY}={label_type!r} is not '
                             f'{LABELED!r} or {UNLABELED!r}; fix the config')
        if human and label_type != UNLABELED:
            options[f'{key}.labels_file'] = labels_file

    _check_hook_overrides(hook_overrides)
    i = find_hook(cfg.get('custom_hooks'))
    options[f'custom_hooks.{i}.work_dir'] = str(state.work_dir.absolute())
    options[f'custom_hooks.{i}.cycle'] = int(k)
    for name, value in hook_overrides.items():
        options[f'custom_hooks.{i}.{name}'] = value
    return options
