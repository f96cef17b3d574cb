"""One active-learning cycle's view of a detection pool.

A cycle trains on labeled (ground truth), pseudo-labeled (the previous
cycle's confident boxes) and unlabeled (no boxes) images of one pool (the
``ann_file``). :class:`ActiveSplitMixin` turns MMDetection's ``VOCDataset`` /
``CocoDataset`` into such a view without touching their parsing: it keeps the
ids of ``image_ids_file``, swaps in pseudo boxes, drops the annotations of
unlabeled images and tags every item with its label type
(``LABEL_TYPE_KEY``), which reaches the model in ``data_samples.metainfo``.

Decisions:

- Degenerate boxes (x2 <= x1 or y2 <= y1; BCCD has two zero-area RBC boxes,
  in BloodImage_00338 and BloodImage_00343) are dropped with a logged warning
  naming the image: they cover no pixel, so they can be neither a target nor
  an ignore region, and SSD's box coder would take ``log(0)`` of their size.
  (``CocoDataset`` itself already skips COCO boxes under 1 px, silently.)
- Image files are checked when the data set is built, every one of the
  split: found and decodable (decoded at 1/8 scale, which JPEG does without
  a full decode). Unusable images of labeled or pseudo-labeled items raise
  ONE ``ValueError`` that lists them all; unusable unlabeled ones are left
  out with a warning (nothing to supervise, nothing to score) and kept in
  ``unusable_images`` (id -> reason). Without this a single unreadable
  unlabeled image stopped training from inside a dataloader worker.
- ``image_ids_file`` / ``pseudo_labels_file`` paths are used as given, not
  joined with ``data_root``: they are cycle state under the loop's WORK_DIR.
"""
import json
import logging
import os.path as osp
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional

import cv2
import mmcv
import numpy as np
from mmdet.datasets import CocoDataset, VOCDataset
from mmdet.registry import DATASETS
from mmengine.fileio import exists, get
from mmengine.logging import print_log

from .label_type import (LABEL_TYPE_KEY, LABELED, PSEUDO, UNLABELED,
                         check_label_type)
from .split_files import (IdsArg, describe_ids, read_image_ids,
                          read_pseudo_labels)


def image_problem(img_path: str, backend_args=None) -> Optional[str]:
    """Why an image file cannot be trained on, or None if it can."""
    if not exists(img_path, backend_args=backend_args):
        return 'image file not found'
    data = get(img_path, backend_args=backend_args)
    # IMREAD_REDUCED_*_8: JPEG decodes at 1/8 scale from its DCT (fast);
    # other formats decode fully. Either way a non-image fails.
    img = cv2.imdecode(np.frombuffer(data, np.uint8),
                       cv2.IMREAD_REDUCED_COLOR_8) if data else None
    if img is None:
        return f'cannot be decoded as an image ({len(data)} bytes)'
    return None


