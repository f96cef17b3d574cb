"""Markdown tables and the mAP-vs-labels plot of an active-learning report
(:mod:`.report` computes the numbers). mAP / AP fractions are shown in
points (x 100, one decimal)."""
import math
from pathlib import Path
from typing import List, Mapping, Optional, Sequence

import numpy as np

from .report import (MISLOCATED_IOU_THR, PSEUDO_IOU_THR, AggRow,
                     mean_std)
from .seed_gaps import summarize
from .selection_mix import pooled_per_image


#: How the report names a mislocated box's IoU ('IoU 0.1-0.5').
MISLOCATED_IOU_RANGE = f'IoU {MISLOCATED_IOU_THR:g}-{PSEUDO_IOU_THR:g}'


def points(value: Optional[float], std: Optional[float] = None) -> str:
    """A fraction in points with one decimal (``0.512`` -> ``51.2``), ``±
    std`` when given, ``-`` when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '-'
    text = f'{100 * value:.1f}'
    return text if std is None else f'{text} ± {100 * std:.1f}'


def count(value: float) -> str:
    """An image or box count, or its mean over seeds: '74', '74.3'."""
    return f'{value:.0f}' if float(value).is_integer() else f'{value:.1f}'


def markdown_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A GitHub markdown table (numbers right-aligned)."""
    def cell(v):
        return f'{v:g}' if isinstance(v, float) else str(v)
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '|'.join(['---'] + ['---:'] * (len(header) - 1)) + '|']
    lines += ['| ' + ' | '.join(cell(v) for v in r) + ' |' for r in rows]
    return '\n'.join(lines) + '\n'


def cycle_table(groups: Mapping[str, List[AggRow]]) -> str:
    """Per curve and cycle: labeled images, pseudo-labeled images, pseudo
    boxes, mAP (mean ± std over seeds) and the seed count."""
    rows = [(label, r.cycle, count(r.labeled), count(r.pseudo_labeled),
             count(r.pseudo_boxes), points(r.mAP, r.mAP_std), r.n)
            for label, agg in groups.items() for r in agg]
    return markdown_table(('run', 'cycle', 'labeled images',
                           'pseudo-labeled images', 'pseudo boxes',
                           'mAP', 'seeds'), rows)


def seed_counts(agg: Sequence[AggRow]) -> str:
    """The seeds behind a curve: ``'3'``, or per cycle ``'5/5/3/3'`` while
    some seeds' runs are still short of the others (a partial report)."""
    counts = [r.n for r in agg]
    if len(set(counts)) == 1:
        return str(counts[0])
    return '/'.join(str(n) for n in counts)


def curve_table(groups: Mapping[str, List[AggRow]]) -> str:
    """mAP per cycle (mean ± std over seeds), one row per curve, its mean
    over the cycles (the mean of the per-cycle means) and its seeds."""
    cycles = sorted({r.cycle for agg in groups.values() for r in agg})
    rows = []
    for label, agg in groups.items():
        by_cycle = {r.cycle: r for r in agg}
        cells = [points(by_cycle[k].mAP, by_cycle[k].mAP_std)
                 if k in by_cycle else '' for k in cycles]
        rows.append([label] + cells + [points(mean_std(
            [r.mAP for r in agg])[0]), seed_counts(agg)])
    return markdown_table(['run'] + [f'cycle {k}' for k in cycles] +
                          ['mean over cycles', 'seeds'], rows)


def class_ap_table(groups: Mapping[str, List[AggRow]],
                   classes: Sequence[str]) -> str:
    """AP of ``classes`` at each curve's first and last cycle (mean ± std
    over seeds), a row per curve and class."""
    rows = [[label, c] + [points(*agg[i].per_class_AP.get(c, (None, None)))
                          for i in (0, -1)]
            for label, agg in groups.items() if agg for c in classes]
    return markdown_table(('run', 'class', 'AP first cycle',
                           'AP last cycle'), rows)


