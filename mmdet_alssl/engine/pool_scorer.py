"""The trained model over the unlabeled pool: per image its acquisition
scores (Eq. 1-5) and pseudo-label boxes (Eq. 6), as rows for
:func:`mmdet_alssl.acquisition.acquire.decide`.

:meth:`PoolScorer.score_batch` is one batch: originals and their flips in
one forward, the dense predictions of both, the pure functions of
:mod:`mmdet_alssl.acquisition` per image. :meth:`PoolScorer.score_pool` runs
it over a pool data set, sharded across ranks, and gathers on rank 0.
"""
from typing import List, Optional, Sequence

import torch
from mmdet.structures.bbox import bbox_flip
from mmengine.dist import broadcast, collect_results, get_world_size, \
    is_main_process
from mmengine.model import is_model_wrapper
from mmengine.utils import ProgressBar

from ..acquisition import pseudo_label_boxes, score_image
from ..acquisition.settings import AcquisitionSettings
from ..datasets.tolerant_pool import TolerantPool, collate_tolerant
from ..models.losses import mirrored_prior_index


class PoolScorer:
    """Scores pool images with a single-stage detector whose ``bbox_head``
    has ``predict_dense`` (``PseudoLabelSSDHead``).

    Args:
        settings (AcquisitionSettings): score threshold, NMS, τ, pairing.
        batch_size (int): pool images per forward (x2 with flips).
        num_workers (int): data loading workers.
    """

    def __init__(self, settings: AcquisitionSettings, batch_size: int = 8,
                 num_workers: int = 0) -> None:
        self.settings = settings
        self.batch_size, self.num_workers = batch_size, num_workers

    def score_pool(self, runner, pool) -> Optional[List[dict]]:
        """Rows of every image of ``pool`` (rank 0: all ranks'; other ranks:
        None), one per id; an image that failed to load has an ``error``."""
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        if not hasattr(getattr(model, 'bbox_head', None), 'predict_dense'):
            raise ValueError(f'{type(model).__name__} has no bbox_head.'
                             f'predict_dense; ActiveLearningHook needs a '
                             f'single-stage detector such as ConsistencySSD '
                             f'with PseudoLabelSSDHead')
        share_rank0_buffers(model)
        loader = runner.build_dataloader(
            dict(batch_size=self.batch_size, num_workers=self.num_workers,
                 sampler=dict(type='DefaultSampler', shuffle=False),
                 collate_fn=collate_tolerant, dataset=TolerantPool(pool)),
            seed=self.settings.seed)
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
            ``labels``, ``scores``; None without pseudo-labels) and ``info``
            (``file_name``: the image path, ``width``, ``height``).
        """
        s = self.settings
        data = model.data_preprocessor(data_batch, False)
        inputs, samples = data['inputs'], data['data_samples']
        flipped = flip_image_regions(inputs,
                                     [x.img_shape[:2] for x in samples])
        feats = model.extract_feat(torch.cat([inputs, flipped]))
        metas = [x.metainfo for x in samples]
        cls_scores, bbox_preds = model.bbox_head(feats)
        dense = model.bbox_head.predict_dense(
            cls_scores, bbox_preds, metas + metas, rescale=True)
        mirror = None
        if s.flip_candidates == 'mirror':
            check_fills_batch_width(metas, inputs.size(-1))
            mirror = mirrored_prior_index(
                [x.shape[-2:] for x in cls_scores],
                model.bbox_head.num_base_priors, device=inputs.device)
        rows = []
        for i, meta in enumerate(metas):
            boxes, probs = dense[i]
            flip_boxes, flip_probs = dense[len(metas) + i]
            ori_shape = meta['ori_shape'][:2]
            flip_boxes = bbox_flip(flip_boxes, ori_shape, 'horizontal')
            scores = score_image(boxes, probs, flip_boxes, flip_probs,
                                 s.score_thr,
                                 flip_candidates=s.flip_candidates,
                                 mirror_index=mirror, **s.nms())
            pseudo = None
            if s.pseudo_labels:
                pseudo = {
                    key: value.cpu().tolist()
                    for key, value in pseudo_label_boxes(
                        boxes, probs, s.tau, **s.nms()).items()
                }
            rows.append(
                dict(id=str(meta['img_id']), raw_id=meta['img_id'],
                     scores=scores, pseudo=pseudo,
                     info=dict(file_name=meta.get('img_path'),
                               height=ori_shape[0], width=ori_shape[1])))
        return rows


def flip_image_regions(inputs: torch.Tensor,
                       shapes: Sequence) -> torch.Tensor:
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
    """Mirror pairing (Eq. 1's default) holds where the flip of an image is
    the flip of its batch's feature maps: each image as wide as the padded
    batch."""
    for meta in metas:
        width = meta['img_shape'][1]
        if width != batch_width:
            raise ValueError(
                f'{meta.get("img_path", meta.get("img_id"))} is {width} px '
                f'wide in a batch padded to {batch_width}: '
                f'flip_candidates=\'mirror\' pairs priors across the whole '
                f'width. Give the pool pipeline a fixed-size Resize (as every '
                f'SSD config has), or set active_learning.flip_candidates='
                f'\'priors\'')


def share_rank0_buffers(model) -> None:
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
