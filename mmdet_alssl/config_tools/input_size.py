"""One config at another input size: the pipelines and the prior sizes
follow it, so a 256 px variant of a 128 px config is one line::

    _base_ = './alssl_ssd_lite0_bccd_cpu.py'
    from mmdet_alssl.config_tools import at_input_size
    globals().update(at_input_size(_base_, 256))

(``globals().update`` sets the returned keys as the leaf's own; MMEngine
merges them into the base's as it merges any leaf key.)
"""
from typing import Dict, List, Mapping, Sequence

#: Dataloaders whose pipelines follow the input size.
DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def at_input_size(base: Mapping, size: int) -> Dict[str, object]:
    """The overrides that move ``base`` (a square-input config, e.g. 128 px
    with ``img_scale = (128, 128)``) to ``size`` px.

    Scaled by ``size / img_scale``: every ``*Resize`` ``scale`` of the
    dataloaders' pipelines (and ``train_pipeline`` / ``test_pipeline``),
    and the priors: SSD's ``min_sizes`` / ``max_sizes`` (strides follow the
    feature maps: level l's is ``min(strides[0] * 2**l, size)``, each level
    halving the map as the Lite0 + SSD neck does), an ``AnchorGenerator``'s
    ``octave_base_scale``, FCOS's ``regress_ranges``.

    Args:
        base (Mapping): the leaf's ``_base_`` (the merged base config).
        size (int): the new square input size in px.

    Returns:
        dict: ``img_scale``, the pipelines, the dataloaders (only the
        path to each pipeline) and ``model`` (only the prior keys).

    Raises:
        ValueError: ``size`` is not a positive int, the base has no square
            ``img_scale``, or its SSD strides do not follow the rule above.
    """
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ValueError(f'at_input_size: size must be a positive int of '
                         f'px, got {size!r}')
    old = tuple(base.get('img_scale') or ())
    if len(old) != 2 or old[0] != old[1]:
        raise ValueError(f'at_input_size: the base config needs a square '
                         f'img_scale (w, h) to scale from, got '
                         f'{base.get("img_scale")!r}')
    factor = size / old[0]
    out: Dict[str, object] = dict(img_scale=(size, size))
    for key in ('train_pipeline', 'test_pipeline'):
        if key in base:
            out[key] = _rescaled_pipeline(base[key], factor)
    for key in DATALOADERS:
        if base.get(key):
            out[key] = _rescaled_dataset_path(base[key], factor)
    head = (base.get('model') or {}).get('bbox_head')
    if head:
        out['model'] = dict(bbox_head=_rescaled_priors(head, old[0], size))
    return out


def _rescaled_pipeline(pipeline: Sequence[Mapping],
                       factor: float) -> List[dict]:
    return [dict(t, scale=tuple(round(s * factor) for s in t['scale']))
            if str(t.get('type', '')).endswith('Resize') and 'scale' in t
            else dict(t) for t in pipeline]


def _rescaled_dataset_path(node: Mapping, factor: float) -> dict:
    """The nested ``dataset`` dicts down to the pipeline, rescaled."""
    if 'pipeline' in node:
        return dict(pipeline=_rescaled_pipeline(node['pipeline'], factor))
    if 'dataset' not in node:
        raise ValueError(f'at_input_size: no pipeline under {dict(node)!r}; '
                         f'a ConcatDataset (datasets=[...]) is not '
                         f'supported: set its pipelines in the config')
    return dict(dataset=_rescaled_dataset_path(node['dataset'], factor))


def _rescaled_priors(head: Mapping, old_size: int, size: int) -> dict:
    factor = size / old_size
    out = {}
    gen = head.get('anchor_generator') or {}
    if gen.get('type') == 'SSDAnchorGenerator' and gen.get('min_sizes'):
        strides = list(gen['strides'])
        expected = [min(strides[0] * 2**i, old_size)
                    for i in range(len(strides))]
        if strides != expected:
            raise ValueError(f'at_input_size: SSD strides {strides} are '
                             f'not min(strides[0] * 2**l, {old_size}) = '
                             f'{expected}; set the priors in the config')
        out['anchor_generator'] = dict(
            strides=[min(strides[0] * 2**i, size)
                     for i in range(len(strides))],
            min_sizes=[round(s * factor) for s in gen['min_sizes']],
            max_sizes=[round(s * factor) for s in gen['max_sizes']])
    elif 'octave_base_scale' in gen:
        out['anchor_generator'] = dict(
            octave_base_scale=gen['octave_base_scale'] * factor)
    if 'regress_ranges' in head:
        out['regress_ranges'] = tuple(
            tuple(r if r in (-1, 1e8) else r * factor for r in pair)
            for pair in head['regress_ranges'])
    return out
