"""The README's "Your own data set" configs and the user guide's VOC ones,
taken from the two documents:
a plain COCO and a plain VOC data set config, each made an active-learning
one by the second file, give the loop its pool, its cycle keys and batches
that are half labeled, half unlabeled."""
import itertools
import os
import re

import pytest
from mmdet.registry import DATASETS
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmdet_alssl.datasets.pool import pool_part_cfgs
from mmdet_alssl.loop import cycle_cfg_options
from mmdet_alssl.workdir import CycleState
from tests.datasets.test_active_learning_dataset import write_coco
from tests.helpers import PROJECT_ROOT, write_voc

DOCS = ('README.md', 'docs/user_guide.md')
BLOCK = re.compile(r'```python\n# (configs/\w+\.py):.*?\n(.*?)```', re.S)


@pytest.fixture
def readme_project(tmp_path, monkeypatch):
    """tmp_path as a project outside the repository: the documents' config
    files in configs/ (the plugin's by its mmdet_alssl:: scope), tiny data
    sets in data/; the cwd."""
    blocks = dict(BLOCK.findall(''.join(
        (PROJECT_ROOT / doc).read_text() for doc in DOCS)))
    assert sorted(blocks) == [
        'configs/my_alssl_coco.py', 'configs/my_alssl_retinanet.py',
        'configs/my_alssl_voc.py', 'configs/my_coco_dataset.py',
        'configs/my_voc_dataset.py']
    (tmp_path / 'configs').mkdir()
    for name, text in blocks.items():
        (tmp_path / name).write_text(text)
    boxes = {i: [(2, 2, 20, 20, 1 + i % 2)] for i in range(1, 7)}
    write_coco(tmp_path / 'data/my_coco', boxes)
    os.rename(tmp_path / 'data/my_coco/images',
              tmp_path / 'data/my_coco/train')
    write_voc(tmp_path / 'data/my_voc',
              {f'v{i}': [('dog', 1, 1, 21, 21)] for i in range(6)})
    monkeypatch.chdir(tmp_path)
    init_default_scope('mmdet')
    return tmp_path


@pytest.mark.parametrize('name,first_id', [('coco', '1'), ('voc', 'v0')])
def test_readme_config_gives_the_loop_a_pool_and_mixed_batches(
        readme_project, name, first_id):
    cfg = Config.fromfile(f'configs/my_alssl_{name}.py')
    (part, ) = pool_part_cfgs(cfg.train_dataloader)
    pool = DATASETS.build(part)
    ids = [str(pool.get_data_info(i)['img_id']) for i in range(len(pool))]
    assert len(ids) == 6 and ids[0] == first_id

    state = CycleState(readme_project / 'work')
    state.write_split(0, ids[:2], ids[2:])
    options = cycle_cfg_options(cfg, state, 0)
    assert 'train_dataloader.dataset.labeled_ids_file' in options
    cfg.merge_from_dict(options)
    cfg.train_dataloader.update(num_workers=0, persistent_workers=False)
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=0)
    assert [len(d) for d in loader.dataset.datasets] == [2, 4]
    batch = next(itertools.islice(loader, 1))
    types = [s.label_type for s in batch['data_samples']]
    assert types == ['labeled'] * 8 + ['unlabeled'] * 8
    assert {str(s.img_id) for s in batch['data_samples'][:8]} == \
        set(ids[:2])
    assert cfg.model.bbox_head.num_classes == 2


def test_a_plain_data_set_config_is_refused_with_the_fix(readme_project):
    cfg = Config.fromfile('configs/my_coco_dataset.py')
    with pytest.raises(ValueError, match=r"no active-split data set.*"
                       r"type='ActiveLearningDataset', dataset=\{\{_base_"):
        pool_part_cfgs(cfg.train_dataloader)


@pytest.mark.parametrize('name', ['coco', 'voc'])
def test_readme_config_reads_every_image_at_the_cpu_size(readme_project,
                                                         name):
    cfg = Config.fromfile(f'configs/my_alssl_{name}.py')
    size = dict(type='Resize', scale=(128, 128), keep_ratio=False)
    for pipeline in (cfg.train_dataloader.dataset.dataset.pipeline,
                     cfg.val_dataloader.dataset.pipeline,
                     cfg.test_dataloader.dataset.pipeline):
        assert [t for t in pipeline if t.type == 'Resize'] == [size]


def test_the_readme_coco_config_trains_a_cycle_as_shown(readme_project):
    cfg = Config.fromfile('configs/my_alssl_coco.py')
    state = CycleState(readme_project / 'work')
    state.write_split(0, ['1', '2'], ['3', '4', '5', '6'])
    # the loop's options of cycle 0: after training, select 2 of the 4
    cfg.merge_from_dict(cycle_cfg_options(
        cfg, state, 0, acquisition=dict(budget=2)))
    cfg.merge_from_dict({'train_cfg.max_iters': 2,
                         'train_dataloader.num_workers': 0,
                         'train_dataloader.persistent_workers': False})
    # training only: the README's val split is not generated here
    cfg.update(val_dataloader=None, val_cfg=None, val_evaluator=None,
               work_dir=str(readme_project / 'work' / 'train'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    assert (readme_project / 'work' / 'train' / 'iter_2.pth').is_file()
    labeled, unlabeled = state.read_split(1)
    assert len(labeled) == 4 and len(unlabeled) == 2


def test_the_readme_retinanet_config_is_an_active_learning_one(
        readme_project):
    """MMDetection's own RetinaNet config made an active-learning one in the
    README's lines: the consistency detector with the pseudo-label-aware
    head, the pool wrapped, the hook the loop drives."""
    from mmdet.registry import MODELS
    cfg = Config.fromfile('configs/my_alssl_retinanet.py')
    cfg.model.backbone.init_cfg = None  # no ImageNet download here
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'ConsistencyDetector'
    assert type(model.bbox_head).__name__ == 'PseudoLabelRetinaHead'
    assert model.flip_adapter.use_sigmoid
    assert cfg.train_dataloader.dataset.type == 'ActiveLearningDataset'
    assert cfg.train_dataloader.dataset.dataset.type == 'CocoDataset'
    options = cycle_cfg_options(cfg, CycleState(readme_project / 'work'), 0,
                                acquisition=dict(budget=2))
    assert options['custom_hooks.0.acquisition'] == dict(budget=2)
    assert cfg.active_learning.tau == 0.75
