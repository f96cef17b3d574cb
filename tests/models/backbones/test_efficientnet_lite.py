"""EfficientNetLite: the converted ImageNet weights give the reference
implementation's features exactly, and bad weight files are named."""
import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

from mmdet_alssl.models.backbones import EfficientNetLite
from mmdet_alssl.models.backbones.efficientnet_lite import weights_path

efficientnet_lite_pytorch = pytest.importorskip(
    'efficientnet_lite_pytorch',
    reason='test-only reference implementation, installed by make setup')


def _pretrained(out_indices):
    backbone = EfficientNetLite(
        out_indices=out_indices,
        init_cfg=dict(type='Pretrained',
                      checkpoint='efficientnet-lite://lite0'))
    backbone.init_weights()
    backbone.eval()  # mmdet's EfficientNet.train() returns None: no chaining
    return backbone


def test_features_equal_reference_implementation():
    reference = efficientnet_lite_pytorch.EfficientNet.from_pretrained(
        'efficientnet-lite0', weights_path=weights_path()).eval()
    # Reference stage outputs: after block 2 (24 ch, stride 4), 4 (40, 8),
    # 10 (112, 16), 15 (320, 32) and the head conv.
    taps = {2: 2, 4: 3, 10: 4, 15: 5}
    captured = {}
    for block, stage in taps.items():
        reference._blocks[block].register_forward_hook(
            lambda mod, inp, out, stage=stage: captured.__setitem__(stage,
                                                                    out))
    image = torch.rand(2, 3, 128, 160) * 4 - 2
    backbone = _pretrained((2, 3, 4, 5, 6))
    with torch.no_grad():
        head = reference.extract_features(image)
        ours = backbone(image)
    expected = [captured[2], captured[3], captured[4], captured[5], head]
    assert [o.shape[1] for o in ours] == [24, 40, 112, 320, 1280]
    for got, want in zip(ours, expected):
        assert got.shape == want.shape
        assert torch.equal(got, want)


def test_random_init_differs_from_pretrained():
    image = torch.rand(1, 3, 64, 64)
    random_init = EfficientNetLite(out_indices=(5, ))
    random_init.eval()
    with torch.no_grad():
        assert not torch.allclose(random_init(image)[0],
                                  _pretrained((5, ))(image)[0])


def test_missing_weights_file_is_named(tmp_path):
    missing = tmp_path / 'nope.pth'
    with pytest.raises(FileNotFoundError, match='nope.pth.*make setup'):
        CheckpointLoader.load_checkpoint(f'efficientnet-lite://{missing}')


def test_wrong_weights_file_is_named(tmp_path):
    wrong = tmp_path / 'resnet.pth'
    torch.save({'conv1.weight': torch.zeros(64, 3, 7, 7)}, wrong)
    with pytest.raises(ValueError, match='resnet.pth.*not a Lite0'):
        CheckpointLoader.load_checkpoint(f'efficientnet-lite://{wrong}')
    garbage = tmp_path / 'garbage.pth'
    garbage.write_bytes(b'not a checkpoint')
    with pytest.raises(ValueError, match='garbage.pth'):
        CheckpointLoader.load_checkpoint(f'efficientnet-lite://{garbage}')
