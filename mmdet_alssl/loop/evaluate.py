"""Evaluate one cycle's checkpoint on the test split; write its metrics.json.

Runs MMEngine's ``Runner.test()`` with the config's ``test_dataloader`` and
``test_evaluator`` (VOC: ``ClassAPVOCMetric``; COCO: ``CocoMetric`` with
``classwise=True``) and writes ``WORK_DIR/cycle_<K>/metrics.json``
atomically (:class:`~.cycle_state.CycleState`): ``mAP``,
``mAP_key``, ``per_class_AP`` and every metric (see
:mod:`mmdet_alssl.loop.eval_summary`). Runner logs go to
``WORK_DIR/cycle_<K>/test/``. The loop calls :func:`evaluate_cycle` in its
own process.
"""
import os.path as osp
from typing import Mapping, Optional

from mmdet.evaluation import CocoMetric
from mmengine.config import Config
from mmengine.runner import Runner

from ..workdir.cycle_state import CycleState
from .eval_summary import no_detection_coco_metrics, summarize_metrics
from .mmdet_tools import trust_own_checkpoints
from ..workdir.layout import TEST


def evaluate_checkpoint(config, checkpoint, log_dir,
                        cfg_options: Optional[Mapping] = None) -> dict:
    """``Runner.test()`` of ``checkpoint``, summarized (mAP, per-class AP).

    Args:
        config (str | Config): the training config (path or loaded).
        checkpoint (str): the checkpoint to test.
        log_dir (str): the Runner's work_dir (logs).
        cfg_options (Mapping, optional): dotted-key overrides.
    """
    cfg = config.copy() if isinstance(config, Config) else Config.fromfile(
        str(config))
    if cfg_options:
        cfg.merge_from_dict(dict(cfg_options))
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} not found; train '
                                f'the cycle first')
    trust_own_checkpoints()
    cfg.work_dir = str(log_dir)
    cfg.load_from = str(checkpoint)
    cfg.resume = False
    # Runner.from_cfg, as mmdet's tools/test.py does without runner_type.
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    dataset = runner.test_dataloader.dataset
    classes = dataset.metainfo['classes']
    coco = [m for m in runner.test_evaluator.metrics
            if isinstance(m, CocoMetric)]
    if not metrics and coco:
        # CocoMetric returns nothing when nothing was detected: a young
        # model's honest 0, not a misconfigured evaluator
        present = {label for i in range(len(dataset))
                   for label in dataset.get_cat_ids(i)}
        metrics = no_detection_coco_metrics(coco[0].prefix, classes,
                                            present)
    summary = summarize_metrics(metrics, classes)
    summary['checkpoint'] = osp.abspath(checkpoint)
    summary['num_test_images'] = len(dataset)
    return summary


def evaluate_cycle(config, checkpoint, work_dir, k: int,
                   cfg_options: Optional[Mapping] = None) -> dict:
    """Evaluate cycle ``k``'s checkpoint and write its ``metrics.json``."""
    state = CycleState(work_dir)
    summary = evaluate_checkpoint(config, checkpoint, state.path(k, TEST),
                                  cfg_options)
    state.write_metrics(k, summary)
    return summary
