# Aquarium (COCO JSON in ../shared/datasets/aquarium; strongly imbalanced:
# fish 2669 boxes ... starfish 116).
_base_ = './cpu_128px.py'

data_root = '../shared/datasets/aquarium/'
metainfo = dict(
    classes=('fish', 'jellyfish', 'penguin', 'puffin', 'shark', 'starfish',
             'stingray'),
    palette=[(220, 20, 60), (119, 11, 32), (0, 0, 142), (0, 0, 230),
             (106, 0, 228), (0, 60, 100), (0, 80, 100)])
coco = dict(type='CocoDataset', data_root=data_root, metainfo=metainfo,
            data_prefix=dict(img='images/'))
train_dataloader = dict(dataset=dict(
    dataset=dict(coco, ann_file='annotations/train.json')))
val_dataloader = dict(dataset=dict(coco, ann_file='annotations/test.json'))
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True,
    type='CocoMetric',
    ann_file=data_root + 'annotations/test.json',
    metric='bbox',
    classwise=True)
test_evaluator = val_evaluator
