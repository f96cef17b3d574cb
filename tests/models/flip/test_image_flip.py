"""flip_image_regions: each image flipped inside its own region."""
import pytest
import torch

from mmdet_alssl.models.flip import flip_image_regions


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


def test_full_width_batch_is_one_flip_and_bad_shapes_raise():
    inputs = torch.arange(24.).view(2, 1, 3, 4)
    # heights may differ: the bottom padding rows are flipped onto themselves
    assert torch.equal(flip_image_regions(inputs, [(3, 4), (2, 4)]),
                       inputs.flip(-1))
    with pytest.raises(ValueError, match='1 image shapes for a batch of 2'):
        flip_image_regions(inputs, [(3, 4)])
    with pytest.raises(ValueError, match='image 1 is 3x5'):
        flip_image_regions(inputs, [(3, 3), (3, 5)])
