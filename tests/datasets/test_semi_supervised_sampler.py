"""SemiSupervisedSampler: exact batch composition, seeding, rank shards and
the edge cases of an active-learning split."""
import bisect
import itertools
import re
import signal
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

import pytest
from torch.utils.data import ConcatDataset, Dataset

from mmdet.registry import DATA_SAMPLERS
from mmdet_alssl.datasets import SemiSupervisedSampler
from tests.helpers import write_cell_voc

# MultiSourceSampler looks get_dist_info up in its own module.
DIST_INFO = 'mmdet.datasets.samplers.multi_source_sampler.get_dist_info'
CONFIG = Path(__file__).resolve().parents[2] / 'configs' / '_base_' / \
    'datasets' / 'bccd_voc.py'


class Range(Dataset):

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, idx):
        return idx


def concat(n_labeled, n_unlabeled):
    return ConcatDataset([Range(n_labeled), Range(n_unlabeled)])


def source(dataset, idx):
    """0 for a labeled index, 1 for an unlabeled one."""
    return bisect.bisect_right(dataset.cumulative_sizes, idx)


def batches(sampler, num_batches):
    it = iter(sampler)
    return [[next(it) for _ in range(sampler.batch_size)]
            for _ in range(num_batches)]


@contextmanager
def deadline(seconds):
    """Fail instead of hanging (MultiSourceSampler loops forever on an
    empty source)."""

    def fail(*_):
        raise TimeoutError(f'sampler produced nothing in {seconds} s')

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize('batch_size,ratio,n_lab', [(6, (1, 2), 2),
                                                     (4, (1, 1), 2),
                                                     (5, (3, 2), 3),
                                                     (4, [0.75, 0.25], 3)])
def test_every_batch_has_the_exact_ratio(batch_size, ratio, n_lab):
    dataset = concat(6, 10)
    sampler = SemiSupervisedSampler(
        dataset, batch_size=batch_size, ratio=ratio, seed=0)
    for batch in batches(sampler, 60):
        # labeled indices first, then unlabeled ones
        assert [source(dataset, i) for i in batch] == \
            [0] * n_lab + [1] * (batch_size - n_lab)


def test_each_pass_visits_every_image_once():
    dataset = concat(6, 10)
    sampler = SemiSupervisedSampler(dataset, batch_size=4, seed=3)
    got = batches(sampler, 5)  # 2 labeled + 2 unlabeled per batch
    labeled = [i for b in got for i in b[:2]]
    unlabeled = [i for b in got for i in b[2:]]
    assert sorted(labeled[:6]) == list(range(6))
    assert sorted(unlabeled) == list(range(6, 16))


def test_unshuffled_stream_is_known():
    sampler = SemiSupervisedSampler(
        concat(3, 5), batch_size=4, ratio=(1, 1), shuffle=False, seed=0)
    assert batches(sampler, 4) == [[0, 1, 3, 4], [2, 0, 5, 6], [1, 2, 7, 3],
                                   [0, 1, 4, 5]]


def test_seeded_reproducible():
    dataset = concat(7, 11)

    def stream(seed):
        return batches(
            SemiSupervisedSampler(dataset, batch_size=4, seed=seed), 30)

    assert stream(5) == stream(5)
    assert stream(5) != stream(6)


