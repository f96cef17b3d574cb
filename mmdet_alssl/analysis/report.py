"""What finished active-learning WORK_DIRs measured: per-cycle rows, mean ±
std over seeds, labeling cost and pseudo-label precision
(:mod:`.report_render` draws the tables and the plot).

Inputs are the loop's files (:mod:`.cycle_state`): ``summary.json`` names
the finished cycles; ``cycle_<k>/labeled.txt``, ``pseudo_labels.json`` and
``metrics.json`` give the numbers (the summary's values are used where a
file is gone). mAP and AP are fractions in [0, 1], as the metrics write
them. No Runner in here:
``tools/analysis_tools/al_report.py`` and ``tools/analysis_tools/benchmark_al.py`` are the entry points.
"""
import statistics
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

from ..datasets.label_type import LABELED
from ..datasets.labeled_box_counts import count_per_class
from ..datasets.pool import build_pool
from ..workdir.cycle_state import CycleState
from ..workdir.state_io import read_json
from ..workdir.layout import (LABELED_IDS, MANIFEST, METRICS, PSEUDO_LABELS,
                              SUMMARY)
from .run_archive import archived_config

#: Pseudo boxes matching a ground-truth box of their class at this IoU are
#: correct (the paper's Table 1b).
PSEUDO_IOU_THR = 0.5
#: A wrong pseudo box overlapping a ground-truth box of its class at least
#: this much (but under PSEUDO_IOU_THR) is "mislocated": the right object,
#: a poor box (what a detector whose priors are too big for a class makes).
MISLOCATED_IOU_THR = 0.1