class ActiveSplitMixin:
    """Restricts a detection data set to one cycle's labeled/unlabeled split.

    Put it before the MMDetection data set class:
    ``class ALVOCDataset(ActiveSplitMixin, VOCDataset)``. The subclass's
    ``parse_data_info`` asks :meth:`_role_of` whether a pool image belongs
    to this split and hands the parsed dict to :meth:`_finish_data_info`.

    Args:
        label_type (str): ``'labeled'`` (ground truth + optional pseudo
            labels) or ``'unlabeled'`` (images without annotations).
            Defaults to ``'labeled'``.
        image_ids_file (str | Sequence | None): a text file of image ids, one
            a line (blank lines ignored), or the ids themselves as a list
            (``[]`` = an empty split). ``None`` keeps the whole pool.
            Ids compare as strings. Defaults to None.
        pseudo_labels_file (str, optional): COCO-style JSON of pseudo boxes
            (``images``, ``annotations`` with ``bbox`` [x, y, w, h] and
            ``category_id``, ``categories`` with ``name``) for some images
            of an unlabeled split: they train with those boxes as instances
            (``label_type`` ``'pseudo'``), the others stay unlabeled. Only
            with ``label_type='unlabeled'``: pseudo-labeled images are drawn
            with the unlabeled half of a batch, so they never take the
            human labels' place in the labeled half. Defaults to None.
        labels_file (str, optional): COCO-style JSON (the
            ``pseudo_labels_file`` format) of boxes a human drew for some of
            the labeled images (human mode of the loop): they replace the
            data set's own annotations of those images, which may then lack
            them (no XML needed). Every image in it must be in
            ``image_ids_file``. Only with ``label_type='labeled'``.
            Defaults to None.
        ids_outside_pool (str): what an id of ``image_ids_file`` /
            ``pseudo_labels_file`` that this pool lacks means: ``'error'``
            (a typo or the wrong pool) or ``'ignore'`` (the pool is one part
            of a larger one, e.g. VOC2007 of VOC07+12, whose other parts
            hold it). Defaults to ``'error'``.
        **kwargs: the MMDetection data set's arguments.
    """

    def __init__(self,
                 *args,
                 label_type: str = LABELED,
                 image_ids_file: IdsArg = None,
                 pseudo_labels_file: Optional[str] = None,
                 labels_file: Optional[str] = None,
                 ids_outside_pool: str = 'error',
                 **kwargs) -> None:
        if ids_outside_pool not in ('error', 'ignore'):
            raise ValueError(
                f'ids_outside_pool={ids_outside_pool!r}: expected '
                f"'error' or 'ignore'")
        self.ids_outside_pool = ids_outside_pool
        if label_type == PSEUDO:
            raise ValueError(
                f"label_type={label_type!r} is not a data set level value: "
                f"build an 'unlabeled' data set and pass the pseudo boxes "
                f"as pseudo_labels_file")
        self.label_type = check_label_type(label_type)
        if labels_file is not None and label_type != LABELED:
            raise ValueError(
                f'labels_file={labels_file!r} given to a {label_type!r} data '
                f"set: human labels are for labeled images; pass it to the "
                f"labeled part (label_type='labeled')")
        if pseudo_labels_file is not None and label_type != UNLABELED:
            raise ValueError(
                f'pseudo_labels_file={pseudo_labels_file!r} given to a '
                f'{label_type!r} data set: pseudo-labeled images train with '
                f"the unlabeled part; pass it there (label_type='unlabeled')")
        self.image_ids_file = image_ids_file
        self.pseudo_labels_file = pseudo_labels_file
        self.labels_file = labels_file
        self.unusable_images: Dict[str, str] = {}
        if label_type == UNLABELED:
            # Unlabeled images have no boxes by design: an empty-GT filter
            # would remove all of them.
            kwargs['filter_cfg'] = dict(
                kwargs.get('filter_cfg') or {}, filter_empty_gt=False)
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        """The pool's data list restricted to this split, in pool order."""
        ids = read_image_ids(self.image_ids_file)
        classes = self._metainfo['classes']
        self._pseudo = {} if self.pseudo_labels_file is None else \
            read_pseudo_labels(self.pseudo_labels_file, classes)
        self._human = {} if self.labels_file is None else \
            read_pseudo_labels(self.labels_file, classes)
        listed = set(ids or ())
        not_listed = [i for i in self._human if i not in listed]
        if not_listed:
            raise ValueError(
                f'image {not_listed[0]!r} of labels_file '
                f'{self.labels_file!r} ({len(not_listed)} in all) is not in '
                f'{describe_ids(self.image_ids_file)}: human labels are only '
                f'for labeled images; add its id to the labeled ids or drop '
                f'its boxes')
        if ids is None and self._pseudo:
            raise ValueError(
                f'pseudo_labels_file {self.pseudo_labels_file!r} given while '
                f'image_ids_file is None: pass the unlabeled ids as '
                f'image_ids_file')
        outside = [i for i in self._pseudo if i not in listed]
        if outside:
            raise ValueError(
                f'image {outside[0]!r} ({len(outside)} in all) of '
                f'pseudo_labels_file {self.pseudo_labels_file!r} is not in '
                f'{describe_ids(self.image_ids_file)}: pseudo labels must '
                f'only cover unlabeled images; remove it from one of them')
        # img id (str) -> label type; None keeps the whole pool.
        self._roles = None if ids is None else {
            **dict.fromkeys(ids, self.label_type),
            **dict.fromkeys(self._pseudo, PSEUDO)
        }
        self._pool_ids = set()
        self._unusable_supervised: List[str] = []
        # The parent parses the pool; our parse_data_info returns None for
        # pool images outside the split (without reading their annotation).
        data_list = [
            info for info in super().load_data_list() if info is not None
        ]
        unknown = [i for i in (self._roles or {}) if i not in self._pool_ids]
        if unknown and self.ids_outside_pool == 'error':
            source = (f'pseudo_labels_file {self.pseudo_labels_file!r}'
                      if unknown[0] in self._pseudo else
                      describe_ids(self.image_ids_file))
            raise ValueError(
                f'image id {unknown[0]!r} of {source} ({len(unknown)} unknown '
                f'in all) is not in the pool ann_file {self.ann_file!r}: '
                f'remove it, or point ann_file at the pool it comes from')
        if self._unusable_supervised:
            bad = self._unusable_supervised
            raise ValueError(
                f'{len(bad)} labeled / pseudo-labeled image(s) cannot be '
                f'used: {"; ".join(bad[:20])}{" ..." if len(bad) > 20 else ""}'
                f'. Restore these files (the active-learning loop\'s id '
                f'lists must not be edited: together they are the pool); '
                f'outside the loop you may instead remove the ids from '
                f'{describe_ids(self.image_ids_file)} / pseudo_labels_file')
        if self.unusable_images:
            print_log(
                f'{len(self.unusable_images)} unlabeled image(s) cannot be '
                f'used and are left out: '
                f'{list(self.unusable_images.items())[:10]}',
                logger='current',
                level=logging.WARNING)
        del self._pseudo, self._human, self._roles, self._pool_ids
        del self._unusable_supervised
        return data_list

    def _role_of(self, img_id) -> Optional[str]:
        """Label type of a pool image in this split; None if not in it."""
        self._pool_ids.add(str(img_id))
        return self.label_type if self._roles is None else self._roles.get(
            str(img_id))

    def _image_unusable(self, img_path: str, img_id, role: str) -> bool:
        """True (and recorded) if the image is missing or not decodable."""
        reason = image_problem(img_path, self.backend_args)
        if reason is None:
            return False
        if role == UNLABELED:
            self.unusable_images[str(img_id)] = f'{img_path}: {reason}'
        else:
            self._unusable_supervised.append(
                f'{img_path} ({role} image {str(img_id)!r}): {reason}')
        return True

    def _finish_data_info(self, data_info: dict, role: str) -> dict:
        """Swap in this split's instances and tag the item with ``role``."""
        if role == UNLABELED:
            data_info['instances'] = []
        elif role == PSEUDO:
            data_info['instances'] = self._pseudo[str(data_info['img_id'])]
        elif str(data_info['img_id']) in self._human:
            data_info['instances'] = self._human[str(data_info['img_id'])]
        kept = [
            inst for inst in data_info['instances']
            if inst['bbox'][2] > inst['bbox'][0]
            and inst['bbox'][3] > inst['bbox'][1]
        ]
        if len(kept) < len(data_info['instances']):
            print_log(
                f'image {data_info["img_id"]!r}: dropped '
                f'{len(data_info["instances"]) - len(kept)} degenerate '
                f'(zero-area) box(es)',
                logger='current',
                level=logging.WARNING)
        data_info['instances'] = kept
        data_info[LABEL_TYPE_KEY] = role
        return data_info

    def _serialize_data(self):
        # mmengine concatenates the serialized items, which fails on an
        # empty split (e.g. no unlabeled image left); an empty split is legal.
        if not self.data_list:
            return np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int64)
        return super()._serialize_data()

    def prepare_data(self, idx: int):
        """The pipeline's output with the label type in its metainfo, so no
        change to ``PackDetInputs``' ``meta_keys`` is needed."""
        results = super().prepare_data(idx)
        if results is None:  # the pipeline dropped the item; mmengine refetches
            return None
        if 'data_samples' not in results:
            raise ValueError(
                f'{type(self).__name__}: the pipeline output has no '
                f"'data_samples' (keys {sorted(results)}): end the pipeline "
                f'with PackDetInputs')
        results['data_samples'].set_metainfo(
            {LABEL_TYPE_KEY: self.get_data_info(idx)[LABEL_TYPE_KEY]})
        return results


