"""The pool: the images the loop splits, the hook scores and the report
reads ground truth of, as data sets built from a training dataloader config.

:func:`pool_part_cfgs` is the ONE definition of which data sets make up the
pool (the parts an ``ActiveLearningDataset`` wraps, or the explicit
``ALVOCDataset`` / ``ALCocoDataset`` parts); :func:`build_pool` builds them.
"""
import copy
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from mmdet.registry import DATASETS
from mmengine.dataset import ConcatDataset

from .active_learning_dataset import (PART_METAINFO_KEYS, WRAPPED_KEYS,
                                      ActiveLearningDataset, active_split_cfg,
                                      pool_parts, registered_class)
from .active_split import ActiveSplitMixin
from .label_type import LABEL_TYPE_KEY, LABELED, UNLABELED
from .split_files import IdsArg

#: What a config without an active-split data set is told to do.
NO_SPLIT_FIX = (
    "wrap the training data set: train_dataloader = dict(sampler=dict("
    "type='SemiSupervisedSampler', batch_size=N), batch_sampler=None, "
    "dataset=dict(_delete_=True, type='ActiveLearningDataset', "
    "dataset={{_base_.train_dataloader.dataset}})) (README: 'Your own "
    "data set')")

def _is_a(cfg: Mapping, classes) -> bool:
    cls = registered_class(cfg.get('type'))
    return cls is not None and issubclass(cls, classes)


def _is_al_dataset(cfg: Mapping) -> bool:
    return _is_a(cfg, (ActiveSplitMixin, ActiveLearningDataset))


def is_wrapper(cfg: Mapping) -> bool:
    return _is_a(cfg, ActiveLearningDataset)


def _walk(node: Any, key: str, found: List[Tuple[str, Mapping]]) -> None:
    if isinstance(node, (list, tuple)):
        for i, item in enumerate(node):
            _walk(item, f'{key}.{i}', found)
    elif isinstance(node, Mapping):
        if 'type' in node and _is_al_dataset(node):
            found.append((key, node))
            return
        for name in WRAPPED_KEYS:
            if name in node:
                _walk(node[name], f'{key}.{name}', found)


def find_al_datasets(dataloader_cfg: Mapping,
                     prefix: str = 'train_dataloader'
                     ) -> List[Tuple[str, Mapping]]:
    """Every active-split data set (``ActiveLearningDataset``,
    ``ALVOCDataset``, ``ALCocoDataset`` or a registered subclass of
    :class:`ActiveSplitMixin`) of a dataloader config.

    Wrappers are walked through their ``dataset`` / ``datasets`` keys
    (:data:`WRAPPED_KEYS`), nested lists included; an active-split data set
    is not looked into.

    Args:
        dataloader_cfg (Mapping): e.g. ``cfg.train_dataloader``.
        prefix (str): dotted key of ``dataloader_cfg`` itself. Default
            ``'train_dataloader'``.

    Returns:
        list[tuple[str, Mapping]]: ``(dotted key, data set config)`` in
        config order, e.g. ``('train_dataloader.dataset.datasets.0', {...})``.
    """
    if not isinstance(dataloader_cfg, Mapping):
        raise ValueError(f'{prefix} must be a dataloader config dict, got '
                         f'{type(dataloader_cfg).__name__}')
    found: List[Tuple[str, Mapping]] = []
    if 'dataset' in dataloader_cfg:
        _walk(dataloader_cfg['dataset'], f'{prefix}.dataset', found)
    return found


def pool_part_cfgs(dataloader_cfg: Mapping,
                   label_type: str = UNLABELED,
                   image_ids: Optional[IdsArg] = None) -> List[dict]:
    """Configs of every part of the pool of a training dataloader.

    The ONE definition of "the pool", used by the loop (split, export), the
    hook (scoring) and the report (ground truth): the parts of the data set
    an ``ActiveLearningDataset`` wraps, else the ``'unlabeled'``
    active-split data sets of ``dataloader_cfg`` (each part, e.g. VOC2007
    and VOC2012), or its labeled ones if it has none. Each copy is rebuilt
    as ``label_type`` over ``image_ids`` (None: all its images), without
    pseudo or human label files; with several parts, each keeps the ids it
    holds (``ids_outside_pool='ignore'``).

    Args:
        dataloader_cfg (Mapping): e.g. ``cfg.train_dataloader``.
        label_type (str): ``'unlabeled'`` (images only) or ``'labeled'``
            (with the data set's own annotations). Defaults to unlabeled.
        image_ids (str | Sequence | None): an ids file or list; None: all.

    Returns:
        list[dict]: one data set config per part, in config order.

    Raises:
        ValueError: no active-split data set, naming the fix.
    """
    found = [ds for _, ds in find_al_datasets(dataloader_cfg)]
    if not found:
        raise ValueError(
            'train_dataloader has no active-split data set, so there is no '
            f'pool to label from; {NO_SPLIT_FIX}')
    wrapped = [part for ds in found if is_wrapper(ds)
               for part in pool_parts(ds['dataset'])]
    if wrapped:
        return [active_split_cfg(part, label_type, image_ids,
                                 one_of_several=len(wrapped) > 1)
                for part in wrapped]
    unlabeled = [ds for ds in found
                 if ds.get(LABEL_TYPE_KEY, LABELED) == UNLABELED]
    parts = unlabeled or found
    return [active_split_cfg(part, label_type, image_ids,
                             one_of_several=len(parts) > 1) for part in parts]


def build_pool(dataloader_cfg: Mapping,
               label_type: str = UNLABELED,
               image_ids: Optional[IdsArg] = None,
               **overrides) -> List[Any]:
    """Every part of the pool (:func:`pool_part_cfgs`), built and
    initialised.

    Args:
        dataloader_cfg (Mapping): e.g. ``cfg.train_dataloader``.
        label_type (str): ``'unlabeled'`` or ``'labeled'``.
        image_ids (str | Sequence | None): an ids file or list; None: all.
        **overrides: keys set on every part's config, e.g. ``pipeline``,
            ``test_mode`` or ``ids_outside_pool``.

    Returns:
        list: the data sets, in config order.
    """
    if image_ids is not None and not isinstance(image_ids, (list, tuple)):
        image_ids = str(image_ids)
    parts = []
    for cfg in pool_part_cfgs(dataloader_cfg, label_type, image_ids):
        cfg.update(copy.deepcopy(overrides))
        parts.append(DATASETS.build(cfg))
        parts[-1].full_init()
    return parts


def build_pool_to_score(dataloader_cfg: Mapping, image_ids: IdsArg,
                        pipeline: List[dict]) -> List[Any]:
    """The unlabeled images ``image_ids`` as the parts a model scores,
    read through ``pipeline`` (a test pipeline): every listed image, none
    filtered (VOC's ``bbox_min_size`` filter refuses ``test_mode``)."""
    return build_pool(dataloader_cfg, UNLABELED, image_ids,
                      pipeline=pipeline, test_mode=True, filter_cfg=None)


def as_one_dataset(parts: Sequence[Any]) -> Any:
    """The pool's parts as one data set: the part itself, or a
    ``ConcatDataset`` of several (e.g. VOC2007 + VOC2012)."""
    if len(parts) == 1:
        return parts[0]
    return ConcatDataset(list(parts), ignore_keys=PART_METAINFO_KEYS)
