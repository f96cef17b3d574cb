"""A cycle's labeling-tool files from to_label.json, predictions and
scores."""
import pytest

from mmdet_alssl.labeling.cycle_export import (acquisition_scores,
                                               labeling_files,
                                               local_files_url)
from mmdet_alssl.loop.human_labels import build_to_label_json


def test_local_files_urls_are_relative_to_the_document_root():
    assert local_files_url('/data/x y/1.jpg', '/data') == \
        '/data/local-files/?d=x%20y/1.jpg'
    assert local_files_url('/data/1.jpg') == \
        '/data/local-files/?d=data/1.jpg'
    with pytest.raises(ValueError, match='not under LABEL_STUDIO_LOCAL_'):
        local_files_url('/other/1.jpg', '/data')


def test_the_strategy_column_orders_else_unified():
    scores = {'1': dict(entropy=0.2, inconsistency=0.9, unified=0.18),
              '2': dict(entropy=0.5, inconsistency=0.1, unified=0.05)}
    assert acquisition_scores(scores, 'entropy') == {'1': 0.2, '2': 0.5}
    assert acquisition_scores(scores, 'random') == {'1': 0.18, '2': 0.05}
    assert acquisition_scores(None, 'entropy') == {}


def test_files_order_tasks_by_score_and_hold_the_boxes():
    to_label = build_to_label_json(
        [dict(image_id=i, img_path=f'/d/{i}.jpg', width=100, height=100)
         for i in ('1', '2', '3')], ['A'])
    predictions = dict(
        images=[], categories=[dict(id=1, name='A')],
        annotations=[dict(image_id='2', bbox=[10, 10, 50, 50],
                          category_id=1, score=0.7)])
    files = labeling_files(
        to_label, {i: f'/d/{i}.jpg' for i in '123'}, predictions,
        {'1': 0.1, '2': 0.9}, 'cycle_3', '/d')
    tasks = files['to_label_label_studio.json']
    assert [t['data']['alssl_image_id'] for t in tasks] == ['2', '1', '3']
    assert [t['data']['image'] for t in tasks] == [
        '/data/local-files/?d=2.jpg', '/data/local-files/?d=1.jpg',
        '/data/local-files/?d=3.jpg']
    assert [len(t['predictions'][0]['result']) for t in tasks] == [1, 0, 0]
    assert tasks[0]['predictions'][0]['model_version'] == 'cycle_3'
    assert '<Label value="A"/>' in files['label_studio_config.xml']
    cvat = files['to_label_cvat.json']
    assert [(a['image_id'], a['bbox']) for a in cvat['annotations']] == [
        (2, [10, 10, 50, 50])]
    # Cycle 0: no model, so tasks without predictions, file order.
    files = labeling_files(to_label, {i: f'/d/{i}.jpg' for i in '123'},
                           None, {}, 'cycle_-1', '/d')
    tasks = files['to_label_label_studio.json']
    assert [t['data']['alssl_image_id'] for t in tasks] == ['1', '2', '3']
    assert not any('predictions' in t for t in tasks)
    assert files['to_label_cvat.json']['annotations'] == []
