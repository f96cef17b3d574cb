"""The trained model over the unlabeled pool: per image its acquisition
scores (Eq. 1-5) and pseudo-label boxes (Eq. 6), as rows for
:func:`mmdet_alssl.acquisition.acquire.decide`.

:meth:`PoolScorer.score_batch` is one batch: originals and their flips in
one forward, the dense predictions of both read through the head's
:class:`~mmdet_alssl.models.flip.DenseHeadFlipAdapter` (the pairing the
consistency loss trains with: any single-stage dense head, softmax or
sigmoid, anchors or points, keep-ratio batches of several widths), the
pure functions of :mod:`mmdet_alssl.acquisition` per image. :meth:`PoolScorer.score_pool` runs
it over a pool data set, sharded across ranks, and gathers on rank 0.
"""
from typing import List, Optional, Sequence

import torch
from mmdet.structures.bbox import bbox_flip, get_box_tensor, scale_boxes
from mmengine.dist import broadcast, collect_results, get_world_size, \
    is_main_process
from mmengine.model import is_model_wrapper
from mmengine.utils import ProgressBar

from ..acquisition import pseudo_label_boxes, score_image
from ..acquisition.settings import AcquisitionSettings
from ..datasets.tolerant_pool import TolerantPool, collate_tolerant
from ..models.flip import DenseHeadFlipAdapter, flip_image_regions


class PoolScorer:
    """Scores pool images with a single-stage dense detector (SSD,
    RetinaNet, FCOS, ATSS, ...: what :class:`DenseHeadFlipAdapter` serves).

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
        head_adapter(model)  # a clear error before any image is read
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
            ``labels``, ``scores``; None without pseudo-labels),
            ``suggested`` (the same at ``suggest_thr``: the labeler's
            suggestions) and ``info`` (``file_name``: the image path,
            ``width``, ``height``).
        """
        s, adapter = self.settings, head_adapter(model)
        data = model.data_preprocessor(data_batch, False)
        inputs, samples = data['inputs'], data['data_samples']
        metas = [x.metainfo for x in samples]
        shapes = [meta['img_shape'][:2] for meta in metas]
        flipped = flip_image_regions(inputs, shapes)
        outs = model.bbox_head(model.extract_feat(torch.cat([inputs,
                                                             flipped])))
        boxes, probs = dense_predictions(adapter, outs, metas + metas)
        sizes = [tuple(level.shape[-2:]) for level in outs[0]]
        twin, valid = flip_twins(model, adapter, sizes, shapes,
                                 inputs.size(-1), inputs.device)
        rows, n = [], len(metas)
        for i, meta in enumerate(metas):
            ori_shape = meta['ori_shape'][:2]
            flip_boxes = bbox_flip(boxes[n + i], ori_shape, 'horizontal')
            scores = score_image(boxes[i], probs[i], flip_boxes, probs[n + i],
                                 s.score_thr,
                                 flip_candidates=s.flip_candidates,
                                 mirror_index=twin[i], mirror_valid=valid[i],
                                 use_sigmoid=adapter.use_sigmoid, **s.nms())
            def boxes_at(thr):
                return {key: value.cpu().tolist()
                        for key, value in pseudo_label_boxes(
                            boxes[i], probs[i], thr, **s.nms(),
                            use_sigmoid=adapter.use_sigmoid).items()}

            rows.append(
                dict(id=str(meta['img_id']), raw_id=meta['img_id'],
                     scores=scores,
                     pseudo=boxes_at(s.tau) if s.pseudo_labels else None,
                     suggested=boxes_at(s.suggest_thr),
                     info=dict(file_name=meta.get('img_path'),
                               height=ori_shape[0], width=ori_shape[1])))
        return rows


def head_adapter(model) -> DenseHeadFlipAdapter:
    """The adapter of ``model.bbox_head``: a consistency detector's own
    (``flip_adapter``, the one its loss reads), else a new one; or a
    ValueError naming what the detector lacks (two-stage detectors have no
    dense ``bbox_head``)."""
    own = getattr(model, 'flip_adapter', None)
    if isinstance(own, DenseHeadFlipAdapter):
        return own
    head = getattr(model, 'bbox_head', None)
    if head is None:
        raise ValueError(
            f'{type(model).__name__} has no bbox_head: the pool scoring '
            f'reads a single-stage dense head (SSD, RetinaNet, FCOS, ATSS, '
            f'...); two-stage detectors are not supported')
    try:
        return DenseHeadFlipAdapter(head)
    except TypeError as err:
        raise ValueError(f'the pool cannot be scored with this detector: '
                         f'{err}') from err


def flip_twins(model, adapter: DenseHeadFlipAdapter, featmap_sizes,
               img_shapes, batch_width: int, device):
    """(N, P) twins and their validity: the pairing the detector's own
    consistency loss trains with (``flip_twins``: SSD's by index, the
    others' by geometry), or the geometric one of a detector without it."""
    if hasattr(model, 'flip_twins'):
        return model.flip_twins(featmap_sizes, img_shapes, batch_width,
                                device)
    return adapter.twins(featmap_sizes, img_shapes, device)


def dense_predictions(adapter: DenseHeadFlipAdapter, outs,
                      metas: Sequence[dict]):
    """Every prior's box and class probabilities, per image.

    Args:
        adapter (DenseHeadFlipAdapter): the head's adapter.
        outs (tuple[list[Tensor]]): the head's ``forward`` outputs for N
            images.
        metas (Sequence[dict]): N metas with ``img_shape`` (decoded boxes
            are clipped to it where the coder clips) and ``scale_factor``.

    Returns:
        tuple[list[Tensor], Tensor]: per image (P, 4) xyxy boxes in the
        original image (divided by ``scale_factor``, as mmdet's predict
        does), and (N, P, K) probabilities (``adapter.class_probs``).
    """
    cls_logits, bbox_preds, _ = adapter.split_outputs(outs)
    sizes = [level.shape[-2:] for level in outs[0]]
    priors = torch.cat(adapter.priors(sizes, cls_logits.device))
    coder = adapter.head.bbox_coder
    boxes = []
    for preds, meta in zip(bbox_preds, metas):
        decoded = get_box_tensor(coder.decode(priors, preds,
                                              max_shape=meta['img_shape']))
        boxes.append(scale_boxes(decoded,
                                 [1 / f for f in meta['scale_factor']]))
    return boxes, adapter.class_probs(cls_logits)


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
