# Paper setting on MS-COCO (Elezi et al., CVPR 2022, section 4): SSD300-VGG16,
# the training set as the pool, 5,000 random initial labels, 5 cycles of
# +1,000, tau 0.75, half labeled / half unlabeled batches of 32, 120k
# iterations. A GPU job; data in data/coco/ as in MMDetection:
# annotations/instances_{train,val}2017.json, train2017/, val2017/ (the
# paper's train2014 + val35k is the same images as train2017).
_base_ = [
    'mmdet::ssd/ssd300_coco.py',
    './_base_/alssl_runtime.py',
]

model = dict(
    type='ConsistencySSD',
    bbox_head=dict(type='PseudoLabelSSDHead'))

active_learning = dict(
    initial=5000, budget=1000, cycles=5, strategy='unified', tau=0.75)

batch_size = 32
# The data set of mmdet's config as an active-learning pool (half labeled,
# half unlabeled batches); its parts and repetition are handled there.
train_dataloader = dict(
    batch_size=batch_size, batch_sampler=None,
    sampler=dict(type='SemiSupervisedSampler', batch_size=batch_size),
    dataset=dict(_delete_=True, type='ActiveLearningDataset',
                 dataset={{_base_.train_dataloader.dataset}}))

max_iters = 120000
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=max_iters)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=500),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[80000, 100000], gamma=0.1)
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
auto_scale_lr = dict(base_batch_size=32)
