"""Readers and writers of an active-learning WORK_DIR: what a user reads and
a loop resumes from. The layout and the step order are
:mod:`.work_dir_layout`'s; ids are written as text, one a line, and every
file atomically (:mod:`.state_io`).

Done markers: after a step has written all its files, the loop calls
``mark_done(k, step, files)``; the marker is written last and lists the
files, so ``is_done(k, step)`` is true only if the step finished and its
files are still there (deleting a broken file makes the step run again).
"""
import datetime
import hashlib
import json
import numbers
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import (Dict, Hashable, Iterable, List, Mapping, Optional,
                    Sequence, Tuple)

from ..acquisition.strategies import id_sort_key
from .state_io import (corrupt, read_ids, read_json, read_table, write_ids,
                       write_json, write_table)
from .layout import (ACQUIRE, CYCLE_DIR, DONE_DIR, LABELED_IDS, MANIFEST,
                     METRICS, PREDICTIONS, PSEUDO_LABELS, SCORE_COLUMNS,
                     SCORES, SELECTED_IDS, SKIPPED_IMAGES, STEPS, SUMMARY,
                     TRAIN, UNLABELED_IDS)

#: Manifest keys recorded for the user but not compared on re-use.
INFORMATIONAL_KEYS = ('config_path', 'created_at')
_STEP_NAME = re.compile(r'^[a-z][a-z0-9_]*$')


def config_sha256(config_path) -> str:
    """SHA-256 of the config as MMEngine resolves it (``_base_`` files
    included), so an edit to a base file is a different config too."""
    from mmengine.config import Config
    cfg = Config.fromfile(str(config_path), import_custom_modules=False,
                          format_python_code=False)
    text = json.dumps(cfg.to_dict(), sort_keys=True, default=repr)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def make_manifest(config_path, seed: int, strategy: str, tau: float,
                  budget: int, **extra) -> dict:
    """The run manifest: config path and hash, seed, strategy, tau, budget
    and any further settings that must not change within a WORK_DIR."""
    return dict(config_path=os.path.abspath(config_path),
                config_sha256=config_sha256(config_path), seed=seed,
                strategy=strategy, tau=tau, budget=budget, **extra)


def _ids_text(ids: Iterable[Hashable]) -> set:
    return {str(i) for i in ids}


