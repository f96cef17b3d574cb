"""The cost of a consistency training step against the plain detector's,
from interleaved timing rounds (``benchmark_train_step.py``).

A shared machine's load drifts; rounds of the two models alternate, so the
median of the per-round ratios compares steps taken under the same load.
"""
import statistics
from typing import Dict, Mapping, Sequence

#: Consistency step / plain step the project holds itself to: the flipped
#: pass doubles the forward work, the rest should be noise.
TARGET_RATIO = 2.1


def step_ratio(plain: Sequence[float], ours: Sequence[float]) -> Dict:
    """Medians and ratios of two models' seconds per iteration.

    Args:
        plain (Sequence[float]): (R,) the plain detector's seconds per
            iteration, one per round.
        ours (Sequence[float]): (R,) the consistency detector's, round ``r``
            timed right after ``plain[r]``.

    Returns:
        dict: ``plain_median``, ``ours_median`` (s), ``ratio_of_medians`` and
        ``median_paired_ratio`` (median over rounds of ours / plain).
    """
    if len(plain) != len(ours) or not plain:
        raise ValueError(f'one time per round for both models needed, got '
                         f'{len(plain)} plain and {len(ours)} consistency')
    plain_median = statistics.median(plain)
    ours_median = statistics.median(ours)
    return dict(
        plain_median=plain_median, ours_median=ours_median,
        ratio_of_medians=ours_median / plain_median,
        median_paired_ratio=statistics.median(
            o / p for p, o in zip(plain, ours)))


def train_step_report(results: Mapping) -> str:
    """Markdown of one timing run: its setting, every round and the ratio.

    Args:
        results (Mapping): ``config``, ``setting`` (a sentence),
            ``plain``/``ours`` (model names), ``rounds`` (``{name: [s per
            iteration, ...]}``), as ``benchmark_train_step.py`` writes them.
    """
    plain, ours = results['plain'], results['ours']
    rounds = results['rounds']
    ratio = step_ratio(rounds[plain], rounds[ours])

    def ms(seconds):
        return f'{seconds * 1000:.1f}'

    lines = [f'# Training step: {ours} against {plain}', '',
             f'Config `{results["config"]}`; {results["setting"]}.', '',
             '| model | median ms / iteration | rounds (ms / iteration) |',
             '|---|---:|---|']
    for name, median in ((plain, ratio['plain_median']),
                         (ours, ratio['ours_median'])):
        lines.append(f'| {name} | {ms(median)} | '
                     f'{", ".join(ms(t) for t in rounds[name])} |')
    verdict = ('met' if ratio['median_paired_ratio'] <= TARGET_RATIO
               else 'missed')
    lines += ['', f'{ours} / {plain}: **{ratio["median_paired_ratio"]:.2f}x** '
              f'(median of the rounds\' ratios; '
              f'{ratio["ratio_of_medians"]:.2f}x of the medians). '
              f'Target <= {TARGET_RATIO}x: {verdict}.', '']
    return '\n'.join(lines)
