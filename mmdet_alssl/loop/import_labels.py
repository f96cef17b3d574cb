"""Bring a human's labels into an active-learning WORK_DIR (``--human``).

``LABELS.json`` is what a labeling tool exports for the images of
``WORK_DIR/cycle_<K>/to_label.json``: a COCO file (CVAT's COCO 1.0, ...)
or a Label Studio JSON / JSON_MIN export of the cycle's tasks
(:mod:`mmdet_alssl.labeling`). It must
cover exactly those images (an image without objects is listed with no
annotation); categories are matched by name. On success it writes
``cycle_<K>/human_labels.json`` (this and all earlier cycles' human labels)
and marks the cycle's ``labels`` step done; re-run the same
``tools/al_loop.sh`` command to continue. K defaults to the cycle waiting
for labels. Nothing is written when the file is rejected, nor for a cycle
that has trained on its labels already (that would leave its model and the
later cycles on the old boxes).
"""
import json

from ..labeling.exported_labels import as_coco_labels
from ..workdir.cycle_state import CycleState
from .human_labels import merge_human_labels
from ..workdir.state_io import read_json, write_json
from ..workdir.layout import EXPORT, HUMAN_LABELS, LABELS, TO_LABEL_JSON, TRAIN


def waiting_cycle(state: CycleState) -> int:
    """The cycle whose images were exported but not labeled yet."""
    waiting = [k for k in state.cycles()
               if state.is_done(k, EXPORT) and not state.is_done(k, LABELS)]
    if not waiting:
        raise ValueError(f'no cycle of {state.work_dir} is waiting for '
                         f'labels: run tools/al_loop.sh with --human first '
                         f'(it exports the images to label and stops)')
    return waiting[0]


def read_labels_file(labels_path):
    """The labeling tool's export (a JSON object or, from Label Studio, a
    list); errors name it and say what to do."""
    try:
        with open(labels_path, encoding='utf-8') as f:
            labels = json.load(f)
    except FileNotFoundError:
        raise ValueError(f'labels file {labels_path} not found; pass the '
                         f'COCO JSON your labeling tool exported') from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f'labels file {labels_path} cannot be read as '
                         f'JSON ({err}); export the labels again as COCO '
                         f'JSON ("COCO 1.0" in CVAT, "JSON" in Label Studio)'
                         ) from None
    return labels


def check_not_trained(state: CycleState, k: int) -> None:
    """Refuse to replace the labels of a cycle that already trained on them:
    its model, selection and the later cycles would keep the old boxes."""
    later = [c for c in state.cycles() if c > k]
    if state.is_done(k, LABELS) and (state.path(k, TRAIN).exists() or later):
        raise ValueError(
            f'cycle {k} of {state.work_dir} has trained on its human labels '
            f'({state.path(k, HUMAN_LABELS)}) already; importing again would '
            f'leave its model, its selection and cycles {later or "after"} '
            f'on the old boxes. Import into the cycle waiting for labels '
            f'(leave out --cycle), or start a new WORK_DIR to relabel')


def import_labels(work_dir, labels_path, k=None) -> dict:
    """Check ``labels_path`` against cycle k's export and write
    ``human_labels.json``; returns what was written."""
    state = CycleState(work_dir)
    k = waiting_cycle(state) if k is None else k
    if not state.is_done(k, EXPORT):
        raise ValueError(f'cycle {k} of {state.work_dir} has exported no '
                         f'images to label; run tools/al_loop.sh with --human')
    check_not_trained(state, k)
    return import_exported(state, k, read_labels_file(labels_path),
                           str(labels_path))


def import_exported(state: CycleState, k: int, exported,
                    source: str) -> dict:
    """Check a tool's export (:func:`read_labels_file`) against cycle k's
    and write ``human_labels.json``; returns what was written."""
    to_label = read_json(state.path(k, TO_LABEL_JSON))
    labels = as_coco_labels(
        exported, [c['name'] for c in to_label['categories']], source)
    previous = read_json(state.path(k - 1, HUMAN_LABELS)) if k > 0 else None
    merged = merge_human_labels(to_label, labels, previous, source=source)
    labeled, _ = state.read_split(k)
    if {str(i['id']) for i in merged['images']} != set(labeled):
        # Only if an earlier cycle's human_labels.json was edited by hand.
        raise ValueError(f'the human labels of cycles 0..{k} do not cover '
                         f'{state.path(k, "labeled.txt")}; restore the '
                         f'earlier cycles\' {HUMAN_LABELS}')
    write_json(state.path(k, HUMAN_LABELS), merged)
    state.mark_done(k, LABELS, [HUMAN_LABELS])
    return merged
