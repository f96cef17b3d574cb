"""``at_input_size``: a config at another input size in one line, with the
pipelines and the priors following it (known answers at 256 px)."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import init_default_scope

from mmdet.registry import MODELS

from mmdet_alssl.config_tools import at_input_size

CONFIG_DIR = Path(__file__).resolve().parents[2] / 'configs'


def resize_scales(pipeline):
    return [tuple(t['scale']) for t in pipeline if t['type'] == 'Resize']


def leaf_at(tmp_path, base: str, size: int) -> Config:
    """A leaf config outside the repository: ``base`` at ``size`` px in the
    one line the README shows."""
    leaf = tmp_path / f'at_{size}.py'
    leaf.write_text(f"_base_ = 'mmdet_alssl::alssl/{base}'\n"
                    'from mmdet_alssl.config_tools import at_input_size\n'
                    f'globals().update(at_input_size(_base_, {size}))\n')
    return Config.fromfile(str(leaf))


def test_the_bccd256_config_reads_256_px_with_the_priors_doubled():
    cfg = Config.fromfile(str(CONFIG_DIR / 'alssl_ssd_lite0_bccd256_cpu.py'))
    assert cfg.img_scale == (256, 256)
    assert resize_scales(cfg.train_dataloader.dataset.dataset.pipeline) == [
        (256, 256)]
    assert resize_scales(cfg.val_dataloader.dataset.pipeline) == [(256, 256)]
    assert resize_scales(cfg.test_dataloader.dataset.pipeline) == [(256, 256)]
    gen = cfg.model.bbox_head.anchor_generator
    # Lite0's strides 8, 16, 32 and the neck's halvings: 32x32 ... 1x1 maps
    assert gen.strides == [8, 16, 32, 64, 128, 256]
    assert gen.min_sizes == [20, 40, 80, 128, 176, 224]
    assert gen.max_sizes == [40, 80, 128, 176, 224, 256]
    # what is not size-dependent is the base's
    base = Config.fromfile(str(CONFIG_DIR / 'alssl_ssd_lite0_bccd_cpu.py'))
    assert gen.ratios == base.model.bbox_head.anchor_generator.ratios
    assert cfg.active_learning == base.active_learning


def test_ssd_priors_follow_the_feature_maps_at_256_px():
    """The last level's single prior sits at the image centre: its stride
    is the image, as the map is 1x1."""
    init_default_scope('mmdet')
    cfg = Config.fromfile(str(CONFIG_DIR / 'alssl_ssd_lite0_bccd256_cpu.py'))
    cfg.model.backbone.init_cfg = None  # no weights needed for shapes
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        feats = model.extract_feat(torch.zeros(1, 3, 256, 256))
    sizes = [tuple(f.shape[-2:]) for f in feats]
    assert sizes == [(32, 32), (16, 16), (8, 8), (4, 4), (2, 2), (1, 1)]
    priors = model.bbox_head.prior_generator.grid_priors(sizes, device='cpu')
    centres = (priors[-1][:, :2] + priors[-1][:, 2:]) / 2
    assert torch.allclose(centres, torch.full_like(centres, 128.0))
    # the last level's priors: min size 224 (doubled 112) at ratio 3 is the
    # widest, 224 * sqrt(3); the square one of sqrt(224 * 256)
    widths = priors[-1][:, 2] - priors[-1][:, 0]
    assert widths.max() == pytest.approx(224 * 3**0.5, rel=1e-5)
    assert widths[1] == pytest.approx((224 * 256)**0.5, rel=1e-5)


def test_retinanet_and_fcos_priors_follow_the_input_size(tmp_path):
    retina = leaf_at(tmp_path, 'alssl_retinanet_lite0_synthetic_cpu.py', 256)
    assert retina.model.bbox_head.anchor_generator.octave_base_scale == 4
    assert resize_scales(retina.val_dataloader.dataset.pipeline) == [
        (256, 256)]
    fcos = leaf_at(tmp_path, 'alssl_fcos_lite0_synthetic_cpu.py', 256)
    assert fcos.model.bbox_head.regress_ranges == (
        (-1, 32), (32, 64), (64, 128), (128, 256), (256, 1e8))
    assert fcos.model.bbox_head.strides == [8, 16, 32, 64, 128]


def test_a_smaller_size_scales_down(tmp_path):
    cfg = leaf_at(tmp_path, 'alssl_ssd_lite0_synthetic_cpu.py', 64)
    gen = cfg.model.bbox_head.anchor_generator
    assert gen.strides == [8, 16, 32, 64, 64, 64]
    assert gen.min_sizes == [5, 10, 20, 32, 44, 56]
    assert resize_scales(
        cfg.train_dataloader.dataset.dataset.pipeline) == [(64, 64)]


@pytest.mark.parametrize('size', [0, -128, 256.0, True, '256'])
def test_a_size_that_is_not_a_positive_int_is_refused(size):
    base = ConfigDict(img_scale=(128, 128))
    with pytest.raises(ValueError, match=r'positive int .*' + repr(size)
                       .replace('.', r'\.')):
        at_input_size(base, size)


@pytest.mark.parametrize('img_scale', [None, (128, 96)])
def test_a_base_without_a_square_img_scale_is_refused(img_scale):
    base = ConfigDict(img_scale=img_scale) if img_scale else ConfigDict()
    with pytest.raises(ValueError, match='square img_scale'):
        at_input_size(base, 256)


def test_ssd_strides_off_the_rule_are_refused():
    base = ConfigDict(img_scale=(300, 300), model=dict(bbox_head=dict(
        anchor_generator=dict(type='SSDAnchorGenerator',
                              strides=[8, 16, 32, 64, 100, 300],
                              min_sizes=[21, 45, 99, 153, 207, 261],
                              max_sizes=[45, 99, 153, 207, 261, 315]))))
    with pytest.raises(ValueError, match=r'strides \[8, 16, 32, 64, 100, '
                       r'300\] .*set the priors in the config'):
        at_input_size(base, 512)
