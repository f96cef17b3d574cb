# CPU-scale FCOS: the Lite0 + 96-channel FPN of retinanet_lite0_128.py with
# MMDetection's FCOS head (the settings of its fcos_r50-caffe_fpn_gn-head
# config plus the centre-sampling / normalised-box / centerness-on-reg
# improvements), pseudo-label-aware, as a flip-consistency detector.
_base_ = './retinanet_lite0_128.py'

model = dict(
    neck=dict(add_extra_convs='on_output', relu_before_extra_convs=True),
    bbox_head=dict(
        _delete_=True,
        type='PseudoLabelFCOSHead',
        num_classes=20,  # set by each data set's config
        in_channels=96,
        stacked_convs=2,
        feat_channels=96,
        strides=[8, 16, 32, 64, 128],
        # mmdet's ranges (-1, 64, 128, 256, 512) divided by 4 for 128 px
        # images of ~10-40 px objects, so that they spread over levels
        regress_ranges=((-1, 16), (16, 32), (32, 64), (64, 128), (128, 1e8)),
        norm_on_bbox=True,
        centerness_on_reg=True,
        center_sampling=True,
        conv_bias=True,
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0,
                      alpha=0.25, loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=1.0),
        loss_centerness=dict(type='CrossEntropyLoss', use_sigmoid=True,
                             loss_weight=1.0)),
    # FCOS assigns its points itself: no assigner or sampler
    train_cfg=None,
    # 0.2, not SSD's 1: at 1 FCOS-Lite0 fell over the cycles
    # (docs/results/detectors.md, "At weight 1")
    consistency_weight=0.2)
