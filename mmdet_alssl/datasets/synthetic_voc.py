"""Write the synthetic shapes data set to disk in VOC layout, atomically.

Layout (as ``../shared/datasets/bccd/BCCD``, which mmdet's ``VOCDataset``
reads with ``data_root=out_dir, ann_file='ImageSets/Main/trainval.txt',
data_prefix=dict(sub_data_root='')``)::

    out_dir/Annotations/000000.xml   JPEGImages/000000.jpg
    out_dir/ImageSets/Main/trainval.txt, test.txt
    out_dir/ImageSets/Main/{trainval,test}_{easy,hard}.txt   by difficulty
    out_dir/manifest.json            written last; marks a complete set

The difficulty lists let a model be evaluated on the hard images alone
(``--cfg-options test_dataloader.dataset.ann_file=ImageSets/Main/
test_hard.txt``): the method's selections go for them, and the mAP of the
whole test split, mostly easy images, dilutes what they buy.

Images ``0 .. num_train-1`` are trainval, the next ``num_test`` are test;
image ``i`` depends only on ``(seed, i)``. JPEG (``XMLDataset`` only reads
``<id>.jpg``) at quality 95 with 4:4:4 chroma so colours stay close; bytes
are identical for the same seed under the same Pillow build. JPEG
artefacts make pixels differ slightly from :func:`render_scene`'s array;
the boxes are exact (tight on the drawn shape before compression).

The set is written to a hidden temporary sibling directory and renamed into
place: a killed run leaves no half data set under ``out_dir`` (at most a
``.<name>.tmp-*`` directory, safe to delete).
"""
import json
import os
import shutil
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Optional, Union

import numpy as np
import PIL
from PIL import Image

from .synthetic_shapes import (CLASSES, Scene, SceneConfig, image_rng,
                               render_scene, sample_scene)

# Bump when the output for given parameters changes, so old sets regenerate.
GENERATOR_VERSION = 2  # 2: the difficulty lists
MANIFEST_NAME = 'manifest.json'
SPLITS = ('trainval', 'test')
DIFFICULTIES = ('easy', 'hard')


def scene_to_voc_xml(scene: Scene, image_id: str) -> bytes:
    """VOC annotation of a scene; boxes in 1-based VOC values (box + 1).

    ``scene_difficulty`` (easy/hard) is an extra element that VOC readers
    ignore; every object has ``difficult=0`` so all count in evaluation.
    """
    root = ET.Element('annotation')
    ET.SubElement(root, 'folder').text = 'JPEGImages'
    ET.SubElement(root, 'filename').text = f'{image_id}.jpg'
    ET.SubElement(ET.SubElement(root, 'source'),
                  'database').text = 'mmdet_alssl synthetic_shapes'
    size = ET.SubElement(root, 'size')
    for tag, value in (('width', scene.image_size),
                       ('height', scene.image_size), ('depth', 3)):
        ET.SubElement(size, tag).text = str(value)
    ET.SubElement(root, 'segmented').text = '0'
    ET.SubElement(root, 'scene_difficulty').text = scene.difficulty
    for obj in scene.objects:
        node = ET.SubElement(root, 'object')
        ET.SubElement(node, 'name').text = CLASSES[obj.label]
        ET.SubElement(node, 'pose').text = 'Unspecified'
        ET.SubElement(node, 'truncated').text = '0'
        ET.SubElement(node, 'difficult').text = '0'
        bndbox = ET.SubElement(node, 'bndbox')
        for tag, value in zip(('xmin', 'ymin', 'xmax', 'ymax'), obj.box):
            ET.SubElement(bndbox, tag).text = str(value + 1)
    ET.indent(root, space='\t')
    return ET.tostring(root, encoding='utf-8') + b'\n'


def _write_one(job: tuple) -> tuple:
    """Sample, draw and write image ``index``; returns (labels, difficulty).
    Top-level so worker processes can run it."""
    root, seed, index, cfg, quality = job
    scene = sample_scene(image_rng(seed, index), cfg)
    image_id = f'{index:06d}'
    Image.fromarray(render_scene(scene)).save(
        Path(root, 'JPEGImages', f'{image_id}.jpg'), format='JPEG',
        quality=quality, subsampling=0, optimize=False)
    Path(root, 'Annotations', f'{image_id}.xml').write_bytes(
        scene_to_voc_xml(scene, image_id))
    return [o.label for o in scene.objects], scene.difficulty


def _params(seed, num_train, num_test, cfg, quality) -> dict:
    return dict(generator_version=GENERATOR_VERSION, seed=seed,
                num_train=num_train, num_test=num_test,
                image_size=cfg.image_size, hard_fraction=cfg.hard_fraction,
                jpeg_quality=quality)


