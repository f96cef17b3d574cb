# The main job's config: CPU-scale mmdet-alssl on the embedded synthetic
# shapes data set (8 classes, a rare 'star', a confusable square /
# rounded_square pair; tools/make_synthetic_data.py makes it, `make demo`
# runs the loop on it). SSD on ImageNet EfficientNet-Lite0 at 128 px.
#   tools/al_loop.sh configs/alssl_ssd_lite0_synthetic_cpu.py work_dirs/demo
_base_ = [
    './_base_/alssl_ssd_lite0_cpu.py',
    './_base_/datasets/synthetic_shapes_voc.py',
]
model = dict(bbox_head=dict(num_classes=8))
# Sized for `make demo` on 2 cores: 3 cycles, and later cycles fine-tune
# 60 iterations instead of the base's 100.
active_learning = dict(initial=100, budget=50, cycles=3, score_thr=0.3)
train_cfg = dict(max_iters=60, val_interval=60)