def precision_table(per_run: Mapping[str, Sequence[Mapping[int, dict]]]
                    ) -> str:
    """Per curve and cycle: pseudo-labeled images, pseudo boxes per image
    and precision, mean (± std for precision) over the seeds' runs.

    Args:
        per_run: ``{label: [run_precision(...) of each seed]}``.
    """
    rows = []
    for label, seeds in per_run.items():
        for k in sorted({k for p in seeds for k in p}):
            at = [p[k] for p in seeds if k in p]
            imgs = mean_std([a['images'] for a in at])[0]
            per_img = mean_std([a['boxes_per_image'] for a in at])[0]
            prec, std, _ = mean_std([a['precision'] for a in at])
            rows.append((label, k, count(imgs),
                         '-' if per_img is None else f'{per_img:.2f}',
                         points(prec, std), len(at)))
    return markdown_table(('run', 'cycle', 'pseudo-labeled images',
                           'pseudo boxes per image',
                           f'precision (IoU >= {PSEUDO_IOU_THR:g}, same '
                           f'class)', 'seeds'),
                          rows)


def class_precision_table(per_run: Mapping[str, Sequence[Mapping[int, dict]]],
                          label_names: Sequence[str] = ()) -> str:
    """Per curve and class: pseudo boxes per seed (all cycles), precision
    and the share of mislocated boxes (right class, IoU in
    [``MISLOCATED_IOU_THR``, ``PSEUDO_IOU_THR``)), pooled over cycles and
    seeds.

    Args:
        per_run: ``{label: [run_precision(...) of each seed]}``, whose
            cycles carry ``by_class``.
        label_names: class names in label order (else the label index).
    """
    rows = []
    for run_label, seeds in per_run.items():
        totals: dict = {}
        for per_cycle in seeds:
            for at in per_cycle.values():
                for label, c in at.get('by_class', {}).items():
                    t = totals.setdefault(int(label), dict(
                        boxes=0, correct=0, mislocated=0))
                    for key in t:
                        t[key] += c[key]
        for label, t in sorted(totals.items()):
            name = label_names[label] if label < len(label_names) else label
            rows.append((run_label, name, count(t['boxes'] / len(seeds)),
                         points(t['correct'] / t['boxes']),
                         points(t['mislocated'] / t['boxes']), len(seeds)))
    return markdown_table(('run', 'class', 'pseudo boxes per seed',
                           'precision', f'mislocated ({MISLOCATED_IOU_RANGE})',
                           'seeds'), rows)


def selection_table(mixes: Mapping[str, Sequence[Mapping]], pool: Mapping,
                    classes: Sequence[str],
                    label_names: Sequence[str]) -> str:
    """Per curve: images its selections added per seed, and ground-truth
    boxes per selected image of each class (pooled over the seeds), with
    the ratio to the pool's; a last row for the pool itself.

    Args:
        mixes: ``{label: [selection_mix.class_mix of each seed]}``.
        pool: ``class_mix`` of the whole pool.
        classes: the columns, class names in the order to show.
        label_names: class names in label order (index into ``boxes``).
    """
    at = [label_names.index(c) for c in classes]
    base = pooled_per_image([pool])

    def cells(per_image, ratio):
        return [f'{per_image[i]:.2f}' + (
            f' ({per_image[i] / base[i]:.2f}x)' if ratio and base[i] else '')
            for i in at]
    rows = []
    for label, seeds in mixes.items():
        per_image = pooled_per_image(seeds)
        if per_image is None:
            continue
        images = sum(m['images'] for m in seeds) / len(seeds)
        rows.append([label, count(images), f'{sum(per_image):.2f}',
                     *cells(per_image, True), len(seeds)])
    rows.append(['pool', count(pool['images']), f'{sum(base):.2f}',
                 *cells(base, False), ''])
    return markdown_table(['run', 'images selected per seed',
                           'boxes per image'] + list(classes) + ['seeds'],
                          rows)


def seed_gap_table(gaps: Mapping[str, Mapping[str, Mapping]]) -> str:
    """Per curve and measure (mAP, then classes): the mean of the seeds'
    gaps to the reference, their sample std, how many are positive and
    each seed's (:func:`~.seed_gaps.seed_gaps`'s output, in points)."""
    rows = []
    for label, measures in gaps.items():
        for name, by_seed in measures.items():
            s = summarize(by_seed)
            rows.append((label, name, f'{s["mean"]:+.1f}',
                         '-' if s['std'] is None else f'{s["std"]:.1f}',
                         f'{s["above"]} of {s["seeds"]}',
                         ', '.join(f'{seed}: {g:+.1f}'
                                   for seed, g in by_seed.items())))
    return markdown_table(('run', 'measure', 'mean gap', 'std over seeds',
                           'seeds above', 'gap by seed'), rows)


