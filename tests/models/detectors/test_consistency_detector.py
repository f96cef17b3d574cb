"""ConsistencyDetector: the generic path computes ConsistencySSD's losses on
SSD, rejects what it cannot serve by name, and keeps the supervised loss
on labeled / pseudo images only."""
import uuid

import pytest
import torch
from mmengine.logging import MessageHub

import mmdet_alssl  # noqa: F401
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules
from mmdet_alssl.models.detectors import ConsistencyDetector
from tests.models.detectors.test_consistency_ssd import (mixed_batch,
                                                         tiny_cfg)

register_all_modules()


@pytest.fixture(autouse=True)
def fresh_message_hub():
    """No other test's Runner 'iter' reaches the ramp here, and back."""
    MessageHub.get_instance(f'test_consistency_detector_{uuid.uuid4().hex}')
    yield
    MessageHub.get_instance(f'test_consistency_detector_{uuid.uuid4().hex}')


def build(model_type='ConsistencyDetector', **kwargs):
    torch.manual_seed(0)
    return MODELS.build(tiny_cfg(type=model_type, **kwargs))


def test_ssd_through_the_generic_path_gives_consistency_ssd_losses():
    generic, ssd = build(), build('ConsistencySSD')
    ssd.load_state_dict(generic.state_dict())
    generic.eval(), ssd.eval()  # BN statistics fixed: same outputs
    inputs, samples = mixed_batch(generic, ['labeled', 'pseudo',
                                            'unlabeled'])
    with torch.no_grad():
        ours, today = generic.loss(inputs, samples), ssd.loss(inputs, samples)
    assert set(ours) == set(today)
    for key, value in today.items():
        value = torch.stack(value) if isinstance(value, list) else value
        mine = ours[key]
        mine = torch.stack(mine) if isinstance(mine, list) else mine
        assert torch.allclose(mine, value, rtol=1e-4, atol=1e-6), key


def test_bad_arguments_and_unsupported_detectors_are_named():
    assert MODELS.get('ConsistencyDetector') is ConsistencyDetector
    with pytest.raises(ValueError, match='consistency_weight.*-1'):
        build(consistency_weight=-1)
    with pytest.raises(ValueError, match='ramp_up'):
        build(ramp_up=2)
    with pytest.raises(ValueError, match='loc_huber_delta'):
        build(loc_huber_delta=0.0)
    with pytest.raises(TypeError, match=r"single-stage; got \['roi_head', "
                       r"'rpn_head'\]. Two-stage"):
        build(rpn_head=dict(), roi_head=dict())
    cfg = tiny_cfg(type='ConsistencyDetector')
    cfg.bbox_head = dict(type='YOLOXHead', num_classes=3, in_channels=32,
                         feat_channels=8, stacked_convs=1,
                         strides=(16, 32, 64, 64))
    with pytest.raises(TypeError, match='YOLOXHead cannot be trained with '
                       'flip consistency: it has no bbox_coder'):
        MODELS.build(cfg)


def test_pseudo_images_need_a_pseudo_label_aware_head():
    cfg = tiny_cfg(type='ConsistencyDetector')
    cfg.bbox_head.type = 'SSDHead'
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    inputs, samples = mixed_batch(model, ['labeled', 'pseudo'])
    with pytest.raises(ValueError, match='bbox_head is SSDHead.*'
                       'PseudoLabelRetinaHead'):
        model.loss(inputs, samples)


def test_weight_zero_and_unlabeled_only_batches():
    model = build(consistency_weight=0.0)
    inputs, samples = mixed_batch(model, ['labeled', 'pseudo', 'unlabeled'])
    losses = model.loss(inputs, samples)
    assert set(losses) == {'loss_cls', 'loss_bbox'}
    assert len(losses['loss_cls']) == 2  # the supervised images only
    model = build()
    inputs, samples = mixed_batch(model, ['unlabeled', 'unlabeled'])
    losses = model.loss(inputs, samples)
    assert losses['loss_cls'].item() == 0.0
    total = sum(v for v in losses.values())
    total.backward()  # the zero reaches every head output
    assert model.bbox_head.cls_convs[0][0].weight.grad is not None


def test_ramp_scales_the_consistency_terms():
    model = build()
    model.eval()
    inputs, samples = mixed_batch(model, ['labeled', 'unlabeled'])
    with torch.no_grad():
        full = model.loss(inputs, samples)
        hub = MessageHub.get_current_instance()
        hub.update_info('iter', 0)
        hub.update_info('max_iters', 100)
        start = model.loss(inputs, samples)
    # CSD's ramp at iteration 0: exp(-5)
    ratio = start['loss_con_cls'] / full['loss_con_cls']
    assert ratio.item() == pytest.approx(torch.exp(torch.tensor(-5.)).item(),
                                         rel=1e-4)
