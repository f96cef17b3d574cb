active_learning = dict(
    budget=50,
    cycles=3,
    initial=100,
    initial_iters=250,
    pseudo_labels=True,
    pseudo_max_count_ratio=2.0,
    score_thr=0.3,
    seed=0,
    strategy='unified',
    tau=0.99,
    warm_start=True,
    warm_start_cfg_options=dict({
        'optim_wrapper.optimizer.lr': 0.0005,
        'param_scheduler.0.start_factor': 1.0,
        'param_scheduler.1.begin': 0
    }))
backend_args = None
channels = (
    40,
    112,
    320,
    128,
    128,
    64,
)
cudnn_benchmark = False
custom_hooks = [
    dict(type='NumClassCheckHook'),
    dict(type='FiniteLossHook'),
    dict(type='ActiveLearningHook', work_dir=None),
]
custom_imports = dict(
    allow_failed_imports=False, imports=[
        'mmdet_alssl',
    ])
data = dict(
    data_root='data/synthetic_shapes/',
    metainfo=dict(
        classes=(
            'circle',
            'square',
            'rounded_square',
            'triangle',
            'cross',
            'ring',
            'arrow',
            'star',
        ),
        palette=[
            (
                220,
                20,
                60,
            ),
            (
                0,
                0,
                230,
            ),
            (
                106,
                0,
                228,
            ),
            (
                0,
                182,
                199,
            ),
            (
                255,
                77,
                255,
            ),
            (
                0,
                226,
                252,
            ),
            (
                163,
                255,
                0,
            ),
            (
                255,
                179,
                0,
            ),
        ]))
data_root = 'data/synthetic_shapes/'
default_hooks = dict(
    checkpoint=dict(
        _scope_='mmdet',
        by_epoch=False,
        interval=500,
        max_keep_ckpts=1,
        type='CheckpointHook'),
    logger=dict(_scope_='mmdet', interval=20, type='LoggerHook'),
    param_scheduler=dict(_scope_='mmdet', type='ParamSchedulerHook'),
    sampler_seed=dict(_scope_='mmdet', type='DistSamplerSeedHook'),
    timer=dict(_scope_='mmdet', type='IterTimerHook'),
    visualization=dict(
        _scope_='mmdet', draw=False, type='DetVisualizationHook'))
default_scope = 'mmdet'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='gloo'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
img_scale = (
    128,
    128,
)
input_size = 300
load_from = None
log_level = 'INFO'
log_processor = dict(
    _scope_='mmdet', by_epoch=False, type='LogProcessor', window_size=50)
max_iters = 600
metainfo = dict(
    classes=(
        'circle',
        'square',
        'rounded_square',
        'triangle',
        'cross',
        'ring',
        'arrow',
        'star',
    ),
    palette=[
        (
            220,
            20,
            60,
        ),
        (
            0,
            0,
            230,
        ),
        (
            106,
            0,
            228,
        ),
        (
            0,
            182,
            199,
        ),
        (
            255,
            77,
            255,
        ),
        (
            0,
            226,
            252,
        ),
        (
            163,
            255,
            0,
        ),
        (
            255,
            179,
            0,
        ),
    ])
