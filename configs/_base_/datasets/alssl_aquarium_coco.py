# Aquarium (Roboflow, COCO JSON) for active learning + semi-supervised
# training: the training set is ConcatDataset([labeled, unlabeled]) of one
# cycle's split of the train.json pool, drawn by SemiSupervisedSampler.
# Same scheme as alssl_bccd_voc.py; image ids are the JSON's ints, written
# as text in the id files.
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
# Evaluation: annotations/test.json with CocoMetric (bbox), per-class AP
# included (classwise=True).
dataset_type = 'ALCocoDataset'
data_root = '../shared/datasets/aquarium/'
# In the order of the JSON's categories (CocoDataset numbers labels so).
metainfo = dict(
    classes=('fish', 'jellyfish', 'penguin', 'puffin', 'shark', 'starfish',
             'stingray'),
    palette=[(220, 20, 60), (119, 11, 32), (0, 0, 142), (0, 0, 230),
             (106, 0, 228), (0, 60, 100), (0, 80, 100)])
pool_ann_file = 'annotations/train.json'
# file_name in the JSONs is '<split>/<name>.jpg' under images/.
data_prefix = dict(img='images/')
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
        type='CocoDataset',
        data_root=data_root,
        ann_file='annotations/test.json',
        data_prefix=data_prefix,
        metainfo=metainfo,
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/test.json',
    metric='bbox',
    classwise=True,
    format_only=False,
    backend_args=backend_args)
test_evaluator = val_evaluator
