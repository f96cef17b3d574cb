"""FiniteLossHook: the first non-finite loss stops training, named."""
import math
from types import SimpleNamespace

import pytest
import torch

from mmdet.registry import HOOKS
from mmdet_alssl.engine.hooks import FiniteLossHook


def test_finite_losses_pass_and_the_first_nan_stops():
    hook = FiniteLossHook()
    runner = SimpleNamespace(iter=2)
    hook.after_train_iter(runner, 0, outputs=dict(
        loss=torch.tensor(3.0), loss_cls=torch.tensor(1.0), grad_norm=math.nan))
    with pytest.raises(FloatingPointError,
                       match=r'iteration 3: loss_bbox is nan; .*inside the '
                       r'image'):
        hook.after_train_iter(runner, 0, outputs=dict(
            loss=torch.tensor(1.0), loss_bbox=torch.tensor(math.nan)))
    with pytest.raises(FloatingPointError, match='loss is inf'):
        hook.after_train_iter(runner, 0, outputs=dict(loss=math.inf))


def test_registered_and_in_the_cpu_configs():
    from mmengine.config import Config
    assert HOOKS.get('FiniteLossHook') is FiniteLossHook
    cfg = Config.fromfile('configs/alssl_ssd_lite0_synthetic_cpu.py')
    assert 'FiniteLossHook' in [h['type'] for h in cfg.custom_hooks]
