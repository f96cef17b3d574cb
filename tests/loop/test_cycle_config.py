"""cycle_cfg_options / find_al_datasets on configs built here: exact keys."""
from pathlib import Path

import pytest
from mmdet.registry import HOOKS
from mmengine.config import Config

import mmdet_alssl  # noqa: F401  (registers the components)
from mmdet_alssl.datasets.pool import find_al_datasets, pool_part_cfgs
from mmdet_alssl.engine.hooks import ActiveLearningHook
from mmdet_alssl.loop import cycle_cfg_options, find_hook
from mmdet_alssl.workdir import CycleState

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def make_cfg(hooks=None):
    labeled = dict(type='ALVOCDataset', label_type='labeled',
                   image_ids_file=None)
    unlabeled = dict(type='ALCocoDataset', label_type='unlabeled',
                     image_ids_file=[], pseudo_labels_file='stale.json')
    if hooks is None:
        hooks = [dict(type='NumClassCheckHook'),
                 dict(type='ActiveLearningHook', work_dir=None)]
    return Config(dict(
        train_dataloader=dict(
            batch_size=2,
            dataset=dict(
                type='ConcatDataset',
                datasets=[
                    dict(type='RepeatDataset', times=2, dataset=labeled),
                    dict(type='VOCDataset', ann_file='x.txt'),  # not AL
                    unlabeled,
                ])),
        custom_hooks=hooks))


def test_find_al_datasets_walks_wrappers():
    found = find_al_datasets(make_cfg().train_dataloader)
    assert [key for key, _ in found] == [
        'train_dataloader.dataset.datasets.0.dataset',
        'train_dataloader.dataset.datasets.2',
    ]
    assert [ds['type'] for _, ds in found] == ['ALVOCDataset',
                                                'ALCocoDataset']
    # A plain dataloader, another prefix; no AL data set at all.
    plain = dict(dataset=dict(type='ALVOCDataset'))
    assert [k for k, _ in find_al_datasets(plain, 'val_dataloader')] == [
        'val_dataloader.dataset']
    assert find_al_datasets(dict(dataset=dict(type='VOCDataset'))) == []
    with pytest.raises(ValueError, match='dataloader config'):
        find_al_datasets(['not', 'a', 'dict'])


def test_cycle_cfg_options_exact(tmp_path):
    state = CycleState(tmp_path / 'wd')
    cycle = tmp_path / 'wd' / 'cycle_2'
    acquisition = dict(budget=30, strategy='entropy')
    opts = cycle_cfg_options(make_cfg(), state, 2, select=False,
                             acquisition=acquisition)
    assert list(opts.items()) == [
        ('train_dataloader.dataset.datasets.0.dataset.image_ids_file',
         str(cycle / 'labeled.txt')),
        ('train_dataloader.dataset.datasets.2.image_ids_file',
         str(cycle / 'unlabeled.txt')),
        # no pseudo_labels.json yet: None, not the config's stale value;
        # pseudo-labeled images train with the unlabeled part
        ('train_dataloader.dataset.datasets.2.pseudo_labels_file', None),
        ('custom_hooks.1.work_dir', str(tmp_path / 'wd')),
        ('custom_hooks.1.cycle', 2),
        ('custom_hooks.1.select', False),
        ('custom_hooks.1.acquisition', acquisition),
    ]
    # Once the file exists it is used.
    cycle.mkdir(parents=True)
    (cycle / 'pseudo_labels.json').write_text('{}')
    opts = cycle_cfg_options(make_cfg(), state, 2)
    assert opts['train_dataloader.dataset.datasets.2.'
                'pseudo_labels_file'] == str(cycle / 'pseudo_labels.json')
    assert 'custom_hooks.1.acquisition' not in opts


def test_human_mode_gives_the_labeled_parts_the_human_labels(tmp_path):
    state = CycleState(tmp_path / 'wd')
    human = str(tmp_path / 'wd' / 'cycle_1' / 'human_labels.json')
    opts = cycle_cfg_options(make_cfg(), state, 1, human=True)
    assert [(k, v) for k, v in opts.items() if k.endswith('labels_file')
            and 'pseudo' not in k] == [
        ('train_dataloader.dataset.datasets.0.dataset.labels_file', human)]
    wrapped = Config(dict(
        train_dataloader=dict(dataset=dict(
            type='ActiveLearningDataset', dataset=dict(type='CocoDataset'))),
        custom_hooks=[dict(type='ActiveLearningHook')]))
    opts = cycle_cfg_options(wrapped, state, 1, human=True)
    assert opts['train_dataloader.dataset.labels_file'] == human
    assert 'train_dataloader.dataset.labels_file' not in cycle_cfg_options(
        wrapped, state, 1)


