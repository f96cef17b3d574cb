# A VOC-format data set with images and XMLs right under data_root (no
# VOC2007/ level) and ImageSets/Main/{trainval,test}.txt; a leaf names
# data_root and metainfo.
_base_ = './cpu_128px.py'

voc = dict(type='VOCDataset', data_prefix=dict(sub_data_root=''))
train_dataloader = dict(dataset=dict(
    dataset=dict(voc, ann_file='ImageSets/Main/trainval.txt')))
val_dataloader = dict(dataset=dict(voc, ann_file='ImageSets/Main/test.txt'))
test_dataloader = val_dataloader