@DATASETS.register_module()
class ALVOCDataset(ActiveSplitMixin, VOCDataset):
    """``VOCDataset`` restricted to one cycle's split (see the mixin).

    Pseudo boxes are used as written: they are the model's predictions, so
    they already live in the data set's (minus-one) VOC coordinates. An
    unlabeled or pseudo-labeled image needs no XML: when it is missing, the
    image size is read from the image. A labeled image with a missing or
    unparsable XML raises an error naming the file.
    """

    def parse_data_info(self, img_info: dict) -> Optional[dict]:
        """``XMLDataset.parse_data_info`` for the split's images; None for
        pool images outside the split (their XML is not read)."""
        role = self._role_of(img_info['img_id'])
        if role is None:
            return None
        img_path = osp.join(self.sub_data_root, img_info['file_name'])
        if self._image_unusable(img_path, img_info['img_id'], role):
            return None
        xml_path = img_info['xml_path']
        needs_xml = role == LABELED and str(
            img_info['img_id']) not in self._human
        if not needs_xml and not exists(
                xml_path, backend_args=self.backend_args):
            data_info = self._info_from_image(img_info, img_path)
        else:
            data_info = self._parse_xml(img_info, role)
        return self._finish_data_info(data_info, role)

    def _parse_xml(self, img_info: dict, role: str) -> dict:
        xml_path = img_info['xml_path']
        try:
            return super().parse_data_info(img_info)
        except FileNotFoundError as err:
            raise FileNotFoundError(
                f'annotation {xml_path!r} of {role} image '
                f'{img_info["img_id"]!r} not found: add the XML, or list the '
                f'image as unlabeled instead of labeled') from err
        except (ET.ParseError, AttributeError, TypeError, ValueError) as err:
            raise ValueError(
                f'annotation {xml_path!r} is not a valid VOC XML ({err!r}): '
                f'fix or re-export it') from err

    def _info_from_image(self, img_info: dict, img_path: str) -> dict:
        """data_info of an image without XML; its size read from the image."""
        img = mmcv.imfrombytes(
            get(img_path, backend_args=self.backend_args), backend='cv2')
        if img is None:
            raise ValueError(f'image {img_path!r} cannot be decoded: restore '
                             f'it or remove its id from the split')
        return dict(img_path=img_path, img_id=img_info['img_id'],
                    xml_path=img_info['xml_path'], height=img.shape[0],
                    width=img.shape[1], instances=[])


