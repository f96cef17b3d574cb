"""Write a cycle's files for the labeling tools (``--human``): Label Studio
tasks with the previous cycle's boxes and its config, and a CVAT COCO 1.0
file (:mod:`mmdet_alssl.labeling.cycle_export`)."""
import os
from typing import List, Mapping

from ..labeling.cycle_export import (DOCUMENT_ROOT_ENV, acquisition_scores,
                                     labeling_files)
from ..workdir.cycle_state import CycleState
from ..workdir.state_io import atomic_write_text, read_json, write_json
from ..workdir.layout import CYCLE_DIR, PREDICTIONS, SCORES


def write_labeling_files(state: CycleState, k: int, to_label: Mapping,
                         image_paths: Mapping[str, str],
                         strategy: str) -> List[str]:
    """Write cycle k's labeling-tool files; returns their names.

    Cycle k's images were chosen by cycle k-1's model: its
    ``predictions.json`` gives the suggestions and its ``scores.csv`` the
    order (cycle 0, or a WORK_DIR from before predictions: none).
    """
    predictions, scores = None, None
    if k > 0 and state.path(k - 1, PREDICTIONS).is_file():
        predictions = read_json(state.path(k - 1, PREDICTIONS))
    if k > 0 and state.path(k - 1, SCORES).is_file():
        scores = state.read_scores(k - 1)
    files = labeling_files(to_label, image_paths, predictions,
                           acquisition_scores(scores, strategy),
                           CYCLE_DIR.format(k - 1),
                           os.environ.get(DOCUMENT_ROOT_ENV))
    for name, content in files.items():
        if isinstance(content, str):
            atomic_write_text(state.path(k, name), content)
        else:
            write_json(state.path(k, name), content)
    return list(files)
