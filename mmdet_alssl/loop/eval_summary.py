"""The cycle's ``metrics.json``: a test run's metrics reduced to the mAP and
the per-class AP, whatever the metric (VOC or COCO) named them.

Recognised outputs (``prefix/`` = the metric's prefix, e.g. ``pascal_voc/``
or ``coco/``):

- mmdet_alssl's ``ClassAPVOCMetric``: ``prefix/mAP`` and
  ``prefix/AP50_<class>`` (VOC AP at IoU 0.5);
- mmdet's ``CocoMetric(classwise=True)``: ``prefix/bbox_mAP`` (AP at IoU
  0.50:0.95) and ``prefix/<class>_precision`` (the same AP per class).

A class without test objects has AP NaN, written as ``null`` (JSON has no
NaN). A model that detects nothing scores 0: ``CocoMetric`` then returns no
key at all (it logs "The testing results of the whole dataset is empty"),
so :func:`no_detection_coco_metrics` writes the keys it would have.
"""
import math
import re
from typing import Dict, Mapping, Optional, Sequence, Set

#: Final key components of the main metric, in order of preference.
MAIN_KEYS = ('mAP', 'bbox_mAP')


def _number(value) -> Optional[float]:
    value = float(value)
    return value if math.isfinite(value) else None


def _leaf(key: str) -> str:
    return key.rsplit('/', 1)[-1]


def no_detection_coco_metrics(prefix: str, classes: Sequence[str],
                              labels_present: Set[int]) -> Dict[str, float]:
    """``CocoMetric(classwise=True)``'s keys for a model that detected
    nothing on the test set: ``bbox_mAP`` 0, each class's AP 0 where it has
    test objects and NaN where it has none (as pycocotools' -1 precision).

    Args:
        prefix (str): the metric's prefix (``coco``).
        classes (Sequence[str]): the test set's class names.
        labels_present (Set[int]): the class indices of its objects.
    """
    out = {f'{prefix}/bbox_mAP': 0.0}
    for label, name in enumerate(classes):
        out[f'{prefix}/{name}_precision'] = (
            0.0 if label in labels_present else math.nan)
    return out


def summarize_metrics(metrics: Mapping[str, float],
                      classes: Sequence[str]) -> dict:
    """``metrics.json`` content from ``Runner.test()``'s output.

    Args:
        metrics (Mapping[str, float]): what ``Runner.test()`` returned.
        classes (Sequence[str]): the test set's class names.

    Returns:
        dict: ``mAP`` (float | None), ``mAP_key`` (the key it came from),
        ``per_class_AP`` ({class: float | None}, class order) and
        ``metrics`` (every numeric output, NaN as None).

    Raises:
        ValueError: no mAP or no per-class AP among the keys (names them and
            the metrics that provide them).
    """
    numeric = {k: _number(v) for k, v in metrics.items()
               if isinstance(v, (int, float)) and not isinstance(v, bool)}
    main = next((k for leaf in MAIN_KEYS for k in numeric
                 if _leaf(k) == leaf), None)
    if main is None:
        raise ValueError(f'the test metrics {sorted(metrics)} have no '
                         f'{" / ".join(MAIN_KEYS)}; evaluate with '
                         f"type='ClassAPVOCMetric' (VOC) or type='CocoMetric'"
                         f', classwise=True (COCO)')
    per_class = {}
    for name in classes:
        pattern = re.compile(rf'^(AP\d+_{re.escape(name)}|'
                             rf'{re.escape(name)}_precision)$')
        keys = sorted(k for k in numeric if pattern.match(_leaf(k)))
        if not keys:
            raise ValueError(
                f'the test metrics {sorted(metrics)} have no AP for class '
                f'{name!r}; evaluate with ClassAPVOCMetric (VOC) or '
                f'CocoMetric(classwise=True) (COCO) to keep per-class AP')
        per_class[name] = numeric[keys[0]]
    return dict(mAP=numeric[main], mAP_key=main, per_class_AP=per_class,
                metrics=numeric)
