"""A cycle's test run: a model that detects nothing scores 0, not an
error (CocoMetric returns no key at all then)."""
import json
from pathlib import Path

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmdet.registry import MODELS

import mmdet_alssl  # noqa: F401
from mmdet_alssl.loop.evaluate import evaluate_checkpoint

CONFIG = (Path(__file__).resolve().parents[2] /
          'configs/alssl_ssd_lite0_aquarium_cpu.py')
CLASSES = ('fish', 'jellyfish', 'penguin', 'puffin', 'shark', 'starfish',
           'stingray')


def write_tiny_coco(root: Path) -> Path:
    """Two 64x48 images; a fish on one, a fish and a shark on the other."""
    (root / 'images').mkdir(parents=True)
    boxes = {1: [(1, 4, 4, 20, 16)], 2: [(1, 30, 8, 20, 30),
                                         (5, 2, 2, 12, 12)]}
    images, anns = [], []
    for image_id, objects in boxes.items():
        name = f'{image_id}.jpg'
        cv2.imwrite(str(root / 'images' / name),
                    np.full((48, 64, 3), 90 * image_id, np.uint8))
        images.append(dict(id=image_id, file_name=name, width=64, height=48))
        for category, x, y, w, h in objects:
            anns.append(dict(id=len(anns) + 1, image_id=image_id,
                             category_id=category, bbox=[x, y, w, h],
                             area=w * h, iscrowd=0))
    path = root / 'test.json'
    path.write_text(json.dumps(dict(
        images=images, annotations=anns,
        categories=[dict(id=i + 1, name=n) for i, n in enumerate(CLASSES)])))
    return path


def test_a_model_that_detects_nothing_scores_zero_on_coco(tmp_path):
    ann_file = write_tiny_coco(tmp_path / 'data')
    cfg = Config.fromfile(str(CONFIG))
    init_default_scope('mmdet')
    cfg.model.backbone.init_cfg = None
    checkpoint = tmp_path / 'random.pth'
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()),
               checkpoint)
    options = {
        # no score passes 1.1: nothing is detected
        'model.test_cfg.score_thr': 1.1,
        'model.backbone.init_cfg': None,
        'test_dataloader.dataset.data_root': f'{tmp_path / "data"}/',
        'test_dataloader.dataset.ann_file': 'test.json',
        'test_dataloader.num_workers': 0,
        'test_dataloader.persistent_workers': False,
        'test_evaluator.ann_file': str(ann_file),
    }
    summary = evaluate_checkpoint(cfg, str(checkpoint), tmp_path / 'log',
                                  options)
    assert summary['mAP'] == 0.0 and summary['mAP_key'] == 'coco/bbox_mAP'
    # 0 where the test set has objects, None (NaN) where it has none
    assert summary['per_class_AP'] == dict(
        fish=0.0, jellyfish=None, penguin=None, puffin=None, shark=0.0,
        starfish=None, stingray=None)
    assert summary['num_test_images'] == 2
