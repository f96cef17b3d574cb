"""ActiveLearningHook: after a cycle's training, choose what a human labels
next and what the model labels itself (§3.1-3.2), and write the next cycle.

The hook only orchestrates: the pool is :func:`mmdet_alssl.datasets.pool.
build_pool_to_score`'s, its scoring :class:`~mmdet_alssl.engine.pool_scorer.
PoolScorer`'s, the decision :func:`mmdet_alssl.acquisition.acquire.decide`'s
and the files :meth:`mmdet_alssl.workdir.CycleState.write_acquisition`'s.
"""
from typing import List, Optional

from mmdet.registry import HOOKS
from mmengine.dist import barrier, broadcast_object_list, is_main_process
from mmengine.hooks import Hook

from ...acquisition.acquire import (decide, overconfident_message,
                                    skipped_message, summary_message)
from ...acquisition.settings import AcquisitionSettings, check_int
from ...datasets.labeled_box_counts import labeled_box_counts
from ...datasets.pool import as_one_dataset, build_pool_to_score
from ...workdir import CycleState
from ...workdir.layout import ACQUIRE, SKIPPED_IMAGES, UNLABELED_IDS
from ..pool_scorer import PoolScorer


@HOOKS.register_module()
class ActiveLearningHook(Hook):
    """Score the unlabeled pool, select, pseudo-label, write cycle k + 1.

    At ``after_train`` of cycle ``k`` (if ``work_dir`` is set, ``select`` is
    True and cycle k's ``acquire`` step is not done yet) it scores every
    image of cycle k's ``unlabeled.txt`` and its horizontal flip with the
    trained model, selects ``budget`` images, pseudo-labels the rest and
    writes ``cycle_<k>/scores.csv``, ``selected.txt``,
    ``skipped_images.json``, ``predictions.json`` (the model's boxes on the
    selected images, a labeler's suggestions), cycle k + 1's ``labeled.txt``,
    ``unlabeled.txt`` and ``pseudo_labels.json``, and the done marker
    ``cycle_<k>/done/acquire.json`` last. Under a distributed launch each
    rank scores its shard and rank 0 decides and writes.

    Args:
        work_dir (str, optional): the loop's WORK_DIR. None (default)
            disables the hook: plain training.
        cycle (int): the cycle k just trained. Default 0.
        select (bool): False on the last cycle (nothing to select): the hook
            then does nothing. Default True.
        acquisition (dict, optional): the fields of
            :class:`~mmdet_alssl.acquisition.settings.AcquisitionSettings`
            (``budget`` is required when the hook selects). The loop sets
            them from ``active_learning`` and its flags.
        batch_size (int): pool images per forward (x2 with flips). Default 8.
        num_workers (int): data loading workers. Default 0.
        pool_pipeline (list[dict], optional): pipeline for the pool; None
            (default) uses ``test_dataloader.dataset.pipeline``. It must
            pack ``img_id``, ``ori_shape``, ``img_shape``, ``scale_factor``.
    """

    def __init__(self, work_dir: Optional[str] = None, cycle: int = 0,
                 select: bool = True, acquisition: Optional[dict] = None,
                 batch_size: int = 8, num_workers: int = 0,
                 pool_pipeline: Optional[List[dict]] = None) -> None:
        self.settings = AcquisitionSettings.from_mapping(
            acquisition or {}, 'ActiveLearningHook(acquisition=...)')
        check_int('cycle', cycle, 0, 'the cycle index')
        check_int('batch_size', batch_size, 1, 'images per scoring batch')
        check_int('num_workers', num_workers, 0, 'data workers of scoring')
        if work_dir is not None and select and self.settings.budget is None:
            raise ValueError('ActiveLearningHook is enabled (work_dir='
                             f'{work_dir!r}) but has no budget; pass '
                             'acquisition=dict(budget=N), the images to '
                             'select this cycle')
        self.work_dir, self.cycle, self.select = work_dir, cycle, select
        self.pool_pipeline = pool_pipeline
        self.scorer = PoolScorer(self.settings, batch_size, num_workers)

    def after_train(self, runner) -> None:
        if self.work_dir is None:
            return
        state, k = CycleState(self.work_dir), self.cycle
        if not self.select:
            runner.logger.info(f'ActiveLearningHook: cycle {k} is the last '
                               f'(select=False); nothing to select')
            return
        # Rank 0 decides, so all ranks take the same branch.
        done = [state.is_done(k, ACQUIRE) if is_main_process() else None]
        broadcast_object_list(done)
        if done[0]:
            runner.logger.info(f'ActiveLearningHook: cycle {k} selection is '
                               f'already done ({state.cycle_dir(k)}); kept')
            return
        parts = build_pool_to_score(runner.cfg.train_dataloader,
                                    state.path(k, UNLABELED_IDS),
                                    self._pool_pipeline(runner))
        pool = as_one_dataset(parts)
        rows = self.scorer.score_pool(runner, pool) if len(pool) else []
        if is_main_process():
            self._decide_and_write(runner, state, parts, rows)
        barrier()

    def _pool_pipeline(self, runner) -> List[dict]:
        pipeline = self.pool_pipeline
        if pipeline is None:
            pipeline = (runner.cfg.get('test_dataloader') or {}).get(
                'dataset', {}).get('pipeline')
        if pipeline is None:
            raise ValueError('test_dataloader.dataset has no pipeline to '
                             'score the pool with; pass pool_pipeline')
        return pipeline

    def _decide_and_write(self, runner, state: CycleState, parts,
                          rows: List[dict]) -> None:
        s, k = self.settings, self.cycle
        classes = parts[0].metainfo['classes']
        labeled, unlabeled = state.read_split(k)
        counts = None
        if s.pseudo_labels and s.pseudo_max_count_ratio is not None:
            counts = labeled_box_counts(runner.train_dataloader.dataset,
                                        len(classes))
        unusable = {i: why for part in parts
                    for i, why in part.unusable_images.items()}
        acq = decide(s, labeled, unlabeled, rows, unusable, classes,
                     parts[0].data_root, counts)
        if acq.skipped:
            runner.logger.warning(skipped_message(
                acq.skipped, state.path(k, SKIPPED_IMAGES)))
        if acq.overconfident:
            runner.logger.warning(
                overconfident_message(k, acq, s, classes))
        state.write_acquisition(k, acq.scores, acq.selected, acq.skipped,
                                acq.next_labeled, acq.next_unlabeled,
                                acq.pseudo_labels, acq.predictions)
        runner.logger.info(summary_message(k, acq, s))
