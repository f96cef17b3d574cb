"""What turns an MMDetection training config into an active-learning one:
its training set as the pool, an iteration-based schedule (the
semi-supervised sampler never ends an epoch) and the plugin's hook. Every
paper config calls these on its own MMDetection base."""
from typing import List, Mapping, Optional, Sequence, Tuple

#: MMDetection's usual warm-up: lr x 0.001 rising to lr over 500 iterations.
LINEAR_WARMUP = dict(type='LinearLR', start_factor=0.001)


def active_learning_pool(train_dataloader: Mapping, batch_size: int) -> dict:
    """The override that makes ``train_dataloader``'s data set the pool:
    an ``ActiveLearningDataset`` around it (a ``RepeatDataset`` or
    ``ConcatDataset`` included, as the base builds it) and batches drawn
    half labeled, half unlabeled by ``SemiSupervisedSampler``.

    Args:
        train_dataloader (Mapping): the base config's ``train_dataloader``,
            or one marked ``_delete_`` that replaces it (:func:`data_of`):
            then the whole loader is returned, the overrides applied,
            since MMEngine takes a ``_delete_`` dict as it is.
        batch_size (int): images per batch, both halves.
    """
    sampler = dict(type='SemiSupervisedSampler', batch_size=batch_size)
    pool = dict(type='ActiveLearningDataset',
                dataset=train_dataloader['dataset'])
    if train_dataloader.get('_delete_'):
        return dict(train_dataloader, batch_size=batch_size,
                    batch_sampler=None,
                    sampler=dict(train_dataloader.get('sampler') or {},
                                 **sampler),
                    dataset=pool)
    return dict(batch_size=batch_size, batch_sampler=None, sampler=sampler,
                dataset=dict(_delete_=True, **pool))


def iteration_schedule(max_iters: int, milestones: Sequence[int],
                       warmup: Optional[Mapping] = None,
                       warmup_iters: int = 500) -> Tuple[dict, List[dict]]:
    """``train_cfg`` and ``param_scheduler`` of ``max_iters`` iterations:
    a warm-up, then the lr divided by 10 at each milestone; one validation
    at the end.

    Args:
        max_iters (int): iterations of a cycle.
        milestones (Sequence[int]): iterations where the lr drops x 0.1.
        warmup (Mapping, optional): the warm-up scheduler's type and factor
            (default :data:`LINEAR_WARMUP`; FCOS: ``ConstantLR``, factor
            1/3, as mmdet's FCOS config).
        warmup_iters (int): its length.
    """
    train_cfg = dict(_delete_=True, type='IterBasedTrainLoop',
                     max_iters=max_iters, val_interval=max_iters)
    param_scheduler = [
        dict(warmup or LINEAR_WARMUP, by_epoch=False, begin=0,
             end=warmup_iters),
        dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
             milestones=list(milestones), gamma=0.1)
    ]
    return train_cfg, param_scheduler


def active_learning_hooks(checkpoint_interval: int = 10000
                          ) -> Tuple[List[dict], dict, dict]:
    """``custom_hooks`` (MMDetection's checks and the
    ``ActiveLearningHook``), ``default_hooks`` (checkpoints by iteration)
    and ``log_processor`` (by iteration) of an iteration-based cycle."""
    custom_hooks = [
        dict(type='NumClassCheckHook'),
        dict(type='CheckInvalidLossHook', interval=50, priority='VERY_LOW'),
        dict(type='ActiveLearningHook', work_dir=None),
    ]
    default_hooks = dict(checkpoint=dict(by_epoch=False,
                                         interval=checkpoint_interval))
    return custom_hooks, default_hooks, dict(by_epoch=False)


def as_active_learning(base: Mapping, *, batch_size: int, max_iters: int,
                       milestones: Sequence[int],
                       warmup: Optional[Mapping] = None,
                       checkpoint_interval: int = 10000) -> dict:
    """Every override that makes the MMDetection config ``base`` an
    active-learning one (a leaf sets them with ``globals().update``):
    :func:`active_learning_pool`, :func:`iteration_schedule`,
    :func:`active_learning_hooks`, and ``auto_scale_lr`` at
    ``batch_size``. The leaf keeps its model, ``active_learning`` numbers
    and evaluators.

    Args:
        base (Mapping): the leaf's ``_base_``.
        batch_size, max_iters, milestones, warmup: see the functions above.
        checkpoint_interval (int): iterations between checkpoints.
    """
    train_cfg, param_scheduler = iteration_schedule(max_iters, milestones,
                                                    warmup)
    custom_hooks, default_hooks, log_processor = active_learning_hooks(
        checkpoint_interval)
    return dict(
        batch_size=batch_size, max_iters=max_iters,
        train_dataloader=active_learning_pool(base['train_dataloader'],
                                              batch_size),
        train_cfg=train_cfg, param_scheduler=param_scheduler,
        custom_hooks=custom_hooks, default_hooks=default_hooks,
        log_processor=log_processor,
        auto_scale_lr=dict(base_batch_size=batch_size))
