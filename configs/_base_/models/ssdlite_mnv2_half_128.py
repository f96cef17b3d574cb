# CPU-scale detector: SSDLite (depthwise SSD neck and head) on MobileNetV2
# x0.5 at 128x128 px, trained from scratch (no download): ~0.01 s per image
# for forward+backward on 2 CPU cores (DESIGN.md section 3). It reuses mmdet's
# SSD300 model settings (assigner, sampler, coder, test_cfg) and swaps the
# backbone, neck and anchors, as mmdet's SSDLite config does at 320 px.
_base_ = 'mmdet::_base_/models/ssd300.py'

input_size = 128
norm_cfg = dict(type='BN', eps=0.001, momentum=0.03)
model = dict(
    type='ConsistencySSD',
    data_preprocessor=dict(std=[58.395, 57.12, 57.375]),
    backbone=dict(
        _delete_=True,
        type='MobileNetV2',
        widen_factor=0.5,
        out_indices=(4, 7),
        norm_cfg=norm_cfg,
        init_cfg=dict(type='TruncNormal', layer='Conv2d', std=0.03)),
    neck=dict(
        # MobileNetV2 x0.5: stage 4 has 48 channels, the last conv keeps 1280.
        in_channels=(48, 1280),
        out_channels=(48, 1280, 256, 128, 128, 64),
        level_strides=(2, 2, 2, 2),
        level_paddings=(1, 1, 1, 1),
        l2_norm_scale=None,
        use_depthwise=True,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU6'),
        init_cfg=dict(type='TruncNormal', layer='Conv2d', std=0.03)),
    bbox_head=dict(
        type='PseudoLabelSSDHead',
        num_classes=20,  # set by each data set's config
        in_channels=(48, 1280, 256, 128, 128, 64),
        use_depthwise=True,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU6'),
        init_cfg=dict(type='Normal', layer='Conv2d', std=0.001),
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
