"""The ``mmdet_alssl`` scope: a config outside the repository inherits a
shipped config as ``mmdet_alssl::alssl/<config>.py``, and what the
shipped config names builds under that scope."""
from mmdet.registry import HOOKS, MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmdet_alssl import registry
from tests.helpers import PROJECT_ROOT

SHIPPED = 'alssl_ssd_lite0_synthetic_cpu.py'


def test_a_config_outside_the_repository_inherits_one_by_scope(
        tmp_path, monkeypatch):
    (tmp_path / 'my_config.py').write_text(
        f"_base_ = 'mmdet_alssl::alssl/{SHIPPED}'\n"
        "model = dict(bbox_head=dict(num_classes=3))\n")
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile('my_config.py')
    shipped = Config.fromfile(str(PROJECT_ROOT / 'configs' / SHIPPED))
    assert cfg.model.bbox_head.num_classes == 3
    assert cfg.active_learning == shipped.active_learning
    assert cfg.train_dataloader.dataset.type == 'ActiveLearningDataset'
    # the plugin's own dicts carry the scope; they build under it
    assert cfg.custom_hooks[2]._scope_ == 'mmdet_alssl'
    init_default_scope('mmdet')
    assert type(HOOKS.build(cfg.custom_hooks[2])).__name__ == \
        'ActiveLearningHook'
    assert type(MODELS.build(cfg.model)).__name__ == 'ConsistencySSD'


def test_the_scope_finds_the_plugin_and_mmdet_through_mmdet():
    with MODELS.switch_scope_and_registry('mmdet_alssl') as models:
        assert models is registry.MODELS
        assert models.get('ConsistencySSD').__name__ == 'ConsistencySSD'
        assert models.get('SSDHead').__name__ == 'SSDHead'
