# BCCD (blood cells; VOC XML in ../shared/datasets/bccd/BCCD, images and
# XMLs right under data_root): RBC, WBC, Platelets.
_base_ = './flat_voc_128px.py'

data_root = '../shared/datasets/bccd/BCCD/'
metainfo = dict(
    classes=('RBC', 'WBC', 'Platelets'),
    palette=[(220, 20, 60), (0, 0, 142), (0, 182, 199)])
data = dict(data_root=data_root, metainfo=metainfo)
train_dataloader = dict(dataset=dict(dataset=data))
val_dataloader = dict(dataset=data)
test_dataloader = val_dataloader
