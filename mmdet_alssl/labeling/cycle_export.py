"""What ``--human`` exports per cycle for the labeling tools, besides the
boxless ``to_label.json``: Label Studio tasks with the previous cycle's
boxes as predictions and their labeling config, and the same boxes as a
CVAT COCO 1.0 file (file names: :mod:`~mmdet_alssl.workdir.layout`).
Pure: file contents from plain dicts; the loop writes them.
"""
import os.path as osp
from typing import Dict, Mapping, Optional
from urllib.parse import quote

from ..workdir.layout import (LABEL_STUDIO_CONFIG, TO_LABEL_CVAT,
                                    TO_LABEL_LABEL_STUDIO)
from .cvat_coco import build_cvat_coco
from .label_studio import build_tasks, labeling_config
from .predictions import boxes_by_image

#: The Label Studio server's variable naming the folder it serves local
#: files from (``LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT``).
DOCUMENT_ROOT_ENV = 'LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT'


def local_files_url(path: str, document_root: Optional[str] = None) -> str:
    """Label Studio's URL of a local image: ``/data/local-files/?d=`` and
    the path relative to the server's document root (``/`` if None)."""
    path = osp.abspath(path)
    root = osp.abspath(document_root or '/')
    if osp.commonpath([path, root]) != root:
        raise ValueError(f'image {path} is not under {DOCUMENT_ROOT_ENV}='
                         f'{root}; serve a folder that holds the data set')
    return '/data/local-files/?d=' + quote(osp.relpath(path, root))


def acquisition_scores(scores: Optional[Mapping[str, Mapping[str, float]]],
                       strategy: str) -> Dict[str, float]:
    """``{image id: the score the strategy ranked by}`` from a cycle's
    ``scores.csv`` rows (its column named as the strategy; else Eq. 5's
    ``unified``); {} without scores."""
    if not scores:
        return {}
    row = next(iter(scores.values()))
    column = strategy if strategy in row else 'unified'
    return {str(i): float(r[column]) for i, r in scores.items()}


def labeling_files(to_label: Mapping, image_paths: Mapping[str, str],
                   predictions: Optional[Mapping],
                   acquisition: Mapping[str, float],
                   model_version: Optional[str],
                   document_root: Optional[str] = None) -> dict:
    """The export's contents by file name.

    Args:
        to_label (Mapping): the cycle's ``to_label.json``.
        image_paths (Mapping): ``{image id: path of the image}``.
        predictions (Mapping, optional): the previous cycle's
            ``predictions.json``; None (cycle 0): no suggestions.
        acquisition (Mapping): ``{image id: acquisition score}``.
        model_version (str, optional): names the model of ``predictions``.
        document_root (str, optional): the Label Studio server's local
            files root (:func:`local_files_url`).

    Returns:
        dict: ``{file name: JSON-able dict/list or XML text}``.
    """
    boxes = boxes_by_image(predictions) if predictions else {}
    images = sorted(to_label['images'], key=lambda img: -acquisition.get(
        str(img['alssl_image_id']), float('-inf')))  # stable: ties keep order
    urls = {str(i): local_files_url(p, document_root)
            for i, p in image_paths.items()}
    classes = [c['name'] for c in to_label['categories']]
    return {
        TO_LABEL_LABEL_STUDIO: build_tasks(
            images, urls, boxes, acquisition,
            model_version if predictions is not None else None),
        LABEL_STUDIO_CONFIG: labeling_config(classes),
        TO_LABEL_CVAT: build_cvat_coco(to_label, boxes),
    }
