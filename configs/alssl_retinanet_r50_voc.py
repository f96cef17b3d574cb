# The paper's protocol (Elezi et al., CVPR 2022, section 4) on PASCAL
# VOC07+12 with MMDetection's own RetinaNet R50-FPN config instead of SSD300:
# trainval 07+12 (16,551 images) as the pool, 2,000 random initial labels,
# 5 cycles of +1,000, tau 0.99, half labeled / half unlabeled batches.
# A GPU job (tools/dist_train.sh, tools/al_loop.sh); data in
# data/VOCdevkit/VOC{2007,2012} as in MMDetection; the backbone loads
# torchvision's ResNet-50 (a download) as mmdet's config does.
# The schedule is ours (not measured): mmdet's 1x VOC is ~12.4k iterations
# of 16 fully labeled images; half of each batch here is unlabeled, so
# twice the iterations at mmdet's lr 0.01.
_base_ = [
    'mmdet::pascal_voc/retinanet_r50_fpn_1x_voc0712.py',
    './_base_/alssl_runtime.py',
]

model = dict(
    type='ConsistencyDetector',
    bbox_head=dict(type='PseudoLabelRetinaHead'))

active_learning = dict(
    initial=2000, budget=1000, cycles=5, strategy='unified', tau=0.99)

batch_size = 16
# The data set of mmdet's config as an active-learning pool (half labeled,
# half unlabeled batches); VOC2007 and VOC2012 are its two parts,
# RepeatDataset is dropped.
train_dataloader = dict(
    batch_size=batch_size, batch_sampler=None,
    sampler=dict(type='SemiSupervisedSampler', batch_size=batch_size),
    dataset=dict(_delete_=True, type='ActiveLearningDataset',
                 dataset={{_base_.train_dataloader.dataset}}))

max_iters = 24000
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=500),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[18000], gamma=0.1)
]
val_evaluator = dict(type='ClassAPVOCMetric')
test_evaluator = val_evaluator
custom_hooks = [
    dict(type='NumClassCheckHook'),
    dict(type='CheckInvalidLossHook', interval=50, priority='VERY_LOW'),
    dict(type='ActiveLearningHook', work_dir=None),
]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=4000))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(base_batch_size=16)
