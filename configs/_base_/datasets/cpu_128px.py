# What the CPU-scale data set configs share: 128 px images (resized, no
# aspect kept), horizontal flips, batches of 16 drawn half labeled, half
# unlabeled from an ActiveLearningDataset around the data set, and VOC's
# all-point mAP per class. A data set config inherits it and names its type, files
# and classes in train_dataloader.dataset.dataset and val_dataloader.dataset.
backend_args = None
img_scale = (128, 128)
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
    batch_sampler=None,  # the sampler orders each batch
    sampler=dict(type='SemiSupervisedSampler', batch_size=16),
    dataset=dict(
        type='ActiveLearningDataset',
        dataset=dict(pipeline=train_pipeline, backend_args=backend_args)))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        test_mode=True, pipeline=test_pipeline, backend_args=backend_args))
test_dataloader = val_dataloader
# VOC2010+ all-point AP ('11points' is VOC2007's legacy approximation), with
# the AP of every class (the plugin's VOCMetric subclass)
val_evaluator = dict(type='ClassAPVOCMetric', metric='mAP', eval_mode='area')
test_evaluator = val_evaluator
