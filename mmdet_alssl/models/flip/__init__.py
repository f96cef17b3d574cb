from .dense_head_adapter import DenseHeadFlipAdapter, FlipPairs
from .image_flip import flip_image_regions
from .prior_pairing import mirror_twins, prior_centres

__all__ = ['DenseHeadFlipAdapter', 'FlipPairs', 'flip_image_regions',
           'mirror_twins', 'prior_centres']