def share(fraction: Optional[float]) -> str:
    """A labeling-cost fraction as a percentage (``-``: never reached)."""
    return '-' if fraction is None else f'{100 * fraction:.1f}%'


def has_seed_shares(cost: Mapping[str, dict]) -> bool:
    """Whether ``cost`` carries shares seed by seed (``by_seed``)."""
    return any('by_seed' in c for c in cost.values())


def cost_table(cost: Mapping[str, dict]) -> str:
    """Labeled images per curve to reach the target, and their share of
    the reference's final labeled count (:func:`~.report.labeling_cost`);
    with a ``by_seed`` entry (:func:`~.report.seed_labeling_cost`) also the
    share seed by seed, against the same seed's reference."""
    by_seed = has_seed_shares(cost)
    rows = [(label, '-' if c['labeled'] is None else f'{c["labeled"]:.1f}',
             share(c['fraction']))
            + ((', '.join(f'{s}: {share(f)}' for s, f in
                          c.get('by_seed', {}).items()), ) if by_seed else ())
            for label, c in cost.items()]
    return markdown_table(('run', 'labeled images to reach the target',
                           "share of the reference's labels")
                          + (('share by seed', ) if by_seed else ()), rows)


def plot_curves(groups: Mapping[str, List[AggRow]], path,
                band: str = 'minmax', title: str = '') -> Path:
    """PNG of mAP (points) against labeled images, one line per curve with
    a band over seeds (``'minmax'`` or ``'std'``). A one-cycle curve (a
    reference such as all labels) is a dashed horizontal line."""
    if band not in ('minmax', 'std'):
        raise ValueError(f"band={band!r}: use 'minmax' or 'std'")
    import matplotlib
    matplotlib.use('Agg')  # files only: no display on servers
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, (label, agg) in enumerate(groups.items()):
        color = f'C{i % 10}'  # one colour per curve, references included
        agg = [r for r in agg if r.mAP is not None]
        if not agg:
            continue
        x = np.array([r.labeled for r in agg])
        y = 100 * np.array([r.mAP for r in agg])
        if band == 'std':
            s = 100 * np.array([r.mAP_std or 0.0 for r in agg])
            lo, hi = y - s, y + s
        else:
            lo = 100 * np.array([r.mAP_min for r in agg])
            hi = 100 * np.array([r.mAP_max for r in agg])
        if len(agg) == 1:
            ax.axhline(y[0], ls='--', lw=1, color=color,
                       label=f'{label} ({x[0]:g} labeled)')
            ax.axhspan(lo[0], hi[0], color=color, alpha=0.1)
            continue
        seeds = seed_counts(agg)
        ax.plot(x, y, marker='o', color=color, label=f'{label} ({seeds} '
                f'seed{"" if seeds == "1" else "s"})')
        ax.fill_between(x, lo, hi, color=color, alpha=0.2)
    ax.set_xlabel('labeled images')
    ax.set_ylabel('mAP (points)')
    ax.set_title(title or f'mAP vs labeled images (band: '
                 f'{"min-max" if band == "minmax" else "± std"} over seeds)')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches='tight')
    plt.close(fig)
    return path


