"""Any MMDetection COCO / VOC data set config as an active-learning pool.

A user already has a training data set config that works with MMDetection;
``ActiveLearningDataset`` takes it as is and builds the two parts a cycle
trains on, labeled (+ pseudo-labeled) and unlabeled, from the cycle's id
files::

    train_dataloader = dict(
        sampler=dict(type='SemiSupervisedSampler', batch_size=16),
        batch_sampler=None,
        dataset=dict(_delete_=True, type='ActiveLearningDataset',
                     dataset={{_base_.train_dataloader.dataset}}))

Every data set under the given config's wrappers (``ConcatDataset``,
``RepeatDataset``, ...) is one part of the pool, e.g. VOC2007 and VOC2012;
each part becomes the matching active-split class (:func:`active_split_cfg`):
``CocoDataset`` and its subclasses -> ``ALCocoDataset``, ``XMLDataset``
(``VOCDataset``) and its subclasses -> ``ALVOCDataset``. Repetition is
dropped: the semi-supervised sampler is infinite.
"""
import copy
from typing import Any, List, Mapping, Optional

from mmdet.datasets import CocoDataset, XMLDataset
from mmdet.registry import DATASETS
from mmengine.dataset import ConcatDataset

from .active_split import ActiveSplitMixin
from .label_type import LABEL_TYPE_KEY, LABELED, UNLABELED
from .split_files import IdsArg

#: Config keys under which data set wrappers keep their inner data set(s).
WRAPPED_KEYS = ('dataset', 'datasets')
#: Metainfo that differs between the parts of one pool (VOC2007 / VOC2012)
#: without changing what they mean.
PART_METAINFO_KEYS = ['dataset_type']


def registered_class(type_, registry=DATASETS) -> Any:
    """The class a config ``type`` names (a registered name or the class
    itself), or None if it names none."""
    if isinstance(type_, str):
        return registry.get(type_)
    return type_ if isinstance(type_, type) else None


def pool_parts(dataset_cfg: Any) -> List[dict]:
    """The data set configs under ``dataset_cfg``'s wrappers, in order.

    Args:
        dataset_cfg (dict | list): a data set config, a wrapper of some
            (``dataset`` / ``datasets`` keys, nested) or a list of them.
    """
    if isinstance(dataset_cfg, (list, tuple)):
        return [part for cfg in dataset_cfg for part in pool_parts(cfg)]
    if not isinstance(dataset_cfg, Mapping) or 'type' not in dataset_cfg:
        raise ValueError(f'ActiveLearningDataset: {dataset_cfg!r} is not a '
                         f'data set config (a dict with a "type")')
    for key in WRAPPED_KEYS:
        if key in dataset_cfg:
            return pool_parts(dataset_cfg[key])
    return [copy.deepcopy(dict(dataset_cfg))]


