"""The paper's claims (§4) checked on a benchmark's runs: the full method
above random, unified above its two factors, pseudo-labels adding to the
selection and the selection to pseudo-labels, the consistency loss adding,
the rarest class gaining most, and random's final mAP reached with <= 60 %
of its labels."""
from typing import List, Optional, Tuple

from .report import aggregate, runs_by_label_and_seed
from .report_render import markdown_table

#: ``(claim, measured, holds)``; measured and holds are None when the runs
#: a claim needs were not run.
Expectation = Tuple[str, Optional[str], Optional[bool]]


def expectations(runs, cost, rare, common) -> List[Expectation]:
    """The paper's expectations against the measured runs
    (:class:`.report.RunResult`, one per seed and run name):
    ``[(claim, measured, holds: bool | None)]`` (None: not measured).

    Two runs are compared on the seeds both ran: a run finished for fewer
    seeds is set against the same seeds of the other, not against the
    other's mean over more seeds (seed noise would pass for an effect)."""
    by_name = runs_by_label_and_seed(runs)

    def paired(a, b):
        seeds = sorted(set(by_name.get(a, {})) & set(by_name.get(b, {})),
                       key=str)
        curves = aggregate([by_name[n][s] for n in (a, b) for s in seeds])
        return [{r.cycle: r for r in curves.get(n, []) if r.mAP is not None}
                for n in (a, b)]

    def mean_gap(a, b):
        ra, rb = paired(a, b)
        common_cycles = sorted(set(ra) & set(rb))
        if not common_cycles:
            return None, None
        gaps = [100 * (ra[k].mAP - rb[k].mAP) for k in common_cycles]
        return sum(gaps) / len(gaps), dict(zip(common_cycles, gaps))

    out = []
    avg, gaps = mean_gap('full', 'random')
    # cycle 0 comes before any selection (the benchmark shares it: gap 0)
    selected = [g for k, g in (gaps or {}).items() if k > 0]
    out.append(('full method above random at every cycle after cycle 0, '
                'by >= 2 points on average over cycles',
                None if gaps is None else
                f'gaps {", ".join(f"{g:+.1f}" for g in gaps.values())}; '
                f'mean {avg:+.1f}', None if gaps is None else
                min(selected, default=0.0) > 0 and avg >= 2))
    for other in ('entropy', 'inconsistency'):
        avg, _ = mean_gap('unified', other)
        out.append((f'unified >= {other} (mean over cycles)',
                    None if avg is None else f'{avg:+.1f} points',
                    None if avg is None else avg >= 0))
    avg, _ = mean_gap('full', 'unified')
    out.append(('pseudo-labels add on top of unified (mean over cycles)',
                None if avg is None else f'{avg:+.1f} points',
                None if avg is None else avg > 0))
    # the paper (Fig. 3b/4b): pseudo-labeling alone, without the unified
    # selection, stays below the full method
    avg, _ = mean_gap('full', 'random_pseudo')
    out.append(('the selection adds on top of pseudo-labels: full above '
                'random selection with pseudo-labels (mean over cycles)',
                None if avg is None else f'{avg:+.1f} points',
                None if avg is None else avg > 0))
    avg, _ = mean_gap('full', 'random_no_con')
    out.append(('full method above random with the supervised loss only '
                '(mean over cycles)',
                None if avg is None else f'{avg:+.1f} points',
                None if avg is None else avg > 0))
    gain = {}
    full, rnd = paired('full', 'random')
    for cls in (rare, common):
        if full and rnd and cls:
            a = full[max(full)].per_class_AP.get(cls, (None, ))[0]
            b = rnd[max(rnd)].per_class_AP.get(cls, (None, ))[0]
            if a is not None and b is not None:
                gain[cls] = 100 * (a - b)
    # A gain, and the larger one: both classes losing is no rare-class gain.
    out.append((f'the rarest class ({rare or "unknown"}) gains, and most: '
                f'full - random AP at the last cycle > 0 and above the most '
                f'common\'s ({common or "unknown"})',
                f'{rare} {gain[rare]:+.1f}, {common} {gain[common]:+.1f}'
                if len(gain) == 2 else None,
                0 < gain[rare] and gain[rare] > gain[common]
                if len(gain) == 2 else None))
    full_cost = (cost or {}).get('full', {})
    frac, by_seed = full_cost.get('fraction'), full_cost.get('by_seed')
    reached = cost is not None and 'full' in cost
    measured = (f'{100 * frac:.1f}% of its labels' if frac is not None else
                'never reached') if reached else None
    if by_seed:  # the mean curves can meet it while most seeds miss it
        met = sum(f is not None and f <= 0.6 for f in by_seed.values())
        measured += f' (<= 60% on {met} of {len(by_seed)} seeds alone)'
    out.append(("random's final mAP reached with <= 60% of its labels",
                measured,
                (frac is not None and frac <= 0.6) if reached else None))
    return out


def expectations_table(rows) -> str:
    """:func:`expectations` as markdown (a failed one in bold)."""
    return markdown_table(('expectation', 'measured', 'holds'), [
        (claim, measured or 'not measured',
         {True: 'yes', False: '**no**', None: '-'}[holds])
        for claim, measured, holds in rows])
