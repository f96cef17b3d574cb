# The embedded default data set (synthetic shapes, VOC layout, made by
# tools/make_synthetic_data.py into data/synthetic_shapes/) for active
# learning + semi-supervised training. Same scheme as alssl_bccd_voc.py (read
# its header for the cycle inputs a loop overrides): ConcatDataset([labeled,
# unlabeled]) of the trainval pool, SemiSupervisedSampler, test.txt with
# VOCMetric (eval_mode='area').
dataset_type = 'ALVOCDataset'
data_root = 'data/synthetic_shapes/'
metainfo = dict(
    classes=('circle', 'square', 'rounded_square', 'triangle', 'cross', 'ring',
             'arrow', 'star'),
    palette=[(220, 20, 60), (0, 0, 230), (106, 0, 228), (0, 182, 199),
             (255, 77, 255), (0, 226, 252), (163, 255, 0), (255, 179, 0)])
pool_ann_file = 'ImageSets/Main/trainval.txt'
# Like BCCD, no VOC2007/ level: images and XMLs are right under data_root.
data_prefix = dict(sub_data_root='')
backend_args = None
img_scale = (128, 128)  # the generator's image size

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
    # after Resize: ground-truth boxes stay in original image coordinates
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(
        type='SemiSupervisedSampler',
        batch_size=16,  # = train_dataloader.batch_size
        ratio=(1, 1)),  # labeled : unlabeled per batch (paper: half/half)
    batch_sampler=None,  # the sampler already orders each batch
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(
                type=dataset_type,
                label_type='labeled',
                image_ids_file=None,  # None: the whole pool is labeled
                pseudo_labels_file=None,
                data_root=data_root,
                ann_file=pool_ann_file,
                data_prefix=data_prefix,
                metainfo=metainfo,
                # keep exactly the split: an image labeled "nothing here"
                # still teaches background
                filter_cfg=dict(filter_empty_gt=False),
                pipeline=train_pipeline,
                backend_args=backend_args),
            dict(
                type=dataset_type,
                label_type='unlabeled',
                image_ids_file=[],  # []: no unlabeled image
                data_root=data_root,
                ann_file=pool_ann_file,
                data_prefix=data_prefix,
                metainfo=metainfo,
                pipeline=train_pipeline,
                backend_args=backend_args)
        ]))

val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='VOCDataset',
        data_root=data_root,
        ann_file='ImageSets/Main/test.txt',
        data_prefix=data_prefix,
        metainfo=metainfo,
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(type='VOCMetric', metric='mAP', eval_mode='area')
test_evaluator = val_evaluator
