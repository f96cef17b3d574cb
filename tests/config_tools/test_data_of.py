"""``data_of``: a model config on another config's data (FCOS on VOC)."""
import json
from pathlib import Path

import pytest
from mmengine.config import Config

from mmdet_alssl.config_tools import active_learning_pool, data_of

CONFIG_DIR = Path(__file__).resolve().parents[2] / 'configs'


def test_every_data_key_replaces_the_bases():
    out = data_of('mmdet::_base_/datasets/voc0712.py')
    assert set(out) == {'dataset_type', 'data_root', 'backend_args',
                        'train_pipeline', 'test_pipeline', 'train_dataloader',
                        'val_dataloader', 'test_dataloader', 'val_evaluator',
                        'test_evaluator'}
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'val_evaluator', 'test_evaluator'):
        assert out[key]['_delete_'] is True, key
    assert out['data_root'] == 'data/VOCdevkit/'
    assert out['val_evaluator']['type'] == 'VOCMetric'


def test_a_config_without_data_is_refused_by_name(tmp_path):
    path = tmp_path / 'model_only.py'
    path.write_text("model = dict(type='FCOS')\n")
    with pytest.raises(ValueError, match='model_only.py sets no '
                       'train_dataloader, val_dataloader'):
        data_of(str(path))


def test_a_replacing_loader_is_returned_whole_with_the_pool():
    # MMEngine takes a _delete_ dict as it is: nothing of the base's loader
    # survives, so the pool override must carry every key of the new one
    # (and no nested _delete_, which would stay as a literal key)
    dataset = dict(type='VOCDataset', ann_file='a.txt')
    loader = dict(_delete_=True, batch_size=2, num_workers=2,
                  sampler=dict(type='DefaultSampler', shuffle=True),
                  batch_sampler=dict(type='AspectRatioBatchSampler'),
                  dataset=dataset)
    assert active_learning_pool(loader, 8) == dict(
        _delete_=True, batch_size=8, num_workers=2,
        sampler=dict(type='SemiSupervisedSampler', shuffle=True,
                     batch_size=8),
        batch_sampler=None,
        dataset=dict(type='ActiveLearningDataset', dataset=dataset))


def test_fcos_voc_config_is_fcos_on_voc0712_alone():
    cfg = Config.fromfile(str(CONFIG_DIR / 'alssl_fcos_r50_voc.py'))
    text = json.dumps(cfg.to_dict(), default=str)
    assert 'coco' not in text.lower()  # no key of FCOS's COCO data left
    assert '_delete_' not in text and '_voc' not in cfg
    assert cfg.model.bbox_head.type == 'PseudoLabelFCOSHead'
    assert cfg.model.bbox_head.num_classes == 20
    # FCOS's own optimizer, not the VOC RetinaNet's
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=35, norm_type=2)
    assert cfg.optim_wrapper.paramwise_cfg.bias_lr_mult == 2.0
    parts = cfg.train_dataloader.dataset.dataset.dataset.datasets
    assert [p.ann_file for p in parts] == [
        'VOC2007/ImageSets/Main/trainval.txt',
        'VOC2012/ImageSets/Main/trainval.txt']
    assert cfg.test_dataloader.dataset.ann_file == \
        'VOC2007/ImageSets/Main/test.txt'
    assert cfg.val_evaluator.type == cfg.test_evaluator.type == \
        'ClassAPVOCMetric'