def read_manifest(out_dir: Union[str, Path]) -> Optional[dict]:
    """The manifest of a complete data set at ``out_dir``, else None."""
    try:
        return json.loads(Path(out_dir, MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return None


def is_complete(out_dir: Union[str, Path], params: dict) -> bool:
    """True if ``out_dir`` holds a finished set made with ``params``: the
    manifest matches and every listed image and annotation exists."""
    manifest = read_manifest(out_dir)
    if manifest is None or manifest.get('params') != params:
        return False
    main = Path(out_dir, 'ImageSets', 'Main')
    for split, count in zip(SPLITS, (params['num_train'],
                                     params['num_test'])):
        try:
            ids = (main / f'{split}.txt').read_text().split()
        except OSError:
            return False
        if len(ids) != count or not all(
                Path(out_dir, 'JPEGImages', f'{i}.jpg').is_file()
                and Path(out_dir, 'Annotations', f'{i}.xml').is_file()
                for i in ids):
            return False
    return True


def _check_int(name: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ValueError(f'{name}={value!r}: use an int >= {minimum}')


def generate_voc_dataset(out_dir: Union[str, Path],
                         seed: int = 0,
                         num_train: int = 1200,
                         num_test: int = 300,
                         image_size: int = 128,
                         hard_fraction: float = 0.3,
                         jpeg_quality: int = 95,
                         num_workers: int = 1,
                         overwrite: bool = False) -> dict:
    """Generate the data set at ``out_dir`` unless it is already there.

    Args:
        out_dir (str | Path): Data root to create (VOC layout, see module).
        seed (int): Data set seed (>= 0). Defaults to 0.
        num_train (int): trainval images (>= 1). Defaults to 1200.
        num_test (int): test images (>= 1). Defaults to 300.
        image_size (int): Square image side (>= 32). Defaults to 128.
        hard_fraction (float): Share of hard images. Defaults to 0.3.
        jpeg_quality (int): JPEG quality, 1-100. Defaults to 95.
        num_workers (int): Processes drawing images; the output does not
            depend on it. Defaults to 1.
        overwrite (bool): Replace an ``out_dir`` that was not made by this
            generator. Defaults to False (raise ``FileExistsError``).

    Returns:
        dict: The manifest (``params``, ``num_images`` per split,
        ``class_counts``, ``difficulty_counts``, ...) plus ``out_dir``,
        ``skipped`` (True if a matching set existed) and ``seconds``.
    """
    _check_int('seed', seed, 0)
    _check_int('num_train', num_train, 1)
    _check_int('num_test', num_test, 1)
    _check_int('num_workers', num_workers, 1)
    if not (isinstance(jpeg_quality, int) and 1 <= jpeg_quality <= 100):
        raise ValueError(f'jpeg_quality={jpeg_quality!r}: use an int in '
                         f'[1, 100]')
    cfg = SceneConfig(image_size=image_size, hard_fraction=hard_fraction)
    params = _params(int(seed), int(num_train), int(num_test), cfg,
                     jpeg_quality)
    out_dir = Path(out_dir).resolve()
    start = time.perf_counter()
    if is_complete(out_dir, params):
        return dict(read_manifest(out_dir), out_dir=str(out_dir),
                    skipped=True, seconds=time.perf_counter() - start)
    if out_dir.exists() and not overwrite and any(out_dir.iterdir()) \
            and read_manifest(out_dir) is None:
        raise FileExistsError(
            f'{out_dir} exists and was not made by this generator; choose '
            f'another directory or pass overwrite=True (--force)')

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f'.{out_dir.name}.tmp-',
                                dir=out_dir.parent))
    try:
        for sub in ('Annotations', 'JPEGImages', 'ImageSets/Main'):
            (tmp / sub).mkdir(parents=True)
        total = num_train + num_test
        jobs = [(str(tmp), seed, i, cfg, jpeg_quality) for i in range(total)]
        if num_workers > 1:
            with ProcessPoolExecutor(num_workers) as pool:
                results = list(pool.map(_write_one, jobs, chunksize=32))
        else:
            results = [_write_one(job) for job in jobs]
        ids = [f'{i:06d}' for i in range(total)]
        difficulty = [r[1] for r in results]
        for split, first, end in zip(SPLITS, (0, num_train),
                                     (num_train, total)):
            lists = {split: range(first, end)}
            for level in DIFFICULTIES:
                lists[f'{split}_{level}'] = [
                    i for i in range(first, end) if difficulty[i] == level]
            for name, indices in lists.items():
                (tmp / 'ImageSets' / 'Main' / f'{name}.txt').write_text(
                    ''.join(f'{ids[i]}\n' for i in indices))
        labels = Counter(label for result in results for label in result[0])
        manifest = dict(
            params=params,
            classes=list(CLASSES),
            num_images=dict(trainval=num_train, test=num_test),
            num_boxes=sum(labels.values()),
            class_counts={c: labels.get(k, 0) for k, c in enumerate(CLASSES)},
            difficulty_counts=dict(Counter(difficulty)),
            pillow_version=PIL.__version__)
        # Manifest last, via rename, so a present manifest means complete.
        (tmp / (MANIFEST_NAME + '.part')).write_text(
            json.dumps(manifest, indent=2, sort_keys=True) + '\n')
        os.replace(tmp / (MANIFEST_NAME + '.part'), tmp / MANIFEST_NAME)
        old = None
        if out_dir.exists():  # move aside: rename cannot replace a full dir
            old = out_dir.parent / f'.{out_dir.name}.old-{uuid.uuid4().hex}'
            os.rename(out_dir, old)
        os.rename(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dict(manifest, out_dir=str(out_dir), skipped=False,
                seconds=time.perf_counter() - start)
