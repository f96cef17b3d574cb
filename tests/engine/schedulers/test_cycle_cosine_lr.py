"""CycleCosineLR in the CPU schedule: warm-up, then a cosine decay that
ends with the run, whatever length the loop gives the run."""
import copy
import math
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmdet.registry import PARAM_SCHEDULERS
from mmdet_alssl.engine.schedulers import CycleCosineLR

CONFIGS = Path(__file__).resolve().parents[3] / 'configs'
SCHEDULE = CONFIGS / '_base_' / 'schedules' / 'cpu_iters.py'
BASE_LR = 0.002


def lrs_of_run(max_iters, config=SCHEDULE, options=None):
    """lr of each iteration of a run, the schedulers built as MMEngine's
    Runner builds them (``end`` defaults to the train loop's max_iters),
    after ``options`` (``--cfg-options``) are merged into the config."""
    cfg = Config.fromfile(str(config))
    cfg.merge_from_dict(options or {})
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    schedulers = []
    with DefaultScope.overwrite_default_scope('mmdet'):
        for scheduler_cfg in cfg.param_scheduler:
            scheduler_cfg = copy.deepcopy(scheduler_cfg)
            scheduler_cfg.setdefault('end', max_iters)
            schedulers.append(
                PARAM_SCHEDULERS.build(scheduler_cfg, default_args=dict(
                    optimizer=optimizer)))
    assert isinstance(schedulers[-1], CycleCosineLR)
    lrs = []
    for _ in range(max_iters):
        lrs.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    return lrs


def test_decays_to_the_end_of_any_run_length():
    for max_iters in (100, 250):
        lrs = lrs_of_run(max_iters)
        assert lrs[0] == pytest.approx(BASE_LR * 0.01)
        assert lrs[30] == pytest.approx(BASE_LR)
        span = max_iters - 30
        for i in (30, 60, max_iters - 1):
            cosine = 0.05 + 0.95 * (1 + math.cos(math.pi * (i - 30) / span)) / 2
            assert lrs[i] == pytest.approx(BASE_LR * cosine, rel=1e-6), i
        # the last iteration is within one step of the floor
        assert lrs[-1] < BASE_LR * 0.06
        assert all(a >= b for a, b in zip(lrs[30:], lrs[31:]))


def test_a_run_that_ends_in_the_warm_up_is_not_refused():
    # the loop's zero-iteration acquisition run after a resume, and a short
    # --train-iters: the stock CosineAnnealingLR raises 'end should be larger
    # than begin' here
    assert lrs_of_run(0) == []
    lrs = lrs_of_run(20)
    assert lrs[0] == pytest.approx(BASE_LR * 0.01)
    assert all(a < b for a, b in zip(lrs, lrs[1:]))  # warm-up only


def test_warm_started_cycles_of_the_embedded_config_skip_the_warm_up():
    # a fine-tune of trained weights: its 60 iterations all train, from the
    # fine-tuning lr down the cosine (with the warm-up, the first 30 ran at
    # 1-100 % of it and the demo's cycle 2 fell below cycle 1)
    config = CONFIGS / 'alssl_ssd_lite0_synthetic_cpu.py'
    options = Config.fromfile(str(config)).active_learning[
        'warm_start_cfg_options']
    lr = options['optim_wrapper.optimizer.lr']
    lrs = lrs_of_run(60, config, options)
    for i in (0, 30, 59):
        cosine = 0.05 + 0.95 * (1 + math.cos(math.pi * i / 60)) / 2
        assert lrs[i] == pytest.approx(lr * cosine, rel=1e-6), i
    assert all(a > b for a, b in zip(lrs, lrs[1:]))
    # cycle 0 keeps the warm-up from ImageNet weights
    assert lrs_of_run(250, config)[0] == pytest.approx(BASE_LR * 0.01)
