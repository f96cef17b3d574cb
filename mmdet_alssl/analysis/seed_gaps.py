"""Each curve against the reference seed by seed: a seed's gap is its mAP
(or a class's AP) minus the reference run's of the same seed, averaged
over the cycles both finished (as the report's "mean over cycles"). The
spread of those gaps between seeds says whether a mean gap is more than
training noise, which a curve's mean ± std alone does not."""
import statistics
from typing import Dict, Mapping, Sequence

from .report import RunResult, mean_std, runs_by_label_and_seed

#: The key of the mAP beside the class names in :func:`seed_gaps`.
MAP = 'mAP'


def _values(run: RunResult, name: str) -> Dict[int, float]:
    """{cycle: value} of the mAP or one class's AP, defined values only."""
    out = {}
    for r in run.rows:
        v = r.mAP if name == MAP else r.per_class_AP.get(name)
        if v is not None:
            out[r.cycle] = float(v)
    return out


def seed_gaps(runs: Sequence[RunResult], reference: str,
              classes: Sequence[str] = ()
              ) -> Dict[str, Dict[str, Dict[object, float]]]:
    """Per curve (not the reference) and measure (``'mAP'``, then each of
    ``classes``): ``{seed: gap}`` in points, over the seeds both the curve
    and the reference ran; a seed without a common defined cycle is left
    out, a measure without seeds too.

    Args:
        runs: :class:`~.report.RunResult`, one per curve and seed.
        reference: the curve the others are set against ('random').
        classes: class names whose AP gaps are wanted.
    """
    by_label = runs_by_label_and_seed(runs)
    ref = by_label.get(reference, {})
    out = {}
    for label, seeds in by_label.items():
        if label == reference:
            continue
        per_measure = {}
        for name in (MAP, *classes):
            gaps = {}
            for seed in sorted(set(seeds) & set(ref), key=str):
                a, b = _values(seeds[seed], name), _values(ref[seed], name)
                common = sorted(set(a) & set(b))
                if common:
                    gaps[seed] = statistics.fmean(
                        100 * (a[k] - b[k]) for k in common)
            if gaps:
                per_measure[name] = gaps
        if per_measure:
            out[label] = per_measure
    return out


def summarize(gaps: Mapping[object, float]) -> dict:
    """``mean``, ``std`` (sample; None for one seed), ``seeds`` and
    ``above`` (seeds with a positive gap) of one measure's gaps."""
    mean, std, n = mean_std(list(gaps.values()))
    return dict(mean=mean, std=std, seeds=n,
                above=sum(g > 0 for g in gaps.values()))
