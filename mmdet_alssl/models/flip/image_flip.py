"""The horizontal flip of a padded batch, one implementation for training
(the consistency detector) and scoring (the acquisition)."""
from typing import Sequence, Tuple

import torch


def flip_image_regions(inputs: torch.Tensor,
                       shapes: Sequence[Tuple[int, int]]) -> torch.Tensor:
    """Each image flipped left-right inside its own region, padding kept.

    A batch pads smaller images at the right and bottom
    (``DetDataPreprocessor``); flipping the whole padded tensor would move an
    image to the right edge. Flipping inside the image (as ``RandomFlip``
    before padding would) keeps the mirror of a box or prior about the
    image's own width ``w``: x -> w - x.

    Args:
        inputs (Tensor): (N, C, H, W) padded batch.
        shapes (Sequence[tuple[int, int]]): Per image its (h, w) before
            padding (``img_shape``), each within (H, W).

    Returns:
        Tensor: (N, C, H, W), a new tensor.
    """
    if len(shapes) != inputs.size(0):
        raise ValueError(f'{len(shapes)} image shapes for a batch of '
                         f'{inputs.size(0)} images')
    height, width = inputs.shape[-2:]
    if all(int(w) == width for _, w in shapes):
        # every image fills the batch width: one flip, no copy loop
        return inputs.flip(-1)
    flipped = inputs.clone()
    for i, (h, w) in enumerate(shapes):
        if h > height or w > width:
            raise ValueError(f'image {i} is {h}x{w}, larger than its '
                             f'{height}x{width} batch')
        flipped[i, :, :h, :w] = inputs[i, :, :h, :w].flip(-1)
    return flipped
