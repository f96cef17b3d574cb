"""The pool scorer's flip of padded batches and its check of the mirror
pairing (its scores against the pure functions: the hook's tests)."""
import pytest
import torch

from mmdet_alssl.engine.pool_scorer import (check_fills_batch_width,
                                            flip_image_regions)


def test_flip_keeps_the_padding_where_it_is():
    # image 0 is 2x3 padded to 3x4 (zeros right and bottom); image 1 fills it
    inputs = torch.zeros(2, 1, 3, 4)
    inputs[0, 0, :2, :3] = torch.tensor([[1., 2., 3.], [4., 5., 6.]])
    inputs[1, 0] = torch.arange(12.).view(3, 4)
    flipped = flip_image_regions(inputs, [(2, 3), (3, 4)])
    assert flipped[0, 0].tolist() == [[3., 2., 1., 0.], [6., 5., 4., 0.],
                                      [0., 0., 0., 0.]]
    assert torch.equal(flipped[1], inputs[1].flip(-1))
    assert inputs[0, 0, 0, 0] == 1.  # the input is left as it was


def test_mirror_pairing_needs_images_as_wide_as_the_batch():
    # heights may differ (padding at the bottom leaves the mirror intact)
    check_fills_batch_width([dict(img_shape=(30, 40)),
                             dict(img_shape=(20, 40))], 40)
    with pytest.raises(ValueError, match=r"JPEGImages/b.jpg is 32 px wide in "
                       r"a batch padded to 40.*flip_candidates='priors'"):
        check_fills_batch_width(
            [dict(img_shape=(30, 40), img_path='JPEGImages/a.jpg'),
             dict(img_shape=(30, 32), img_path='JPEGImages/b.jpg')], 40)
