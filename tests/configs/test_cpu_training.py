"""A short real training run of the CPU config on a generated stand-in for
BCCD (640x480 images, as BCCD's): the loss is finite and goes down, and
predict returns boxes in image coordinates."""
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from tests.helpers import write_cell_voc

CONFIG = Path(__file__).resolve().parents[2] / 'configs' / \
    'alssl_ssd_lite0_bccd_cpu.py'


def write_ids(path, ids):
    path.write_text('\n'.join(ids) + '\n')
    return str(path)


def add_zero_area_box(xml_path: Path) -> None:
    """One more RBC box of zero area (BCCD has two: BloodImage_00338 and
    BloodImage_00343)."""
    tree = ET.parse(xml_path)
    obj = ET.SubElement(tree.getroot(), 'object')
    ET.SubElement(obj, 'name').text = 'RBC'
    ET.SubElement(obj, 'difficult').text = '0'
    box = ET.SubElement(obj, 'bndbox')
    for key, value in zip(('xmin', 'ymin', 'xmax', 'ymax'), (50, 60, 50, 90)):
        ET.SubElement(box, key).text = str(value)
    tree.write(xml_path)


def test_cpu_config_trains_and_predicts_in_image_coordinates(tmp_path):
    root = write_cell_voc(tmp_path / 'cells', 14, 0, width=640)
    ids = (root / 'ImageSets/Main/trainval.txt').read_text().split()
    # a labeled image with a zero-area box (as BCCD has): it must not crash
    add_zero_area_box(root / 'Annotations' / f'{ids[6]}.xml')
    labeled = ids[:7]
    unlabeled = ids[7:14]
    cfg = Config.fromfile(str(CONFIG))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.data_root = str(root)
    pool = cfg.train_dataloader.dataset
    pool.dataset.data_root = str(root) + '/'
    pool.labeled_ids_file = write_ids(tmp_path / 'labeled.txt', labeled)
    pool.unlabeled_ids_file = write_ids(tmp_path / 'unlabeled.txt',
                                        unlabeled)
    cfg.train_dataloader.update(
        batch_size=4, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.sampler.update(batch_size=4, seed=0)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=16,
                         val_interval=1000)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger.interval = 1
    losses = []

    runner = Runner.from_cfg(cfg)
    runner.register_hook(_LossRecorder(losses), priority='LOWEST')
    runner.train()

    assert len(losses) == 16
    assert all(math.isfinite(v) for v in losses)
    assert sum(losses[-4:]) / 4 < sum(losses[:4]) / 4 * 0.9, losses

    model = runner.model
    model.eval()
    test_item = runner.train_dataloader.dataset.datasets[0][0]
    batch = dict(inputs=[test_item['inputs']],
                 data_samples=[test_item['data_samples']])
    with torch.no_grad():
        (pred, ) = model.test_step(batch)
    boxes = pred.pred_instances.bboxes
    assert len(boxes) > 0
    height, width = pred.ori_shape  # the images are 640x480, as BCCD's
    assert (height, width) == (480, 640)
    assert boxes[:, 0::2].min() >= 0 and boxes[:, 0::2].max() <= width
    assert boxes[:, 1::2].min() >= 0 and boxes[:, 1::2].max() <= height
    # rescaled from the 128 px network input to the 640x480 image
    assert boxes[:, 2].max() > 128


class _LossRecorder(Hook):
    """Collects the total training loss of each iteration."""

    def __init__(self, losses):
        self.losses = losses

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.losses.append(float(outputs['loss']))
