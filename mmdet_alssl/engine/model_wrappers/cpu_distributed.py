"""Distributed data parallel on CPU processes (gloo)."""
from mmengine.model import MMDistributedDataParallel
# MMEngine's registry, not mmdet's child: Runner.wrap_model looks the wrapper
# up there (as it does MMDistributedDataParallel), under any default scope.
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` for a model on the CPU.

    MMEngine's Runner passes ``device_ids=[LOCAL_RANK]``, which torch's DDP
    refuses for a CPU module ("device_ids ... must be None"); this wrapper
    drops them and changes nothing else. :func:`prepare_cpu_distributed`
    selects it when ``--launcher pytorch`` runs on a machine without CUDA.
    """

    def __init__(self, module, device_ids=None, **kwargs) -> None:
        super().__init__(module=module, device_ids=None, **kwargs)
