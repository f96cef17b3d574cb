"""Functions a config file calls where MMEngine's inheritance cannot share
a block: it refuses two bases that set the same key, and a base's derived
values (pipelines from an image size) are fixed before a leaf can change
them. Each returns plain dicts that merge into the config like any other
value, so a dumped config shows the result, not the call::

    _base_ = './alssl_ssd_lite0_bccd_cpu.py'
    from mmdet_alssl.config_tools import at_input_size
    globals().update(at_input_size(_base_, 256))
"""
from .active_learning_wrap import (active_learning_hooks,
                                   active_learning_pool, as_active_learning,
                                   iteration_schedule)
from .data_of import data_of
from .input_size import at_input_size
from .lite0 import lite0_backbone, lite0_data_preprocessor

__all__ = ['active_learning_hooks', 'active_learning_pool',
           'as_active_learning', 'at_input_size', 'data_of',
           'iteration_schedule', 'lite0_backbone', 'lite0_data_preprocessor']
