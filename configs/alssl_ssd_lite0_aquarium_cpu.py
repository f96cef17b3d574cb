# CPU-scale mmdet-alssl on Aquarium (COCO JSON, ../shared/datasets/aquarium,
# strongly imbalanced: 7 classes from fish 2669 boxes to starfish 116): SSD
# on ImageNet EfficientNet-Lite0 at 128 px.
#   tools/al_loop.sh configs/alssl_ssd_lite0_aquarium_cpu.py work_dirs/aquarium
_base_ = [
    './_base_/alssl_ssd_lite0_cpu.py',
    './_base_/datasets/aquarium_coco.py',
]
model = dict(bbox_head=dict(num_classes=7))
# train.json has 448 images: 60 random, then 4 cycles of 40.
active_learning = dict(initial=60, budget=40, cycles=4, score_thr=0.3)
