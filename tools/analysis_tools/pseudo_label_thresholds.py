"""Pseudo-label precision and recall at each τ: cycle K's model on cycle
K's unlabeled pool, against the pool's ground truth (an oracle run).

    python tools/analysis_tools/pseudo_label_thresholds.py WORK_DIR [--cycle K]
        [--limit N] [--thresholds T ...] [--out FILE.md]

τ is a probability, and a detector's probabilities are its own: SSD's
softmax passes 0.99 on most right boxes, a focal-loss sigmoid (RetinaNet,
FCOS, ATSS) rarely passes 0.9. Read τ for a new detector from this table
(the precision you want, the recall it leaves) rather than taking the
paper's SSD value. Uses the run's config and ``--cfg-options``
(``manifest.json``) and cycle K's checkpoint; run from where the loop ran.
Writes the table (``--out``, default ``WORK_DIR/pseudo_label_thresholds_
cycle_K.md``) and its numbers as ``.json`` beside it, from which
``rebuild_report.py`` draws the table again.
"""
import argparse
import sys
import tempfile
from pathlib import Path

from mmdet_alssl.analysis.pseudo_label_thresholds import (
    THRESHOLDS, precision_by_threshold)
from mmdet_alssl.analysis.side_json_report import write_side_json_report


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('work_dir')
    p.add_argument('--cycle', type=int, default=0,
                   help='the cycle whose model and pool (default 0)')
    p.add_argument('--limit', type=int, default=None,
                   help='score only the first N unlabeled images')
    p.add_argument('--thresholds', type=float, nargs='+',
                   default=list(THRESHOLDS), help='τ values (ascending)')
    p.add_argument('--out', default=None, help='the markdown table')
    return p.parse_args(argv)


def score_pool(cfg, checkpoint, ids, lowest: float) -> dict:
    """``{id: boxes >= lowest}`` of cycle K's model on the images ``ids``."""
    from mmengine.runner import Runner, load_checkpoint

    from mmdet_alssl.acquisition.settings import AcquisitionSettings
    from mmdet_alssl.datasets.pool import (as_one_dataset,
                                           build_pool_to_score)
    from mmdet_alssl.engine.pool_scorer import PoolScorer

    al = cfg.get('active_learning') or {}
    settings = {n: al[n] for n in AcquisitionSettings.names() if n in al}
    settings.update(budget=1, tau=lowest, score_thr=lowest,
                    pseudo_labels=True)
    with tempfile.TemporaryDirectory() as tmp:
        cfg.work_dir = tmp
        runner = Runner.from_cfg(cfg)
        load_checkpoint(runner.model, str(checkpoint), map_location='cpu')
        pool = as_one_dataset(build_pool_to_score(
            cfg.train_dataloader, list(ids),
            cfg.test_dataloader.dataset.pipeline))
        rows = PoolScorer(AcquisitionSettings.from_mapping(settings))\
            .score_pool(runner, pool)
    return {row['id']: row['pseudo'] for row in rows if 'error' not in row}


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmdet_alssl.analysis.report import load_ground_truth, run_config
    from mmdet_alssl.loop.mmdet_tools import trust_own_checkpoints
    from mmdet_alssl.workdir import CycleState
    from mmdet_alssl.workdir.layout import MANIFEST, TRAIN
    from mmdet_alssl.workdir.state_io import read_json

    trust_own_checkpoints()
    state = CycleState(Path(args.work_dir))
    if not state.is_done(args.cycle, TRAIN):
        print(f'pseudo_label_thresholds: cycle {args.cycle} of '
              f'{state.work_dir} has not finished training; pick a '
              f'trained cycle with --cycle', file=sys.stderr)
        return 2
    checkpoint = state.trained_checkpoint(args.cycle)
    cfg = run_config(read_json(state.work_dir / MANIFEST))
    ids = state.read_split(args.cycle)[1][:args.limit]
    thresholds = sorted(args.thresholds)
    boxes = score_pool(cfg, checkpoint, ids, thresholds[0])
    rows = precision_by_threshold(boxes, load_ground_truth(cfg, list(boxes)),
                                  thresholds)
    out = Path(args.out or state.work_dir /
               f'pseudo_label_thresholds_cycle_{args.cycle}.md')
    result = dict(report='pseudo_label_thresholds', work_dir=args.work_dir,
                  cycle=args.cycle, images=len(boxes), rows=rows)
    print(write_side_json_report(out, result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
