# BCCD (blood cells, VOC layout) for active learning + semi-supervised
# training: the training set is ConcatDataset([labeled, unlabeled]) of one
# cycle's split of the trainval pool, drawn by SemiSupervisedSampler.
#
# Cycle inputs. MMEngine substitutes a config's variables when it reads the
# file, so --cfg-options on a top-level variable would not reach the data
# sets; a loop overrides the data set keys themselves (indices: 0 = labeled,
# 1 = unlabeled):
#
#   --cfg-options \
#     train_dataloader.dataset.datasets.0.image_ids_file=WORK_DIR/cycle_k/labeled.txt \
#     train_dataloader.dataset.datasets.0.pseudo_labels_file=WORK_DIR/cycle_k/pseudo_labels.json \
#     train_dataloader.dataset.datasets.1.image_ids_file=WORK_DIR/cycle_k/unlabeled.txt
#
# - image_ids_file: a text file of image ids (one a line), a list of ids, or
#   None for the whole pool. Paths are used as given (not under data_root).
# - pseudo_labels_file: COCO-style JSON of pseudo boxes (images must not be
#   in the labeled ids), or None.
# Defaults (no override): every trainval image labeled, no pseudo labels, an
# empty unlabeled part ([]) -- plain supervised training; the sampler then
# fills whole batches with labeled images and logs a warning.
# The batch size appears twice (the DataLoader's and the sampler's, which
# splits it); override both: train_dataloader.batch_size=N
# train_dataloader.sampler.batch_size=N.
#
# Evaluation: test.txt with VOCMetric, eval_mode='area' (the VOC2010+ all-
# point AP; '11points' is VOC2007's legacy approximation).
dataset_type = 'ALVOCDataset'
data_root = '../shared/datasets/bccd/BCCD/'
metainfo = dict(
    classes=('RBC', 'WBC', 'Platelets'),
    palette=[(220, 20, 60), (0, 0, 142), (0, 182, 199)])
pool_ann_file = 'ImageSets/Main/trainval.txt'
# BCCD has no VOC2007/ level: images and XMLs are right under data_root.
data_prefix = dict(sub_data_root='')
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