def test_pool_parts_of_both_forms():
    # explicit parts: the unlabeled ones, rebuilt without label files
    (part, ) = pool_part_cfgs(make_cfg().train_dataloader, 'labeled', ['7'])
    assert part['type'] == 'ALCocoDataset'
    assert (part['label_type'], part['image_ids_file']) == ('labeled', ['7'])
    assert part.get('pseudo_labels_file') is None
    assert 'ids_outside_pool' not in part
    # a wrapper of two parts: each part, told the other holds the rest
    voc = dict(type='VOCDataset', ann_file='a.txt', pseudo_labels_file='x')
    loader = dict(dataset=dict(type='ActiveLearningDataset', dataset=dict(
        type='RepeatDataset', times=3,
        dataset=dict(type='ConcatDataset',
                     datasets=[voc, dict(voc, ann_file='b.txt')]))))
    parts = pool_part_cfgs(loader)
    assert [(p['type'], p['ann_file'], p['label_type'], p['image_ids_file'],
             p['ids_outside_pool']) for p in parts] == [
        ('ALVOCDataset', 'a.txt', 'unlabeled', None, 'ignore'),
        ('ALVOCDataset', 'b.txt', 'unlabeled', None, 'ignore')]
    assert all('pseudo_labels_file' not in p for p in parts)


def test_options_merge_into_config_and_build_the_hook(tmp_path):
    """The keys are valid --cfg-options: they merge and the hook builds."""
    cfg = make_cfg()
    state = CycleState(tmp_path / 'wd')
    cfg.merge_from_dict(cycle_cfg_options(
        cfg, state, 0, acquisition=dict(budget=3, tau=0.5)))
    labeled = cfg.train_dataloader.dataset.datasets[0].dataset
    assert labeled.image_ids_file == str(tmp_path / 'wd/cycle_0/labeled.txt')
    assert 'pseudo_labels_file' not in labeled
    unlabeled = cfg.train_dataloader.dataset.datasets[2]
    assert unlabeled.image_ids_file == str(
        tmp_path / 'wd/cycle_0/unlabeled.txt')
    assert unlabeled.pseudo_labels_file is None
    hook = HOOKS.build(cfg.custom_hooks[1])
    assert isinstance(hook, ActiveLearningHook)
    assert (hook.work_dir, hook.cycle, hook.settings.budget,
            hook.settings.tau) == (str(tmp_path / 'wd'), 0, 3, 0.5)


def test_hook_found_by_scope_or_class():
    assert find_hook([dict(type='mmdet.ActiveLearningHook')]) == 0
    assert find_hook([dict(type='EMAHook'),
                      dict(type=ActiveLearningHook)]) == 1


def test_errors(tmp_path):
    state = CycleState(tmp_path)
    no_hook = make_cfg(hooks=[dict(type='NumClassCheckHook')])
    with pytest.raises(ValueError, match='no ActiveLearningHook in '
                       'custom_hooks'):
        cycle_cfg_options(no_hook, state, 0)
    missing = Config(dict(train_dataloader=make_cfg().train_dataloader))
    with pytest.raises(ValueError, match='no ActiveLearningHook'):
        cycle_cfg_options(missing, state, 0)
    two = make_cfg(hooks=[dict(type='ActiveLearningHook'),
                          dict(type='ActiveLearningHook')])
    with pytest.raises(ValueError, match=r'2 ActiveLearningHook .*\[0, 1\]'):
        cycle_cfg_options(two, state, 0)
    with pytest.raises(ValueError, match="'budget'"):
        cycle_cfg_options(make_cfg(), state, 0, budget=3)
    with pytest.raises(ValueError, match="'work_dir'"):
        cycle_cfg_options(make_cfg(), state, 0, work_dir='elsewhere')
    with pytest.raises(ValueError, match='cycle index -1'):
        cycle_cfg_options(make_cfg(), state, -1)
    no_labeled = make_cfg()
    no_labeled.train_dataloader.dataset.datasets.pop(0)
    with pytest.raises(ValueError, match="no active-split data set for "
                       "labeled images.*type='ActiveLearningDataset'"):
        cycle_cfg_options(no_labeled, state, 0)
    odd = make_cfg()
    odd.train_dataloader.dataset.datasets[2].label_type = 'pseudo'
    with pytest.raises(ValueError, match="label_type='pseudo'"):
        cycle_cfg_options(odd, state, 0)


def test_real_cpu_config(tmp_path):
    """The BCCD CPU config: one ActiveLearningDataset, the hook is the
    third custom hook."""
    cfg = Config.fromfile(
        str(PROJECT_ROOT / 'configs' / 'alssl_ssd_lite0_bccd_cpu.py'))
    opts = cycle_cfg_options(cfg, CycleState(tmp_path), 1,
                             acquisition=dict(budget=30))
    assert sorted(opts) == sorted([
        'train_dataloader.dataset.labeled_ids_file',
        'train_dataloader.dataset.pseudo_labels_file',
        'train_dataloader.dataset.unlabeled_ids_file',
        'custom_hooks.2.work_dir', 'custom_hooks.2.cycle',
        'custom_hooks.2.acquisition'
    ])
