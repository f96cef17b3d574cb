"""Human labels (``al_loop --human``): what to export for labeling and how an
annotation file coming back is checked and merged. Pure JSON work.

Export, per cycle k (``cycle_<k>/``):

- ``to_label.txt``: ids of the images that entered ``labeled.txt`` in cycle
  k (cycle 0: the initial random set; later: the previous selection);
- ``to_label.json``: the same images as a COCO file without annotations,
  which CVAT and Label Studio import ("COCO 1.0"): ``images`` (``id`` 1..N,
  ``file_name`` = the image's base name, ``width``, ``height``, and
  ``alssl_image_id`` = the data set's id), ``annotations`` = [],
  ``categories`` (``id`` 1..C in class order, ``name``); plus
  ``to_label_images.txt``, the image paths to upload.

Import (``tools/import_labels.py`` -> :func:`merge_human_labels`): the
labeled COCO file must hold exactly the exported images (matched by
``alssl_image_id`` if the tool kept it, else by ``file_name``, else by its
base name), categories are matched by name, boxes are ``[x, y, w, h]`` in
pixels of the original image and inside it. ``cycle_<k>/human_labels.json`` then holds the
human boxes of every image of cycle k's ``labeled.txt`` (cycle k-1's file
plus the new ones), in the pseudo-label file format with string image ids
(see :mod:`.pseudo_labels`), for the labeled data set to train on.
"""
import math
import os.path as osp
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ..acquisition.strategies import id_sort_key
#: The key of ``to_label.json`` images holding the data set's image id.
ID_KEY = 'alssl_image_id'


def build_to_label_json(images: Sequence[Mapping],
                        classes: Sequence[str]) -> dict:
    """The COCO file of the images to label (format: module docstring).

    Args:
        images (Sequence[Mapping]): per image ``image_id``, ``img_path``,
            ``width``, ``height``, in the order to export.
        classes (Sequence[str]): the data set's class names, label order.

    Returns:
        dict: ``images``, ``annotations`` (empty), ``categories``.
    """
    names = [osp.basename(str(img['img_path'])) for img in images]
    if len(set(names)) != len(names):
        # Base names clash (images in several folders): keep the paths.
        names = [str(img['img_path']) for img in images]
    entries = [
        {'id': n, 'file_name': name, 'width': int(img['width']),
         'height': int(img['height']), ID_KEY: str(img['image_id'])}
        for n, (img, name) in enumerate(zip(images, names), 1)
    ]
    return dict(images=entries, annotations=[],
                categories=[dict(id=c + 1, name=name)
                            for c, name in enumerate(classes)])


def _match_images(exported: Sequence[Mapping], labels: Mapping,
                  source: str) -> Dict[object, str]:
    """``{labels image id: data set id}``; raises naming missing / extra."""
    by_id = {img[ID_KEY]: img[ID_KEY] for img in exported}
    by_name = {img['file_name']: img[ID_KEY] for img in exported}
    base_names = [osp.basename(img['file_name']) for img in exported]
    by_base = {b: img[ID_KEY] for b, img in zip(base_names, exported)
               if base_names.count(b) == 1}
    ids = [img.get('id') for img in labels['images']]
    twice = [i for i in ids if ids.count(i) > 1]
    if twice:
        raise ValueError(f'{source}: image id {twice[0]!r} is used by '
                         f'{len(twice)} images; every COCO image needs its '
                         f'own "id"')
    matched, extra = {}, []
    for img in labels['images']:
        name = str(img.get('file_name', ''))
        dataset_id = (by_id.get(str(img.get(ID_KEY))) or by_name.get(name)
                      or by_base.get(osp.basename(name)))
        if dataset_id is None:
            extra.append(name or repr(img.get('id')))
        elif dataset_id in matched.values():
            raise ValueError(f'{source}: image {dataset_id!r} appears twice '
                             f'(as {name!r}); keep one entry per image')
        else:
            matched[img.get('id')] = dataset_id
    missing = sorted(set(by_id) - set(matched.values()), key=id_sort_key)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f'{len(missing)} selected image(s) missing: '
                         f'{missing[:10]}')
        if extra:
            parts.append(f'{len(extra)} image(s) that were not selected: '
                         f'{extra[:10]}')
        raise ValueError(f'{source} does not cover exactly the {len(by_id)} '
                         f'images to label: {"; ".join(parts)}. Label '
                         f'exactly the images of to_label.json')
    return matched


def _check_sizes(exported: Sequence[Mapping], labels: Mapping,
                 matched: Mapping, source: str) -> Dict[str, Tuple[int, int]]:
    """Exported sizes by data set id; raises if the file resized one."""
    size = {img[ID_KEY]: (img['width'], img['height']) for img in exported}
    for img in labels['images']:
        want = size[matched[img.get('id')]]
        got = (img.get('width', want[0]), img.get('height', want[1]))
        if tuple(int(v) for v in got) != tuple(want):
            raise ValueError(
                f'{source}: image {img.get("file_name")!r} is {got[0]}x'
                f'{got[1]}, the exported one {want[0]}x{want[1]}; boxes must '
                f'be in pixels of the original image (do not resize it)')
    return size


#: How far (pixels) a human box may cross the image border: labeling tools
#: round, so a box ending at x = W + 0.5 is the image edge, and is clipped.
BORDER_TOLERANCE = 1.0


