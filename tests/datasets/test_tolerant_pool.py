"""TolerantPool / collate_tolerant: one unreadable item is reported, the
rest of the batch still loads."""
import pytest

from mmdet_alssl.datasets.tolerant_pool import TolerantPool, collate_tolerant


class _Pool:
    """Items 0 and 2 load; item 1 raises like a corrupt image."""

    def __len__(self):
        return 3

    def get_data_info(self, idx):
        if not 0 <= idx < len(self):
            raise IndexError(idx)
        return dict(img_id=f'img{idx}')

    def __getitem__(self, idx):
        if not 0 <= idx < len(self):
            raise IndexError(idx)
        if idx == 1:
            raise OSError('cannot identify image file img1.jpg')
        return dict(inputs=idx, data_samples=f's{idx}')


def test_a_failing_item_is_reported_not_raised():
    pool = TolerantPool(_Pool())
    assert len(pool) == 3
    assert pool[0] == dict(inputs=0, data_samples='s0')
    assert pool[1] == dict(
        failed='img1', error='OSError: cannot identify image file img1.jpg')


def test_collate_separates_failed_items():
    pool = TolerantPool(_Pool())
    batch, failed = collate_tolerant([pool[i] for i in range(3)])
    assert batch == dict(inputs=[0, 2], data_samples=['s0', 's2'])
    assert failed == [('img1', 'OSError: cannot identify image file '
                       'img1.jpg')]
    assert collate_tolerant([pool[1]]) == (None, failed)


def test_an_empty_batch_collates_to_nothing():
    assert collate_tolerant([]) == (None, [])


def test_an_index_out_of_range_still_raises():
    # Only items that fail to load are tolerated: with no image id to
    # report (get_data_info raises too), the error propagates.
    with pytest.raises(IndexError):
        TolerantPool(_Pool())[3]
