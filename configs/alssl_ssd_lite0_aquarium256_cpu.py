# Aquarium at 256 px: configs/alssl_ssd_lite0_aquarium_cpu.py with images
# read at 256 px and the priors doubled. At 128 px the median fish (~12x8 px)
# and penguin (~7x7) are under the smallest priors (10 px every 8 px).
#   tools/al_loop.sh configs/alssl_ssd_lite0_aquarium256_cpu.py work_dirs/aquarium256
# The 256 px block restates configs/alssl_ssd_lite0_bccd256_cpu.py's: MMEngine
# refuses two bases that set the same key (both set the pipelines), so each
# 256 px leaf rescales its own data set's pipelines.
_base_ = './alssl_ssd_lite0_aquarium_cpu.py'

img_scale = (256, 256)
# the base's pipelines, every Resize at the new scale
train_pipeline = [dict(t, scale=img_scale) if t.type == 'Resize' else t
                  for t in _base_.train_pipeline]
test_pipeline = [dict(t, scale=img_scale) if t.type == 'Resize' else t
                 for t in _base_.test_pipeline]
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
# Lite0's strides 8, 16, 32 and the neck's 64, 128, 256 give 32x32 ... 1x1
# maps at 256 px; every prior size doubles with the image.
model = dict(bbox_head=dict(anchor_generator=dict(
    strides=[8, 16, 32, 64, 128, 256],
    min_sizes=[20, 40, 80, 128, 176, 224],
    max_sizes=[40, 80, 128, 176, 224, 256])))