model = dict(
    _scope_='mmdet',
    backbone=dict(
        init_cfg=dict(
            checkpoint='efficientnet-lite://lite0', type='Pretrained'),
        norm_eval=False,
        out_indices=(
            3,
            4,
            5,
        ),
        type='EfficientNetLite'),
    bbox_head=dict(
        anchor_generator=dict(
            max_sizes=[
                20,
                40,
                64,
                88,
                112,
                128,
            ],
            min_sizes=[
                10,
                20,
                40,
                64,
                88,
                112,
            ],
            ratios=[
                [
                    2,
                    3,
                ],
                [
                    2,
                    3,
                ],
                [
                    2,
                    3,
                ],
                [
                    2,
                    3,
                ],
                [
                    2,
                    3,
                ],
                [
                    2,
                    3,
                ],
            ],
            scale_major=False,
            strides=[
                8,
                16,
                32,
                64,
                128,
                128,
            ],
            type='SSDAnchorGenerator'),
        bbox_coder=dict(
            target_means=[
                0.0,
                0.0,
                0.0,
                0.0,
            ],
            target_stds=[
                0.1,
                0.1,
                0.2,
                0.2,
            ],
            type='DeltaXYWHBBoxCoder'),
        in_channels=(
            40,
            112,
            320,
            128,
            128,
            64,
        ),
        num_classes=8,
        type='PseudoLabelSSDHead'),
    data_preprocessor=dict(
        bgr_to_rgb=True,
        mean=[
            127.0,
            127.0,
            127.0,
        ],
        pad_size_divisor=1,
        std=[
            128.0,
            128.0,
            128.0,
        ],
        type='DetDataPreprocessor'),
    neck=dict(
        in_channels=(
            40,
            112,
            320,
        ),
        l2_norm_scale=None,
        level_paddings=(
            1,
            1,
            1,
        ),
        level_strides=(
            2,
            2,
            2,
        ),
        out_channels=(
            40,
            112,
            320,
            128,
            128,
            64,
        ),
        type='SSDNeck'),
    test_cfg=dict(
        max_per_img=100,
        min_bbox_size=0,
        nms=dict(iou_threshold=0.45, type='nms'),
        nms_pre=1000,
        score_thr=0.02),
    train_cfg=dict(
        allowed_border=-1,
        assigner=dict(
            gt_max_assign_all=False,
            ignore_iof_thr=-1,
            min_pos_iou=0.0,
            neg_iou_thr=0.5,
            pos_iou_thr=0.5,
            type='MaxIoUAssigner'),
        debug=False,
        neg_pos_ratio=3,
        pos_weight=-1,
        sampler=dict(type='PseudoSampler'),
        smoothl1_beta=1.0),
    type='ConsistencySSD')
optim_wrapper = dict(
    clip_grad=dict(max_norm=10.0),
    optimizer=dict(lr=0.002, type='AdamW', weight_decay=0.0001),
    type='OptimWrapper')
