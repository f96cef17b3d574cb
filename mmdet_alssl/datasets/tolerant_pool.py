"""A data set wrapper that reports an item failing to load instead of
raising, and the collate function that separates such items: scoring a pool
of thousands of images must not die on one unreadable file."""
from typing import Sequence

from mmengine.dataset import pseudo_collate
from torch.utils.data import Dataset


class TolerantPool(Dataset):
    """The pool data set, with an item that fails to load (an unreadable
    image) turned into ``{'failed': img_id, 'error': ...}`` so that one bad
    file is reported instead of killing the scoring of the whole pool."""

    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, idx: int) -> dict:
        try:
            return self.dataset[idx]
        except Exception as err:  # noqa: BLE001 -- reported per image
            img_id = self.dataset.get_data_info(idx)['img_id']
            return dict(failed=img_id, error=f'{type(err).__name__}: {err}')


def collate_tolerant(batch: Sequence[dict]):
    """``(pseudo_collate(loaded items) | None, [(failed id, error), ...])``."""
    ok = [item for item in batch if 'failed' not in item]
    failed = [(item['failed'], item['error']) for item in batch
              if 'failed' in item]
    return (pseudo_collate(ok) if ok else None), failed
