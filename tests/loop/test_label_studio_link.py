"""Human mode through the labeling tools, on a tiny real loop: cycle 1's
images go out with cycle 0's boxes as suggestions (Label Studio tasks
pushed to a REAL server, or a CVAT COCO 1.0 file), a labeler accepts one,
moves one, deletes the others and adds one, and cycle 1 trains on exactly
the boxes left."""
import copy
import json
import shutil

import numpy as np
import pytest
from mmdet.registry import DATASETS

from mmdet_alssl.loop import active_learning_loop
from mmdet_alssl.workdir import CycleState
from tests.helpers import load_tool
from tests.loop.test_active_learning_loop import (  # noqa: F401 (fixtures)
    cells_root, human_labels, loop_args, options, trained_cfg)

W, H = 128, 96  # the generated cells images


@pytest.fixture(scope='module')
def cycle_1_template(cells_root, options, tmp_path_factory):  # noqa: F811
    """A --human WORK_DIR whose cycle 0 was labeled from a COCO file and
    trained, stopped with cycle 1's images exported; copied by each test."""
    work_dir = tmp_path_factory.mktemp('template') / 'wd'
    args = loop_args(work_dir, options, human=True, suggest_thr=0.2)
    state = CycleState(work_dir)
    with pytest.MonkeyPatch.context() as mp:  # as the al_loop fixture
        mp.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
        assert active_learning_loop.main(args) == 0
        labels = work_dir.parent / 'cycle0.json'
        labels.write_text(json.dumps(human_labels(cells_root, json.loads(
            state.path(0, 'to_label.json').read_text()))))
        assert load_tool('import_labels.py').main([str(work_dir),
                                                   str(labels)]) == 0
        assert active_learning_loop.main(args) == 0
    assert state.is_done(1, 'export') and not state.is_done(1, 'labels')
    return work_dir


@pytest.fixture()
def at_cycle_1(cycle_1_template, tmp_path):
    work_dir = tmp_path / 'wd'
    shutil.copytree(cycle_1_template, work_dir)
    return work_dir


def dataset_boxes(work_dir, k, image_ids):
    """``{id: (bboxes xyxy, labels)}`` as cycle k's labeled training set
    reads them."""
    cfg = trained_cfg(work_dir, k)
    labeled = DATASETS.build(cfg.train_dataloader.dataset).datasets[0]
    found = {}
    for i in range(len(labeled)):
        info = labeled.get_data_info(i)
        if str(info['img_id']) in image_ids:
            found[str(info['img_id'])] = (
                np.array([x['bbox'] for x in info['instances']]
                         ).reshape(-1, 4),
                [x['bbox_label'] for x in info['instances']])
    return found


def labeler_edits(boxes):
    """What a labeler leaves of suggestions ``[(x, y, w, h, label)]``:
    the first accepted, the second moved, the rest deleted, one added."""
    (x, y, w, h, c), (x2, y2, w2, h2, c2) = boxes[:2]
    return [(x, y, w, h, c), (x2 / 2, y2 / 2, w2, h2, c2),
            (10.0, 20.0, 30.0, 25.0, 1)]


def check_trained_on(work_dir, expected, classes=('RBC', 'WBC',
                                                  'Platelets')):
    """Cycle 1 trained, its labeled set holding exactly ``expected``
    (``{id: [(x, y, w, h, label)]}``) on the cycle's new images."""
    state = CycleState(work_dir)
    assert state.read_summary()['cycles'][1]['labeled'] == 8
    got = dataset_boxes(work_dir, 1, set(expected))
    assert set(got) == set(expected)
    for image_id, boxes in expected.items():
        xyxy = [[x, y, x + w, y + h] for x, y, w, h, _ in boxes]
        np.testing.assert_allclose(got[image_id][0], np.array(
            xyxy).reshape(-1, 4), atol=1e-3)
        assert got[image_id][1] == [c for *_, c in boxes]


# ---- Label Studio -----------------------------------------------------------
@pytest.fixture()
def document_root(label_studio, monkeypatch):
    """The loop writes image URLs for the server's local files root."""
    monkeypatch.setenv('LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT',
                       str(label_studio.document_root))


def annotate(api, task, edit):
    """Complete ``task`` from its prediction as a labeler would."""
    (prediction, ) = api.request('GET', f'/api/predictions?task={task["id"]}')
    regions = prediction['result']
    boxes = [(r['value']['x'] * W / 100, r['value']['y'] * H / 100,
              r['value']['width'] * W / 100, r['value']['height'] * H / 100,
              r['value']['rectanglelabels'][0]) for r in regions]
    left = edit(boxes) if edit else []
    result = [dict(
        id=f'a{n}', type='rectanglelabels', from_name='label',
        to_name='image', original_width=W, original_height=H,
        image_rotation=0,
        value=dict(x=100 * x / W, y=100 * y / H, width=100 * w / W,
                   height=100 * h / H, rotation=0,
                   rectanglelabels=[c if isinstance(c, str) else
                                    ('RBC', 'WBC', 'Platelets')[c]]))
        for n, (x, y, w, h, c) in enumerate(left)]
    api.request('POST', f'/api/tasks/{task["id"]}/annotations',
                dict(result=result, parent_prediction=prediction['id']))
    names = ('RBC', 'WBC', 'Platelets')
    return [(x, y, w, h, names.index(c) if isinstance(c, str) else c)
            for x, y, w, h, c in left]


