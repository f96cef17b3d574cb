# CPU-scale mmdet-alssl on BCCD (VOC XML, ../shared/datasets/bccd): SSDLite
# MobileNetV2 x0.5 at 128 px with flip-consistency training, pseudo-label
# aware loss and the active-learning hook. Trains a cycle in minutes on 2
# cores; no download.
#   python tools/train.py configs/alssl_ssdlite_bccd_cpu.py
#   tools/al_loop.sh configs/alssl_ssdlite_bccd_cpu.py work_dirs/bccd
_base_ = [
    './_base_/models/ssdlite_mnv2_half_128.py',
    './_base_/datasets/alssl_bccd_voc.py',
    './_base_/schedules/cpu_iters.py',
    'mmdet::_base_/default_runtime.py',
    './_base_/alssl_runtime.py',
]

model = dict(bbox_head=dict(num_classes=3))

# BCCD trainval has 292 images: 40 random, then 4 cycles of 30.
active_learning = dict(
    initial=40, budget=30, cycles=4, tau=0.9, score_thr=0.3)

train_dataloader = dict(batch_size=16, sampler=dict(batch_size=16))
val_evaluator = dict(type='ClassAPVOCMetric')
test_evaluator = val_evaluator

custom_hooks = [
    dict(type='NumClassCheckHook'),
    dict(type='CheckInvalidLossHook', interval=50, priority='VERY_LOW'),
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
