# The paper's protocol on MS-COCO (Elezi et al., CVPR 2022, section 4) with
# MMDetection's own RetinaNet R50-FPN 1x config instead of SSD300: the
# training set as the pool, 5,000 random initial labels, 5 cycles of
# +1,000, tau 0.75, half labeled / half unlabeled batches. A GPU job; data
# in data/coco/ as in MMDetection. The schedule is ours (not measured):
# mmdet's 1x (~90k iterations of 16) with half of each batch unlabeled.
_base_ = [
    'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    './_base_/alssl_runtime.py',
]

model = dict(
    type='ConsistencyDetector',
    bbox_head=dict(type='PseudoLabelRetinaHead'))

active_learning = dict(
    initial=5000, budget=1000, cycles=5, strategy='unified', tau=0.75)

batch_size = 16
train_dataloader = dict(
    batch_size=batch_size, batch_sampler=None,
    sampler=dict(type='SemiSupervisedSampler', batch_size=batch_size),
    dataset=dict(_delete_=True, type='ActiveLearningDataset',
                 dataset={{_base_.train_dataloader.dataset}}))

max_iters = 90000
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=500),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[60000, 80000], gamma=0.1)
]
val_evaluator = dict(classwise=True)
test_evaluator = val_evaluator
custom_hooks = [
    dict(type='NumClassCheckHook'),
    dict(type='CheckInvalidLossHook', interval=50, priority='VERY_LOW'),
    dict(type='ActiveLearningHook', work_dir=None),
]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=10000))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(base_batch_size=16)
