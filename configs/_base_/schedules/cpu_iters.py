# Iteration-based CPU schedule for one active-learning cycle. The
# semi-supervised sampler is infinite, so cycles are measured in iterations.
# The learning rate is constant after a short warm-up, so that changing the
# length (--cfg-options train_cfg.max_iters=N, or al_loop's --train-iters)
# needs no other change. AdamW at 2e-3 on the ImageNet Lite0 SSD, all 1200
# synthetic images labeled, one run each (docs/benchmark.md): 300 iterations
# lr 1e-3 73.2, 2e-3 60.9, 4e-3 68.1, 8e-3 51.6 mAP@0.5; 600 iterations
# lr 2e-3 86.2, 4e-3 84.3. Same lr for backbone and head: a 0.1 backbone
# multiplier reached 20.4 at 300.
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
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=30)
]