def test_a_cycle_round_trips_through_label_studio(
        label_studio, document_root, at_cycle_1, al_loop, options,  # noqa
        capsys, monkeypatch):
    work_dir, state = at_cycle_1, CycleState(at_cycle_1)
    api = label_studio.new_project('alssl round trip')
    monkeypatch.setenv('LABEL_STUDIO_API_KEY', label_studio.token)
    args = loop_args(work_dir, options, human=True, suggest_thr=0.2,
                     label_studio=label_studio.url,
                     label_studio_project=api.project)
    assert al_loop.main(args) == 0
    assert (f'cycle 1: pushed 4 task(s) with the model\'s boxes to Label '
            f'Studio project {api.project} at {label_studio.url}') in \
        capsys.readouterr().out
    assert label_studio.token not in state.path(
        1, 'label_studio_pushed.json').read_text()
    tasks = sorted(api.export_tasks(), key=lambda t: t['id'])
    selected = state.read_selected(0)
    assert sorted(t['data']['alssl_image_id'] for t in tasks) == \
        sorted(selected)
    # Most informative first: import order follows the acquisition score.
    scores = [t['data']['alssl_score'] for t in tasks]
    assert scores == sorted(scores, reverse=True)
    assert [t['data']['alssl_rank'] for t in tasks] == [1, 2, 3, 4]
    assert all(len(t['predictions']) == 1 for t in tasks)

    # Three of four labeled: the loop waits, nothing imported.
    left = {}
    rich = max(tasks, key=lambda t: len(api.request(
        'GET', f'/api/predictions?task={t["id"]}')[0]['result']))
    others = [t for t in tasks if t is not rich]
    for task in [rich, *others[:2]]:
        left[task['data']['alssl_image_id']] = annotate(
            api, task, labeler_edits if task is rich else None)
    assert al_loop.main(args) == 0
    assert (f'cycle 1: 1 of 4 task(s) in Label Studio project {api.project} '
            f'at {label_studio.url} are not labeled yet') in \
        capsys.readouterr().out
    assert not state.path(1, 'human_labels.json').exists()

    left[others[2]['data']['alssl_image_id']] = annotate(api, others[2],
                                                         None)
    assert al_loop.main(args) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert 'cycle 1: imported 4 labeled image(s) from Label Studio' in out
    assert 'done: all 1 selection cycle(s) done' in out
    assert len(left[rich['data']['alssl_image_id']]) == 3
    check_trained_on(work_dir, left)


@pytest.mark.parametrize('problem', ['token', 'project', 'down', 'no token'])
def test_label_studio_errors_write_nothing(label_studio, al_loop,
                                           options, tmp_path, capsys,
                                           monkeypatch, problem):  # noqa
    work_dir = tmp_path / 'wd'
    url, project = label_studio.url, label_studio.new_project('p err').project
    monkeypatch.setenv('LABEL_STUDIO_API_KEY', label_studio.token)
    if problem == 'token':
        monkeypatch.setenv('LABEL_STUDIO_API_KEY', 'f' * 40)
        want = ('refused LABEL_STUDIO_API_KEY (HTTP 401); set it to the API '
                'token of your account')
    elif problem == 'project':
        project, want = 9999, 'has no project 9999 (HTTP 404)'
    elif problem == 'down':
        url = 'http://127.0.0.1:9'  # discard port: nobody listens
        want = 'Label Studio at http://127.0.0.1:9 does not answer'
    else:
        monkeypatch.delenv('LABEL_STUDIO_API_KEY')
        want = 'needs the API token in the environment variable ' \
            'LABEL_STUDIO_API_KEY'
    assert al_loop.main(loop_args(
        work_dir, options, human=True, label_studio=url,
        label_studio_project=project)) == 2
    err = capsys.readouterr().err
    assert want in err and label_studio.token not in err
    assert not work_dir.exists()


# ---- CVAT and exported files ------------------------------------------------
def as_cvat_export(cvat: dict, edit_first) -> dict:
    """What CVAT exports after the labeler's work on our COCO 1.0 file: its
    own ids (images reversed, categories from 5), no alssl_image_id,
    annotations with CVAT's attributes."""
    images = [dict(id=n, file_name=img['file_name'], width=img['width'],
                   height=img['height'], license=0, flickr_url='',
                   coco_url='', date_captured=0)
              for n, img in enumerate(reversed(cvat['images']), 1)]
    new_id = {img['id']: n for n, img in
              enumerate(reversed(cvat['images']), 1)}
    anns = []
    for img in cvat['images']:
        boxes = [tuple(a['bbox']) + (a['category_id'] - 1, )
                 for a in cvat['annotations'] if a['image_id'] == img['id']]
        if img is cvat['images'][0]:
            boxes = edit_first(boxes)
        for x, y, w, h, c in boxes:
            anns.append(dict(id=len(anns) + 1, image_id=new_id[img['id']],
                             category_id=5 + c, segmentation=[],
                             area=w * h, bbox=[x, y, w, h], iscrowd=0,
                             attributes=dict(occluded=False, rotation=0.0)))
    cats = [dict(id=5 + c['id'] - 1, name=c['name'], supercategory='')
            for c in cvat['categories']]
    return dict(licenses=[], info={}, categories=cats, images=images,
                annotations=anns)


