# Paper setting (Elezi et al., CVPR 2022, section 4) on PASCAL VOC07+12:
# SSD300-VGG16, trainval 07+12 (16,551 images) as the pool, 2,000 random
# initial labels, 5 cycles of +1,000, tau 0.99, half labeled / half unlabeled
# batches of 32, 120k iterations, SGD lr 1e-3 divided by 10 at 80k and 100k.
# A GPU job (tools/dist_train.sh, tools/al_loop.sh); data in
# data/VOCdevkit/VOC{2007,2012} as in MMDetection. The backbone loads mmdet's
# ImageNet VGG16 (a download) like mmdet's SSD300 config.
_base_ = [
    'mmdet::pascal_voc/ssd300_voc0712.py',
    './_base_/alssl_runtime.py',
]

model = dict(
    type='ConsistencySSD',
    bbox_head=dict(type='PseudoLabelSSDHead'))

active_learning = dict(
    initial=2000, budget=1000, cycles=5, strategy='unified', tau=0.99)

batch_size = 32
# The data set of mmdet's config as an active-learning pool (half labeled,
# half unlabeled batches); VOC2007 and VOC2012 are its two parts, RepeatDataset is dropped.
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
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=500),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[80000, 100000], gamma=0.1)
]
val_evaluator = dict(type='ClassAPVOCMetric')
test_evaluator = val_evaluator
custom_hooks = [
    dict(type='NumClassCheckHook'),
    dict(type='CheckInvalidLossHook', interval=50, priority='VERY_LOW'),
    dict(type='ActiveLearningHook', work_dir=None),
]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=10000))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(base_batch_size=32)
