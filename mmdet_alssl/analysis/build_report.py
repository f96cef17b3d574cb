"""The report of finished runs (one WORK_DIR or many): tables, per-class AP,
pseudo-label precision against the ground truth, the labeling cost and the
plot, as markdown and a results dict. Used by ``al_report.py`` and the
benchmark."""
import dataclasses
import json
from pathlib import Path

from ..workdir.state_io import read_ids
from ..workdir.layout import POOL_IDS
from .report import (aggregate, box_counts, labeling_cost, load_ground_truth,
                     run_config, run_precision, seed_labeling_cost)
from .pre_annotations import run_pre_annotation_edits
from .report_render import plot_curves, render_report
from .seed_gaps import seed_gaps
from .selection_mix import acquired_ids, class_mix, mix_summary

PLOT = 'mAP_vs_labels.png'


def _pool_data_key(cfg, pool):
    """What a run's ground truth depends on: the data sets its config
    trains on (options that leave them alone share the key) and its pool
    (``pool.txt``: a subset with ``--pool-size``)."""
    data = json.dumps(cfg.train_dataloader.to_dict(), sort_keys=True,
                      default=repr)
    return data, tuple(read_ids(pool)) if pool.is_file() else None


def ground_truth(runs, warn):
    """``{work_dir: gt}`` of every run (class counts, what the selections
    picked, pseudo-label precision), each distinct pool parsed once; None,
    and a warning, for a run whose data cannot be read."""
    by_run, parsed = {}, {}
    for run in runs:
        if not run.manifest:
            warn(f'{run.work_dir}: only its mAP rows are known (read from '
                 f'an earlier results.json); its precision and selections '
                 f'left out')
            by_run[run.work_dir] = None
            continue
        try:
            cfg = run_config(run.manifest)
            key = _pool_data_key(cfg, run.work_dir / POOL_IDS)
            if key not in parsed:
                parsed[key] = load_ground_truth(cfg, key[1])
            by_run[run.work_dir] = parsed[key]
        except (FileNotFoundError, ValueError, KeyError, OSError) as err:
            warn(f'no ground truth for {run.work_dir} ({err}); precision, '
                 f'class frequencies and what the selections picked left '
                 f'out')
            by_run[run.work_dir] = None
    return by_run


def against_ground_truth(runs, gts, label_names):
    """``(precision, selection, pre_annotations)``: per curve, each
    seed's :func:`~.report.run_precision`, the
    :func:`~.selection_mix.class_mix` of its acquired images and the
    :func:`~.pre_annotations.run_pre_annotation_edits` (runs without
    ground truth left out)."""
    precision, selection, edits = {}, {}, {}
    for run in runs:
        gt = gts.get(run.work_dir)
        if gt is None:
            continue
        prec = run_precision(run, gt)
        if prec:
            precision.setdefault(run.label, []).append(prec)
        if found := run_pre_annotation_edits(run.work_dir, gt):
            edits.setdefault(run.label, []).append(found)
        acquired = acquired_ids(run) if label_names else None
        if acquired:
            selection.setdefault(run.label, []).append(
                class_mix(acquired, gt, len(label_names)))
    return precision, selection, edits


def build_report(runs, band='minmax', reference=None, precision=True,
                 out='.', warn=print, extremes_only=False):
    """``(markdown, results dict)`` of ``runs``; the plot goes to
    ``out/mAP_vs_labels.png``. ``extremes_only``: per-class AP of the
    rarest and the most common class only (when their counts are known)."""
    groups = aggregate(runs)
    gts = ground_truth(runs, warn) if precision else {}
    # The metrics' class order is the data set's label order.
    classes = list(dict.fromkeys(
        c for agg in groups.values() for r in agg for c in r.per_class_AP))
    label_names = list(classes)
    first = next((gt for gt in gts.values() if gt is not None), None)
    counts = None
    if first is not None:
        counts = box_counts(first, classes)
        classes = sorted(classes, key=lambda c: counts[c])  # rarest first
    all_classes = classes
    if counts and extremes_only and len(classes) > 2:
        classes = [classes[0], classes[-1]]
    precision_by_label, selection, pre_annotations = against_ground_truth(
        runs, gts, label_names)
    # the pool's class_mix: the box counts above, in label order
    pool_mix = None if counts is None or not label_names else dict(
        images=len(first), boxes=[counts[c] for c in label_names])
    reference = reference or ('random' if 'random' in groups else None)
    cost = labeling_cost(groups, reference) if reference in groups \
        else None
    if cost:  # and seed by seed, against the same seed's reference
        by_seed = seed_labeling_cost(runs, reference)
        cost = {label: dict(c, by_seed=by_seed.get(label, {}))
                for label, c in cost.items()}
    gaps = seed_gaps(runs, reference, all_classes) if reference in groups \
        else {}
    plot = plot_curves(groups, Path(out) / PLOT, band=band)
    md = render_report(groups, classes=classes, class_counts=counts,
                       precision=precision_by_label, label_names=label_names,
                       cost=cost, reference=reference,
                       selection=selection, pool_mix=pool_mix, gaps=gaps,
                       selection_classes=all_classes,
                       pre_annotations=pre_annotations, plot=PLOT)
    results = dict(
        runs=[dict(work_dir=str(r.work_dir), label=r.label, seed=r.seed,
                   rows=[dataclasses.asdict(x) for x in r.rows])
              for r in runs],
        curves={k: [dataclasses.asdict(x) for x in v]
                for k, v in groups.items()},
        classes=classes, class_counts=counts, precision=precision_by_label,
        labeling_cost=cost, reference=reference,
        seed_gaps={label: {name: {str(seed): g for seed, g in by_seed.items()}
                           for name, by_seed in measures.items()}
                   for label, measures in gaps.items()},
        selection={label: summary for label, seeds in selection.items()
                   if (summary := mix_summary(seeds, label_names))},
        pool_boxes_per_image=None if pool_mix is None else mix_summary(
            [pool_mix], label_names)['boxes_per_image'],
        plot=str(plot))
    if pre_annotations:  # runs from before predictions.json: no key
        results['pre_annotations'] = {
            label: [{str(k): e for k, e in seed.items()} for seed in seeds]
            for label, seeds in pre_annotations.items()}
    return md, results