def test_a_cycle_round_trips_through_a_cvat_coco_file(at_cycle_1, al_loop,
                                                      options, capsys):
    work_dir, state = at_cycle_1, CycleState(at_cycle_1)
    cvat = json.loads(state.path(1, 'to_label_cvat.json').read_text())
    first = cvat['images'][0]
    suggested = [a for a in cvat['annotations']
                 if a['image_id'] == first['id']]
    assert len(suggested) >= 2 and all(a['score'] >= 0.2
                                       for a in cvat['annotations'])
    export = as_cvat_export(cvat, labeler_edits)
    path = work_dir.parent / 'cvat.json'
    tool = load_tool('import_labels.py')

    rotated = copy.deepcopy(export)
    rotated['annotations'][0]['attributes']['rotation'] = 15.0
    path.write_text(json.dumps(rotated))
    assert tool.main([str(work_dir), str(path)]) == 2
    assert 'is rotated by 15.0 degrees' in capsys.readouterr().err
    assert not state.path(1, 'human_labels.json').exists()

    path.write_text(json.dumps(export))
    assert tool.main([str(work_dir), str(path)]) == 0
    assert al_loop.main(loop_args(work_dir, options, human=True,
                                  suggest_thr=0.2)) == 0
    expected = {}
    for img in cvat['images']:
        boxes = [tuple(a['bbox']) + (a['category_id'] - 1, )
                 for a in cvat['annotations'] if a['image_id'] == img['id']]
        expected[img['alssl_image_id']] = labeler_edits(boxes) \
            if img is first else boxes
    check_trained_on(work_dir, expected)


def ls_export(state, k, edit=None):
    """A Label Studio JSON export of cycle k's tasks, each annotated with
    its predictions (``edit(tasks)`` changes it)."""
    tasks = json.loads(state.path(k, 'to_label_label_studio.json')
                       .read_text())
    for n, task in enumerate(tasks, 1):
        task['id'] = n
        task['data']['image'] = f'/data/upload/1/{n:08x}-renamed.jpg'
        task['annotations'] = [dict(id=n, was_cancelled=False,
                                    result=task.pop('predictions')[0][
                                        'result'][:2])]
    if edit:
        edit(tasks)
    return tasks


def _region(tasks):
    return tasks[0]['annotations'][0]['result'][0]


BAD_EXPORTS = {
    'unknown label': (lambda t: _region(t)['value'].update(
        rectanglelabels=['Cat']), "category 'Cat', not a class of the data "
        "set ('RBC', 'WBC', 'Platelets'); use these names"),
    'outside the image': (lambda t: _region(t)['value'].update(
        x=90.0, width=30.0), 'outside the 128x96 image'),
    'missing task': (lambda t: t.pop(), '1 selected image(s) missing'),
    'duplicate task': (lambda t: t.append(copy.deepcopy(t[0])),
                       'appears twice'),
    'unlabeled task': (lambda t: t[1].update(annotations=[]),
                       'task 2 (image'),
    'no image id': (lambda t: t[1]['data'].pop('alssl_image_id'),
                    'task 2 has no data.alssl_image_id'),
    'extra task': (lambda t: t[0]['data'].update(alssl_image_id='Cell_x'),
                   "1 image(s) that were not selected"),
}


def test_label_studio_exports_are_checked_and_matched_by_id(
        at_cycle_1, al_loop, options, tmp_path, capsys):
    work_dir, state = at_cycle_1, CycleState(at_cycle_1)
    tool, path = load_tool('import_labels.py'), tmp_path / 'ls.json'
    for name, (edit, want) in BAD_EXPORTS.items():
        path.write_text(json.dumps(ls_export(state, 1, edit)))
        assert tool.main([str(work_dir), str(path)]) == 2, name
        err = capsys.readouterr().err
        assert want in err and str(path) in err, (name, err)
        assert not state.path(1, 'human_labels.json').exists(), name
    good = ls_export(state, 1)
    path.write_text(json.dumps(good))
    assert tool.main([str(work_dir), str(path)]) == 0, \
        capsys.readouterr().err
    merged = json.loads(state.path(1, 'human_labels.json').read_text())
    assert len(merged['images']) == 8  # renamed files, matched by id
    # A re-import into a cycle that trained on its labels is refused.
    assert al_loop.main(loop_args(work_dir, options, human=True,
                                  suggest_thr=0.2)) == 0
    before = state.path(1, 'human_labels.json').read_bytes()
    assert tool.main([str(work_dir), str(path), '--cycle', '1']) == 2
    assert 'cycle 1 of' in capsys.readouterr().err
    assert state.path(1, 'human_labels.json').read_bytes() == before
