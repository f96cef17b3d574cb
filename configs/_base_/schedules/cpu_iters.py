# Iteration-based CPU schedule for one active-learning cycle. The
# semi-supervised sampler is infinite, so cycles are measured in iterations;
# change the length with --cfg-options train_cfg.max_iters=N (the LR steps
# follow as fractions only if you also override param_scheduler).
max_iters = 1500
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=4e-5),
    clip_grad=dict(max_norm=10.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=max_iters,
         T_max=max_iters, eta_min=1e-4)
]