@pytest.mark.parametrize('world_size', [2, 4])
def test_rank_shards_are_disjoint(world_size):
    dataset = concat(8, 16)
    per_rank = {}
    for rank in range(world_size):
        with patch(DIST_INFO, return_value=(rank, world_size)):
            sampler = SemiSupervisedSampler(dataset, batch_size=4, seed=1)
        assert (sampler.rank, sampler.world_size) == (rank, world_size)
        # one pass over the labeled part, split between the ranks
        got = batches(sampler, 8 // 2 // world_size)
        per_rank[rank] = ([i for b in got for i in b[:2]],
                          [i for b in got for i in b[2:]])
    labeled = [i for lab, _ in per_rank.values() for i in lab]
    unlabeled = [i for _, unl in per_rank.values() for i in unl]
    assert sorted(labeled) == list(range(8))  # disjoint and complete
    assert len(set(unlabeled)) == len(unlabeled)  # disjoint
    assert all(8 <= i < 24 for i in unlabeled)


@pytest.mark.parametrize(
    'ratio',
    [(0, 1), (1, -2), (1, ), (1, 2, 3), 'ab', (True, 1), (float('nan'), 1),
     (float('inf'), 1), None, ('1', '1')])
def test_invalid_ratio_names_the_value(ratio):
    with pytest.raises(ValueError, match=re.escape(repr(ratio))):
        SemiSupervisedSampler(concat(4, 4), batch_size=4, ratio=ratio)


@pytest.mark.parametrize('batch_size,ratio', [(5, (1, 1)), (1, (1, 1)),
                                              (4, (1, 2))])
def test_batch_size_that_cannot_be_split_exactly(batch_size, ratio):
    with pytest.raises(ValueError, match=f'batch_size={batch_size}'):
        SemiSupervisedSampler(concat(4, 4), batch_size=batch_size,
                              ratio=ratio)


@pytest.mark.parametrize('batch_size', [0, -2, 2.0, True])
def test_invalid_batch_size(batch_size):
    with pytest.raises(ValueError, match=re.escape(repr(batch_size))):
        SemiSupervisedSampler(concat(4, 4), batch_size=batch_size)


def test_empty_unlabeled_part_gives_labeled_batches_and_warns():
    dataset = concat(5, 0)
    with patch('mmdet_alssl.datasets.semi_supervised_sampler.print_log') \
            as log:
        sampler = SemiSupervisedSampler(dataset, batch_size=4, seed=0)
    assert 'unlabeled set is empty' in log.call_args.args[0]
    with deadline(10):
        got = batches(sampler, 10)
    assert all(len(b) == 4 and max(b) < 5 for b in got)
    flat = [i for b in got for i in b]
    assert sorted(flat[:5]) == list(range(5))  # still a permutation a pass


def test_empty_labeled_part_is_an_error():
    with pytest.raises(ValueError, match='labeled set .* is empty'):
        SemiSupervisedSampler(concat(0, 5), batch_size=4)


def test_needs_a_two_part_concat_dataset():
    with pytest.raises(ValueError, match='Range'):
        SemiSupervisedSampler(Range(4), batch_size=4)
    with pytest.raises(ValueError, match='ConcatDataset'):
        SemiSupervisedSampler(
            ConcatDataset([Range(2), Range(2), Range(2)]), batch_size=4)


def test_registered_and_built_like_the_runner_does():
    dataset = concat(4, 4)
    sampler = DATA_SAMPLERS.build(
        dict(type='SemiSupervisedSampler', batch_size=4, ratio=[1, 1]),
        default_args=dict(dataset=dataset, seed=7))
    assert isinstance(sampler, SemiSupervisedSampler)
    assert sampler.seed == 7 and sampler.num_per_source == [2, 2]


def test_bccd_config_dataloader(tmp_path):
    """The base config with a loop's --cfg-options, on a generated stand-in
    for BCCD: every batch is half labeled, half unlabeled, and flagged so;
    the stream outlasts the data (IterBasedTrainLoop)."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    init_default_scope('mmdet')
    cfg = Config.fromfile(CONFIG)
    labeled, unlabeled = tmp_path / 'labeled.txt', tmp_path / 'unlabeled.txt'
    cells = write_cell_voc(tmp_path / 'cells', 5, 0)
    labeled.write_text('Cell_00000\nCell_00001\nCell_00002\n')
    unlabeled.write_text('Cell_00003\nCell_00004\n')
    key = 'train_dataloader.dataset'
    cfg.merge_from_dict({
        f'{key}.labeled_ids_file': str(labeled),
        f'{key}.unlabeled_ids_file': str(unlabeled),
        f'{key}.dataset.data_root': str(cells),
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_dataloader.batch_size': 4,
        'train_dataloader.sampler.batch_size': 4,
    })
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=0)
    assert [len(d) for d in loader.dataset.datasets] == [3, 2]
    for batch in itertools.islice(loader, 3):  # 12 draws from 5 images
        samples = batch['data_samples']
        assert [s.label_type for s in samples] == ['labeled'] * 2 + \
            ['unlabeled'] * 2
        assert {s.img_id for s in samples[:2]} <= {
            'Cell_00000', 'Cell_00001', 'Cell_00002'}
        assert {s.img_id for s in samples[2:]} <= {
            'Cell_00003', 'Cell_00004'}
        assert all(len(s.gt_instances) == 0 for s in samples[2:])
        assert all(len(s.gt_instances) > 0 for s in samples[:2])
        assert tuple(batch['inputs'][0].shape) == (3, 128, 128)