@dataclass(frozen=True)
class CycleRow:
    """One cycle of one run. ``mAP`` / AP values are None when undefined."""
    cycle: int
    labeled: int
    pseudo_labeled: int
    pseudo_boxes: int
    mAP: Optional[float]
    per_class_AP: Dict[str, Optional[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class RunResult:
    """A WORK_DIR's rows; ``label`` groups seeds of the same curve."""
    work_dir: Path
    label: str
    seed: Optional[int]
    rows: List[CycleRow]
    manifest: dict


def _option(manifest: Mapping, key: str) -> Optional[str]:
    for opt in manifest.get('cfg_options') or []:
        name, _, value = str(opt).partition('=')
        if name == key:
            return value
    return None


def run_label(manifest: Mapping) -> str:
    """Default curve name of a run: its strategy, ``+ PL`` with
    pseudo-labels, ``no consistency`` when ``model.consistency_weight=0``."""
    label = str(manifest.get('strategy', '?'))
    if manifest.get('pseudo_labels'):
        label += ' + PL'
    weight = _option(manifest, 'model.consistency_weight')
    if weight in ('0', '0.0', '0.', '0e0'):
        label += ', no consistency'
    return label


def read_run(work_dir, label: Optional[str] = None) -> RunResult:
    """Rows of every cycle ``summary.json`` lists, in cycle order.

    Raises:
        FileNotFoundError: WORK_DIR has no summary.json (no cycle tested).
    """
    state = CycleState(Path(work_dir))
    if not (state.work_dir / SUMMARY).is_file():
        raise FileNotFoundError(f'{state.work_dir / SUMMARY} does not exist: '
                                f'no cycle of this run was tested yet')
    manifest_path = state.work_dir / MANIFEST
    manifest = read_json(manifest_path) if manifest_path.is_file() else {}
    archived = archived_config(state.work_dir)
    if archived.is_file() and not Path(
            manifest.get('config_path', '')).is_file():
        # an archive (.run_archive) outlives the checkout the run named
        manifest = dict(manifest, config_path=str(archived))
    rows = []
    for entry in state.read_summary()['cycles']:
        k = entry['cycle']
        labeled = len(state.read_split(k)[0]) if state.path(
            k, LABELED_IDS).is_file() else int(entry['labeled'])
        if state.path(k, PSEUDO_LABELS).is_file():
            coco = state.read_pseudo_labels(k)
            pl_images, pl_boxes = len(coco['images']), len(
                coco['annotations'])
        else:
            pl_images = int(entry.get('pseudo_labeled', 0))
            pl_boxes = int(entry.get('pseudo_boxes', 0))
        metrics = state.read_metrics(k) if state.path(
            k, METRICS).is_file() else entry
        rows.append(CycleRow(k, labeled, pl_images, pl_boxes,
                             metrics.get('mAP'),
                             dict(metrics.get('per_class_AP') or {})))
    return RunResult(state.work_dir, label or run_label(manifest),
                     manifest.get('seed'), rows, manifest)


def up_to_cycle(run: RunResult, last_cycle: int) -> RunResult:
    """``run`` with the rows of cycles ``0 .. last_cycle`` only, so that a
    report of the first cycles stays the same after a run grows (every
    part of a report is read through ``rows``)."""
    return replace(run, rows=[r for r in run.rows if r.cycle <= last_cycle])


def runs_from_results(path) -> List[RunResult]:
    """The runs of an earlier report's ``results.json`` (``al_report.py``,
    ``benchmark_al.py``): for runs whose WORK_DIR is gone, their mAP rows
    only; the manifest is empty, so no ground truth is read for them.

    Raises:
        ValueError: ``path`` is not such a file (names it).
    """
    path = Path(path)
    try:
        runs = read_json(path)['runs']
        return [RunResult(Path(r['work_dir']), r['label'], r['seed'],
                          [CycleRow(**row) for row in r['rows']], {})
                for r in runs]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(f'{path} is not the results.json of a report '
                         f'({type(err).__name__}: {err}); give the '
                         f'results.json that al_report.py or '
                         f'benchmark_al.py wrote') from err


def mean_std(values: Sequence[Optional[float]]):
    """``(mean, sample std, n)`` of the defined values; std is None for
    fewer than two values, mean None for none."""
    vals = [float(v) for v in values if v is not None]
    if not vals:
        return None, None, 0
    std = statistics.stdev(vals) if len(vals) > 1 else None
    return statistics.fmean(vals), std, len(vals)


@dataclass(frozen=True)
class AggRow:
    """One cycle of a curve over seeds: means, mAP spread, seed count."""
    cycle: int
    n: int
    labeled: float
    pseudo_labeled: float
    pseudo_boxes: float
    mAP: Optional[float]
    mAP_std: Optional[float]
    mAP_min: Optional[float]
    mAP_max: Optional[float]
    per_class_AP: Dict[str, tuple]  # class -> (mean, std)


def runs_by_label_and_seed(runs: Sequence[RunResult]
                           ) -> Dict[str, Dict[object, RunResult]]:
    """``{label: {seed: run}}`` (labels in first-seen order)."""
    out: Dict[str, Dict[object, RunResult]] = {}
    for run in runs:
        out.setdefault(run.label, {})[run.seed] = run
    return out


def aggregate(runs: Sequence[RunResult]) -> Dict[str, List[AggRow]]:
    """Group runs by label (first-seen order); per cycle, the mean and
    sample std over the runs that reached it."""
    groups: Dict[str, List[RunResult]] = {}
    for run in runs:
        groups.setdefault(run.label, []).append(run)
    out = {}
    for label, members in groups.items():
        cycles = sorted({r.cycle for m in members for r in m.rows})
        rows = []
        for k in cycles:
            at = [r for m in members for r in m.rows if r.cycle == k]
            mean, std, _ = mean_std([r.mAP for r in at])
            defined = [r.mAP for r in at if r.mAP is not None]
            classes = list(dict.fromkeys(c for r in at for c in
                                         r.per_class_AP))
            rows.append(AggRow(
                k, len(at), statistics.fmean(r.labeled for r in at),
                statistics.fmean(r.pseudo_labeled for r in at),
                statistics.fmean(r.pseudo_boxes for r in at), mean, std,
                min(defined, default=None), max(defined, default=None),
                {c: mean_std([r.per_class_AP.get(c) for r in at])[:2]
                 for c in classes}))
        out[label] = rows
    return out


def labels_to_reach(curve_x: Sequence[float], curve_y: Sequence[float],
                    target: float) -> Optional[float]:
    """Labeled images at which a (labeled, mAP) curve first reaches
    ``target``, linearly interpolated between cycles; exact at the cycles.

    Args:
        curve_x: labeled images per cycle, strictly increasing.
        curve_y: mAP per cycle (same length).
        target: the mAP to reach.

    Returns:
        float | None: the interpolated labeled count, None if never reached.
    """
    if len(curve_x) != len(curve_y) or not curve_x:
        raise ValueError(f'curve_x ({len(curve_x)}) and curve_y '
                         f'({len(curve_y)}) must be non-empty and parallel')
    if any(b <= a for a, b in zip(curve_x, curve_x[1:])):
        raise ValueError(f'curve_x={list(curve_x)} must increase strictly')
    if curve_y[0] >= target:
        return float(curve_x[0])
    for (x0, y0), (x1, y1) in zip(zip(curve_x, curve_y),
                                  zip(curve_x[1:], curve_y[1:])):
        if y1 == target:
            return float(x1)
        if y0 < target < y1:
            return x0 + (target - y0) * (x1 - x0) / (y1 - y0)
    return None


def run_config(manifest: Mapping, config=None):
    """The Config a run trained with: ``config`` (default: the manifest's
    ``config_path``) with the manifest's ``cfg_options`` merged."""
    from mmengine.config import Config

    from ..loop.loop_plan import parse_cli_options
    path = config or manifest.get('config_path')
    if not path:
        raise ValueError('the run has no manifest.json with config_path; '
                         'pass the config explicitly')
    cfg = Config.fromfile(str(path))
    cfg.merge_from_dict(parse_cli_options(manifest.get('cfg_options') or []))
    return cfg


def box_counts(gt: Mapping, classes: Sequence[str]) -> Dict[str, int]:
    """Ground-truth boxes per class name (class order)."""
    counts = count_per_class((t['labels'] for t in gt.values()),
                             len(classes))
    return {c: int(n) for c, n in zip(classes, counts)}


def load_ground_truth(cfg, image_ids: Optional[Sequence] = None) -> dict:
    """Ground truth of the pool images, parsed by the config's own data set
    classes (every part of the pool: :func:`build_pool`).

    Args:
        cfg (Config): the run's config (its ``--cfg-options`` merged).
        image_ids (Sequence, optional): only these ids; None: the pool.

    Returns:
        dict: ``{str id: {'bboxes': (N, 4) xyxy, 'labels': (N,)}}``
        (``ignore_flag`` boxes included: difficult objects still exist).
    """
    gt = {}
    ids = None if image_ids is None else sorted({str(i) for i in image_ids})
    for dataset in build_pool(cfg.train_dataloader, LABELED, ids,
                              ids_outside_pool='ignore', pipeline=[],
                              filter_cfg=dict(filter_empty_gt=False)):
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            boxes = [inst['bbox'] for inst in info['instances']]
            gt[str(info['img_id'])] = dict(
                bboxes=np.asarray(boxes, np.float64).reshape(-1, 4),
                labels=np.asarray([inst['bbox_label'] for inst in
                                   info['instances']], np.int64))
    return gt


def pseudo_label_precision(coco: Mapping, gt: Mapping,
                           iou_thr: float = PSEUDO_IOU_THR) -> dict:
    """Share of pseudo boxes that are right: same class and IoU >= iou_thr
    with a ground-truth box of their image (several may match one box).

    Args:
        coco (Mapping): a ``pseudo_labels.json`` (bbox [x, y, w, h],
            category_id = label + 1).
        gt (Mapping): :func:`load_ground_truth`'s output for its images.
        iou_thr (float): IoU of a correct box.

    Returns:
        dict: ``images``, ``boxes``, ``correct``, ``precision`` (None
        without boxes), ``boxes_per_image`` (None without images) and
        ``by_class``: ``{label: {'boxes', 'correct', 'mislocated'}}`` for
        each label with boxes, ``mislocated`` counting the wrong boxes
        with IoU >= :data:`MISLOCATED_IOU_THR` to a box of their class.
    """
    from mmdet.evaluation.functional import bbox_overlaps
    by_image: Dict[str, list] = {}
    for ann in coco['annotations']:
        by_image.setdefault(str(ann['image_id']), []).append(ann)
    by_class: Dict[int, Dict[str, int]] = {}
    for image_id, anns in by_image.items():
        if image_id not in gt:
            raise ValueError(f'pseudo-labeled image {image_id!r} has no '
                             f'ground truth; is this the run\'s config?')
        x, y, w, h = np.asarray([a['bbox'] for a in anns], np.float64).T
        boxes = np.stack([x, y, x + w, y + h], axis=1)
        labels = np.asarray([a['category_id'] - 1 for a in anns])
        target = gt[image_id]
        is_correct = is_mislocated = np.zeros(len(anns), bool)
        if len(target['bboxes']):
            ious = bbox_overlaps(boxes, target['bboxes'])
            same = labels[:, None] == target['labels'][None, :]
            is_correct = ((ious >= iou_thr) & same).any(axis=1)
            is_mislocated = ~is_correct & (
                (ious >= MISLOCATED_IOU_THR) & same).any(axis=1)
        for label in np.unique(labels):
            at = labels == label
            counts = by_class.setdefault(
                int(label), dict(boxes=0, correct=0, mislocated=0))
            counts['boxes'] += int(at.sum())
            counts['correct'] += int(is_correct[at].sum())
            counts['mislocated'] += int(is_mislocated[at].sum())
    images, boxes = len(coco['images']), len(coco['annotations'])
    correct = sum(c['correct'] for c in by_class.values())
    return dict(images=images, boxes=boxes, correct=correct,
                precision=correct / boxes if boxes else None,
                boxes_per_image=boxes / images if images else None,
                by_class=dict(sorted(by_class.items())))


def run_precision(run: RunResult, gt: Mapping) -> Dict[int, dict]:
    """:func:`pseudo_label_precision` of every cycle of ``run`` that trained
    with pseudo-labels, by cycle."""
    state = CycleState(run.work_dir)
    return {r.cycle: pseudo_label_precision(
        state.read_pseudo_labels(r.cycle), gt)
        for r in run.rows if state.path(r.cycle, PSEUDO_LABELS).is_file()}


def _cost_to_reach(rows, reference_rows) -> Optional[dict]:
    """Labeled images a curve of ``rows`` (``labeled``, ``mAP``; None mAPs
    skipped) needs to reach the last ``reference_rows`` mAP, absolute and as
    a fraction of that row's labeled count; None when either curve has too
    few points (no target, or one point: no curve)."""
    ref = [r for r in reference_rows if r.mAP is not None]
    rows = [r for r in rows if r.mAP is not None]
    if not ref or len(rows) < 2:
        return None
    need = labels_to_reach([r.labeled for r in rows], [r.mAP for r in rows],
                           ref[-1].mAP)
    return dict(target=ref[-1].mAP, labeled=need,
                fraction=None if need is None else need / ref[-1].labeled)


def labeling_cost(groups: Mapping[str, List[AggRow]],
                  reference: str) -> Dict[str, dict]:
    """Labeled images each curve needs to reach ``reference``'s final mAP
    (mean curves, :func:`labels_to_reach`), absolute and as a fraction of
    the reference's final labeled count."""
    if not any(r.mAP is not None for r in groups[reference]):
        raise ValueError(f'{reference!r} has no mAP to reach')
    costs = {label: _cost_to_reach(agg, groups[reference])
             for label, agg in groups.items()}
    return {label: c for label, c in costs.items() if c is not None}


def seed_labeling_cost(runs: Sequence[RunResult], reference: str
                       ) -> Dict[str, Dict[object, Optional[float]]]:
    """Seed by seed, the share of ``reference``'s final labels each run
    needs to reach ``reference``'s final mAP of the same seed
    (:func:`labels_to_reach` on the seed's own curves):
    ``{label: {seed: fraction | None}}`` (None: never reached). The mean
    curves (:func:`labeling_cost`) can meet a share that most seeds miss."""
    by_name = runs_by_label_and_seed(runs)
    references = by_name.get(reference, {})
    out: Dict[str, Dict[object, Optional[float]]] = {}
    for label, seeds in by_name.items():
        for seed, run in seeds.items():
            cost = _cost_to_reach(run.rows, references[seed].rows) \
                if seed in references else None
            if cost is not None:
                out.setdefault(label, {})[seed] = cost['fraction']
    return out
