# Everything of a CPU-scale mmdet-alssl config but the data: SSD on
# EfficientNet-Lite0 (ImageNet) at 128 px, an iteration-based schedule, MMDetection's
# runtime, the plugin's runtime and hooks. A leaf config adds a data set base
# and sets model.bbox_head.num_classes and its active-learning numbers.
_base_ = [
    './models/ssd_lite0_128.py',
    './alssl_cpu.py',
]
