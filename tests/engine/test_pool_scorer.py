"""The pool scorer on every supported head: SSD's dense predictions and
pairing are exactly those of the SSD-only path it replaced
(``PseudoLabelSSDHead.predict_dense``, ``mirrored_prior_index``), and a
keep-ratio batch of two widths scores on RetinaNet, FCOS and ATSS (sigmoid
heads) with finite scores and pseudo-labels."""
import math

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmengine.config import Config

from mmdet_alssl.acquisition.settings import AcquisitionSettings
from mmdet_alssl.engine.pool_scorer import (PoolScorer, dense_predictions,
                                            flip_twins, head_adapter)
from mmdet_alssl.models.losses import mirrored_prior_index
from tests.helpers import PROJECT_ROOT
from tests.models.detectors.test_consistency_detector_heads import (HEADS,
                                                                    build)

# two images of different widths, padded to one batch (keep-ratio resizing)
SHAPES = [(64, 96), (48, 64)]


def packed_batch(shapes=SHAPES):
    packed = demo_mm_inputs(len(shapes), [(3, h, w) for h, w in shapes],
                            num_items=[1] * len(shapes))
    for i, sample in enumerate(packed['data_samples']):
        h, w = shapes[i]
        # a 2x downscale by the pipeline: boxes go back to 2x the input
        sample.set_metainfo(dict(img_id=f'img{i}', ori_shape=(2 * h, 2 * w),
                                 scale_factor=(0.5, 0.5)))
    return packed


def test_ssd_scores_as_the_ssd_only_path_did():
    """The CPU configs' SSD at their 128 px (fixed-size resize): every
    prior has its mirror twin, the one index arithmetic gave."""
    cfg = Config.fromfile(
        str(PROJECT_ROOT / 'configs/_base_/models/ssd_lite0_128.py')).model
    cfg.bbox_head.num_classes = 3
    torch.manual_seed(0)
    model = MODELS.build(cfg).eval()
    packed = packed_batch([(128, 128), (128, 128)])
    with torch.no_grad():
        data = model.data_preprocessor(packed, False)
        outs = model.bbox_head(model.extract_feat(data['inputs']))
        metas = [s.metainfo for s in data['data_samples']]
        adapter = head_adapter(model)
        boxes, probs = dense_predictions(adapter, outs, metas)
        old = model.bbox_head.predict_dense(*outs, metas, rescale=True)
    for i, (old_boxes, old_probs) in enumerate(old):
        assert torch.equal(boxes[i], old_boxes)
        assert torch.equal(probs[i], old_probs)
    sizes = [tuple(level.shape[-2:]) for level in outs[0]]
    mirror = mirrored_prior_index(sizes, model.bbox_head.num_base_priors)
    # the pairing its loss trains with (by index) and, at this size, the
    # geometric one agree
    for twin, valid in (flip_twins(model, adapter, sizes, [(128, 128)] * 2,
                                   128, 'cpu'),
                        adapter.twins(sizes, [(128, 128)] * 2, 'cpu')):
        assert valid.all()
        assert torch.equal(twin[0], mirror) and torch.equal(twin[1], mirror)


def test_ssd_pairs_by_index_on_images_as_wide_as_the_batch():
    cfg = Config.fromfile(
        str(PROJECT_ROOT / 'configs/_base_/models/ssd_lite0_128.py')).model
    model = MODELS.build(cfg)
    sizes = [(16, 16), (8, 8), (4, 4), (2, 2), (1, 1), (1, 1)]
    twin, valid = model.flip_twins(sizes, [(30, 16), (20, 16)], 16, 'cpu')
    assert twin.shape == valid.shape == (2, sum(
        h * w * a for (h, w), a in zip(sizes,
                                       model.bbox_head.num_base_priors)))
    with pytest.raises(ValueError, match=r"an image 12 px wide in a batch "
                       r"padded to 16.*flip_candidates='priors'"):
        model.flip_twins(sizes, [(30, 16), (30, 12)], 16, 'cpu')


@pytest.mark.parametrize('name', list(HEADS))
def test_a_keep_ratio_batch_scores_on_every_head(name):
    model = build(name).eval()
    # an untrained sigmoid head is sure of nothing (p ~ 0.01): thresholds
    # low enough that every image keeps detections and pseudo boxes
    settings = AcquisitionSettings(budget=1, score_thr=0.0, tau=0.001)
    with torch.no_grad():
        rows = PoolScorer(settings).score_batch(model, packed_batch())
    assert [row['id'] for row in rows] == ['img0', 'img1']
    for row, (h, w) in zip(rows, SHAPES):
        scores = row['scores']
        assert scores['num_detections'] > 0
        assert all(math.isfinite(scores[k]) and scores[k] >= 0
                   for k in ('entropy', 'inconsistency', 'unified'))
        assert scores['entropy'] > 0
        pseudo = row['pseudo']
        assert len(pseudo['bboxes']) > 0
        # boxes in the original image (2x the input), labels in [0, C)
        assert all(0 <= x <= 2 * w + 1e-3 and 0 <= y <= 2 * h + 1e-3
                   for box in pseudo['bboxes'] for x, y in (box[:2], box[2:]))
        assert all(0 <= label < 3 for label in pseudo['labels'])
        assert (row['info']['width'], row['info']['height']) == (2 * w, 2 * h)


def test_a_detector_without_a_dense_head_is_named():
    class TwoStage(torch.nn.Module):
        roi_head = None

    with pytest.raises(ValueError, match='TwoStage has no bbox_head: the pool '
                       'scoring reads a single-stage dense head.*two-stage '
                       'detectors are not supported'):
        head_adapter(TwoStage())

    class Odd(torch.nn.Module):
        bbox_head = torch.nn.Linear(1, 1)

    with pytest.raises(ValueError, match='the pool cannot be scored with this '
                       'detector: Linear cannot be trained with flip '
                       'consistency: it has no prior_generator'):
        head_adapter(Odd())
