"""Evaluate one cycle's checkpoint on the test split; write its metrics.json.

    python tools/al_evaluate.py CONFIG CHECKPOINT WORK_DIR --cycle K
        [--cfg-options k=v ...]

Runs MMEngine's ``Runner.test()`` with the config's ``test_dataloader`` and
``test_evaluator`` (VOC: ``ClassAPVOCMetric``; COCO: ``CocoMetric`` with
``classwise=True``) and writes ``WORK_DIR/cycle_<K>/metrics.json``
atomically (:class:`~mmdet_alssl.active_learning.CycleState`): ``mAP``,
``mAP_key``, ``per_class_AP`` and every metric (see
:mod:`mmdet_alssl.active_learning.eval_summary`). Runner logs go to
``WORK_DIR/cycle_<K>/test/``. ``tools/al_loop.py`` calls
:func:`evaluate_cycle` in its own process.
"""
import argparse
import os
import os.path as osp
import sys
from typing import Mapping, Optional

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import mmdet_alssl  # noqa: F401  (registers the components)

# torch >= 2.6 loads with weights_only=True unless told otherwise, and
# mmengine 0.10's load_checkpoint does not say: its checkpoints (meta holds
# a HistoryBuffer and numpy values) then fail to load. These are the loop's
# own checkpoints; read at each torch.load, so setting it here suffices.
os.environ.setdefault('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
from mmdet_alssl.active_learning import CycleState
from mmdet_alssl.active_learning.eval_summary import summarize_metrics


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
    cfg.work_dir = str(log_dir)
    cfg.load_from = str(checkpoint)
    cfg.resume = False
    # Runner.from_cfg, as mmdet's tools/test.py does without runner_type.
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    classes = runner.test_dataloader.dataset.metainfo['classes']
    summary = summarize_metrics(metrics, classes)
    summary['checkpoint'] = osp.abspath(checkpoint)
    summary['num_test_images'] = len(runner.test_dataloader.dataset)
    return summary


def evaluate_cycle(config, checkpoint, work_dir, k: int,
                   cfg_options: Optional[Mapping] = None) -> dict:
    """Evaluate cycle ``k``'s checkpoint and write its ``metrics.json``."""
    state = CycleState(work_dir)
    summary = evaluate_checkpoint(config, checkpoint, state.path(k, 'test'),
                                  cfg_options)
    state.write_metrics(k, summary)
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('work_dir', help="the active-learning loop's WORK_DIR")
    parser.add_argument('--cycle', type=int, required=True)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, key=value')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    summary = evaluate_cycle(args.config, args.checkpoint, args.work_dir,
                             args.cycle, args.cfg_options)
    print(f'cycle {args.cycle}: mAP {summary["mAP"]} ({summary["mAP_key"]}); '
          f'per class {summary["per_class_AP"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
