"""Label Studio's formats, as plain dicts: the tasks a cycle exports (its
images with the model's boxes as ``predictions``), the labeling config they
need, and the conversion of a Label Studio export back to COCO.

Task (one per image to label, most informative first)::

    {"data": {"image": URL, "alssl_image_id": the data set's id,
              "alssl_rank": 1.., "alssl_score": acquisition score},
     "predictions": [{"model_version": "cycle_<k-1>",
                      "score": acquisition score / the tasks' highest,
                      "result": [{"id", "type": "rectanglelabels",
                                  "from_name": "label", "to_name": "image",
                                  "original_width", "original_height",
                                  "image_rotation": 0, "score",
                                  "value": {"x", "y", "width", "height"
                                            (percent of the image),
                                            "rotation": 0,
                                            "rectanglelabels": [name]}}]}]}

An export comes back as ``JSON`` (tasks with ``data`` and ``annotations``,
each with a ``result`` list as above) or ``JSON_MIN`` (one flat record per
annotated task: the ``data`` fields, and the boxes under ``label``). Images
are matched by ``alssl_image_id``, whatever name Label Studio gave the
uploaded file.
"""
from typing import Dict, List, Mapping, Optional, Sequence
from xml.sax.saxutils import quoteattr

#: Names of the config's tags, which results refer to.
FROM_NAME, TO_NAME = 'label', 'image'
#: The task data key holding the data set's image id.
ID_FIELD = 'alssl_image_id'


def labeling_config(classes: Sequence[str]) -> str:
    """The labeling config (XML) of a box-labeling project over
    ``classes``."""
    labels = ''.join(f'    <Label value={quoteattr(str(name))}/>\n'
                     for name in classes)
    return (f'<View>\n  <Image name="{TO_NAME}" value="$image" '
            f'zoom="true"/>\n  <RectangleLabels name="{FROM_NAME}" '
            f'toName="{TO_NAME}">\n{labels}  </RectangleLabels>\n</View>\n')


def box_result(bbox: Sequence[float], name: str, width: int, height: int,
               score: Optional[float] = None, region_id: str = 'r1') -> dict:
    """One ``rectanglelabels`` region of a ``[x, y, w, h]`` pixel box."""
    x, y, w, h = bbox
    result = dict(
        id=region_id, type='rectanglelabels', from_name=FROM_NAME,
        to_name=TO_NAME, original_width=int(width),
        original_height=int(height), image_rotation=0,
        value=dict(x=100.0 * x / width, y=100.0 * y / height,
                   width=100.0 * w / width, height=100.0 * h / height,
                   rotation=0, rectanglelabels=[name]))
    if score is not None:
        result['score'] = float(score)
    return result


def build_tasks(images: Sequence[Mapping], image_urls: Mapping[str, str],
                boxes: Mapping[str, Sequence[Mapping]],
                acquisition: Mapping[str, float],
                model_version: Optional[str]) -> List[dict]:
    """The tasks of the images to label (format: module docstring).

    Args:
        images (Sequence[Mapping]): ``to_label.json``'s images (``width``,
            ``height``, ``alssl_image_id``), most informative first.
        image_urls (Mapping): ``{image id: URL Label Studio loads it from}``.
        boxes (Mapping): ``{image id: [{'bbox': [x, y, w, h], 'name',
            'score'}]}``, the model's suggestions (an image may be absent).
        acquisition (Mapping): ``{image id: acquisition score}`` (may be
            empty, e.g. cycle 0's random images).
        model_version (str, optional): the model that drew ``boxes``; None:
            tasks without predictions (no model yet).

    Returns:
        list[dict]: one task per image, in ``images`` order.
    """
    # Label Studio shows a prediction's score as a percentage: scaled to
    # the highest (an unnormalised score such as Eq. 5's reads 389 %).
    top = max((acquisition[str(img[ID_FIELD])] for img in images
               if str(img[ID_FIELD]) in acquisition), default=0.0)
    tasks = []
    for rank, img in enumerate(images, 1):
        image_id = str(img[ID_FIELD])
        data = {'image': image_urls[image_id], ID_FIELD: image_id,
                'alssl_rank': rank}
        task = dict(data=data)
        if image_id in acquisition:
            data['alssl_score'] = float(acquisition[image_id])
        if model_version is not None:
            result = [box_result(b['bbox'], b['name'], img['width'],
                                 img['height'], b['score'], f'p{n}')
                      for n, b in enumerate(boxes.get(image_id, ()), 1)]
            prediction = dict(model_version=model_version, result=result)
            if image_id in acquisition and top > 0:
                prediction['score'] = float(acquisition[image_id]) / top
            task['predictions'] = [prediction]
        tasks.append(task)
    return tasks


