"""Every shipped config loads and builds on CPU with no network; every
component is registered."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmdet.registry import (DATA_SAMPLERS, DATASETS, HOOKS, METRICS, MODELS)

import mmdet_alssl  # noqa: F401
from tests.helpers import write_cell_voc

CONFIG_DIR = Path(__file__).resolve().parents[2] / 'configs'
LEAF_CONFIGS = sorted(CONFIG_DIR.glob('alssl_*.py'))
NUM_CLASSES = {
    'alssl_ssd300_voc.py': 20,
    'alssl_ssd300_coco.py': 80,
    'alssl_ssd_lite0_bccd_cpu.py': 3,
    'alssl_ssd_lite0_bccd256_cpu.py': 3,
    'alssl_ssd_lite0_aquarium_cpu.py': 7,
    'alssl_ssd_lite0_aquarium256_cpu.py': 7,
    'alssl_ssd_lite0_synthetic_cpu.py': 8,
    'alssl_ssd_lite0_synthetic_redundant_cpu.py': 8,
    'alssl_retinanet_lite0_synthetic_cpu.py': 8,
    'alssl_fcos_lite0_synthetic_cpu.py': 8,
    'alssl_retinanet_lite0_bccd_cpu.py': 3,
    'alssl_retinanet_lite0_bccd256_cpu.py': 3,
    'alssl_fcos_lite0_bccd_cpu.py': 3,
    'alssl_fcos_lite0_bccd256_cpu.py': 3,
    'alssl_retinanet_r50_voc.py': 20,
    'alssl_retinanet_r50_coco.py': 80,
    'alssl_fcos_r50_coco.py': 80,
    'alssl_fcos_r50_voc.py': 20,
}
# (detector, head) of the configs that are not SSD's
DETECTORS = {
    'alssl_retinanet_lite0_synthetic_cpu.py': ('ConsistencyDetector',
                                               'PseudoLabelRetinaHead'),
    'alssl_fcos_lite0_synthetic_cpu.py': ('ConsistencyDetector',
                                          'PseudoLabelFCOSHead'),
    'alssl_retinanet_lite0_bccd_cpu.py': ('ConsistencyDetector',
                                          'PseudoLabelRetinaHead'),
    'alssl_retinanet_lite0_bccd256_cpu.py': ('ConsistencyDetector',
                                             'PseudoLabelRetinaHead'),
    'alssl_fcos_lite0_bccd_cpu.py': ('ConsistencyDetector',
                                     'PseudoLabelFCOSHead'),
    'alssl_fcos_lite0_bccd256_cpu.py': ('ConsistencyDetector',
                                        'PseudoLabelFCOSHead'),
    'alssl_retinanet_r50_voc.py': ('ConsistencyDetector',
                                   'PseudoLabelRetinaHead'),
    'alssl_retinanet_r50_coco.py': ('ConsistencyDetector',
                                    'PseudoLabelRetinaHead'),
    'alssl_fcos_r50_coco.py': ('ConsistencyDetector', 'PseudoLabelFCOSHead'),
    'alssl_fcos_r50_voc.py': ('ConsistencyDetector', 'PseudoLabelFCOSHead'),
}


def test_every_component_registers():
    for registry, name in [(MODELS, 'ConsistencySSD'),
                           (MODELS, 'PseudoLabelSSDHead'),
                           (MODELS, 'ConsistencyDetector'),
                           (MODELS, 'PseudoLabelRetinaHead'),
                           (MODELS, 'PseudoLabelFCOSHead'),
                           (MODELS, 'PseudoLabelATSSHead'),
                           (DATASETS, 'ALVOCDataset'),
                           (DATASETS, 'ALCocoDataset'),
                           (DATA_SAMPLERS, 'SemiSupervisedSampler'),
                           (METRICS, 'ClassAPVOCMetric'),
                           (HOOKS, 'ActiveLearningHook')]:
        assert registry.get(name) is not None, name


def test_all_configs_are_tested():
    assert {p.name for p in LEAF_CONFIGS} == set(NUM_CLASSES)


@pytest.mark.parametrize('path', LEAF_CONFIGS, ids=lambda p: p.name)
def test_config_builds_its_model_on_cpu(path):
    cfg = Config.fromfile(str(path))
    init_default_scope('mmdet')
    assert cfg.custom_imports['imports'] == ['mmdet_alssl']
    assert cfg.active_learning['budget'] > 0
    assert 0 < cfg.active_learning['tau'] <= 1
    # Building never downloads: pretrained weights load in init_weights(),
    # which a training run calls and this test does not.
    model = MODELS.build(cfg.model)
    detector, head = DETECTORS.get(path.name, ('ConsistencySSD',
                                               'PseudoLabelSSDHead'))
    assert type(model).__name__ == detector
    assert type(model.bbox_head).__name__ == head
    assert model.bbox_head.num_classes == NUM_CLASSES[path.name]
    size = 128 if path.name.endswith('_cpu.py') else \
        300 if 'ssd300' in path.name else 320
    model.eval()
    with torch.no_grad():
        outs = model._forward(torch.rand(1, 3, size, size))
    assert len(outs[0]) == model.bbox_head.prior_generator.num_levels
    hook_types = [h['type'] for h in cfg.custom_hooks]
    assert 'ActiveLearningHook' in hook_types


@pytest.mark.parametrize('name', ['alssl_ssd_lite0_bccd_cpu.py',
                                  'alssl_retinanet_lite0_bccd_cpu.py',
                                  'alssl_fcos_lite0_bccd_cpu.py'])
def test_cpu_config_builds_its_data_on_bccd(tmp_path, name):
    """The BCCD configs on a generated stand-in in BCCD's layout (640x480
    images of its three classes)."""
    root = write_cell_voc(tmp_path, 5, 0, width=640)
    cfg = Config.fromfile(str(CONFIG_DIR / name))
    init_default_scope('mmdet')
    pool_cfg = cfg.train_dataloader.dataset
    pool_cfg.dataset.data_root = f'{root}/'
    dataset = DATASETS.build(pool_cfg).datasets[0]  # the labeled part
    assert len(dataset) == 5  # every trainval image
    item = dataset[0]
    assert item['inputs'].shape[-2:] == (128, 128)
    assert item['data_samples'].metainfo['label_type'] == 'labeled'


@pytest.mark.parametrize('name', ['alssl_ssd_lite0_bccd256_cpu.py',
                                  'alssl_ssd_lite0_aquarium256_cpu.py',
                                  'alssl_retinanet_lite0_bccd256_cpu.py',
                                  'alssl_fcos_lite0_bccd256_cpu.py'])
def test_256_px_configs_read_every_image_at_256_px(name):
    # they rescale every Resize of their base's pipelines: no 128 px Resize
    # may be left behind in any loader
    cfg = Config.fromfile(str(CONFIG_DIR / name))
    pipelines = [cfg.train_dataloader.dataset.dataset.pipeline,
                 cfg.val_dataloader.dataset.pipeline,
                 cfg.test_dataloader.dataset.pipeline]
    for pipeline in pipelines:
        scales = [t.scale for t in pipeline if t.type == 'Resize']
        assert scales == [(256, 256)], pipeline
    # and the priors follow: twice the 128 px base's (2, 16, 32)
    head = cfg.model.bbox_head
    if 'ssd' in name:
        assert head.anchor_generator.strides[-1] == 256
    elif 'retinanet' in name:
        assert head.anchor_generator.octave_base_scale == 4
    else:
        assert head.regress_ranges[0] == (-1, 32)


def test_redundant_pool_config_reads_its_own_data_in_every_loader():
    # the data root is not inherited by value: each loader must be moved
    cfg = Config.fromfile(
        str(CONFIG_DIR / 'alssl_ssd_lite0_synthetic_redundant_cpu.py'))
    main = Config.fromfile(
        str(CONFIG_DIR / 'alssl_ssd_lite0_synthetic_cpu.py'))
    roots = [cfg.train_dataloader.dataset.dataset.data_root,
             cfg.val_dataloader.dataset.data_root,
             cfg.test_dataloader.dataset.data_root]
    assert roots == ['data/synthetic_shapes_redundant/'] * 3
    # everything but the data root is the main config's
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        for c in (cfg, main):
            data = c[loader].dataset
            (data.dataset if loader == 'train_dataloader' else data).pop(
                'data_root')
        assert cfg[loader] == main[loader], loader
    assert cfg.model == main.model
    assert cfg.active_learning == main.active_learning
