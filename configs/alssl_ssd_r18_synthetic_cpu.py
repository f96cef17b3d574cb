# The main job's config: CPU-scale mmdet-alssl on the embedded synthetic
# shapes data set (8 classes, a rare 'star', a confusable square /
# rounded_square pair; tools/make_synthetic_data.py makes it, `make demo`
# runs the loop on it).
#   tools/al_loop.sh configs/alssl_ssd_r18_synthetic_cpu.py work_dirs/demo
_base_ = [
    './_base_/alssl_ssd_r18_cpu.py',
    './_base_/datasets/alssl_synthetic_shapes_voc.py',
]

model = dict(bbox_head=dict(num_classes=8))
# Sized so that the whole loop (4 trainings of 250 iterations of 16 images,
# 3 scorings of the pool, 4 tests) fits `make demo`'s 20 minutes on 2 cores:
# later cycles continue from the previous weights instead of retraining.
active_learning = dict(
    initial=100, budget=50, cycles=3, tau=0.9, score_thr=0.3,
    warm_start=True)
train_cfg = dict(max_iters=250, val_interval=250)
val_evaluator = dict(type='ClassAPVOCMetric')
test_evaluator = val_evaluator
