# Everything of a CPU-scale mmdet-alssl config but the model and the data:
# an iteration-based schedule, MMDetection's runtime, the plugin's runtime
# and hooks, the cycles. A model base (configs/_base_/models/*_lite0_128.py)
# and a data set base complete it (configs/_base_/alssl_ssd_lite0_cpu.py).
_base_ = [
    './schedules/cpu_iters.py',
    'mmdet::_base_/default_runtime.py',
    './alssl_runtime.py',
]

custom_hooks = [
    dict(type='NumClassCheckHook'),
    # every iteration, naming the term (CheckInvalidLossHook: every 50)
    dict(type='FiniteLossHook'),
    # Disabled (work_dir=None) unless tools/al_loop.sh points it at a cycle.
    dict(type='ActiveLearningHook', work_dir=None),
]
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=500, max_keep_ckpts=1),
    visualization=dict(draw=False))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
# CPU machines: gloo for tools/dist_train.sh (mmdet's default is nccl).
env_cfg = dict(dist_cfg=dict(backend='gloo'))
# The cycles of every CPU config: cycle 0 trains initial_iters from ImageNet,
# each later cycle fine-tunes the previous weights for train_cfg.max_iters at
# a quarter of the lr (pseudo-labels from a young model cost many points at
# the full lr) with no warm-up (the LinearLR a no-op, the cosine from
# iteration 0). Why: docs/findings.md.
active_learning = dict(
    initial_iters=250, warm_start=True,
    warm_start_cfg_options={
        'optim_wrapper.optimizer.lr': 5e-4,
        'param_scheduler.0.start_factor': 1.0,
        'param_scheduler.1.begin': 0})
train_cfg = dict(max_iters=100, val_interval=100)
