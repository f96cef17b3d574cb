"""predictions.json: the model's boxes on the selected images."""
import pytest

from mmdet_alssl.labeling.predictions import (boxes_by_image,
                                              build_predictions_json,
                                              check_suggest_thr)


def test_only_chosen_images_with_boxes_are_written():
    suggested = {
        '1': dict(bboxes=[[0, 0, 10, 20]], labels=[1], scores=[0.8]),
        '2': dict(bboxes=[[5, 5, 6, 6]], labels=[0], scores=[0.6]),
        '3': dict(bboxes=[], labels=[], scores=[]),
    }
    infos = {i: dict(file_name=f'{i}.jpg', width=50, height=40)
             for i in (1, 2, 3)}
    coco = build_predictions_json(suggested, ['3', '1'],
                                  {'1': 1, '2': 2, '3': 3}, ['A', 'B'],
                                  infos)
    assert coco['images'] == [dict(id=1, file_name='1.jpg', width=50,
                                   height=40)]
    assert coco['annotations'] == [dict(id=1, image_id=1,
                                        bbox=[0.0, 0.0, 10.0, 20.0],
                                        area=200.0, category_id=2,
                                        score=0.8, iscrowd=0)]
    assert boxes_by_image(coco) == {
        '1': [dict(bbox=[0.0, 0.0, 10.0, 20.0], name='B', score=0.8)]}
    assert boxes_by_image(coco, min_score=0.9) == {}


@pytest.mark.parametrize('value', [0, -0.1, 1.5, True, '0.5'])
def test_bad_thresholds_are_refused(value):
    with pytest.raises(ValueError, match='suggest_thr=.*outside'):
        check_suggest_thr(value)
    assert check_suggest_thr(1) == 1.0
