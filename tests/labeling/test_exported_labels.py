"""A tool's export is recognised by its shape."""
import pytest

from mmdet_alssl.labeling.exported_labels import as_coco_labels


def test_a_list_is_label_studio_an_object_is_coco():
    coco = dict(images=[], annotations=[], categories=[])
    assert as_coco_labels(coco, ['A'], 'L.json') is coco
    converted = as_coco_labels(
        [dict(id=1, data=dict(alssl_image_id='x'),
              annotations=[dict(id=1, result=[])])], ['A'], 'L.json')
    assert converted['images'][0]['alssl_image_id'] == 'x'


def test_other_json_is_refused():
    with pytest.raises(ValueError, match=r'L.json holds a JSON str: export '
                       r'a COCO file'):
        as_coco_labels('text', ['A'], 'L.json')
