"""metrics.json: mAP and per-class AP from VOC or COCO metric outputs."""
import math

import pytest

from mmdet_alssl.loop.eval_summary import (no_detection_coco_metrics,
                                           summarize_metrics)


def test_voc_class_ap_metric_output():
    raw = {'pascal_voc/mAP': 0.5, 'pascal_voc/AP50': 0.5,
           'pascal_voc/AP50_RBC': 0.75, 'pascal_voc/AP50_WBC': 0.25}
    out = summarize_metrics(raw, ['RBC', 'WBC'])
    assert out == dict(mAP=0.5, mAP_key='pascal_voc/mAP',
                       per_class_AP={'RBC': 0.75, 'WBC': 0.25}, metrics=raw)


def test_coco_classwise_output_and_nan():
    raw = {'coco/bbox_mAP': 0.3, 'coco/bbox_mAP_50': 0.6,
           'coco/fish_precision': 0.4, 'coco/shark_precision': math.nan,
           'coco/bbox_mAP_copypaste': '0.3 0.6'}
    out = summarize_metrics(raw, ['fish', 'shark'])
    assert out['mAP'] == 0.3 and out['mAP_key'] == 'coco/bbox_mAP'
    # A class without test objects: NaN -> None (JSON has no NaN).
    assert out['per_class_AP'] == {'fish': 0.4, 'shark': None}
    assert 'coco/bbox_mAP_copypaste' not in out['metrics']


def test_missing_keys_name_the_metric_to_use():
    with pytest.raises(ValueError, match="no mAP / bbox_mAP.*ClassAPVOC"):
        summarize_metrics({'pascal_voc/AP50': 0.5}, ['a'])
    with pytest.raises(ValueError, match="no AP for class 'b'.*classwise"):
        summarize_metrics({'pascal_voc/mAP': 0.5, 'pascal_voc/AP50_a': 0.5},
                          ['a', 'b'])


def test_no_detections_give_cocos_keys_at_zero():
    raw = no_detection_coco_metrics('coco', ['fish', 'shark', 'ray'], {0, 2})
    assert raw['coco/bbox_mAP'] == 0.0
    assert raw['coco/fish_precision'] == raw['coco/ray_precision'] == 0.0
    assert math.isnan(raw['coco/shark_precision'])
    out = summarize_metrics(raw, ['fish', 'shark', 'ray'])
    assert out['mAP'] == 0.0
    assert out['per_class_AP'] == {'fish': 0.0, 'shark': None, 'ray': 0.0}