def render_report(groups: Mapping[str, List[AggRow]], *,
                  classes: Sequence[str] = (),
                  class_counts: Optional[Mapping[str, int]] = None,
                  precision: Optional[Mapping] = None,
                  label_names: Sequence[str] = (),
                  cost: Optional[Mapping[str, dict]] = None,
                  reference: str = 'random',
                  selection: Optional[Mapping[str, Sequence]] = None,
                  pool_mix: Optional[Mapping] = None,
                  selection_classes: Sequence[str] = (),
                  gaps: Optional[Mapping[str, Mapping]] = None,
                  pre_annotations: Optional[Mapping] = None,
                  plot: Optional[str] = None) -> str:
    """The report's markdown sections (title left to the caller).

    Args:
        groups: :func:`~.report.aggregate`'s output.
        classes: classes of the per-class AP table (none: no table).
        class_counts: ground-truth boxes per class, shown with the names.
        precision: ``{label: [run_precision of each seed]}`` (none or
            empty: no pseudo-label section).
        label_names: class names in label order, for the pseudo-label
            precision per class.
        cost: :func:`~.report.labeling_cost`'s output vs ``reference``.
        selection: ``{label: [class_mix of each seed's acquired images]}``
            and ``pool_mix``, the pool's (both or neither: no section).
        selection_classes: its columns (default ``label_names``).
        gaps: :func:`~.seed_gaps.seed_gaps`'s output vs ``reference``.
        pre_annotations: ``{label: [run_pre_annotation_edits of each
            seed]}`` (none or empty: no section).
        plot: the PNG's path relative to the markdown file.
    """
    out = ['## mAP per cycle (points, mean ± std over seeds)\n\n',
           curve_table(groups),
           '\n## Labeled images, pseudo-labels and mAP per cycle\n\n',
           cycle_table(groups)]
    if classes:
        names = ', '.join(f'{c} ({class_counts[c]} boxes)' if class_counts
                          else c for c in classes)
        out += [f'\n## Per-class AP, first and last cycle\n\nClasses: '
                f'{names}.\n\n', class_ap_table(groups, classes)]
    if gaps:
        out += [f'\n## Against {reference}, seed by seed\n\nA seed\'s gap: '
                f'the run\'s mAP (or a class\'s AP) minus {reference}\'s of '
                'the same seed, averaged over the cycles both finished '
                '(points). Their spread is the training noise a mean gap '
                'has to beat.\n\n', seed_gap_table(gaps)]
    if precision:
        out += ['\n## Pseudo-labels\n\nA pseudo box is correct when a '
                f'ground-truth box of its image has its class and IoU >= '
                f'{PSEUDO_IOU_THR:g} (the paper\'s Table 1b). Cycle k trains '
                'with the pseudo-labels of cycle k-1\'s model.\n\n',
                precision_table(precision)]
        if any(at.get('by_class') for seeds in precision.values()
               for per_cycle in seeds for at in per_cycle.values()):
            out += ['\nBy class, pooled over cycles and seeds: a '
                    f'mislocated box has its class and {MISLOCATED_IOU_RANGE}'
                    ' with a ground-truth box of it (the right object, a '
                    'poor box).\n\n',
                    class_precision_table(precision, label_names)]
    if pre_annotations:
        from .pre_annotations import KEEP_IOU, pre_annotation_table
        out += ['\n## What the suggestions save the labeler\n\nThe '
                'model\'s boxes on the images it selected '
                '(predictions.json) against the ground truth: kept = right '
                f'class and IoU >= {KEEP_IOU:g}; moved, deleted and added '
                'are the edits (docs/labeling_tools.md); from scratch every '
                'box is drawn. Counts are summed over the seeds (a cycle '
                'selects its budget on each).\n\n',
                pre_annotation_table(pre_annotations)]
    if selection and pool_mix:
        out += ['\n## What the selections gave the human to label\n\n'
                'Ground-truth boxes per image of the images each curve\'s '
                'selections added after cycle 0 (all its finished cycles, '
                'seeds pooled), against the pool\'s mean (ratio in '
                'brackets).\n\n',
                selection_table(selection, pool_mix, list(
                    selection_classes or label_names), label_names)]
    if cost:
        target = next(iter(cost.values()))['target']
        out += [f'\n## Labeling cost\n\nLabeled images each curve needs to '
                f'reach {reference}\'s final mAP ({points(target)}), '
                f'interpolated linearly between cycles on the mean curve '
                f'(- = never reached)'
                + (f'; by seed, against the same seed\'s {reference}'
                   if has_seed_shares(cost) else '')
                + '.\n\n', cost_table(cost)]
    if plot:
        out.append(f'\n![mAP against labeled images]({plot})\n')
    return ''.join(out)
