# CPU-scale RetinaNet: MMDetection's RetinaNet on the ImageNet
# EfficientNet-Lite0 (as configs/_base_/models/ssd_lite0_128.py) with a
# 96-channel FPN, as a flip-consistency detector with the pseudo-label-aware
# head. Its all-labels ceiling and AL results: docs/results/detectors.md.
_base_ = 'mmdet::_base_/models/retinanet_r50_fpn.py'
from mmdet_alssl.config_tools import (lite0_backbone,  # noqa: E402
                                      lite0_data_preprocessor)

model = dict(
    type='ConsistencyDetector',
    data_preprocessor=lite0_data_preprocessor(),
    backbone=lite0_backbone(),
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
        anchor_generator=dict(octave_base_scale=2)),
    # The flip-consistency loss at 0.1, not SSD's 1: at 1 RetinaNet-Lite0's
    # cycle 0 hardly learned (docs/benchmark/retinanet_consistency_weight);
    # over warm-started cycles 0.1 beat 0.2 at every cycle of both runs
    # (docs/results/detectors.md). FCOS's base sets its own.
    consistency_weight=0.1)
cudnn_benchmark = False
