"""Benchmark the ActiveLearningHook's scoring pass: time against MMDetection's
own flip test-time augmentation, and peak memory of a pool N vs 10 x N.

Command (from the repository root; ~5 min on 2 shared CPU cores)::

    .venv/bin/python tools/analysis_tools/benchmark_scoring.py \\
        configs/alssl_ssd_lite0_synthetic_cpu.py \\
        --checkpoint work_dirs/demo/cycle_3/train/iter_250.pth \\
        --pool-size 100 --batch-size 8 --threads 1 --repeats 5 --tracemalloc

(the checkpoint is the last cycle of ``make demo``: about 1 detection per
image above the loop's score_thr 0.3, ~60 per image out of DetTTAModel at
mmdet's score_thr 0.02. Without ``--checkpoint`` the model is randomly
initialised and its class-logit biases drawn from N(0, ``--cls-bias-std``)
so that detections pass the thresholds at all; every prior then predicts
alike and both paths hit max_per_img = 100: a stress case, not a typical
one.)

1. Time, in this process, on the first ``--pool-size`` ids of the config's
   pool ann_file, same batch size, same torch threads, model in ``eval()``
   under ``no_grad`` for both:

   - hook: ``ActiveLearningHook.score_pool`` (its loader, one forward of the
     originals + flips, ``predict_dense``, ``score_image`` and
     ``pseudo_label_boxes`` per image, its progress bar), the hook built
     from the config's ``custom_hooks`` entry with ``active_learning``'s
     ``tau`` / ``score_thr`` / ``pseudo_labels`` as ``tools/al_loop.sh``
     does;
   - TTA: mmdet's ``DetTTAModel`` around the same model, over mmdet's
     ``VOCDataset`` of the same ids with the TTA pipeline ``tools/test.py
     --tta`` builds by default (:func:`flip_tta_pipeline`), batches
     collated by ``pseudo_collate``, ``test_step`` per batch as mmengine's
     ``TestLoop`` does: two forwards (flipped, original), ``predict`` with
     the model's ``test_cfg`` (score_thr 0.02, NMS, 100 per view), then the
     merge NMS (``--tta-iou``, tools/test.py's 0.5).

   Two comparisons: end to end (data loading included), and compute only
   (batches loaded and collated once beforehand; ``score_batch`` against
   ``test_step``). After a warm-up pass of each, ``--repeats`` rounds of
   all four passes (order reversed every other round); medians of wall
   time and of process CPU time, and the median of the per-round ratios.
2. Peak memory: ``build_pool`` + ``score_pool`` of a pool of N and of 10 x N
   images, each in a fresh subprocess (so peaks do not mix), through a real
   mmengine ``Runner`` built from the config, ``--memory-repeats`` times
   (interleaved; medians). Reported: the process's peak RSS (``VmHWM``,
   setup included; see :func:`memory_child` for why not ``ru_maxrss``) and
   the scoring pass's own peak above the RSS it started at (the high-water
   mark reset just before ``score_pool`` via ``/proc/self/clear_refs``),
   optionally also the Python heap peak during ``score_pool``
   (``--tracemalloc``, separate processes: that is where the score table
   lives).
"""
import argparse
import copy
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch
from mmengine.config import Config, ConfigDict, DictAction

from mmdet_alssl.loop.mmdet_tools import trust_own_checkpoints

