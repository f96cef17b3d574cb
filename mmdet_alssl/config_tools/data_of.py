"""A model config on another config's data. MMDetection ships no FCOS VOC
config, and MMEngine refuses two bases that set the same key (FCOS's COCO
data and VOC's), so a leaf inherits the model's config and replaces its
data keys with those of a data config::

    _base_ = ['mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py', ...]
    from mmdet_alssl.config_tools import data_of
    globals().update(data_of('mmdet::_base_/datasets/voc0712.py'))
"""
from typing import Dict

from mmengine.config import Config
from mmengine.hub import get_config

#: What a data config must set: each replaces the base's whole.
REQUIRED_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
                 'val_evaluator', 'test_evaluator')
#: What it may set besides (the variables its dataloaders were built from).
OPTIONAL_KEYS = ('dataset_type', 'data_root', 'backend_args',
                 'train_pipeline', 'test_pipeline')


def data_of(path: str) -> Dict[str, object]:
    """The data keys of the config at ``path`` (a file, or
    ``package::path`` inside an installed package's configs, as in
    ``_base_``), each dict marked ``_delete_`` so that it replaces the
    base's instead of merging into it (a COCO loader's ``ann_file`` must
    not survive under a VOC data set).

    Raises:
        ValueError: the config does not set every key of
            :data:`REQUIRED_KEYS`.
    """
    cfg = (get_config(path) if '::' in path else Config.fromfile(path)
           ).to_dict()
    missing = [key for key in REQUIRED_KEYS if key not in cfg]
    if missing:
        raise ValueError(f'data_of: {path} sets no {", ".join(missing)}; '
                         f'give a data config such as '
                         f"'mmdet::_base_/datasets/voc0712.py'")
    return {key: dict(cfg[key], _delete_=True)
            if isinstance(cfg[key], dict) else cfg[key]
            for key in REQUIRED_KEYS + OPTIONAL_KEYS if key in cfg}
