# Iteration-based CPU schedule for one active-learning cycle. The
# semi-supervised sampler is infinite, so cycles are measured in iterations.
# After a 30-iteration warm-up the learning rate follows a cosine down to
# 5 % at the end of the run, whatever its length (CycleCosineLR reads
# train_cfg.max_iters, which al_loop's --train-iters / --initial-iters set).
# AdamW at 2e-3, the same lr for backbone and head; why the decay:
# docs/findings.md.
max_iters = 600
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.002, weight_decay=1e-4),
    clip_grad=dict(max_norm=10.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=30),
    # to lr x 0.05 at the run's end, whatever train_cfg.max_iters the loop
    # gives the cycle (mmdet_alssl/engine/schedulers/cycle_cosine_lr.py)
    dict(type='CycleCosineLR', by_epoch=False, begin=30, eta_min_ratio=0.05),
]
