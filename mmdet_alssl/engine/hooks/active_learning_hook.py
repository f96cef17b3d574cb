"""ActiveLearningHook: after a cycle's training, choose what a human labels
next and what the model labels itself (§3.1-3.2), and write the next cycle.

The decisions are the pure functions of :mod:`mmdet_alssl.acquisition`
(``score_image``, ``select``, ``pseudo_label_boxes``); this hook only runs
the trained model over the unlabeled pool and moves their results to disk
through :class:`~mmdet_alssl.loop.CycleState`.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional

import numpy as np
import torch
from mmdet.registry import DATASETS, HOOKS
from mmdet.structures.bbox import bbox_flip
from mmengine.dataset import ConcatDataset
from mmengine.dist import (barrier, broadcast, broadcast_object_list,
                           collect_results, get_world_size, is_main_process)
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.utils import ProgressBar
from torch.utils.data import Dataset

from ...acquisition import (build_pseudo_label_json, overconfident_classes,
                            pseudo_label_boxes, score_image, select)
from ...acquisition.scores import FLIP_CANDIDATES
from ...acquisition.settings import (check_budget, check_int, check_nms,
                                     check_pseudo_flip_iou,
                                     check_pseudo_max_count_ratio,
                                     check_score_thr, check_seed,
                                     check_strategy, check_tau)
from ...datasets.label_type import UNLABELED
from ...datasets.labeled_box_counts import labeled_box_counts
from ...datasets.tolerant_pool import TolerantPool, collate_tolerant
from ...labeling.predictions import (SUGGEST_THR, build_predictions_json,
                                     check_suggest_thr)
from ...loop import CycleState, pool_part_cfgs
from ...loop.state_io import write_json
from ...loop.work_dir_layout import (ACQUIRE, LABELED_IDS, PREDICTIONS,
                                     PSEUDO_LABELS, SCORES, SELECTED_IDS,
                                     SKIPPED_IMAGES, UNLABELED_IDS)
from ...models.losses import mirrored_prior_index


@HOOKS.register_module()
class ActiveLearningHook(Hook):
    """Score the unlabeled pool, select, pseudo-label, write cycle k + 1.

    At ``after_train`` of cycle ``k`` (if ``work_dir`` is set, ``select`` is
    True and cycle k's ``acquire`` step is not done yet), it reads cycle k's
    ``unlabeled.txt``, runs the trained model on every image and its
    horizontal flip (one batched forward, ``eval()`` + ``no_grad``; the
    model's training mode is restored), scores each image
    (``score_image``), selects ``budget`` images (``select``) and writes:

    - ``cycle_<k>/scores.csv``, ``cycle_<k>/selected.txt``,
      ``cycle_<k>/skipped_images.json`` (images not scored, with the reason),
      ``cycle_<k>/predictions.json`` (the boxes >= ``suggest_thr`` on the
      selected images: the labeler's suggestions, :mod:`...labeling`);
    - ``cycle_<k+1>/labeled.txt`` (labeled + selected),
      ``cycle_<k+1>/unlabeled.txt`` (the rest, skipped images included),
      ``cycle_<k+1>/pseudo_labels.json`` (boxes with top class probability
      >= ``tau`` (and, with ``pseudo_flip_iou``, a mirror twin that agrees)
      on images of the rest; only if ``pseudo_labels``; none at all when
      the count guard ``pseudo_max_count_ratio`` finds the model
      overconfident);
    - the done marker ``cycle_<k>/done/acquire.json`` last.

    Under a distributed launch each rank scores its shard
    (``DefaultSampler``) and rank 0 gathers (``mmengine.dist``) and writes.

    Args:
        work_dir (str, optional): the loop's WORK_DIR. None (default)
            disables the hook: plain training.
        cycle (int): the cycle k just trained. Default 0.
        select (bool): False on the last cycle (nothing to select): the hook
            then does nothing. Default True.
        budget (int, optional): images to select; required when the hook
            is enabled and ``select`` is True. Default None.
        strategy (str): a registered strategy name. Default ``'unified'``.
        strategy_kwargs (dict, optional): the strategy's extra arguments,
            e.g. ``dict(filter_num=90)`` for ``entropy_filtered``.
        tau (float): pseudo-label threshold τ in (0, 1] (Eq. 6). Default 0.99.
        score_thr (float): detections kept for scoring. Default 0.5.
        pseudo_labels (bool): write pseudo-labels. Default True.
        pseudo_flip_iou (float, optional): the flip gate on pseudo-labels:
            a box needs IoU >= this with the box its prior's mirror twin
            predicts on the flipped image (``pseudo_label_boxes``); needs
            the mirror geometry of ``flip_candidates='mirror'``. Default
            None: τ only (the paper).
        pseudo_max_count_ratio (float, optional): the count guard: no
            pseudo-labels this cycle (a warning names the class) when the
            pseudo boxes of a class per unlabeled image exceed this many
            times its ground-truth boxes per labeled image
            (``overconfident_classes``). Default None: off (the paper).
        seed (int): seed of the ``random`` strategy. Default 0.
        batch_size (int): pool images per forward (x2 with flips). Default 8.
        num_workers (int): data loading workers. Default 0.
        pool_pipeline (list[dict], optional): pipeline for the pool; None
            (default) uses ``test_dataloader.dataset.pipeline``. It must
            pack ``img_id``, ``ori_shape``, ``img_shape``, ``scale_factor``.
        iou_thr (float): NMS IoU threshold. Default 0.45.
        max_per_img (int): detections kept per image. Default 100.
        nms_pre (int): priors entering NMS (-1: all). Default 1000.
        flip_candidates (str): how Eq. 1 pairs a detection with the flip:
            ``'mirror'`` (default: its prior's mirror twin, as the training
            loss; needs every pool image to fill its batch's width, as a
            fixed-size ``Resize`` makes it), ``'priors'`` or ``'detections'``
            (highest IoU; see ``score_image``).
        suggest_thr (float): top class probability a box needs to go into
            ``predictions.json``. Default
            :data:`~mmdet_alssl.labeling.predictions.SUGGEST_THR`.
    """

    def __init__(self, work_dir: Optional[str] = None, cycle: int = 0,
                 select: bool = True, budget: Optional[int] = None,
                 strategy: str = 'unified',
                 strategy_kwargs: Optional[dict] = None, tau: float = 0.99,
                 score_thr: float = 0.5, pseudo_labels: bool = True,
                 seed: int = 0, batch_size: int = 8, num_workers: int = 0,
                 pool_pipeline: Optional[List[dict]] = None,
                 iou_thr: float = 0.45, max_per_img: int = 100,
                 nms_pre: int = 1000,
                 flip_candidates: str = 'mirror',
                 pseudo_flip_iou: Optional[float] = None,
                 pseudo_max_count_ratio: Optional[float] = None,
                 suggest_thr: float = SUGGEST_THR) -> None:
        # The one check of each value used in scoring (the same bounds as
        # the loop's settings); the pure functions take them as given.
        check_strategy(strategy)
        if flip_candidates not in FLIP_CANDIDATES:
            raise ValueError(f'flip_candidates={flip_candidates!r}; use one '
                             f'of {FLIP_CANDIDATES}')
        check_int('cycle', cycle, 0, 'the cycle index')
        check_int('batch_size', batch_size, 1, 'images per scoring batch')
        check_int('num_workers', num_workers, 0, 'data workers of scoring')
        check_nms(iou_thr, max_per_img, nms_pre)
        check_seed(seed)
        if budget is not None:
            check_budget(budget)
        if work_dir is not None and select and budget is None:
            raise ValueError('ActiveLearningHook is enabled (work_dir='
                             f'{work_dir!r}) but budget is None; pass budget='
                             'N, the images to select this cycle')
        score_thr = check_score_thr(score_thr)
        self.tau = check_tau(tau)
        self.pseudo_flip_iou = check_pseudo_flip_iou(pseudo_flip_iou)
        self.pseudo_max_count_ratio = check_pseudo_max_count_ratio(
            pseudo_max_count_ratio)
        self.work_dir, self.cycle, self.select = work_dir, cycle, select
        self.budget, self.strategy, self.seed = budget, strategy, seed
        self.strategy_kwargs = dict(strategy_kwargs or {})
        self.score_thr, self.pseudo_labels = score_thr, pseudo_labels
        self.batch_size, self.num_workers = batch_size, num_workers
        self.pool_pipeline = pool_pipeline
        self.nms_cfg = dict(iou_thr=iou_thr, max_per_img=max_per_img,
                            nms_pre=nms_pre)
        self.flip_candidates = flip_candidates
        self.suggest_thr = check_suggest_thr(suggest_thr)

    # ---- orchestration ---------------------------------------------------
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
        labeled, unlabeled = state.read_split(k)
        _share_rank0_buffers(runner.model)
        pool = self.build_pool(runner, state.path(k, UNLABELED_IDS))
        results = self.score_pool(runner, pool) if len(pool) else []
        if is_main_process():
            self._decide_and_write(runner, state, k, labeled, unlabeled,
                                   results, pool)
        barrier()

    def build_pool(self, runner, ids_file) -> Dataset:
        """The pool (every part of it, :func:`pool_part_cfgs`) over
        ``ids_file`` (a path or a list of ids), with the pool pipeline and
        no filtering (``test_mode``); one ``ConcatDataset`` if it has
        several parts (e.g. VOC2007 + VOC2012)."""
        pipeline = self.pool_pipeline
        if pipeline is None:
            pipeline = (runner.cfg.get('test_dataloader') or {}).get(
                'dataset', {}).get('pipeline')
        if pipeline is None:
            raise ValueError('test_dataloader.dataset has no pipeline to '
                             'score the pool with; pass pool_pipeline')
        if not isinstance(ids_file, (list, tuple)):
            ids_file = str(ids_file)
        parts = []
        for cfg in pool_part_cfgs(runner.cfg.get('train_dataloader') or {},
                                  UNLABELED, ids_file):
            cfg.update(pipeline=copy.deepcopy(pipeline), test_mode=True)
            parts.append(DATASETS.build(cfg))
            parts[-1].full_init()
        if len(parts) == 1:
            return parts[0]
        return ConcatDataset(parts, ignore_keys=['dataset_type'])

    def score_pool(self, runner, pool) -> List[dict]:
        """Rows of every pool image (rank 0: all ranks'; others: None)."""
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        if not hasattr(getattr(model, 'bbox_head', None), 'predict_dense'):
            raise ValueError(f'{type(model).__name__} has no bbox_head.'
                             f'predict_dense; ActiveLearningHook needs a '
                             f'single-stage detector such as ConsistencySSD '
                             f'with PseudoLabelSSDHead')
        loader = runner.build_dataloader(
            dict(batch_size=self.batch_size, num_workers=self.num_workers,
                 sampler=dict(type='DefaultSampler', shuffle=False),
                 collate_fn=collate_tolerant, dataset=TolerantPool(pool)),
            seed=self.seed)
        world = get_world_size()
        bar = ProgressBar(len(pool)) if is_main_process() else None
        rows, was_training = [], model.training
        model.eval()
        try:
            with torch.no_grad():
                for data_batch, failed in loader:
                    if data_batch is not None:
                        rows.extend(self.score_batch(model, data_batch))
                    rows.extend(dict(id=str(i), raw_id=i, error=e)
                                for i, e in failed)
                    if bar is not None:  # all ranks advance in step
                        bar.update(min(world * self.batch_size,
                                       len(pool) - bar.completed))
        finally:
            model.train(was_training)
        # device='gpu' means "through the backend": gloo on CPU, NCCL on
        # GPU. Nothing is cut (the sampler's padding repeats images): rank 0
        # keeps each id's first row, which is the unpadded one.
        rows = collect_results(rows, len(loader.sampler) * world,
                               device='gpu')
        if rows is None:
            return None
        unique = {}
        for row in rows:
            unique.setdefault(row['id'], row)
        return list(unique.values())

    def score_batch(self, model, data_batch: dict) -> List[dict]:
        """Score one collated batch: originals and flips in ONE forward.

        Returns:
            list[dict]: per image ``id`` (str), ``raw_id``, ``scores``
            (``score_image`` result), ``pseudo`` (lists ``bboxes`` (N, 4),
            ``labels``, ``scores``), ``suggested`` (the same at
            ``suggest_thr``, no flip gate) and ``info`` (file name, width,
            height).
        """
        data = model.data_preprocessor(data_batch, False)
        inputs, samples = data['inputs'], data['data_samples']
        flipped = flip_image_regions(inputs,
                                     [s.img_shape[:2] for s in samples])
        feats = model.extract_feat(torch.cat([inputs, flipped]))
        metas = [s.metainfo for s in samples]
        cls_scores, bbox_preds = model.bbox_head(feats)
        dense = model.bbox_head.predict_dense(
            cls_scores, bbox_preds, metas + metas, rescale=True)
        mirror = None
        if self.flip_candidates == 'mirror' or \
                self.pseudo_flip_iou is not None:
            check_fills_batch_width(metas, inputs.size(-1))
            mirror = mirrored_prior_index(
                [s.shape[-2:] for s in cls_scores],
                model.bbox_head.num_base_priors, device=inputs.device)
        rows = []
        for i, meta in enumerate(metas):
            boxes, probs = dense[i]
            flip_boxes, flip_probs = dense[len(metas) + i]
            ori_shape = meta['ori_shape'][:2]
            flip_boxes = bbox_flip(flip_boxes, ori_shape, 'horizontal')
            scores = score_image(boxes, probs, flip_boxes, flip_probs,
                                 self.score_thr,
                                 flip_candidates=self.flip_candidates,
                                 mirror_index=mirror,
                                 **self.nms_cfg)
            pseudo = None
            if self.pseudo_labels:
                pseudo = {
                    key: value.cpu().tolist()
                    for key, value in pseudo_label_boxes(
                        boxes, probs, self.tau, **self.nms_cfg,
                        min_flip_iou=self.pseudo_flip_iou,
                        flip_boxes=flip_boxes, mirror_index=mirror).items()
                }
            suggested = {key: value.cpu().tolist() for key, value in
                         pseudo_label_boxes(boxes, probs, self.suggest_thr,
                                            **self.nms_cfg).items()}
            rows.append(
                dict(id=str(meta['img_id']), raw_id=meta['img_id'],
                     scores=scores, pseudo=pseudo, suggested=suggested,
                     info=dict(file_name=meta.get('img_path'),
                               height=ori_shape[0], width=ori_shape[1])))
        return rows

    # ---- rank 0: decide and write ------------------------------------------
    def _decide_and_write(self, runner, state: CycleState, k: int,
                          labeled: List[str], unlabeled: List[str],
                          results: List[dict], pool) -> None:
        parts = pool.datasets if isinstance(pool, ConcatDataset) else [pool]
        skipped: Dict[str, str] = {i: why for part in parts
                                   for i, why in part.unusable_images.items()}
        table, pseudo, infos, raw = {}, {}, {}, {}
        for row in results:
            if 'error' in row:
                skipped[row['id']] = row['error']
                continue
            table[row['id']] = row['scores']
            raw[row['id']] = row['raw_id']
            infos[row['raw_id']] = self._image_info(row, parts[0].data_root)
            if row['pseudo'] is not None and row['pseudo']['bboxes']:
                pseudo[row['id']] = row['pseudo']
        unscored = set(unlabeled) - set(table) - set(skipped)
        if unscored:
            raise RuntimeError(f'{len(unscored)} pool image(s) were neither '
                               f'scored nor reported, e.g. '
                               f'{sorted(unscored)[:5]}')
        if skipped:
            runner.logger.warning(
                f'ActiveLearningHook: {len(skipped)} unlabeled image(s) '
                f'could not be scored and will not be selected (listed in '
                f'{state.path(k, SKIPPED_IMAGES)}): '
                f'{dict(list(skipped.items())[:5])}')
            if not table and any(r.get('error') for r in results):
                raise RuntimeError(
                    f'no pool image could be loaded (first error: '
                    f'{next(iter(skipped.values()))}); check the pool '
                    f'pipeline, or remove unreadable ids from '
                    f'{state.path(k, UNLABELED_IDS)}')

        chosen, info = select(self.strategy, table, self.budget, self.seed,
                              **self.strategy_kwargs)
        chosen_set = set(chosen)
        rest = [i for i in unlabeled if i not in chosen_set]
        next_labeled = list(labeled) + list(chosen)
        state.write_scores(k, table)
        state.write_selected(k, chosen)
        write_json(state.path(k, SKIPPED_IMAGES), skipped)
        state.write_split(k + 1, next_labeled, rest)
        write_json(state.path(k, PREDICTIONS), build_predictions_json(
            {row['id']: row['suggested'] for row in results
             if 'error' not in row}, chosen, raw, pool.metainfo['classes'],
            infos))
        files = [SCORES, SELECTED_IDS, SKIPPED_IMAGES, PREDICTIONS,
                 state.path(k + 1, LABELED_IDS).absolute(),
                 state.path(k + 1, UNLABELED_IDS).absolute()]
        kept = {i: pseudo[i] for i in rest if i in pseudo}
        if self.pseudo_labels and self.pseudo_max_count_ratio is not None:
            kept = self._unless_overconfident(
                runner, k, kept, sum(i in table for i in rest),
                pool.metainfo['classes'])
        if self.pseudo_labels:
            coco = build_pseudo_label_json(
                {raw[i]: boxes for i, boxes in kept.items()},
                pool.metainfo['classes'], infos, labeled_ids=next_labeled)
            state.write_pseudo_labels(k + 1, coco)
            files.append(state.path(k + 1, PSEUDO_LABELS).absolute())
        state.mark_done(k, ACQUIRE, files)
        self._log_summary(runner, k, info, table, kept)

    def _unless_overconfident(self, runner, k: int, kept: dict,
                              num_images: int, classes) -> dict:
        """``kept`` (the pseudo boxes of ``num_images`` scored images), or
        {} with a warning when :func:`overconfident_classes` finds a class
        the model is sure of far more often than the labels hold it: a
        model overconfident in one class is not trusted for the others."""
        pseudo_counts = np.zeros(len(classes), np.int64)
        for boxes in kept.values():
            pseudo_counts += np.bincount(
                np.asarray(boxes['labels'], np.int64),
                minlength=len(classes))[:len(classes)]
        labeled_counts, num_labeled = labeled_box_counts(
            runner.train_dataloader.dataset, len(classes))
        over = overconfident_classes(pseudo_counts.tolist(), num_images,
                                     labeled_counts, num_labeled,
                                     self.pseudo_max_count_ratio)
        if not over:
            return kept
        details = '; '.join(
            f'{classes[c]}: {rate:.2f} boxes per unlabeled image, '
            f'{labeled_rate:.2f} per labeled image'
            for c, (rate, labeled_rate) in over.items())
        runner.logger.warning(
            f'ActiveLearningHook cycle {k}: NO pseudo-labels this cycle: '
            f'the model is sure (>= tau {self.tau}) of more than '
            f'{self.pseudo_max_count_ratio:g}x the boxes the labeled images '
            f'hold ({details}); an overconfident model (e.g. trained on '
            f'too few labeled images) would teach the next cycle its '
            f'mistakes. Label more images before cycle 0 (--initial), or '
            f'set active_learning.pseudo_max_count_ratio=None to keep '
            f'them')
        return {}

    @staticmethod
    def _image_info(row: dict, data_root: Optional[str]) -> dict:
        """COCO ``file_name`` relative to the data root (as a labeling tool
        expects), width and height of the original image."""
        info, path = dict(row['info']), row['info']['file_name']
        if path is None:
            info['file_name'] = row['id']
        elif data_root and osp.abspath(path).startswith(
                osp.abspath(data_root) + osp.sep):
            info['file_name'] = osp.relpath(path, data_root)
        return info

    def _log_summary(self, runner, k, info, table, kept) -> None:
        stats = []
        for column in ('entropy', 'inconsistency', 'unified'):
            values = np.array([row[column] for row in table.values()])
            if values.size:
                stats.append(f'{column} mean {values.mean():.4f} max '
                             f'{values.max():.4f}')
        num_boxes = sum(len(p['bboxes']) for p in kept.values())
        gate = f'tau {self.tau}' if self.pseudo_flip_iou is None else \
            f'tau {self.tau}, flip IoU >= {self.pseudo_flip_iou}'
        runner.logger.info(
            f'ActiveLearningHook cycle {k}: scored {len(table)} images, '
            f'selected {info["num_selected"]} ({info["strategy"]}, budget '
            f'{info["budget"]}); pseudo-labeled {len(kept)} images with '
            f'{num_boxes} boxes ({gate}); ' + '; '.join(stats))
        # A cut budget / empty pool was already logged by select().


def flip_image_regions(inputs: torch.Tensor, shapes) -> torch.Tensor:
    """Each image flipped left-right inside its own region, padding kept.

    A batch pads smaller images at the right and bottom; flipping the whole
    padded tensor would move an image to the right edge. Flipping inside the
    image (as RandomFlip before padding would) keeps the un-flip of boxes
    about the image's own width.

    Args:
        inputs (Tensor): (N, C, H, W) padded batch.
        shapes (Sequence[tuple[int, int]]): per image its (h, w) before
            padding (``img_shape``).

    Returns:
        Tensor: (N, C, H, W), a new tensor.
    """
    flipped = inputs.clone()
    for i, (h, w) in enumerate(shapes):
        flipped[i, :, :h, :w] = inputs[i, :, :h, :w].flip(-1)
    return flipped


def check_fills_batch_width(metas: List[dict], batch_width: int) -> None:
    """Mirror pairing (Eq. 1's default and the flip gate) holds where the
    flip of an image is the flip of its batch's feature maps: each image as
    wide as the padded batch."""
    for meta in metas:
        width = meta['img_shape'][1]
        if width != batch_width:
            raise ValueError(
                f'{meta.get("img_path", meta.get("img_id"))} is {width} px '
                f'wide in a batch padded to {batch_width}: '
                f'flip_candidates=\'mirror\' and the flip gate '
                f'(pseudo_flip_iou) pair priors across the whole width. Give '
                f'the pool pipeline a fixed-size Resize (as every SSD config '
                f'has), or set flip_candidates=\'priors\' and leave '
                f'pseudo_flip_iou unset')


def _share_rank0_buffers(model) -> None:
    """Give every rank rank 0's buffers (BN running statistics).

    DDP trains with ``broadcast_buffers=False`` (MMEngine's default), so each
    rank ends with the statistics of its own batches, while the checkpoint
    holds rank 0's. Scoring shards the pool across ranks: without this, the
    images of rank r would be scored by a model that was never saved, and
    the selection would differ from a 1-process scoring of the checkpoint.
    """
    if get_world_size() == 1:
        return
    for buffer in model.buffers():
        broadcast(buffer, 0)
