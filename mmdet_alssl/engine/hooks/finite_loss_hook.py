"""Stop training at the first non-finite loss, saying what to check."""
import math
from typing import Optional

from mmengine.hooks import Hook

from mmdet.registry import HOOKS


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise ``FloatingPointError`` as soon as a logged loss is NaN or inf.

    MMDetection's ``CheckInvalidLossHook`` looks every 50 iterations and
    fails with a bare ``AssertionError``; a NaN in iteration 3 would by then
    have ruined the weights that the active-learning loop scores and
    selects with. This hook checks every iteration (one ``isfinite`` per
    logged loss, negligible) and names the iteration and the term.
    """
    priority = 'VERY_LOW'

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        for name, value in (outputs or {}).items():
            if 'loss' not in name:
                continue
            number = float(value.detach()) if hasattr(value, 'detach') \
                else float(value)
            if not math.isfinite(number):
                raise FloatingPointError(
                    f'iteration {runner.iter + 1}: {name} is {number}; the '
                    f'weights are no longer usable. Check the boxes of the '
                    f'labeled images (inside the image, positive size) and '
                    f'the learning rate (optim_wrapper.optimizer.lr)')