param_scheduler = [
    dict(begin=0, by_epoch=False, end=30, start_factor=0.01, type='LinearLR'),
    dict(begin=30, by_epoch=False, eta_min_ratio=0.05, type='CycleCosineLR'),
]
randomness = dict(seed=0)
resume = False
test_cfg = dict(type='TestLoop')
test_dataloader = dict(
    batch_size=8,
    dataset=dict(
        ann_file='ImageSets/Main/test.txt',
        backend_args=None,
        data_prefix=dict(sub_data_root=''),
        data_root='data/synthetic_shapes/',
        metainfo=dict(
            classes=(
                'circle',
                'square',
                'rounded_square',
                'triangle',
                'cross',
                'ring',
                'arrow',
                'star',
            ),
            palette=[
                (
                    220,
                    20,
                    60,
                ),
                (
                    0,
                    0,
                    230,
                ),
                (
                    106,
                    0,
                    228,
                ),
                (
                    0,
                    182,
                    199,
                ),
                (
                    255,
                    77,
                    255,
                ),
                (
                    0,
                    226,
                    252,
                ),
                (
                    163,
                    255,
                    0,
                ),
                (
                    255,
                    179,
                    0,
                ),
            ]),
        pipeline=[
            dict(backend_args=None, type='LoadImageFromFile'),
            dict(keep_ratio=False, scale=(
                128,
                128,
            ), type='Resize'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(
                meta_keys=(
                    'img_id',
                    'img_path',
                    'ori_shape',
                    'img_shape',
                    'scale_factor',
                ),
                type='PackDetInputs'),
        ],
        test_mode=True,
        type='VOCDataset'),
    drop_last=False,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
test_evaluator = dict(eval_mode='area', metric='mAP', type='ClassAPVOCMetric')
test_pipeline = [
    dict(backend_args=None, type='LoadImageFromFile'),
    dict(keep_ratio=False, scale=(
        128,
        128,
    ), type='Resize'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        meta_keys=(
            'img_id',
            'img_path',
            'ori_shape',
            'img_shape',
            'scale_factor',
        ),
        type='PackDetInputs'),
]
train_cfg = dict(max_iters=60, type='IterBasedTrainLoop', val_interval=60)
train_dataloader = dict(
    batch_sampler=None,
    batch_size=16,
    dataset=dict(
        dataset=dict(
            ann_file='ImageSets/Main/trainval.txt',
            backend_args=None,
            data_prefix=dict(sub_data_root=''),
            data_root='data/synthetic_shapes/',
            metainfo=dict(
                classes=(
                    'circle',
                    'square',
                    'rounded_square',
                    'triangle',
                    'cross',
                    'ring',
                    'arrow',
                    'star',
                ),
                palette=[
                    (
                        220,
                        20,
                        60,
                    ),
                    (
                        0,
                        0,
                        230,
                    ),
                    (
                        106,
                        0,
                        228,
                    ),
                    (
                        0,
                        182,
                        199,
                    ),
                    (
                        255,
                        77,
                        255,
                    ),
                    (
                        0,
                        226,
                        252,
                    ),
                    (
                        163,
                        255,
                        0,
                    ),
                    (
                        255,
                        179,
                        0,
                    ),
                ]),
            pipeline=[
                dict(backend_args=None, type='LoadImageFromFile'),
                dict(type='LoadAnnotations', with_bbox=True),
                dict(keep_ratio=False, scale=(
                    128,
                    128,
                ), type='Resize'),
                dict(prob=0.5, type='RandomFlip'),
                dict(type='PackDetInputs'),
            ],
            type='VOCDataset'),
        type='ActiveLearningDataset'),
    num_workers=2,
    persistent_workers=True,
    sampler=dict(batch_size=16, type='SemiSupervisedSampler'))
train_pipeline = [
    dict(backend_args=None, type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(keep_ratio=False, scale=(
        128,
        128,
    ), type='Resize'),
    dict(prob=0.5, type='RandomFlip'),
    dict(type='PackDetInputs'),
]
val_cfg = dict(type='ValLoop')
val_dataloader = dict(
    batch_size=8,
    dataset=dict(
        ann_file='ImageSets/Main/test.txt',
        backend_args=None,
        data_prefix=dict(sub_data_root=''),
        data_root='data/synthetic_shapes/',
        metainfo=dict(
            classes=(
                'circle',
                'square',
                'rounded_square',
                'triangle',
                'cross',
                'ring',
                'arrow',
                'star',
            ),
            palette=[
                (
                    220,
                    20,
                    60,
                ),
                (
                    0,
                    0,
                    230,
                ),
                (
                    106,
                    0,
                    228,
                ),
                (
                    0,
                    182,
                    199,
                ),
                (
                    255,
                    77,
                    255,
                ),
                (
                    0,
                    226,
                    252,
                ),
                (
                    163,
                    255,
                    0,
                ),
                (
                    255,
                    179,
                    0,
                ),
            ]),
        pipeline=[
            dict(backend_args=None, type='LoadImageFromFile'),
            dict(keep_ratio=False, scale=(
                128,
                128,
            ), type='Resize'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(
                meta_keys=(
                    'img_id',
                    'img_path',
                    'ori_shape',
                    'img_shape',
                    'scale_factor',
                ),
                type='PackDetInputs'),
        ],
        test_mode=True,
        type='VOCDataset'),
    drop_last=False,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(shuffle=False, type='DefaultSampler'))
val_evaluator = dict(eval_mode='area', metric='mAP', type='ClassAPVOCMetric')
vis_backends = [
    dict(_scope_='mmdet', type='LocalVisBackend'),
]
visualizer = dict(
    _scope_='mmdet',
    name='visualizer',
    type='DetLocalVisualizer',
    vis_backends=[
        dict(type='LocalVisBackend'),
    ])
voc = dict(data_prefix=dict(sub_data_root=''), type='VOCDataset')
