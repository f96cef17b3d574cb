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
from mmdet_alssl.config_tools import as_active_learning  # noqa: E402

model = dict(
    type='ConsistencySSD',
    bbox_head=dict(type='PseudoLabelSSDHead'))

active_learning = dict(
    initial=5000, budget=1000, cycles=5, strategy='unified', tau=0.75)

# The training set of mmdet's config as the pool (batches of 32, half
# labeled, half unlabeled; its parts and repetition are handled there);
# iterations, not epochs.
globals().update(as_active_learning(
    _base_, batch_size=32, max_iters=120000, milestones=[80000, 100000]))
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4))
val_evaluator = dict(classwise=True)
test_evaluator = val_evaluator
