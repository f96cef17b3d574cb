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
from mmdet_alssl.config_tools import as_active_learning  # noqa: E402

model = dict(
    type='ConsistencySSD',
    bbox_head=dict(type='PseudoLabelSSDHead'))

active_learning = dict(
    initial=2000, budget=1000, cycles=5, strategy='unified', tau=0.99)

# The training set of mmdet's config as the pool (batches of 32, half
# labeled, half unlabeled); VOC2007 and VOC2012 are its two
# parts, RepeatDataset is dropped; iterations, not epochs.
globals().update(as_active_learning(
    _base_, batch_size=32, max_iters=120000, milestones=[80000, 100000]))
val_evaluator = dict(type='ClassAPVOCMetric')
test_evaluator = val_evaluator
