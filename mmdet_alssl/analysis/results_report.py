"""A report rebuilt from the ``results.json`` it wrote, without its runs:
the WORK_DIRs (or their archives) and the data set need not exist any
more. Every table :func:`.build_report.build_report` renders is drawn
again from the numbers the file keeps, so a committed report stays
checkable after its run archives leave the tree
(``tools/analysis_tools/rebuild_report.py``)."""
from pathlib import Path
from typing import Dict, List, Mapping, Optional

from ..workdir.state_io import read_json
from .build_report import PLOT
from .report import aggregate, runs_from_results
from .report_render import plot_curves, render_report


def _int_keys(mapping: Mapping) -> dict:
    """JSON's string keys back to the ints (cycles, labels) they were."""
    return {int(k): v for k, v in mapping.items()}


def precision_by_label(results: Mapping) -> Dict[str, List[dict]]:
    """``results['precision']`` as :func:`.report.run_precision` gave it:
    ``{label: [{cycle: precision dict with by_class {label: counts}}]}``."""
    def per_cycle(seed):
        return {cycle: dict(at, by_class=_int_keys(at.get('by_class', {})))
                for cycle, at in _int_keys(seed).items()}
    return {label: [per_cycle(seed) for seed in seeds]
            for label, seeds in (results.get('precision') or {}).items()}


def _acquired(rows: List[Mapping]) -> int:
    """Images a run's selections added after cycle 0 (labeled sets only
    grow, so the last cycle's count minus the first's)."""
    return rows[-1]['labeled'] - rows[0]['labeled'] if rows else 0


def selection_seeds(results: Mapping, label: str) -> int:
    """How many seeds the pooled selection of ``label`` covers: the first
    runs of the curve whose acquired images add up to the pooled count
    (runs read from an earlier report come last and have no selection).

    Raises:
        ValueError: no such prefix (the file was not written by a report).
    """
    total, seen = results['selection'][label]['images'], 0
    for n, run in enumerate(
            (r for r in results['runs'] if r['label'] == label), 1):
        seen += _acquired(run['rows'])
        if seen == total:
            return n
    raise ValueError(f'the selection of {label!r} pools {total} images, '
                     f'which no first runs of the curve add up to')


def selection_mixes(results: Mapping, label_names: List[str]
                    ) -> Dict[str, List[dict]]:
    """Per curve, ``class_mix``-like dicts whose pooled boxes per image,
    images per seed and seed count are the report's: the pooled counts as
    one mix, then one empty mix for each other seed."""
    out = {}
    for label, summary in (results.get('selection') or {}).items():
        images, per_image = summary['images'], summary['boxes_per_image']
        # boxes / images was stored; the integer box counts come back
        pooled = dict(images=images, boxes=[
            round(per_image[c] * images) for c in label_names])
        empty = dict(images=0, boxes=[0] * len(label_names))
        out[label] = [pooled] + [empty] * (
            selection_seeds(results, label) - 1)
    return out


def pre_annotations(results: Mapping) -> Dict[str, List[dict]]:
    """``results['pre_annotations']`` as
    :func:`.pre_annotations.run_pre_annotation_edits` gave it: per curve,
    each seed's ``{cycle: edits}`` (reports from before predictions.json
    have none)."""
    return {label: [_int_keys(seed) for seed in seeds]
            for label, seeds in (results.get('pre_annotations') or
                                 {}).items()}


def pool_mix(results: Mapping, label_names: List[str]) -> Optional[dict]:
    """The pool's ``class_mix`` from its class counts and boxes per image
    (images = boxes / boxes per image of any class with boxes)."""
    counts, per_image = results.get('class_counts'), results.get(
        'pool_boxes_per_image')
    if not counts or not per_image:
        return None
    name = next(c for c in label_names if per_image[c])
    return dict(images=round(counts[name] / per_image[name]),
                boxes=[counts[c] for c in label_names])


def rebuild_report(results_json, out=None) -> str:
    """The markdown sections :func:`.build_report.build_report` wrote into
    the report of ``results_json`` (title and head left to the caller);
    the plot is drawn again into ``out/mAP_vs_labels.png`` when ``out`` is
    given.

    Raises:
        ValueError: ``results_json`` is not a report's results.json.
    """
    results = read_json(results_json)
    groups = aggregate(runs_from_results(results_json))
    label_names = list(dict.fromkeys(
        c for agg in groups.values() for r in agg for c in r.per_class_AP))
    counts = results.get('class_counts')
    if out is not None:
        plot_curves(groups, Path(out) / PLOT)
    return render_report(
        groups, classes=results['classes'], class_counts=counts,
        precision=precision_by_label(results), label_names=label_names,
        cost=results.get('labeling_cost'), reference=results['reference'],
        selection=selection_mixes(results, label_names),
        pool_mix=pool_mix(results, label_names),
        gaps=results.get('seed_gaps') or {},
        selection_classes=sorted(label_names, key=lambda c: counts[c])
        if counts else label_names, pre_annotations=pre_annotations(results),
        plot=PLOT)