def _where(task: Mapping, source: str) -> str:
    return f'{source}: task {task.get("id", "?")!r}'


def _box(region: Mapping, where: str) -> tuple:
    """``(name, [x, y, w, h] pixels, (width, height))`` of one region (the
    ``value`` of a JSON result, or a JSON_MIN record's box)."""
    value = region.get('value', region)
    names = value.get('rectanglelabels')
    if not isinstance(names, list) or len(names) != 1:
        raise ValueError(f'{where} has a region with labels {names!r}; give '
                         f'each box exactly one class in Label Studio and '
                         f'export again')
    if float(value.get('rotation', 0) or 0) != 0:
        raise ValueError(f'{where} has a box rotated by '
                         f'{value["rotation"]} degrees; the detector trains '
                         f'on axis-aligned boxes: set its rotation to 0 and '
                         f'export again')
    try:
        size = (float(region['original_width']),
                float(region['original_height']))
        pct = [float(value[k]) for k in ('x', 'y', 'width', 'height')]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f'{where} has a region without x, y, width, height '
                         f'and original_width/height: {dict(region)!r}; '
                         f'export as JSON or JSON_MIN from a '
                         f'RectangleLabels project') from None
    w, h = size
    bbox = [pct[0] * w / 100, pct[1] * h / 100, pct[2] * w / 100,
            pct[3] * h / 100]
    return names[0], bbox, size


def _latest_result(task: Mapping, where: str) -> Optional[list]:
    """The regions of the task's newest kept annotation; None if it has
    none (unlabeled)."""
    kept = [a for a in task.get('annotations') or []
            if not a.get('was_cancelled')]
    if not kept:
        return None
    latest = max(kept, key=lambda a: (str(a.get('updated_at', '')),
                                      a.get('id') or 0))
    regions = latest.get('result')
    if not isinstance(regions, list):
        raise ValueError(f'{where}: its annotation has no "result" list')
    return [r for r in regions if r.get('type') == 'rectanglelabels'
            or r.get('from_name') == FROM_NAME]


def _records(export: list, source: str) -> List[tuple]:
    """``(task, data, regions or None)`` of each exported task."""
    records = []
    for task in export:
        if not isinstance(task, Mapping):
            raise ValueError(f'{source}: holds a {type(task).__name__}, not '
                             f'a task; export as JSON or JSON_MIN')
        if 'data' in task or 'annotations' in task:  # JSON
            records.append((task, task.get('data') or {},
                            _latest_result(task, _where(task, source))))
        else:  # JSON_MIN: only annotated tasks, flat
            regions = task.get(FROM_NAME, [])
            records.append((task, task, regions if isinstance(
                regions, list) else [regions]))
    return records


def unlabeled_tasks(export: list, source: str = 'the export') -> List[str]:
    """Image ids of the exported tasks nobody annotated yet."""
    return [str(data.get(ID_FIELD)) for _, data, regions in
            _records(export, source) if regions is None]


def coco_from_label_studio(export: list, classes: Sequence[str],
                           source: str = 'the export') -> dict:
    """A Label Studio export as the COCO labels ``merge_human_labels``
    checks: one image per task (``id`` = the task's, ``alssl_image_id``,
    the size Label Studio saw), its boxes in pixels, categories by name
    (the classes, then any other name found, which the merge refuses).

    Raises:
        ValueError: a task without ``alssl_image_id`` or without an
            annotation, a rotated box, a region without one class.
    """
    names: Dict[str, int] = {n: c for c, n in enumerate(classes, 1)}
    images, annotations = [], []
    for n, (task, data, regions) in enumerate(_records(export, source), 1):
        where = _where(task, source)
        if data.get(ID_FIELD) is None:
            raise ValueError(f'{where} has no data.{ID_FIELD}, so its image '
                             f'is unknown; import the tasks from the '
                             f'cycle\'s to_label_label_studio.json')
        if regions is None:
            raise ValueError(f'{where} (image {data[ID_FIELD]!r}) has no '
                             f'annotation; label it (submit it empty for an '
                             f'image without objects) and export again')
        size = None
        for region in regions:
            name, bbox, size = _box(region, where)
            names.setdefault(name, len(names) + 1)
            annotations.append(dict(id=len(annotations) + 1, image_id=n,
                                    category_id=names[name], bbox=bbox))
        image = {'id': n, 'file_name': str(data.get('image', '')),
                 ID_FIELD: str(data[ID_FIELD])}
        if size is not None:
            image.update(width=size[0], height=size[1])
        images.append(image)
    return dict(images=images, annotations=annotations,
                categories=[dict(id=c, name=n) for n, c in names.items()])
