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
# Sized for `make demo`'s 20 minutes on 2 cores: cycle 0 trains the base's
# 250 iterations from ImageNet (200 reached 45.3 / 40.9 on seeds 0 / 1
# against 52.8 / 46.7 at 250), each later cycle fine-tunes for 60 at the
# base's lr 5e-4 (seed 0: 57.3 / 63.9 / 65.1 / 67.6; at 1e-3
# 57.3 / 63.1 / 68.3 / 68.0). tau 0.99 keeps pseudo-label box precision
# >= 90% where 0.9 gave 84%.
active_learning = dict(initial=100, budget=50, cycles=3, tau=0.99,
                       score_thr=0.3)
train_cfg = dict(max_iters=60, val_interval=60)