@dataclass(frozen=True)
class CycleState:
    """Paths, readers and writers of one WORK_DIR (see module docstring)."""
    work_dir: Path

    def __post_init__(self):
        # Absolute: done markers list outputs relative to the WORK_DIR, and a
        # relative WORK_DIR would be joined onto a cycle dir (cycle_0/work...).
        object.__setattr__(self, 'work_dir', Path(self.work_dir).absolute())

    # ---- paths -----------------------------------------------------------
    def cycle_dir(self, k: int) -> Path:
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) \
                or k < 0:
            raise ValueError(f'cycle index {k!r} must be an integer >= 0')
        return self.work_dir / CYCLE_DIR.format(int(k))

    def path(self, k: int, name: str) -> Path:
        return self.cycle_dir(k) / name

    def cycles(self) -> List[int]:
        """Indices of the existing ``cycle_<k>`` directories, ascending."""
        if not self.work_dir.is_dir():
            return []
        found = (re.fullmatch(CYCLE_DIR.format(r'(\d+)'), p.name)
                 for p in self.work_dir.iterdir() if p.is_dir())
        return sorted(int(m.group(1)) for m in found if m)

    # ---- the split -------------------------------------------------------
    def write_split(self, k: int, labeled: Sequence[Hashable],
                    unlabeled: Sequence[Hashable]) -> None:
        both = _ids_text(labeled) & _ids_text(unlabeled)
        if both:
            raise ValueError(f'cycle {k}: {len(both)} image(s) both labeled '
                             f'and unlabeled, e.g. '
                             f'{sorted(both, key=id_sort_key)[:5]}')
        write_ids(self.path(k, LABELED_IDS), labeled)
        write_ids(self.path(k, UNLABELED_IDS), unlabeled)

    def read_split(self, k: int) -> Tuple[List[str], List[str]]:
        """``(labeled, unlabeled)`` ids of cycle k; disjoint or ValueError."""
        labeled = read_ids(self.path(k, LABELED_IDS))
        unlabeled = read_ids(self.path(k, UNLABELED_IDS))
        both = set(labeled) & set(unlabeled)
        if both:
            raise corrupt(self.path(k, UNLABELED_IDS),
                          f'{len(both)} id(s) also in '
                          f'{self.path(k, LABELED_IDS)}, e.g. '
                          f'{sorted(both, key=id_sort_key)[:5]}')
        return labeled, unlabeled

    def write_selected(self, k: int, ids: Sequence[Hashable]) -> None:
        write_ids(self.path(k, SELECTED_IDS), ids)

    def read_selected(self, k: int) -> List[str]:
        return read_ids(self.path(k, SELECTED_IDS))

    # ---- scores ----------------------------------------------------------
    def write_scores(self, k: int,
                     table: Mapping[Hashable, Mapping[str, float]]) -> None:
        """``table`` = ``{image_id: score_image(...) result}``; rows in id
        order; extra numeric columns are kept after the standard ones."""
        write_table(self.path(k, SCORES), table, SCORE_COLUMNS,
                    sorted(table, key=id_sort_key))

    def read_scores(self, k: int) -> Dict[str, Dict[str, float]]:
        return read_table(self.path(k, SCORES), SCORE_COLUMNS,
                          int_columns=('num_detections', ))

    # ---- json files ------------------------------------------------------
    def _check_pseudo_labels(self, k: int, coco: dict, path: Path) -> None:
        for key in ('images', 'annotations', 'categories'):
            if not isinstance(coco.get(key), list):
                raise corrupt(path, f'{key!r} must be a list')
        if not self.path(k, LABELED_IDS).is_file():
            return
        labeled = set(read_ids(self.path(k, LABELED_IDS)))
        images = _ids_text(img['id'] for img in coco['images'])
        wrong = (images | _ids_text(
            a['image_id'] for a in coco['annotations'])) & labeled
        if wrong:
            raise corrupt(path, f'pseudo-labels on {len(wrong)} image(s) of '
                          f'{self.path(k, LABELED_IDS)}, e.g. '
                          f'{sorted(wrong, key=id_sort_key)[:5]}')

    def write_pseudo_labels(self, k: int, coco: dict) -> None:
        """Write cycle k's pseudo-labels; refused (ValueError) if any falls
        on an image of cycle k's labeled.txt."""
        path = self.path(k, PSEUDO_LABELS)
        self._check_pseudo_labels(k, coco, path)
        write_json(path, coco)

    def read_pseudo_labels(self, k: int) -> dict:
        path = self.path(k, PSEUDO_LABELS)
        coco = read_json(path)
        self._check_pseudo_labels(k, coco, path)
        return coco

    def write_acquisition(self, k: int, scores: Mapping, selected: Sequence,
                          skipped: Mapping, next_labeled: Sequence,
                          next_unlabeled: Sequence,
                          pseudo_labels: Optional[dict],
                          predictions: dict) -> None:
        """Everything cycle k's ``acquire`` step decided, then its done
        marker last: ``scores.csv``, ``selected.txt``,
        ``skipped_images.json`` and ``predictions.json`` of cycle k, and
        cycle k + 1's split and (unless None) pseudo-labels."""
        self.write_scores(k, scores)
        self.write_selected(k, selected)
        write_json(self.path(k, SKIPPED_IMAGES), dict(skipped))
        write_json(self.path(k, PREDICTIONS), predictions)
        self.write_split(k + 1, next_labeled, next_unlabeled)
        files = [SCORES, SELECTED_IDS, SKIPPED_IMAGES, PREDICTIONS,
                 self.path(k + 1, LABELED_IDS),
                 self.path(k + 1, UNLABELED_IDS)]
        if pseudo_labels is not None:
            self.write_pseudo_labels(k + 1, pseudo_labels)
            files.append(self.path(k + 1, PSEUDO_LABELS))
        self.mark_done(k, ACQUIRE, files)

    def write_metrics(self, k: int, metrics: Mapping) -> None:
        write_json(self.path(k, METRICS), dict(metrics))

    def read_metrics(self, k: int) -> dict:
        return read_json(self.path(k, METRICS))

    # ---- summary ---------------------------------------------------------
    def read_summary(self) -> dict:
        """``{"cycles": [...]}``; an empty list before the first cycle."""
        path = self.work_dir / SUMMARY
        if not path.is_file():
            return dict(cycles=[])
        summary = read_json(path)
        cycles = summary.get('cycles')
        if not isinstance(cycles, list) or not all(
                isinstance(c, dict) and isinstance(c.get('cycle'), int)
                for c in cycles):
            raise corrupt(path, '"cycles" must be a list of objects with an '
                          'integer "cycle"')
        return summary

    def update_summary(self, k: int, labeled: int, pseudo_labeled: int,
                       mAP: float, **extra) -> dict:
        """Set cycle k's entry (replacing an older one: safe to repeat)."""
        self.cycle_dir(k)  # validates k
        summary = self.read_summary()
        entry = dict(cycle=k, labeled=labeled, pseudo_labeled=pseudo_labeled,
                     mAP=mAP, **extra)
        cycles = [c for c in summary['cycles'] if c['cycle'] != k] + [entry]
        summary['cycles'] = sorted(cycles, key=lambda c: c['cycle'])
        write_json(self.work_dir / SUMMARY, summary)
        return summary

    # ---- done markers ----------------------------------------------------
    def _marker(self, k: int, step: str) -> Path:
        if not isinstance(step, str) or not _STEP_NAME.match(step):
            raise ValueError(f'step name {step!r} must be lower-case letters, '
                             f'digits and "_", e.g. one of {STEPS}')
        return self.path(k, DONE_DIR) / f'{step}.json'

    def mark_done(self, k: int, step: str,
                  files: Iterable[os.PathLike] = ()) -> None:
        """Record that ``step`` of cycle k finished; call it after the
        step's ``files`` (relative to the cycle directory, or absolute)
        are written."""
        marker = self._marker(k, step)
        names = []
        for f in files:
            full = self.cycle_dir(k) / f
            if not full.exists():
                raise ValueError(f'cannot mark step {step!r} of cycle {k} '
                                 f'done: its output {full} does not exist')
            names.append(os.path.relpath(full, self.work_dir))
        stamp = datetime.datetime.now().isoformat(timespec='seconds')
        write_json(marker, dict(step=step, files=names, finished_at=stamp))

    def is_done(self, k: int, step: str) -> bool:
        """True iff the marker exists and every file it lists exists."""
        marker = self._marker(k, step)
        if not marker.is_file():
            return False
        files = read_json(marker).get('files')
        if not isinstance(files, list):
            raise corrupt(marker, '"files" must be a list')
        return all((self.work_dir / f).exists() for f in files)

    def trained_checkpoint(self, k: int) -> Path:
        """The checkpoint cycle k's train step recorded: the first file of
        its done marker."""
        return self.work_dir / read_json(self._marker(k, TRAIN))['files'][0]

    def done_steps(self, k: int) -> List[str]:
        """Finished steps of cycle k, in :data:`STEPS` order then by name."""
        folder = self.path(k, DONE_DIR)
        names = [p.stem for p in folder.glob('*.json')] \
            if folder.is_dir() else []
        done = [s for s in names if self.is_done(k, s)]
        return sorted(done, key=lambda s: (STEPS.index(s) if s in STEPS else
                                           len(STEPS), s))

    # ---- manifest --------------------------------------------------------
    def ensure_manifest(self, manifest: Mapping,
                        defaults: Optional[Mapping] = None) -> dict:
        """Create WORK_DIR with ``manifest``, or check it against the one
        stored there: any differing key (except :data:`INFORMATIONAL_KEYS`)
        raises ValueError, so two experiments never mix in one WORK_DIR.

        Args:
            manifest (Mapping): the run's settings.
            defaults (Mapping, optional): a key the stored manifest lacks
                compares as its default here: a WORK_DIR made before a
                setting existed ran at that setting's default.

        Returns:
            dict: the stored manifest.
        """
        # A JSON round trip makes tuples lists and keys strings, as stored.
        wanted = json.loads(json.dumps(dict(manifest), allow_nan=False))
        path = self.work_dir / MANIFEST
        if path.is_file():
            stored = read_json(path)
            stored = {**json.loads(json.dumps(dict(defaults or {}))),
                      **stored}
            keys = (set(stored) | set(wanted)) - set(INFORMATIONAL_KEYS)
            diff = sorted(k for k in keys if stored.get(k) != wanted.get(k))
            if diff:
                details = '; '.join(f'{k}: stored {stored.get(k)!r}, now '
                                    f'{wanted.get(k)!r}' for k in diff)
                raise ValueError(
                    f'{self.work_dir} belongs to a different run ({details}); '
                    f'use a new WORK_DIR for these settings, or re-run with '
                    f'the stored ones to resume')
            return stored
        if self.cycles() or (self.work_dir / SUMMARY).exists():
            raise ValueError(f'{self.work_dir} holds cycle state but no '
                             f'{MANIFEST}, so its settings are unknown; use a '
                             f'new WORK_DIR')
        wanted.setdefault('created_at', datetime.datetime.now().isoformat(
            timespec='seconds'))
        write_json(path, wanted)
        return wanted
