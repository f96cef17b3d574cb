"""Evaluate one cycle's checkpoint on the test split; write its metrics.json.

    python tools/al_evaluate.py CONFIG CHECKPOINT WORK_DIR --cycle K
        [--cfg-options k=v ...]

The loop does this itself after each cycle; this re-tests a checkpoint
(e.g. with other test settings through --cfg-options).
"""
import argparse
import sys

from mmengine.config import DictAction

from mmdet_alssl.loop.evaluate import evaluate_cycle


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
