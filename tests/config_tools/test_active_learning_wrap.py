"""``as_active_learning``: what makes an MMDetection config an
active-learning one, and the paper configs that call it."""
from pathlib import Path

import pytest
from mmengine.config import Config, ConfigDict

from mmdet_alssl.config_tools import as_active_learning

CONFIG_DIR = Path(__file__).resolve().parents[2] / 'configs'


def test_the_overrides_are_known_in_advance():
    dataset = dict(type='CocoDataset', ann_file='a.json')
    base = ConfigDict(train_dataloader=dict(batch_size=2, dataset=dataset))
    out = as_active_learning(base, batch_size=8, max_iters=100,
                             milestones=(60, 90), checkpoint_interval=50)
    assert out == dict(
        batch_size=8, max_iters=100,
        train_dataloader=dict(
            batch_size=8, batch_sampler=None,
            sampler=dict(type='SemiSupervisedSampler', batch_size=8),
            dataset=dict(_delete_=True, type='ActiveLearningDataset',
                         dataset=dataset)),
        train_cfg=dict(_delete_=True, type='IterBasedTrainLoop',
                       max_iters=100, val_interval=100),
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.001, by_epoch=False,
                 begin=0, end=500),
            dict(type='MultiStepLR', by_epoch=False, begin=0, end=100,
                 milestones=[60, 90], gamma=0.1)],
        custom_hooks=[
            dict(type='NumClassCheckHook'),
            dict(type='CheckInvalidLossHook', interval=50,
                 priority='VERY_LOW'),
            dict(type='ActiveLearningHook', work_dir=None)],
        default_hooks=dict(checkpoint=dict(by_epoch=False, interval=50)),
        log_processor=dict(by_epoch=False),
        auto_scale_lr=dict(base_batch_size=8))


def unscoped(node):
    """``node`` without its ``_scope_`` keys, at every depth."""
    if isinstance(node, dict):
        return {k: unscoped(v) for k, v in node.items() if k != '_scope_'}
    if isinstance(node, (list, tuple)):
        return [unscoped(v) for v in node]
    return node


@pytest.mark.parametrize('name, mmdet_base, batch, milestones, warmup', [
    ('alssl_ssd300_voc.py', 'pascal_voc/ssd300_voc0712.py', 32,
     [80000, 100000], 'LinearLR'),
    ('alssl_retinanet_r50_voc.py', 'pascal_voc/retinanet_r50_fpn_1x_voc0712.py',
     16, [18000], 'LinearLR'),
    ('alssl_fcos_r50_coco.py', 'fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py',
     16, [60000, 80000], 'ConstantLR'),
    # FCOS on VOC: its pool is the data config's training set
    ('alssl_fcos_r50_voc.py', '_base_/datasets/voc0712.py', 16, [18000],
     'ConstantLR'),
])
def test_a_paper_config_pools_its_mmdet_training_set(tmp_path, name,
                                                     mmdet_base, batch,
                                                     milestones, warmup):
    cfg = Config.fromfile(str(CONFIG_DIR / name))
    (tmp_path / 'mmdet_base.py').write_text(f"_base_ = 'mmdet::{mmdet_base}'")
    mmdet = Config.fromfile(str(tmp_path / 'mmdet_base.py'))
    assert cfg.train_dataloader.dataset.type == 'ActiveLearningDataset'
    # (a package's base gets its types' scope named; data_of's keys rely
    # on the config's default scope, mmdet)
    assert unscoped(cfg.train_dataloader.dataset.dataset) == \
        unscoped(mmdet.train_dataloader.dataset)
    assert cfg.train_dataloader.sampler.type == 'SemiSupervisedSampler'
    assert cfg.train_dataloader.sampler.batch_size == batch
    assert cfg.param_scheduler[0].type == warmup
    assert cfg.param_scheduler[1].milestones == milestones
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert cfg.custom_hooks[-1].type == 'ActiveLearningHook'
    # the loop and mmdet's tools read the config back from its dump
    assert Config.fromstring(cfg.pretty_text, '.py').train_cfg == \
        cfg.train_cfg