PACK = 'PackDetInputs'


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('--checkpoint', help='weights to score with (default: '
                   'random init, see --cls-bias-std)')
    p.add_argument('--cls-bias-std', type=float, default=2.0,
                   help='without --checkpoint: std of the random class '
                   'biases (default 2.0)')
    p.add_argument('--pool-size', type=int, default=100,
                   help='N: images timed, and the small memory pool (the '
                   'large one is 10 x N; default 100)')
    p.add_argument('--batch-size', type=int, default=8,
                   help='pool images per batch, both paths (default 8)')
    p.add_argument('--num-workers', type=int, default=0)
    p.add_argument('--threads', type=int, default=1,
                   help='torch CPU threads (default 1: on a shared machine '
                   'more threads than free cores made timings noisy)')
    p.add_argument('--repeats', type=int, default=5,
                   help='interleaved timed rounds per path (default 5)')
    p.add_argument('--tta-iou', type=float, default=0.5,
                   help="DetTTAModel's merge NMS IoU (default 0.5, mmdet "
                   "tools/test.py's)")
    p.add_argument('--skip-timing', action='store_true')
    p.add_argument('--skip-memory', action='store_true')
    p.add_argument('--memory-repeats', type=int, default=3,
                   help='fresh processes per pool size (default 3: glibc '
                   "malloc's dynamic mmap threshold moves the peak by "
                   '+-15 MiB from run to run)')
    p.add_argument('--mmap-threshold', type=int,
                   help='MALLOC_MMAP_THRESHOLD_ for the memory processes '
                   '(e.g. 131072 fixes glibc\'s threshold: peaks repeat '
                   'to 0.1 MiB, scoring runs slower); default: glibc\'s')
    p.add_argument('--tracemalloc', action='store_true',
                   help='also measure the Python heap peak of score_pool '
                   '(two more subprocesses, slower)')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    # Internal: one memory measurement in this (fresh) process.
    p.add_argument('--memory-child', type=int, help=argparse.SUPPRESS)
    p.add_argument('--child-mode', default='rss', help=argparse.SUPPRESS)
    p.add_argument('--child-out', help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    for name in ('pool_size', 'batch_size', 'threads', 'repeats',
                 'memory_repeats'):
        if getattr(args, name) < 1:
            p.error(f'--{name.replace("_", "-")} must be >= 1, got '
                    f'{getattr(args, name)}')
    return args


# ---- pure helpers ----------------------------------------------------------
def flip_tta_pipeline(test_pipeline):
    """The TTA pipeline ``mmdet tools/test.py --tta`` builds when a config
    has none: the test pipeline with its final ``PackDetInputs`` replaced by
    ``TestTimeAug`` over [horizontal flip, identity], each packed with
    ``flip`` / ``flip_direction`` added to the meta keys (DetTTAModel
    un-flips by them).

    Args:
        test_pipeline (list[dict]): ends with ``PackDetInputs``.

    Returns:
        list[dict]: a new pipeline; the input is not modified.
    """
    if not test_pipeline or test_pipeline[-1].get('type') != PACK:
        last = test_pipeline[-1].get('type') if test_pipeline else None
        raise ValueError(f'the test pipeline must end with {PACK}, got '
                         f'{last!r}; pass a detection test pipeline')
    pack = copy.deepcopy(dict(test_pipeline[-1]))
    keys = list(pack.get('meta_keys', ('img_id', 'img_path', 'ori_shape',
                                       'img_shape', 'scale_factor')))
    pack['meta_keys'] = tuple(keys + [k for k in ('flip', 'flip_direction')
                                      if k not in keys])
    tta = dict(type='TestTimeAug', transforms=[
        [dict(type='RandomFlip', prob=1.), dict(type='RandomFlip', prob=0.)],
        [pack]])
    return copy.deepcopy(list(test_pipeline[:-1])) + [tta]


def ratio_summary(first, second):
    """``(median(first) / median(second), median of per-round ratios)`` of
    two equally long lists of per-round times."""
    if len(first) != len(second) or not first:
        raise ValueError(f'need two equally long, non-empty lists of times, '
                         f'got {len(first)} and {len(second)}')
    return (statistics.median(first) / statistics.median(second),
            statistics.median(a / b for a, b in zip(first, second)))


def read_pool_ids(ann_file, n):
    """The first ``n`` ids of a VOC ImageSets file."""
    ids = [line.strip() for line in Path(ann_file).read_text().splitlines()
           if line.strip()]
    if n > len(ids):
        raise ValueError(f'a pool of {n} images was asked but {ann_file} '
                         f'lists {len(ids)}; lower --pool-size to at most '
                         f'{len(ids) // 10}')
    return ids[:n]


# ---- harness ---------------------------------------------------------------
def build_runner(args, work_dir):
    """A real mmengine Runner of the config, weights loaded, threads set."""
    from mmengine.runner import Runner

    import mmdet_alssl  # noqa: F401  (registers the components)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = work_dir
    cfg.load_from = None
    cfg.log_level = 'WARNING'  # the Runner's env and config dump is noise here
    runner = Runner.from_cfg(cfg)
    # After the Runner: its environment set-up must not override ours.
    torch.set_num_threads(args.threads)
    model = runner.model
    if args.checkpoint:
        runner.load_checkpoint(args.checkpoint, map_location='cpu')
    else:
        model.init_weights()
        gen = torch.Generator().manual_seed(0)
        for convs in model.bbox_head.cls_convs:
            last = [m for m in convs.modules()
                    if isinstance(m, torch.nn.Conv2d)][-1]
            with torch.no_grad():
                last.bias.copy_(torch.randn(last.bias.shape, generator=gen) *
                                args.cls_bias_std)
    return runner


def build_hook(runner, args):
    """The config's ActiveLearningHook entry with the loop's settings."""
    from mmdet.registry import HOOKS

    from mmdet_alssl.loop import find_hook
    cfg = runner.cfg
    entry = dict(cfg.custom_hooks[find_hook(cfg.custom_hooks)])
    entry.pop('priority', None)
    al = cfg.get('active_learning', {})
    entry.update({k: al[k] for k in ('tau', 'score_thr', 'pseudo_labels',
                                     'seed') if k in al})
    entry.update(batch_size=args.batch_size, num_workers=args.num_workers)
    return HOOKS.build(entry)


def pool_ids_of(runner, n):
    from mmdet_alssl.loop import pool_part_cfgs
    ds = pool_part_cfgs(runner.cfg.train_dataloader)[0]
    return read_pool_ids(os.path.join(ds['data_root'], ds['ann_file']), n)


def build_tta(runner, ids, tmp_dir, iou):
    """DetTTAModel around the runner's model, and mmdet's VOCDataset of
    ``ids`` with the flip TTA pipeline."""
    from mmdet.registry import DATASETS, MODELS
    ann = Path(tmp_dir) / 'tta_ids.txt'
    ann.write_text('\n'.join(ids) + '\n')
    cfg = copy.deepcopy(dict(runner.cfg.test_dataloader.dataset))
    cfg.update(ann_file=str(ann.absolute()), test_mode=True,
               pipeline=flip_tta_pipeline(cfg['pipeline']))
    dataset = DATASETS.build(cfg)
    tta = MODELS.build(dict(type='DetTTAModel', module=runner.model,
                            tta_cfg=ConfigDict(nms=dict(type='nms',
                                                        iou_threshold=iou),
                                               max_per_img=100)))
    return tta, dataset


def loader(runner, dataset, args):
    return runner.build_dataloader(
        dict(batch_size=args.batch_size, num_workers=args.num_workers,
             sampler=dict(type='DefaultSampler', shuffle=False),
             collate_fn=dict(type='pseudo_collate'), dataset=dataset),
        seed=0)


def clock(fn):
    """``(wall s, process CPU s, result)`` of ``fn()``."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


# ---- 1. time ---------------------------------------------------------------
def run_timing(runner, args, tmp_dir):
    hook = build_hook(runner, args)
    ids = pool_ids_of(runner, args.pool_size)
    pool = hook.build_pool(runner, ids)
    tta, tta_set = build_tta(runner, ids, tmp_dir, args.tta_iou)
    same = [str(pool.get_data_info(i)['img_id']) for i in range(len(pool))] \
        == [str(tta_set.get_data_info(i)['img_id'])
            for i in range(len(tta_set))] == ids
    if not same:
        raise RuntimeError('the hook pool and the TTA data set differ')
    model = runner.model

    def tta_pass(batches):
        tta.eval()  # as Runner.test; the hook sets and restores its own
        with torch.no_grad():
            return [s for b in batches for s in tta.test_step(b)]

    def hook_compute(batches):
        model.eval()
        with torch.no_grad():
            return [r for b in batches for r in hook.score_batch(model, b)]

    hook_batches = list(loader(runner, pool, args))
    tta_batches = list(loader(runner, tta_set, args))
    fns = {
        ('end-to-end', 'hook'): lambda: hook.score_pool(runner, pool),
        ('end-to-end', 'tta'): lambda: tta_pass(loader(runner, tta_set,
                                                       args)),
        ('compute-only', 'hook'): lambda: hook_compute(hook_batches),
        ('compute-only', 'tta'): lambda: tta_pass(tta_batches),
    }
    outputs = {key: clock(fn)[2] for key, fn in fns.items()}  # warm-up
    rows, preds = outputs['end-to-end', 'hook'], outputs['end-to-end', 'tta']
    results = {name: {'hook': [], 'tta': []} for name, _ in fns}
    for r in range(args.repeats):
        # All four in every round, the order reversed every other round, so
        # a change of machine load hits both sides of each comparison.
        order = list(fns.items())
        if r % 2:
            order.reverse()
        for (name, path), fn in order:
            results[name][path].append(clock(fn)[:2])
    model.train()
    dets = statistics.mean(r['scores']['num_detections'] for r in rows)
    pseudo = statistics.mean(len(r['pseudo']['bboxes']) if r['pseudo'] else 0
                             for r in rows)
    tta_dets = statistics.mean(len(p.pred_instances) for p in preds)
    return results, dict(hook_dets=dets, hook_pseudo=pseudo,
                         tta_dets=tta_dets, n=len(ids),
                         score_thr=hook.score_thr, tau=hook.tau)


def print_timing(results, info, args):
    print(f'\n\n== time: {info["n"]} images, batch {args.batch_size}, torch '
          f'threads {torch.get_num_threads()}, {args.repeats} interleaved '
          f'rounds after 1 warm-up ==')
    print(f'detections per image: hook {info["hook_dets"]:.2f} scored '
          f'(score >= {info["score_thr"]}), {info["hook_pseudo"]:.2f} '
          f'pseudo boxes (>= {info["tau"]}); DetTTAModel '
          f'{info["tta_dets"]:.2f} after the merge NMS')
    for name, times in results.items():
        print(f'{name}:')
        for clock_i, clock_name in enumerate(('wall', 'cpu')):
            hook_t = [t[clock_i] for t in times['hook']]
            tta_t = [t[clock_i] for t in times['tta']]
            of_medians, paired = ratio_summary(hook_t, tta_t)
            print(f'  {clock_name}: hook {statistics.median(hook_t):.3f} s '
                  f'(rounds {", ".join(f"{t:.3f}" for t in hook_t)}); '
                  f'DetTTAModel {statistics.median(tta_t):.3f} s (rounds '
                  f'{", ".join(f"{t:.3f}" for t in tta_t)})')
            print(f'    ratio hook / DetTTAModel: {of_medians:.3f}x of '
                  f'medians, {paired:.3f}x median of paired rounds '
                  f'(target <= 1.0x)')


# ---- 2. memory -------------------------------------------------------------
def _status_kb(key):
    text = Path('/proc/self/status').read_text()
    return int(re.search(rf'^{key}:\s+(\d+)', text, re.M).group(1))


def memory_child(args):
    """Score a pool of ``args.memory_child`` images; write the figures.

    Peaks are the kernel's RSS high-water mark of this process's memory
    (``VmHWM``), not ``ru_maxrss``: the latter also counts what the parent
    held when it forked this process (and what exited threads recorded), so
    it cannot tell a child's own peak once the parent has grown.
    """
    import tracemalloc
    with tempfile.TemporaryDirectory() as tmp_dir:
        runner = build_runner(args, tmp_dir)
        hook = build_hook(runner, args)
        pool = hook.build_pool(runner, pool_ids_of(runner, args.memory_child))
        gc.collect()
        setup_peak, rss_start = _status_kb('VmHWM'), _status_kb('VmRSS')
        # Reset the high-water mark to the current RSS (Linux >= 4.0), so
        # that VmHWM afterwards is the scoring pass's own peak.
        Path('/proc/self/clear_refs').write_text('5')
        if args.child_mode == 'tracemalloc':
            tracemalloc.start()
        wall = time.perf_counter()
        rows = hook.score_pool(runner, pool)
        wall = time.perf_counter() - wall
        heap_peak = tracemalloc.get_traced_memory()[1] \
            if tracemalloc.is_tracing() else None
        scoring_peak = _status_kb('VmHWM')
        out = dict(pool=len(pool), rows=len(rows), seconds=wall,
                   setup_peak_kb=setup_peak, rss_start_kb=rss_start,
                   peak_kb=max(scoring_peak, setup_peak),
                   scoring_kb=scoring_peak - rss_start, heap_peak_b=heap_peak)
    Path(args.child_out).write_text(json.dumps(out))


def run_memory_child(argv, size, mode, tmp_dir, mmap_threshold=None):
    out = Path(tmp_dir) / f'mem_{mode}_{size}.json'
    cmd = [sys.executable, __file__, *argv, '--memory-child', str(size),
           '--child-mode', mode, '--child-out', str(out)]
    env = dict(os.environ)
    if mmap_threshold is not None:
        env['MALLOC_MMAP_THRESHOLD_'] = str(mmap_threshold)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return json.loads(out.read_text())


def _mib_list(results, key, sign=''):
    return ', '.join(f'{sign}{r[key] / 1024:.1f}' for r in results)


def print_memory(runs, heap=None):
    """``runs``: ``{pool size: [child results]}`` (two sizes)."""
    mib = 1024.0
    small, large = sorted(runs)
    print(f'\n== peak memory: pool {small} vs {large} images, '
          f'{len(runs[small])} fresh process(es) each, interleaved ==')
    med = {}
    for size in (small, large):
        rs = runs[size]
        med[size] = {k: statistics.median(r[k] for r in rs)
                     for k in ('peak_kb', 'scoring_kb')}
        print(f'pool {size:5d}: process peak RSS (VmHWM) median '
              f'{med[size]["peak_kb"] / mib:.1f} MiB (runs '
              f'{_mib_list(rs, "peak_kb")}); '
              f'scoring pass above its start median '
              f'+{med[size]["scoring_kb"] / mib:.1f} MiB (runs '
              f'{_mib_list(rs, "scoring_kb", "+")}); '
              f'setup peak {rs[0]["setup_peak_kb"] / mib:.1f}, start '
              f'{rs[0]["rss_start_kb"] / mib:.1f} MiB; {rs[0]["rows"]} rows '
              f'in {rs[0]["seconds"]:.1f} s')
    for key, name, target in (
            ('peak_kb', 'process peak', '; target < 1.10x'),
            ('scoring_kb', 'scoring pass above its start', '')):
        a, b = med[small][key], med[large][key]
        print(f'ratio {large} / {small}, {name}: {b / a:.3f}x '
              f'({(b - a) / mib:+.1f} MiB{target})')
    if heap:
        hs, hl = (h['heap_peak_b'] / 2**20 for h in heap)
        print(f'Python heap peak during score_pool (tracemalloc): '
              f'{hs:.2f} MiB vs {hl:.2f} MiB ({hl / hs:.2f}x, '
              f'{(hl - hs) * 2**20 / (large - small):.0f} B per extra image)')


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    trust_own_checkpoints()  # the user's own checkpoint file
    warnings.filterwarnings('ignore', message='Environment variable TORCH_F')
    args = parse_args(argv)
    if args.memory_child:
        memory_child(args)
        return
    torch.set_num_threads(args.threads)
    weights = args.checkpoint or \
        f'random, class biases N(0, {args.cls_bias_std})'
    print(f'config {args.config}; weights: {weights}')
    with tempfile.TemporaryDirectory() as tmp_dir:
        if not args.skip_timing:
            runner = build_runner(args, tmp_dir)
            results, info = run_timing(runner, args, tmp_dir)
            del runner
            print_timing(results, info, args)
        if not args.skip_memory:
            sizes = (args.pool_size, 10 * args.pool_size)
            runs = {n: [] for n in sizes}
            for _ in range(args.memory_repeats):
                for n in sizes:
                    runs[n].append(run_memory_child(argv, n, 'rss', tmp_dir,
                                                    args.mmap_threshold))
            heap = [run_memory_child(argv, n, 'tracemalloc', tmp_dir,
                                     args.mmap_threshold)
                    for n in sizes] if args.tracemalloc else None
            print_memory(runs, heap)

if __name__ == '__main__':
    main()
