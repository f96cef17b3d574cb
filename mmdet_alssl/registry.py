"""The ``mmdet_alssl`` scope, so that any MMDetection project inherits the
plugin's configs as it inherits MMDetection's (``mmdet::ssd/...``):

    _base_ = 'mmdet_alssl::alssl/alssl_ssd_lite0_synthetic_cpu.py'

MMEngine reads such a base from the installed package
(``mmdet_alssl/.mim/configs``, the repository's ``configs/``) and builds
what it names under the scope ``mmdet_alssl``. The components are
registered into ``mmdet.registry``; each registry here is a child of
mmdet's with this scope, so a build under it finds them, and everything of
MMDetection and MMEngine, through its parent (as MMYOLO's registries do).
The package must be imported before such a config is parsed (the plugin's
``tools/`` and the loop do; MMEngine knows the scope from then on).
"""
from mmdet import registry as mmdet_registry
from mmengine.config.utils import MODULE2PACKAGE
from mmengine.registry import Registry

#: The scope name, and the module MMEngine resolves ``mmdet_alssl::`` to.
SCOPE = 'mmdet_alssl'


def _child(parent: Registry) -> Registry:
    # importing the package registers every component (into the parent)
    return Registry(parent.name, parent=parent, scope=SCOPE,
                    locations=[SCOPE])


RUNNERS = _child(mmdet_registry.RUNNERS)
RUNNER_CONSTRUCTORS = _child(mmdet_registry.RUNNER_CONSTRUCTORS)
LOOPS = _child(mmdet_registry.LOOPS)
HOOKS = _child(mmdet_registry.HOOKS)
DATASETS = _child(mmdet_registry.DATASETS)
DATA_SAMPLERS = _child(mmdet_registry.DATA_SAMPLERS)
TRANSFORMS = _child(mmdet_registry.TRANSFORMS)
MODELS = _child(mmdet_registry.MODELS)
MODEL_WRAPPERS = _child(mmdet_registry.MODEL_WRAPPERS)
WEIGHT_INITIALIZERS = _child(mmdet_registry.WEIGHT_INITIALIZERS)
OPTIMIZERS = _child(mmdet_registry.OPTIMIZERS)
OPTIM_WRAPPERS = _child(mmdet_registry.OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _child(
    mmdet_registry.OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _child(mmdet_registry.PARAM_SCHEDULERS)
METRICS = _child(mmdet_registry.METRICS)
EVALUATOR = _child(mmdet_registry.EVALUATOR)
TASK_UTILS = _child(mmdet_registry.TASK_UTILS)
VISUALIZERS = _child(mmdet_registry.VISUALIZERS)
VISBACKENDS = _child(mmdet_registry.VISBACKENDS)
LOG_PROCESSORS = _child(mmdet_registry.LOG_PROCESSORS)

# MMEngine resolves `<module>::<path>` bases only for the modules it lists.
MODULE2PACKAGE.setdefault(SCOPE, 'mmdet_alssl')
