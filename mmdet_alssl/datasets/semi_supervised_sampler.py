"""Batches with a fixed labeled : unlabeled ratio (paper §4: half and half).

MMDetection's ``MultiSourceSampler`` already draws every batch from several
sources in a fixed proportion, seeded, sharded by rank and endlessly (for
``IterBasedTrainLoop``). This subclass pins it to the two-part
[labeled, unlabeled] ``ConcatDataset`` of a cycle, makes the split of a batch
exact, and handles the edge cases of the active-learning loop: an empty
unlabeled part (every pool image labeled) and an empty labeled part.
"""
import logging
import math
from numbers import Real
from typing import Optional, Sequence, Sized

from mmdet.datasets.samplers import MultiSourceSampler
from mmdet.registry import DATA_SAMPLERS
from mmengine.logging import print_log


def check_ratio(ratio) -> tuple:
    """Return ``ratio`` as a tuple of two positive finite numbers, else raise
    ValueError naming the value."""
    ok = (isinstance(ratio, Sequence) and not isinstance(ratio, str)
          and len(ratio) == 2 and all(
              isinstance(r, Real) and not isinstance(r, bool)
              and math.isfinite(r) and r > 0 for r in ratio))
    if not ok:
        raise ValueError(
            f'ratio={ratio!r} is not two positive numbers (labeled, '
            f'unlabeled): use e.g. ratio=(1, 1) for half labeled, half '
            f'unlabeled batches')
    return tuple(ratio)


@DATA_SAMPLERS.register_module()
class SemiSupervisedSampler(MultiSourceSampler):
    """Infinite sampler whose every batch is labeled and unlabeled images in
    an exact ratio.

    Each batch yields its labeled indices (human-labeled images, part 0 of
    the dataset) first, then its unlabeled ones (part 1, pseudo-labeled
    images among them). Each part is reshuffled on every pass with
    ``seed``, and each rank takes every
    ``world_size``-th index of a part's stream from position ``rank``, so
    ranks see disjoint images within a pass (``MultiSourceSampler``). The
    stream never ends: use it with ``IterBasedTrainLoop``.

    If the unlabeled part is empty (every pool image labeled), whole batches
    come from the labeled part and a warning is logged.

    Args:
        dataset (ConcatDataset): ``ConcatDataset([labeled, unlabeled])``.
        batch_size (int): images per batch on each rank; it must split
            exactly in ``ratio`` (e.g. even for 1:1).
        ratio (Sequence[float]): labeled : unlabeled images per batch.
            Defaults to (1, 1) (the paper's half and half).
        shuffle (bool): reshuffle each part on every pass. Defaults to True.
        seed (int, optional): shuffling seed; None draws one, shared by all
            ranks. Defaults to None (the Runner passes its seed).
    """

    def __init__(self,
                 dataset: Sized,
                 batch_size: int,
                 ratio: Sequence[float] = (1, 1),
                 shuffle: bool = True,
                 seed: Optional[int] = None) -> None:
        ratio = check_ratio(ratio)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) \
                or batch_size < 1:
            raise ValueError(f'batch_size={batch_size!r} must be a positive '
                             f'integer')
        parts = getattr(dataset, 'datasets', None)
        if parts is None or len(parts) != 2 or not hasattr(
                dataset, 'cumulative_sizes'):
            raise ValueError(
                f'SemiSupervisedSampler needs a ConcatDataset of [labeled, '
                f'unlabeled] data sets, got {type(dataset).__name__}: wrap '
                f'the two in dict(type="ConcatDataset", datasets=[...])')
        # Exact counts per batch; rounding would drift off the ratio.
        num_labeled = batch_size * ratio[0] / sum(ratio)
        if not math.isclose(num_labeled, round(num_labeled)) or not \
                0 < round(num_labeled) < batch_size:
            raise ValueError(
                f'batch_size={batch_size} cannot be split exactly in '
                f'ratio={ratio!r} (labeled share {num_labeled:g}): choose a '
                f'batch_size whose labeled and unlabeled shares are whole '
                f'numbers of at least 1, e.g. a multiple of {sum(ratio):g} '
                f'for integer ratios')
        num_labeled = round(num_labeled)
        if len(parts[0]) == 0:
            raise ValueError(
                'the labeled set (the first data set of the ConcatDataset) is '
                'empty: a cycle needs labeled images; give its '
                'image_ids_file at least one labeled id (or a '
                'pseudo_labels_file), and check ann_file and filter_cfg')
        self.ratio = ratio
        unlabeled_empty = len(parts[1]) == 0
        # Integer shares make the parent's int() split exact.
        super().__init__(
            dataset=dataset,
            batch_size=batch_size,
            source_ratio=[num_labeled, batch_size - num_labeled],
            shuffle=shuffle,
            seed=seed)
        if unlabeled_empty:
            print_log(
                f'SemiSupervisedSampler: the unlabeled set is empty, so every '
                f'batch is {batch_size} labeled images instead of '
                f'{ratio[0]:g}:{ratio[1]:g} labeled:unlabeled',
                logger='current',
                level=logging.WARNING)
            # The parent visits the sources listed in num_per_source; drawing
            # from an empty one would loop forever without yielding.
            self.num_per_source = [batch_size]
