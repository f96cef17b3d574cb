# CPU-scale mmdet-alssl on BCCD (VOC XML, ../shared/datasets/bccd) with
# RetinaNet on the ImageNet EfficientNet-Lite0 + FPN at 128 px: the
# detector of alssl_retinanet_lite0_synthetic_cpu.py, the data and cycles of
# alssl_ssd_lite0_bccd_cpu.py. Platelets are ~8x10 px at 128 px: prefer
# the 256 px variant, alssl_retinanet_lite0_bccd256_cpu.py.
#   tools/al_loop.sh configs/alssl_retinanet_lite0_bccd_cpu.py work_dirs/bccd_retinanet
_base_ = [
    './_base_/models/retinanet_lite0_128.py',
    './_base_/alssl_cpu.py',
    './_base_/datasets/bccd_voc.py',
]
model = dict(bbox_head=dict(num_classes=3))
# BCCD trainval has 292 images: 40 random, then 4 cycles of 30; τ 0.7 as
# on the embedded set (measured there, not here).
active_learning = dict(initial=40, budget=30, cycles=4, tau=0.7,
                       score_thr=0.3)
