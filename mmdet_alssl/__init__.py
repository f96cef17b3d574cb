"""mmdet-alssl: active learning + semi-supervised training for MMDetection.

Importing the package (or ``custom_imports=dict(imports=['mmdet_alssl'])``
in a config) registers every component into ``mmdet.registry``.
"""
from ._version_guard import check_versions

check_versions()

from .version import __version__  # noqa: E402
# Registered components first (datasets, models, engine, evaluation); the
# acquisition functions and the loop are plain modules.
from . import (acquisition, datasets, engine, evaluation, loop,  # noqa
               models, registry)

__all__ = ['__version__']
