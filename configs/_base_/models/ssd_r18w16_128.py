# CPU-scale detector: SSD on a narrow ResNet-18 (base width 16, a quarter of
# the standard 64) at 128x128 px, trained from scratch (no download). It
# reuses mmdet's SSD300 model settings (assigner, sampler, coder, head,
# test_cfg) and swaps the backbone, neck widths and anchors.
# Why not SSDLite / MobileNetV2 x0.5 (the first CPU model): measured on the
# synthetic data, all 1200 images labeled, 400 iterations of 16 images, one
# run each: mAP 0.288 here vs 0.062 for SSDLite, at about half the time per
# iteration (dense 3x3 convolutions run far better on CPU than depthwise ones,
# and a plain ResNet trains faster from scratch).
_base_ = 'mmdet::_base_/models/ssd300.py'

input_size = 128
# ResNet-18 x1/4: stages 2 and 3 (strides 16 and 32) have 64 and 128 channels.
channels = (64, 128, 128, 64, 64, 64)
model = dict(
    type='ConsistencySSD',
    data_preprocessor=dict(std=[58.395, 57.12, 57.375]),
    backbone=dict(
        _delete_=True,
        type='ResNet',
        depth=18,
        base_channels=16,
        out_indices=(2, 3),
        norm_eval=False,  # from scratch: BN statistics must train
        zero_init_residual=False,
        init_cfg=None),  # ResNet's own Kaiming / constant init
    neck=dict(
        in_channels=channels[:2],
        out_channels=channels,
        level_strides=(2, 2, 2, 2),
        level_paddings=(1, 1, 1, 1),
        l2_norm_scale=None),
    bbox_head=dict(
        type='PseudoLabelSSDHead',
        num_classes=20,  # set by each data set's config
        in_channels=channels,
        anchor_generator=dict(
            _delete_=True,
            type='SSDAnchorGenerator',
            scale_major=False,
            # 128 px input: feature maps 8, 4, 2, 1, 1, 1. Smallest anchors
            # ~12 px so that small objects (e.g. platelets) get positives.
            strides=[16, 32, 64, 128, 128, 128],
            ratios=[[2, 3], [2, 3], [2, 3], [2, 3], [2, 3], [2, 3]],
            min_sizes=[12, 28, 48, 72, 96, 116],
            max_sizes=[28, 48, 72, 96, 116, 128])),
    test_cfg=dict(max_per_img=100))
cudnn_benchmark = False
