"""Label Studio's formats: tasks with predictions, the labeling config,
and exports (JSON, JSON_MIN as a 1.23.2 server writes them) back to COCO."""
import xml.etree.ElementTree as ET

import pytest

from mmdet_alssl.labeling.label_studio import (box_result, build_tasks,
                                               coco_from_label_studio,
                                               labeling_config,
                                               unlabeled_tasks)

CLASSES = ('RBC', 'WBC')


def test_labeling_config_names_every_class():
    xml = labeling_config(['RBC', 'a "b" & c'])
    root = ET.fromstring(xml)
    image, rects = root
    assert (image.tag, image.get('name'), image.get('value')) == (
        'Image', 'image', '$image')
    assert (rects.tag, rects.get('name'), rects.get('toName')) == (
        'RectangleLabels', 'label', 'image')
    assert [lab.get('value') for lab in rects] == ['RBC', 'a "b" & c']


def test_box_result_is_in_percent_of_the_image():
    r = box_result([32, 24, 64, 48], 'WBC', 128, 96, 0.75, 'p3')
    assert r['value'] == dict(x=25.0, y=25.0, width=50.0, height=50.0,
                              rotation=0, rectanglelabels=['WBC'])
    assert (r['id'], r['score'], r['original_width'],
            r['original_height']) == ('p3', 0.75, 128, 96)


def test_tasks_carry_predictions_scores_and_the_rank():
    images = [dict(id=2, alssl_image_id='b', width=200, height=100),
              dict(id=1, alssl_image_id='a', width=100, height=100)]
    boxes = {'b': [dict(bbox=[20, 10, 40, 20], name='RBC', score=0.9)]}
    tasks = build_tasks(images, {'a': 'u/a', 'b': 'u/b'}, boxes,
                        {'b': 2.5, 'a': 0.5}, 'cycle_0')
    assert [t['data'] for t in tasks] == [
        dict(image='u/b', alssl_image_id='b', alssl_rank=1, alssl_score=2.5),
        dict(image='u/a', alssl_image_id='a', alssl_rank=2,
             alssl_score=0.5)]
    (pred_b, ), (pred_a, ) = tasks[0]['predictions'], tasks[1]['predictions']
    # The prediction score, shown as a percentage, is scaled to the top.
    assert (pred_b['model_version'], pred_b['score'], pred_a['score']) == (
        'cycle_0', 1.0, 0.2)
    assert [r['value'] for r in pred_b['result']] == [dict(
        x=10.0, y=10.0, width=20.0, height=20.0, rotation=0,
        rectanglelabels=['RBC'])]
    assert pred_a['result'] == []  # no box above the threshold
    # No model yet (cycle 0): no predictions at all.
    assert 'predictions' not in build_tasks(images, {'a': 1, 'b': 2}, {},
                                            {}, None)[0]


def region(x, y, w, h, name='RBC', width=200, height=100):
    return dict(id='r', type='rectanglelabels', from_name='label',
                to_name='image', original_width=width,
                original_height=height,
                value=dict(x=x, y=y, width=w, height=h, rotation=0,
                           rectanglelabels=[name]))


def json_task(task_id, image_id, results, cancelled=False):
    return dict(id=task_id, data=dict(image=f'/data/upload/1/x-{image_id}.jpg',
                                      alssl_image_id=image_id),
                annotations=[dict(id=task_id * 10, result=results,
                                  was_cancelled=cancelled,
                                  updated_at='2026-01-01')])


def test_json_export_to_coco():
    export = [json_task(7, 'b', [region(10, 10, 20, 20),
                                 region(50, 0, 50, 100, 'WBC')]),
              json_task(8, 'a', [])]
    coco = coco_from_label_studio(export, CLASSES)
    assert coco['images'] == [
        dict(id=1, file_name='/data/upload/1/x-b.jpg', alssl_image_id='b',
             width=200.0, height=100.0),
        dict(id=2, file_name='/data/upload/1/x-a.jpg', alssl_image_id='a')]
    assert [(a['image_id'], a['category_id'], a['bbox'])
            for a in coco['annotations']] == [
        (1, 1, [20.0, 10.0, 40.0, 20.0]), (1, 2, [100.0, 0.0, 100.0, 100.0])]
    assert coco['categories'] == [dict(id=1, name='RBC'),
                                  dict(id=2, name='WBC')]


