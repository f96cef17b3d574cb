"""Readers for a cycle's data inputs: the image id list and the pseudo-label
JSON. Pure file parsing, shared by the VOC and COCO active-split data sets.

The files are written by the loop (``mmdet_alssl.loop``);
this module does not import it, so the data sets stay usable on their own.
"""
import json
from collections import Counter
from typing import Dict, List, Optional, Sequence, Union

from mmengine.fileio import list_from_file

IdsArg = Union[None, str, Sequence]


def describe_ids(image_ids_file: IdsArg) -> str:
    """How to name ``image_ids_file`` in an error message."""
    if isinstance(image_ids_file, (list, tuple)):
        return 'the image_ids_file list'
    return f'image_ids_file {str(image_ids_file)!r}'


def read_image_ids(image_ids_file: IdsArg) -> Optional[List[str]]:
    """Image ids of a split, as strings, in file order.

    Args:
        image_ids_file (str | Sequence | None): a text file with one id a
            line (blank lines ignored, duplicates an error), or the ids
            themselves (``[]`` = no image), or None.

    Returns:
        list[str] | None: the ids; None means "the whole pool".
    """
    if image_ids_file is None:
        return None
    if isinstance(image_ids_file, (list, tuple)):
        ids = [str(i).strip() for i in image_ids_file]
    else:
        try:
            ids = [i.strip() for i in list_from_file(image_ids_file)]
        except FileNotFoundError as err:
            raise FileNotFoundError(
                f'image_ids_file {image_ids_file!r} not found: write the ids '
                f'one a line, or pass None for the whole pool') from err
    ids = [i for i in ids if i]
    duplicated = [i for i, n in Counter(ids).items() if n > 1]
    if duplicated:
        raise ValueError(
            f'image id {duplicated[0]!r} appears more than once in '
            f'{describe_ids(image_ids_file)}: list every image once')
    return ids


def read_pseudo_labels(path: str,
                       classes: Sequence[str]) -> Dict[str, List[dict]]:
    """Pseudo boxes of a COCO-style JSON as MMDetection instances.

    The file holds ``images`` (``id``, ...), ``annotations`` (``image_id``,
    ``bbox`` [x, y, w, h], ``category_id``, ``score``, ...) and
    ``categories`` (``id``, ``name``). Categories are mapped to labels by
    name, so the writer's category ids need not match the data set's.

    Args:
        path (str): the JSON file.
        classes (Sequence[str]): the data set's ``metainfo['classes']``.

    Returns:
        dict[str, list[dict]]: for every image of the file (id as str), its
        instances ``{'bbox': [x1, y1, x2, y2], 'bbox_label': int,
        'ignore_flag': 0}``, possibly none.
    """
    try:
        with open(path, encoding='utf-8') as f:
            coco = json.load(f)
    except FileNotFoundError as err:
        raise FileNotFoundError(
            f'pseudo_labels_file {path!r} not found: pass None when the '
            f'cycle has no pseudo labels') from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f'pseudo_labels_file {path!r} is not valid JSON '
                         f'({err}): regenerate it') from err
    classes = list(classes)
    cat2label = {}
    for cat in coco.get('categories', []):
        if cat.get('name') not in classes:
            raise ValueError(
                f'category {cat.get("name")!r} of pseudo_labels_file '
                f'{path!r} is not a class of the data set {tuple(classes)}: '
                f"write the pseudo labels with the data set's class names")
        cat2label[cat['id']] = classes.index(cat['name'])
    per_image = {str(img['id']): [] for img in coco.get('images', [])}
    for ann in coco.get('annotations', []):
        img_id = str(ann['image_id'])
        if img_id not in per_image:
            raise ValueError(
                f'annotation {ann.get("id")!r} of pseudo_labels_file {path!r} '
                f'is on image {img_id!r}, which its "images" list lacks: add '
                f'the image entry')
        if ann['category_id'] not in cat2label:
            raise ValueError(
                f'category_id {ann["category_id"]!r} of pseudo_labels_file '
                f'{path!r} is not in its "categories": add it with its class '
                f'name')
        x, y, w, h = ann['bbox']
        per_image[img_id].append(
            dict(
                bbox=[x, y, x + w, y + h],
                bbox_label=cat2label[ann['category_id']],
                ignore_flag=0))
    return per_image