@DATASETS.register_module()
class ALCocoDataset(ActiveSplitMixin, CocoDataset):
    """``CocoDataset`` restricted to one cycle's split (see the mixin).

    Image ids are the JSON's ints, compared as text with the id files.
    ``metainfo['classes']`` must follow the order of the ann_file's
    categories: CocoDataset numbers labels in that order, and pseudo boxes are
    mapped to labels by class name, so the two must agree.
    """

    def parse_data_info(self, raw_data_info: dict) -> Optional[dict]:
        """``CocoDataset.parse_data_info`` for the split's images; None for
        pool images outside the split."""
        img_id = raw_data_info['raw_img_info']['img_id']
        role = self._role_of(img_id)
        if role is None:
            return None
        if not self._classes_checked:
            self._check_class_order()
        if role == LABELED:
            self._check_annotations(raw_data_info)
        data_info = super().parse_data_info(raw_data_info)
        if self._image_unusable(data_info['img_path'], img_id, role):
            return None
        return self._finish_data_info(data_info, role)

    def _check_class_order(self) -> None:
        # self.coco only exists while CocoDataset.load_data_list runs.
        names = [c['name'] for c in self.coco.load_cats(self.cat_ids)]
        if names != list(self._metainfo['classes']):
            raise ValueError(
                f"metainfo classes {tuple(self._metainfo['classes'])} do not "
                f'match the categories of {self.ann_file!r} in their order '
                f'{tuple(names)}: list the classes in the JSON\'s category '
                f'order (labels follow it)')
        self._classes_checked = True

    def _check_annotations(self, raw_data_info: dict) -> None:
        """Refuse what ``CocoDataset`` would drop without a word from a
        labeled image: a box of an unknown category or with a negative
        size. Boxes under a pixel or outside the image (also dropped) get a
        warning: some exports hold such slivers."""
        img = raw_data_info['raw_img_info']
        where = (f'{self.ann_file}: annotation {{}} of image '
                 f'{img["file_name"]!r} (id {img["img_id"]})')
        for ann in raw_data_info['raw_ann_info']:
            if ann.get('ignore', False):
                continue
            if ann['category_id'] not in self.cat2label:
                raise ValueError(
                    f'{where.format(ann.get("id"))} has category_id '
                    f'{ann["category_id"]}, which is not one of the data '
                    f'set\'s categories {self.cat_ids} '
                    f'({tuple(self._metainfo["classes"])}): fix the id or add '
                    f'the class to metainfo')
            x, y, w, h = ann['bbox']
            if w < 0 or h < 0:
                raise ValueError(
                    f'{where.format(ann.get("id"))} has bbox {ann["bbox"]} '
                    f'with a negative width or height; COCO boxes are [x, y, '
                    f'width, height]: fix the box')
            inside_w = min(x + w, img['width']) - max(x, 0)
            inside_h = min(y + h, img['height']) - max(y, 0)
            if w < 1 or h < 1 or inside_w <= 0 or inside_h <= 0:
                print_log(
                    f'{where.format(ann.get("id"))}: bbox {ann["bbox"]} is '
                    f'under 1 px or outside the {img["width"]}x'
                    f'{img["height"]} image; CocoDataset skips it',
                    logger='current', level=logging.WARNING)

    def load_data_list(self) -> List[dict]:
        self._classes_checked = False
        try:
            data_list = super().load_data_list()
        except json.JSONDecodeError as err:
            raise ValueError(f'annotation file {self.ann_file} is not valid '
                             f'JSON ({err}); restore the COCO file') from None
        # CocoDataset.filter_data judges "empty GT" by the JSON's annotations
        # (cat_img_map); point it at the boxes this split trains on instead
        # (pseudo boxes for pseudo images, none for unlabeled ones).
        self.cat_img_map = {cat_id: [] for cat_id in self.cat_ids}
        for info in data_list:
            for label in {inst['bbox_label'] for inst in info['instances']}:
                self.cat_img_map[self.cat_ids[label]].append(info['img_id'])
        return data_list