def test_the_newest_kept_annotation_counts():
    task = json_task(7, 'b', [region(10, 10, 20, 20)])
    task['annotations'] += [
        dict(id=99, result=[region(0, 0, 10, 10)], was_cancelled=False,
             updated_at='2026-02-01'),
        dict(id=100, result=[], was_cancelled=True, updated_at='2026-03-01')]
    coco = coco_from_label_studio([task], CLASSES)
    assert [a['bbox'] for a in coco['annotations']] == [[0, 0, 20, 10]]


def test_json_min_export_to_coco():
    # As label-studio 1.23.2 writes it: data fields flat, boxes in "label",
    # an image submitted without boxes has no "label".
    export = [
        {'image': '/data/local-files/?d=a.jpg', 'alssl_image_id': 'a',
         'id': 1, 'label': [{'x': 12, 'y': 10, 'width': 20, 'height': 20,
                             'rotation': 0, 'rectanglelabels': ['WBC'],
                             'original_width': 128, 'original_height': 96}],
         'annotator': 1, 'annotation_id': 1},
        {'image': '/data/local-files/?d=b.jpg', 'alssl_image_id': 'b',
         'id': 2, 'annotator': 1, 'annotation_id': 2}]
    coco = coco_from_label_studio(export, CLASSES)
    assert [(i['alssl_image_id'], i.get('width')) for i in coco['images']] \
        == [('a', 128.0), ('b', None)]
    (ann, ) = coco['annotations']
    assert ann['category_id'] == 2
    assert ann['bbox'] == pytest.approx([15.36, 9.6, 25.6, 19.2])


def test_unknown_labels_become_categories_the_merge_refuses():
    coco = coco_from_label_studio(
        [json_task(1, 'a', [region(0, 0, 5, 5, 'Platelet')])], CLASSES)
    assert coco['categories'][-1] == dict(id=3, name='Platelet')
    assert coco['annotations'][0]['category_id'] == 3


def test_unlabeled_tasks_are_named():
    export = [json_task(1, 'a', []), json_task(2, 'b', [], cancelled=True),
              dict(id=3, data=dict(alssl_image_id='c'), annotations=[])]
    assert unlabeled_tasks(export) == ['b', 'c']
    with pytest.raises(ValueError, match=r"E.json: task 2 \(image 'b'\) has "
                       r'no annotation; label it'):
        coco_from_label_studio(export, CLASSES, 'E.json')


@pytest.mark.parametrize('task, match', [
    (dict(id=4, data=dict(image='x.jpg'), annotations=[]),
     r"E.json: task 4 has no data.alssl_image_id.*to_label_label_studio"),
    (json_task(5, 'a', [region(0, 0, 5, 5)]),
     r'task 5 has a box rotated by 30 degrees'),
    (json_task(6, 'a', [dict(region(0, 0, 5, 5), value=dict(
        x=0, y=0, width=5, height=5, rectanglelabels=['RBC', 'WBC']))]),
     r"task 6 has a region with labels \['RBC', 'WBC'\]"),
    (json_task(7, 'a', [dict(type='rectanglelabels', value=dict(
        rectanglelabels=['RBC']))]),
     r'task 7 has a region without x, y, width, height'),
    ('not a task', r'E.json: holds a str, not a task'),
])
def test_bad_exports_name_the_task_and_the_fix(task, match):
    if isinstance(task, dict) and task['id'] == 5:
        task['annotations'][0]['result'][0]['value']['rotation'] = 30
    with pytest.raises(ValueError, match=match):
        coco_from_label_studio([task], CLASSES, 'E.json')