def _inside_image(bbox: List[float], width: float, height: float,
                  where: str) -> List[float]:
    """``bbox`` clipped to the image, or ValueError if it crosses the border
    by more than :data:`BORDER_TOLERANCE` (it would train on pixels that do
    not exist; such boxes drove training to NaN)."""
    x, y, w, h = bbox
    tol = BORDER_TOLERANCE
    if x < -tol or y < -tol or x + w > width + tol or y + h > height + tol:
        raise ValueError(
            f'{where} has bbox {bbox!r} ([x, y, width, height]), which '
            f'reaches ({x + w:g}, {y + h:g}) outside the {width:g}x'
            f'{height:g} image; boxes must lie inside the image, in pixels '
            f'of the original image: fix the box in the labeling tool and '
            f'export again')
    x1, y1 = max(x, 0.0), max(y, 0.0)
    x2, y2 = min(x + w, float(width)), min(y + h, float(height))
    return [x1, y1, x2 - x1, y2 - y1]


def _boxes(labels: Mapping, matched: Mapping, classes: Sequence[str],
           sizes: Mapping[str, Tuple[int, int]],
           source: str) -> List[Tuple[str, List[float], int, int]]:
    """``(data set id, [x, y, w, h], category id 1..C, iscrowd)``; boxes
    checked against ``sizes`` (data set id -> (width, height))."""
    names = {c.get('id'): c.get('name') for c in labels['categories']}
    boxes = []
    for ann in labels['annotations']:
        if ann.get('image_id') not in matched:
            raise ValueError(f'{source}: annotation {ann.get("id")!r} is on '
                             f'image {ann.get("image_id")!r}, which its '
                             f'"images" list lacks')
        name = names.get(ann.get('category_id'))
        if name not in classes:
            raise ValueError(
                f'{source}: annotation {ann.get("id")!r} has category '
                f'{name if name else ann.get("category_id")!r}, not a class '
                f'of the data set {tuple(classes)}; use these names')
        bbox = ann.get('bbox')
        ok = (isinstance(bbox, (list, tuple)) and len(bbox) == 4
              and all(isinstance(v, (int, float)) and math.isfinite(v)
                      for v in bbox) and bbox[2] > 0 and bbox[3] > 0)
        if not ok:
            raise ValueError(f'{source}: annotation {ann.get("id")!r} has '
                             f'bbox {bbox!r}; COCO boxes are [x, y, width, '
                             f'height] with positive width and height')
        image_id = matched[ann['image_id']]
        bbox = _inside_image(
            [float(v) for v in bbox], *sizes[image_id],
            f'{source}: annotation {ann.get("id")!r} on image {image_id!r}')
        boxes.append((image_id, bbox, list(classes).index(name) + 1,
                      int(ann.get('iscrowd', 0))))
    return boxes


def merge_human_labels(to_label: Mapping, labels: Mapping,
                       previous: Optional[Mapping] = None,
                       source: str = 'the labels file') -> dict:
    """Check a labeled COCO file against ``to_label.json`` and merge it with
    the previous cycle's human labels.

    Args:
        to_label (Mapping): the cycle's ``to_label.json``.
        labels (Mapping): the COCO file from the labeling tool.
        previous (Mapping, optional): cycle k-1's ``human_labels.json``.
        source (str): how to name ``labels`` in errors (its path).

    Returns:
        dict: the cycle's ``human_labels.json`` content: every image of
        ``previous`` and of ``to_label`` (string ids, id order), their boxes
        (annotation ids from 1), the classes as categories 1..C.

    Raises:
        ValueError: images missing or not selected (both listed), an image
            twice, a size other than the exported one, an unknown category,
            a malformed box, a box outside its image (beyond
            :data:`BORDER_TOLERANCE`; within it, boxes are clipped), or an
            annotation on an unlisted image.
    """
    for key in ('images', 'annotations', 'categories'):
        if not isinstance(labels.get(key), list):
            raise ValueError(f'{source}: {key!r} must be a list (a COCO '
                             f'detection file)')
    exported = to_label['images']
    classes = [c['name'] for c in to_label['categories']]
    matched = _match_images(exported, labels, source)
    sizes = _check_sizes(exported, labels, matched, source)
    new_boxes = _boxes(labels, matched, classes, sizes, source)

    images = {img[ID_KEY]: dict(id=img[ID_KEY], file_name=img['file_name'],
                                width=img['width'], height=img['height'])
              for img in exported}
    boxes = []
    if previous is not None:
        clash = sorted(set(images) & {str(i['id'])
                                      for i in previous['images']})
        if clash:
            raise ValueError(f'{source}: image(s) {clash[:10]} were labeled '
                             f'in an earlier cycle already')
        prev_names = {c['id']: c['name'] for c in previous['categories']}
        for img in previous['images']:
            images[str(img['id'])] = dict(img, id=str(img['id']))
        boxes = [(str(a['image_id']), a['bbox'],
                  classes.index(prev_names[a['category_id']]) + 1,
                  int(a.get('iscrowd', 0))) for a in previous['annotations']]
    boxes += new_boxes
    order = sorted(images, key=id_sort_key)
    rank = {image_id: n for n, image_id in enumerate(order)}
    boxes.sort(key=lambda b: rank[b[0]])  # stable: file order within one
    annotations = [
        dict(id=n, image_id=image_id, bbox=bbox, area=bbox[2] * bbox[3],
             category_id=cat, iscrowd=crowd)
        for n, (image_id, bbox, cat, crowd) in enumerate(boxes, 1)
    ]
    return dict(images=[images[i] for i in order], annotations=annotations,
                categories=[dict(id=c + 1, name=name)
                            for c, name in enumerate(classes)])
