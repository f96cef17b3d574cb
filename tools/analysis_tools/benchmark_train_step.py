"""Time a training iteration of a consistency detector against the same
network as mmdet's plain detector.

Command (from the repository root)::

    .venv/bin/python tools/analysis_tools/benchmark_train_step.py --threads 1

Both detectors are the model of a plugin config (``--config``, default the
CPU config of the embedded data set: SSD on EfficientNet-Lite0 at 128 px;
the RetinaNet / FCOS ones work alike). One is that model as mmdet's plain
``SingleStageDetector`` with the head's mmdet class (``SSDHead``,
``RetinaHead``, ``FCOSHead``, ...), the other the config's consistency
detector (``ConsistencySSD``, ``ConsistencyDetector``) with its
pseudo-label-aware head, with the same weights (state dict copied).

Both get the SAME batch (default 16 images, half labeled with ground truth,
half unlabeled). Plain SSD has no notion of unlabeled images, so it sees
them with empty ground truth: all of its priors are negatives, SSD mines
3 x 0 of them and they add no loss, but they are forwarded and
back-propagated like the labeled ones; its forward work equals one pass over
the batch. ConsistencySSD forwards the batch and its flips (2x the images)
and adds the consistency loss; its supervised loss uses the labeled half.

One iteration = forward + loss + backward + SGD step, inputs already
preprocessed (identical for both). After warm-up, the two models are timed
in interleaved rounds (plain, consistency, plain, ...) so that load changes
on a shared machine hit both; the script prints per-round times, their
medians, and the ratio consistency / plain (of the medians, and the median
of the per-round ratios). Target: <= 2.1x (the flipped pass doubles the
forward work; everything else should be noise).

Malloc as in the loop's trainings (:mod:`mmdet_alssl.loop.process_memory`);
``ALSSL_DEFAULT_MALLOC=1`` in the environment keeps glibc's defaults, to
measure what that setting gives.

``--out F.md`` also writes the rounds to ``F.json`` and the table to
``F.md`` (``rebuild_report.py F.md`` redraws it from the .json).

Use ``--threads 1`` on a CPU machine shared with other jobs: with more
threads than free cores, OpenMP oversubscription made single rounds vary
tenfold here (0.4-4.7 s for the same plain-SSD iteration).
"""
import argparse
import time

import torch
from mmengine.config import Config
from mmengine.structures import InstanceData

from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules

DEFAULT_CONFIG = 'configs/alssl_ssd_lite0_synthetic_cpu.py'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=DEFAULT_CONFIG,
                        help=f'plugin config whose model is timed (default '
                        f'{DEFAULT_CONFIG})')
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--unlabeled', type=int, default=8,
                        help='unlabeled images in the batch (default half)')
    parser.add_argument('--size', type=int, default=128,
                        help="input px (the config's input size)")
    parser.add_argument('--iters', type=int, default=5,
                        help='iterations per timed round')
    parser.add_argument('--rounds', type=int, default=5,
                        help='interleaved rounds per model')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--threads', type=int, default=1,
                        help='torch CPU threads; 0: torch decides '
                        '(default 1, see the module docstring)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', metavar='F.md',
                        help='write the report to F.md and the rounds to '
                        'F.json')
    args = parser.parse_args()
    if args.iters < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error(f'--iters and --rounds must be >= 1 and --warmup >= 0, '
                     f'got {args.iters}, {args.rounds}, {args.warmup}')
    if args.out and not args.out.endswith('.md'):
        parser.error(f'--out must name a .md file, got {args.out}')
    if not 0 <= args.unlabeled <= args.batch_size:
        parser.error(f'--unlabeled must be in [0, --batch-size], got '
                     f'{args.unlabeled}')
    return args


def model_cfg(config: str, consistency: bool) -> Config:
    """The config's model, or the same network as mmdet's plain detector
    (the plugin's head replaced by the mmdet class it extends)."""
    model = Config.fromfile(config).model
    if not consistency:
        model.type = 'SingleStageDetector'
        model.bbox_head.type = next(
            cls.__name__ for cls in MODELS.get(model.bbox_head.type).__mro__
            if not cls.__module__.startswith('mmdet_alssl'))
        for key in ('consistency_weight', 'ramp_up', 'ramp_down',
                    'loc_huber_delta', 'score_thr'):
            model.pop(key, None)
    return model


def make_batch(model, args):
    packed = demo_mm_inputs(args.batch_size, (3, args.size, args.size),
                            num_items=[3] * args.batch_size,
                            num_classes=model.bbox_head.num_classes)
    labeled = args.batch_size - args.unlabeled
    for i, sample in enumerate(packed['data_samples']):
        if i >= labeled:
            sample.set_metainfo(dict(label_type='unlabeled'))
            sample.gt_instances = InstanceData(
                bboxes=torch.zeros(0, 4), labels=torch.zeros(0).long())
    data = model.data_preprocessor(packed, True)
    return data['inputs'], data['data_samples']


def train_step(model, optimizer, inputs, samples):
    optimizer.zero_grad()
    loss, _ = model.parse_losses(model.loss(inputs, samples))
    loss.backward()
    optimizer.step()


def timed_round(model, optimizer, inputs, samples, iters, sync):
    sync()
    start = time.perf_counter()
    for _ in range(iters):
        train_step(model, optimizer, inputs, samples)
    sync()
    return (time.perf_counter() - start) / iters


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    register_all_modules()
    import mmdet_alssl  # noqa: F401  (registers the plugin's models)
    from mmdet_alssl.analysis.side_json_report import write_side_json_report
    from mmdet_alssl.analysis.train_step_timing import train_step_report
    from mmdet_alssl.loop.process_memory import keep_freed_memory
    # as in every training the loop starts (ALSSL_DEFAULT_MALLOC=1: glibc's)
    keeps = keep_freed_memory()

    torch.manual_seed(0)
    plain = MODELS.build(model_cfg(args.config, False))
    ours = MODELS.build(model_cfg(args.config, True))
    ours.load_state_dict(plain.state_dict())
    device = torch.device(args.device)
    plain.to(device).train()
    ours.to(device).train()
    inputs, samples = make_batch(plain, args)
    inputs = inputs.to(device)
    samples = [s.to(device) for s in samples]
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: 0)

    plain_name = f'plain {type(plain.bbox_head).__name__}'
    ours_name = type(ours).__name__
    runs = {}
    for name, model in ((plain_name, plain), (ours_name, ours)):
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3,
                                    momentum=0.9)
        runs[name] = (model, optimizer, [])
        if args.warmup:
            timed_round(model, optimizer, inputs, samples, args.warmup, sync)
    for _ in range(args.rounds):
        for model, optimizer, times in runs.values():
            times.append(
                timed_round(model, optimizer, inputs, samples, args.iters,
                            sync))

    setting = (f'batch {args.batch_size} ({args.unlabeled} unlabeled) at '
               f'{args.size} px, device {args.device}, torch threads '
               f'{torch.get_num_threads()}, malloc keeps freed memory: '
               f'{keeps}, {args.rounds} interleaved rounds x {args.iters} '
               f'iterations after {args.warmup} warm-up')
    results = dict(report='train_step', config=args.config, setting=setting,
                   plain=plain_name, ours=ours_name,
                   rounds={name: times for name, (_, _, times)
                           in runs.items()})
    print(train_step_report(results))
    if args.out:
        write_side_json_report(args.out, results)
        print(f'report: {args.out}')


if __name__ == '__main__':
    main()
