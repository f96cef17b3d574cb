# The embedded shapes set as a redundant pool: twice the images, and only
# 10 % of them hard (small, low-contrast, cluttered) against the default
# set's 30 %, as in fleet or video data where most frames repeat what the
# model already knows (docs/results/synthetic.md); everything else is the
# main config's. Make the data first:
#   tools/make_synthetic_data.py data/synthetic_shapes_redundant --seed 0 \
#       --num-train 2400 --hard-fraction 0.1
_base_ = './alssl_ssd_lite0_synthetic_cpu.py'

data = dict(data_root='data/synthetic_shapes_redundant/')
train_dataloader = dict(dataset=dict(dataset=data))
val_dataloader = dict(dataset=data)
test_dataloader = val_dataloader
