"""CVAT's COCO 1.0: the model's boxes as annotations, rotated boxes
refused on the way back."""
import pytest

from mmdet_alssl.labeling.cvat_coco import build_cvat_coco, check_cvat_boxes
from mmdet_alssl.loop.human_labels import build_to_label_json


def test_model_boxes_become_annotations_of_the_exported_images():
    to_label = build_to_label_json(
        [dict(image_id='b', img_path='/d/b.jpg', width=100, height=50),
         dict(image_id='a', img_path='/d/a.jpg', width=100, height=50)],
        ['RBC', 'WBC'])
    boxes = {'a': [dict(bbox=[1, 2, 3, 4], name='WBC', score=0.9),
                   dict(bbox=[5, 5, 10, 10], name='RBC', score=0.6)]}
    coco = build_cvat_coco(to_label, boxes)
    assert coco['images'] == to_label['images']
    assert coco['annotations'] == [
        dict(id=1, image_id=2, category_id=2, bbox=[1, 2, 3, 4], area=12,
             iscrowd=0, score=0.9),
        dict(id=2, image_id=2, category_id=1, bbox=[5, 5, 10, 10],
             area=100, iscrowd=0, score=0.6)]
    assert coco['categories'] == to_label['categories']
    assert to_label['annotations'] == []  # not modified


def test_rotated_cvat_boxes_are_refused():
    ok = dict(annotations=[dict(id=1, attributes=dict(occluded=False,
                                                      rotation=0.0))])
    check_cvat_boxes(ok, 'C.json')
    bad = dict(annotations=[dict(id=3, attributes=dict(rotation=12.5))])
    with pytest.raises(ValueError, match=r'C.json: annotation 3 is rotated '
                       r'by 12.5 degrees.*rotation to 0 in CVAT'):
        check_cvat_boxes(bad, 'C.json')
