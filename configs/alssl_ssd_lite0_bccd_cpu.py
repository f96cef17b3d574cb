# CPU-scale mmdet-alssl on BCCD (VOC XML, ../shared/datasets/bccd): SSD on
# ImageNet EfficientNet-Lite0 at 128 px, flip-consistency training,
# pseudo-label-aware loss and the active-learning hook. No download.
#   python tools/train.py configs/alssl_ssd_lite0_bccd_cpu.py
#   tools/al_loop.sh configs/alssl_ssd_lite0_bccd_cpu.py work_dirs/bccd
_base_ = [
    './_base_/alssl_ssd_lite0_cpu.py',
    './_base_/datasets/bccd_voc.py',
]
model = dict(bbox_head=dict(num_classes=3))
# BCCD trainval has 292 images: 40 random, then 4 cycles of 30.
active_learning = dict(initial=40, budget=30, cycles=4, score_thr=0.3)
