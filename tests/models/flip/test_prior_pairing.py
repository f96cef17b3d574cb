"""Prior pairing by geometry on every kind of mmdet prior generator: an
involution whose twins' centres mirror exactly, or a masked prior."""
import pytest
import torch

from mmdet.registry import TASK_UTILS
from mmdet.utils import register_all_modules
from mmdet_alssl.models.flip import mirror_twins, prior_centres
from mmdet_alssl.models.losses import mirrored_prior_index

register_all_modules()


def pair(generator_cfg, featmap_sizes, img_shapes):
    generator = TASK_UTILS.build(generator_cfg)
    centres = prior_centres(generator.grid_priors(featmap_sizes,
                                                  device='cpu'))
    twin, valid = mirror_twins(centres, generator.num_base_priors,
                               img_shapes)
    return torch.cat(centres), generator.num_base_priors, twin, valid


def check_involution(centres, num_base_priors, twin, valid, img_shapes,
                     featmap_sizes):
    """Valid priors: twin of twin is the prior, the twin is valid, same
    base prior, centre x mirrored about the image width, same y. Invalid
    priors point to themselves."""
    base = torch.cat([torch.arange(h * w * a) % a for (h, w), a in
                      zip(featmap_sizes, num_base_priors)])
    for i, (_, width) in enumerate(img_shapes):
        t, v = twin[i], valid[i]
        assert torch.equal(t[t], torch.arange(len(t)))
        assert torch.equal(v[t], v)
        assert torch.equal(base[t], base)
        # float32 box corners: centres to within 1e-4 px
        assert torch.allclose(centres[t[v], 0], width - centres[v, 0],
                              atol=1e-4)
        assert torch.allclose(centres[t[v], 1], centres[v, 1], atol=1e-4)
        assert torch.equal(t[~v], torch.arange(len(t))[~v])


SSD_TINY = dict(type='SSDAnchorGenerator', scale_major=False,
                strides=[16, 32, 64, 64], ratios=[[2]] * 4,
                min_sizes=[8, 20, 36, 52], max_sizes=[20, 36, 52, 64])
SSD_LITE0_128 = dict(type='SSDAnchorGenerator', scale_major=False,
                     strides=[8, 16, 32, 64, 128, 128],
                     ratios=[[2, 3]] * 6,
                     min_sizes=[10, 20, 40, 64, 88, 112],
                     max_sizes=[20, 40, 64, 88, 112, 128])
RETINA = dict(type='AnchorGenerator', octave_base_scale=4,
              scales_per_octave=3, ratios=[0.5, 1.0, 2.0], strides=[8, 16])
FCOS_POINTS = dict(type='MlvlPointGenerator', strides=[8, 16], offset=0.5)
RTMDET_POINTS = dict(type='MlvlPointGenerator', strides=[8, 16], offset=0)


@pytest.mark.parametrize('cfg,size,sizes', [
    (SSD_TINY, 64, [(4, 4), (2, 2), (1, 1), (1, 1)]),
    (SSD_LITE0_128, 128, [(16, 16), (8, 8), (4, 4), (2, 2), (1, 1),
                          (1, 1)]),
])
def test_ssd_at_a_fixed_size_pairs_as_the_index_did(cfg, size, sizes):
    shapes = [(size, size)] * 2
    centres, bases, twin, valid = pair(cfg, sizes, shapes)
    assert valid.all()
    index = mirrored_prior_index(sizes, bases)
    assert torch.equal(twin, index.expand(2, -1))
    check_involution(centres, bases, twin, valid, shapes, sizes)


def test_retinanet_offset_0_column_0_has_no_twin():
    # centres at i * stride: on a 32 px image column i mirrors to 4 - i
    # (stride 8) or 2 - i (stride 16); column 0 would need column 4 / 2
    sizes, shapes = [(4, 4), (2, 2)], [(32, 32)]
    centres, bases, twin, valid = pair(RETINA, sizes, shapes)
    assert bases == [9, 9]
    level0 = valid[0, :144].view(4, 4, 9)
    assert not level0[:, 0].any() and level0[:, 1:].all()
    level1 = valid[0, 144:].view(2, 2, 9)
    assert not level1[:, 0].any() and level1[:, 1].all()
    # (y=2, x=1, a=5) -> (y=2, x=3, a=5); (y=0, x=1, a=0) on level 1 is its
    # own twin (centre 16 of 32)
    assert twin[0, (2 * 4 + 1) * 9 + 5].item() == (2 * 4 + 3) * 9 + 5
    assert twin[0, 144 + 9].item() == 144 + 9
    check_involution(centres, bases, twin, valid, shapes, sizes)


@pytest.mark.parametrize('cfg,twins_of_row,valid_row', [
    # FCOS, offset 0.5: centres 4, 12, 20, 28 -> column i mirrors to 3 - i
    (FCOS_POINTS, [3, 2, 1, 0], [True] * 4),
    # RTMDet / YOLOX, offset 0: centres 0, 8, 16, 24 -> 4 - i, none for 0
    (RTMDET_POINTS, [0, 3, 2, 1], [False, True, True, True]),
])
def test_point_generators(cfg, twins_of_row, valid_row):
    sizes, shapes = [(4, 4), (2, 2)], [(32, 32)]
    centres, bases, twin, valid = pair(cfg, sizes, shapes)
    assert twin[0, :4].tolist() == twins_of_row
    assert valid[0, :4].tolist() == valid_row
    assert twin[0, 12:16].tolist() == [12 + t for t in twins_of_row]
    check_involution(centres, bases, twin, valid, shapes, sizes)


def test_keep_ratio_batch_of_two_widths():
    # a 32x32 image and a 16x24 (h x w) one padded right and bottom to it
    sizes, shapes = [(4, 4), (2, 2)], [(32, 32), (16, 24)]
    centres, bases, twin, valid = pair(FCOS_POINTS, sizes, shapes)
    # image 0 fills the batch: column i <-> 3 - i, everything valid
    assert valid[0].all() and twin[0, :4].tolist() == [3, 2, 1, 0]
    # image 1 (w 24): centres 4, 12, 20 mirror to 20, 12, 4; column 3
    # (centre 28) and rows 2-3 (centres 20, 28 > h 16) are padding
    assert twin[1, :4].tolist() == [2, 1, 0, 3]
    assert valid[1, :16].view(4, 4).tolist() == \
        [[True, True, True, False]] * 2 + [[False] * 4] * 2
    # level 1, stride 16: centres 8, 24 -> 16, 0: no twin on a 24 px image
    assert not valid[1, 16:].any()
    check_involution(centres, bases, twin, valid, shapes, sizes)
    # RetinaNet anchors on the 24 px image: centres 0, 8, 16, 24 all pair
    centres, bases, twin, valid = pair(RETINA, sizes, shapes)
    row = twin[1, :36:9].tolist()  # base anchor 0 of row 0
    assert row == [27, 18, 9, 0] and valid[1, :36].all()
    check_involution(centres, bases, twin, valid, shapes, sizes)


def test_bad_arguments_raise():
    centres = [torch.zeros(6, 2)]
    with pytest.raises(ValueError, match='not a multiple of its 4'):
        mirror_twins(centres, [4], [(8, 8)])
    with pytest.raises(ValueError, match='1 levels of priors but base'):
        mirror_twins(centres, [1, 1], [(8, 8)])
    with pytest.raises(ValueError, match='img_shapes is empty'):
        mirror_twins(centres, [1], [])
    with pytest.raises(ValueError, match=r'\(3, 3\)'):
        prior_centres([torch.zeros(3, 3)])