def active_split_cfg(part_cfg: Mapping,
                     label_type: str,
                     image_ids: IdsArg,
                     pseudo_labels_file: Optional[str] = None,
                     labels_file: Optional[str] = None,
                     one_of_several: bool = False) -> dict:
    """One pool part as an active-split data set of ``label_type`` over
    ``image_ids`` (None: all its images).

    Args:
        part_cfg (Mapping): a COCO- or VOC-format data set config.
        label_type (str): ``'labeled'`` or ``'unlabeled'``.
        image_ids (str | Sequence | None): an ids file or list.
        pseudo_labels_file (str, optional): for an unlabeled view;
        labels_file (str, optional): for a labeled view; the part's own
            ones are never kept.
        one_of_several (bool): the pool has other parts, which hold the ids
            this one lacks.

    Raises:
        ValueError: a type that is neither COCO nor VOC format, naming it.
    """
    cfg = copy.deepcopy(dict(part_cfg))
    cls = registered_class(cfg.get('type'))
    if cls is None:
        raise ValueError(f'data set type {cfg.get("type")!r} is not '
                         f'registered in mmdet.registry.DATASETS; check the '
                         f'name (and custom_imports)')
    if not issubclass(cls, ActiveSplitMixin):
        if issubclass(cls, CocoDataset):
            cfg['type'] = 'ALCocoDataset'
        elif issubclass(cls, XMLDataset):
            cfg['type'] = 'ALVOCDataset'
        else:
            raise ValueError(
                f'data set type {cls.__name__} is neither COCO format '
                f'(a CocoDataset subclass) nor VOC format (an XMLDataset '
                f'subclass), so the plugin cannot restrict it to a cycle\'s '
                f'ids; convert the annotations to COCO JSON, or subclass '
                f'mmdet_alssl.datasets.active_split.ActiveSplitMixin')
        # the classes a subclass declares would be lost with its type
        cfg.setdefault('metainfo', copy.deepcopy(dict(cls.METAINFO)))
    # the split is exactly the ids: an image labeled "nothing here" still
    # teaches background, and an unlabeled one has no boxes by design
    cfg['filter_cfg'] = dict(cfg.get('filter_cfg') or {},
                             filter_empty_gt=False)
    cfg.update({LABEL_TYPE_KEY: label_type, 'image_ids_file': image_ids})
    cfg.pop('pseudo_labels_file', None)
    cfg.pop('labels_file', None)
    if label_type == LABELED and labels_file is not None:
        cfg['labels_file'] = labels_file
    if label_type == UNLABELED and pseudo_labels_file is not None:
        cfg['pseudo_labels_file'] = pseudo_labels_file
    if one_of_several:
        cfg['ids_outside_pool'] = 'ignore'
    return cfg


@DATASETS.register_module()
class ActiveLearningDataset(ConcatDataset):
    """A user's detection data set as one cycle's training set:
    ``ConcatDataset([labeled, unlabeled])``, the two parts
    ``SemiSupervisedSampler`` draws from.

    Args:
        dataset (dict | list): the user's training data set config (COCO or
            VOC format; wrappers and several parts allowed).
        labeled_ids_file (str | Sequence | None): ids of the labeled part;
            None (default): every pool image labeled.
        unlabeled_ids_file (str | Sequence | None): ids of the unlabeled
            part; default ``[]``: none.
        pseudo_labels_file (str, optional): pseudo boxes of some unlabeled
            images; they train with the unlabeled part (half of a batch
            stays human labels, however many images are pseudo-labeled).
        labels_file (str, optional): boxes a human drew (``--human``).

    The loop sets the four file arguments of each cycle (``--cfg-options
    train_dataloader.dataset.labeled_ids_file=...``).
    """

    def __init__(self,
                 dataset: Any,
                 labeled_ids_file: IdsArg = None,
                 unlabeled_ids_file: IdsArg = (),
                 pseudo_labels_file: Optional[str] = None,
                 labels_file: Optional[str] = None) -> None:
        parts = pool_parts(dataset)
        several = len(parts) > 1
        labeled = [
            active_split_cfg(p, LABELED, labeled_ids_file,
                             labels_file=labels_file, one_of_several=several)
            for p in parts
        ]
        unlabeled = [
            active_split_cfg(p, UNLABELED, unlabeled_ids_file,
                             pseudo_labels_file=pseudo_labels_file,
                             one_of_several=several) for p in parts
        ]
        # A ConcatDataset of parts records its 'cumulative_sizes' in its
        # metainfo, which differ between the labeled and unlabeled views.
        super().__init__(
            datasets=[self._build(labeled), self._build(unlabeled)],
            ignore_keys=PART_METAINFO_KEYS + ['cumulative_sizes'])

    @staticmethod
    def _build(cfgs: List[dict]):
        """One view of the pool: a data set, or a ConcatDataset of parts
        (as a config: mmengine's ConcatDataset takes a nested one only so)."""
        datasets = [DATASETS.build(cfg) for cfg in cfgs]
        if len(datasets) == 1:
            return datasets[0]
        return dict(type='ConcatDataset', datasets=datasets,
                    ignore_keys=PART_METAINFO_KEYS)
