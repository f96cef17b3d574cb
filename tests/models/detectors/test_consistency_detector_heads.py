"""One consistency training step of every supported head, each built from
MMDetection's own config (shrunk: ResNet-18 from scratch, 32 channels), on
a keep-ratio batch of two widths: finite losses that backpropagate, and
twins that pair by geometry inside each image."""
import pytest
import torch
from mmengine.hub import get_config

import mmdet_alssl  # noqa: F401
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules

register_all_modules()
NUM_CLASSES = 3
SMALL_FPN = dict(
    backbone=dict(depth=18, init_cfg=None),
    neck=dict(in_channels=[64, 128, 256, 512], out_channels=32),
    bbox_head=dict(num_classes=NUM_CLASSES, in_channels=32, feat_channels=32,
                   stacked_convs=1))
HEADS = {
    # config, pseudo-label-aware head, shrink
    'SSD': ('mmdet::ssd/ssdlite_mobilenetv2-scratch_8xb24-600e_coco.py',
            'PseudoLabelSSDHead',
            dict(backbone=dict(init_cfg=None),
                 bbox_head=dict(num_classes=NUM_CLASSES))),
    'RetinaNet': ('mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
                  'PseudoLabelRetinaHead', SMALL_FPN),
    'FCOS': ('mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py',
             'PseudoLabelFCOSHead', SMALL_FPN),
    'ATSS': ('mmdet::atss/atss_r50_fpn_1x_coco.py', 'PseudoLabelATSSHead',
             SMALL_FPN),
}
# (h, w) of a labeled, a pseudo-labeled and an unlabeled image: the batch
# pads them to 64 x 96
SHAPES = [(64, 96), (64, 64), (48, 80)]


def build(name):
    path, head_type, shrink = HEADS[name]
    cfg = get_config(path)  # MMDetection's own config, as installed
    cfg.merge_from_dict(dict(model=dict(type='ConsistencyDetector', **shrink)))
    cfg.model.bbox_head.type = head_type
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


def batch(model):
    packed = demo_mm_inputs(len(SHAPES), [(3, h, w) for h, w in SHAPES],
                            num_items=[2] * len(SHAPES),
                            num_classes=NUM_CLASSES)
    for sample, label_type in zip(packed['data_samples'],
                                  ['labeled', 'pseudo', 'unlabeled']):
        sample.set_metainfo(dict(label_type=label_type))
    data = model.data_preprocessor(packed, True)
    return data['inputs'], data['data_samples']


@pytest.mark.parametrize('name', list(HEADS))
def test_one_consistency_step_on_a_keep_ratio_batch(name):
    model = build(name)
    # an untrained sigmoid head is sure of nothing (p ~ 0.01): let every
    # prior count, so that the step exercises the consistency terms
    model.flip_adapter.score_thr = 1e-3
    inputs, samples = batch(model)
    assert inputs.shape[-2:] == (64, 96)
    losses = model.loss(inputs, samples)
    assert losses['loss_con_cls'] > 0 and losses['loss_con_loc'] > 0
    assert ('loss_con_aux' in losses) == (name in ('FCOS', 'ATSS'))
    total = 0.0
    for key, value in losses.items():
        value = sum(value) if isinstance(value, (list, tuple)) else value
        assert torch.isfinite(value).all(), key
        total = total + value
    total.backward()
    grads = [p.grad for p in model.backbone.parameters() if p.requires_grad]
    assert any(g is not None and g.abs().sum() > 0 for g in grads)

    # twins: an involution, centres mirrored about each image's own width,
    # nothing paired in the padding
    with torch.no_grad():
        outs = model.bbox_head(model.extract_feat(inputs))
    sizes = [m.shape[-2:] for m in outs[0]]
    adapter = model.flip_adapter
    priors = torch.cat(adapter.priors(sizes, 'cpu'))
    centres = priors if priors.size(-1) == 2 else \
        (priors[:, :2] + priors[:, 2:]) / 2
    twin, valid = adapter.twins(sizes, SHAPES, 'cpu')
    for i, (h, w) in enumerate(SHAPES):
        t, v = twin[i], valid[i]
        assert v.any()
        assert torch.equal(t[t], torch.arange(len(t)))
        assert torch.equal(v[t], v)
        assert torch.allclose(centres[t[v], 0], w - centres[v, 0], atol=1e-4)
        assert not v[(centres[:, 0] > w) | (centres[:, 1] > h)].any()
