"""Cosine learning-rate decay to the end of whatever run it is in.

An active-learning cycle's length is set per run (``train_cfg.max_iters``,
al_loop's ``--train-iters`` / ``--initial-iters``), so the decay cannot be
written into the config as fixed iterations. MMEngine's Runner gives a
scheduler without ``end`` the train loop's ``max_iters``; this scheduler
decays from ``begin`` (the end of the warm-up) to that end. A run no longer
than the warm-up (the loop's zero-iteration acquisition run after a resume,
or ``--train-iters 10``) has nothing to decay: the stock
``CosineAnnealingLR`` refuses ``end <= begin``, this one stays constant.

Why decay at all (measured; docs/findings.md): with the lr constant after
warm-up, a 250-iteration cycle 0 stopped mid-descent and its mAP spread over
seeds (50.6 / 36.2 / 30.7) was larger than any acquisition strategy's effect.
"""
from mmengine.optim.scheduler import CosineAnnealingLR

from mmdet.registry import PARAM_SCHEDULERS


@PARAM_SCHEDULERS.register_module()
class CycleCosineLR(CosineAnnealingLR):
    """``CosineAnnealingLR`` over ``[begin, end)`` where ``end`` may be at
    or before ``begin`` (then the lr is left as it is).

    Args:
        begin (int): first iteration of the decay (the warm-up's end).
        end (int): the run's last iteration; the Runner fills in
            ``max_iters`` when the config leaves it out.
        eta_min_ratio (float): final lr as a fraction of the initial one.
        Other arguments as ``CosineAnnealingLR``.
    """

    def __init__(self, optimizer, *, begin: int = 0, end: int, **kwargs):
        # A run that ends in the warm-up: one idle step past its end, never
        # reached, so the scheduler exists (and resumes) but changes nothing.
        super().__init__(
            optimizer, begin=begin, end=max(end, begin + 1), **kwargs)
