# The paper's protocol on MS-COCO (Elezi et al., CVPR 2022, section 4) with
# MMDetection's own FCOS R50-caffe FPN GN-head 1x config: the training set
# as the pool, 5,000 random initial labels, 5 cycles of +1,000, tau 0.75,
# half labeled / half unlabeled batches; FCOS's model and optimizer (lr
# 0.01, bias lr x2, gradient clipping at 35) as mmdet's config sets them,
# its backbone from the Detectron caffe ResNet-50 (a download). A GPU job;
# data in data/coco/. The schedule is ours (not measured), as in
# alssl_retinanet_r50_coco.py.
_base_ = [
    'mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py',
    './_base_/alssl_runtime.py',
]

model = dict(
    type='ConsistencyDetector',
    bbox_head=dict(type='PseudoLabelFCOSHead'))

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
# mmdet's FCOS warm-up (lr / 3 for 500 iterations), then steps
param_scheduler = [
    dict(type='ConstantLR', factor=1.0 / 3, by_epoch=False, begin=0,
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
