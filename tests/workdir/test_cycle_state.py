"""Cycle state on disk: atomic writes, validating readers, markers,
manifest."""
import os

import pytest

from mmdet_alssl.workdir import state_io
from mmdet_alssl.workdir.cycle_state import (CycleState, config_sha256,
                                             make_manifest)
from mmdet_alssl.workdir.state_io import atomic_open


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith('.tmp')]


def test_split_round_trip_and_layout(tmp_path):
    state = CycleState(tmp_path)
    state.write_split(0, ['000003', '000001'], ['000002', '000004'])
    assert (tmp_path / 'cycle_0' / 'labeled.txt').read_text() == \
        '000003\n000001\n'
    assert state.read_split(0) == (['000003', '000001'],
                                   ['000002', '000004'])
    state.write_selected(0, ['000004'])
    assert state.read_selected(0) == ['000004']
    assert state.cycles() == [0]


def test_split_must_be_disjoint(tmp_path):
    state = CycleState(tmp_path)
    with pytest.raises(ValueError, match="both labeled and unlabeled.*'2'"):
        state.write_split(0, ['1', '2'], ['2', '3'])
    # A hand-edited, overlapping split is refused on read, naming the file.
    folder = tmp_path / 'cycle_0'
    folder.mkdir()
    (folder / 'labeled.txt').write_text('1\n2\n')
    (folder / 'unlabeled.txt').write_text('2\n3\n')
    with pytest.raises(ValueError, match='unlabeled.txt.*also in'):
        state.read_split(0)


def test_atomic_write_keeps_old_content_when_writer_fails(tmp_path):
    path = tmp_path / 'labeled.txt'
    path.write_text('old\n')
    with pytest.raises(RuntimeError, match='killed'):
        with atomic_open(path) as f:
            f.write('new, half writ')
            raise RuntimeError('killed mid-way')
    assert path.read_text() == 'old\n'
    assert leftovers(tmp_path) == []


def test_atomic_write_keeps_old_content_when_fsync_fails(tmp_path,
                                                         monkeypatch):
    state = CycleState(tmp_path)
    state.write_selected(0, ['a', 'b'])

    def failing_fsync(fd):
        raise OSError('disk full')

    monkeypatch.setattr(state_io.os, 'fsync', failing_fsync)
    with pytest.raises(OSError, match='disk full'):
        state.write_selected(0, ['c'])
    monkeypatch.undo()
    assert state.read_selected(0) == ['a', 'b']
    assert leftovers(tmp_path / 'cycle_0') == []


def test_scores_round_trip_exact(tmp_path):
    state = CycleState(tmp_path)
    table = {
        '10': dict(entropy=0.1 + 0.2, inconsistency=1 / 3, unified=0.1,
                   num_detections=3, max_score=0.875),
        '9': dict(entropy=0.0, inconsistency=0.0, unified=0.0,
                  num_detections=0, max_score=0.0),
    }
    state.write_scores(0, table)
    text = (tmp_path / 'cycle_0' / 'scores.csv').read_text().splitlines()
    assert text[0] == ('image_id,entropy,inconsistency,unified,'
                       'num_detections,max_score')
    assert text[1] == '9,0.0,0.0,0.0,0,0.0'  # id order, numeric
    assert state.read_scores(0) == table  # bit-exact floats, int counts
    assert isinstance(state.read_scores(0)['10']['num_detections'], int)


def test_scores_refuse_nan_and_keep_old_file(tmp_path):
    state = CycleState(tmp_path)
    good = {'1': dict(entropy=0.5, inconsistency=0.5, unified=0.25,
                      num_detections=1)}
    state.write_scores(0, good)
    with pytest.raises(ValueError, match='nan'):
        state.write_scores(0, {'1': dict(good['1'], unified=float('nan'))})
    assert state.read_scores(0) == good


@pytest.mark.parametrize('content,problem', [
    ('image_id,entropy,inconsistency,unified,num_detections\n'
     '1,0.5,abc,0.1,1\n', "line 2, column 'inconsistency'"),
    ('id,entropy\n1,0.5\n', 'header must start with'),
    ('image_id,entropy,inconsistency,unified,num_detections\n1,0.5\n',
     'line 2 has 2 cells'),
    ('image_id,entropy,inconsistency,unified,num_detections\n'
     '1,0.5,0.5,0.25,1\n1,0.5,0.5,0.25,1\n', 'appears twice'),
])
def test_corrupt_scores_name_the_file(tmp_path, content, problem):
    state = CycleState(tmp_path)
    path = tmp_path / 'cycle_1' / 'scores.csv'
    path.parent.mkdir()
    path.write_text(content)
    with pytest.raises(ValueError) as err:
        state.read_scores(1)
    assert str(path) in str(err.value) and problem in str(err.value)
    assert 'delete it and re-run' in str(err.value)


def test_corrupt_and_missing_files_name_the_file(tmp_path):
    state = CycleState(tmp_path)
    folder = tmp_path / 'cycle_0'
    folder.mkdir()
    (folder / 'labeled.txt').write_bytes(b'\xff\xfe\x00garbage')
    with pytest.raises(ValueError, match='labeled.txt: not UTF-8'):
        state.read_split(0)
    (folder / 'selected.txt').write_text('a\nb\na\n')
    with pytest.raises(ValueError, match="selected.txt: image id 'a'"):
        state.read_selected(0)
    (folder / 'metrics.json').write_text('{"mAP": 0.5')
    with pytest.raises(ValueError, match='metrics.json: not valid JSON'):
        state.read_metrics(0)
    (folder / 'metrics.json').write_text('[1, 2]')
    with pytest.raises(ValueError, match='expected a JSON dict'):
        state.read_metrics(0)
    with pytest.raises(FileNotFoundError, match='cycle_3.*unlabeled.txt|'
                       'cycle_3.*labeled.txt'):
        state.read_split(3)


def test_pseudo_labels_never_on_labeled_images(tmp_path):
    state = CycleState(tmp_path)
    state.write_split(1, ['1', '2'], ['3', '4'])
    coco = dict(images=[dict(id=3, file_name='3.jpg', width=8, height=8)],
                annotations=[dict(id=1, image_id=3, bbox=[0, 0, 1, 1],
                                  area=1, category_id=1, score=0.99,
                                  iscrowd=0)],
                categories=[dict(id=1, name='cat')])
    state.write_pseudo_labels(1, coco)
    assert state.read_pseudo_labels(1) == coco
    bad = dict(coco, images=[dict(id=2, file_name='2.jpg', width=8,
                                  height=8)])
    with pytest.raises(ValueError, match="pseudo-labels on 1 image.*'2'"):
        state.write_pseudo_labels(1, bad)
    assert state.read_pseudo_labels(1) == coco  # old file intact
    # Hand-edited file: caught on read.
    path = tmp_path / 'cycle_1' / 'pseudo_labels.json'
    path.write_text('{"images": [{"id": "1"}], "annotations": [], '
                    '"categories": []}')
    with pytest.raises(ValueError, match='pseudo_labels.json: pseudo-labels'):
        state.read_pseudo_labels(1)


def test_summary_update_is_idempotent(tmp_path):
    state = CycleState(tmp_path)
    assert state.read_summary() == dict(cycles=[])
    state.update_summary(1, labeled=30, pseudo_labeled=5, mAP=0.4)
    state.update_summary(0, labeled=20, pseudo_labeled=0, mAP=0.3)
    state.update_summary(1, labeled=30, pseudo_labeled=6, mAP=0.5)
    assert state.read_summary() == dict(cycles=[
        dict(cycle=0, labeled=20, pseudo_labeled=0, mAP=0.3),
        dict(cycle=1, labeled=30, pseudo_labeled=6, mAP=0.5),
    ])
    (tmp_path / 'summary.json').write_text('{"cycles": [{"mAP": 1}]}')
    with pytest.raises(ValueError, match='summary.json'):
        state.read_summary()


def test_done_markers(tmp_path):
    state = CycleState(tmp_path)
    assert not state.is_done(0, 'split')
    with pytest.raises(ValueError, match='labeled.txt does not exist'):
        state.mark_done(0, 'split', ['labeled.txt'])
    state.write_split(0, ['1'], ['2'])
    state.mark_done(0, 'split', ['labeled.txt', 'unlabeled.txt'])
    state.mark_done(0, 'train')
    assert state.is_done(0, 'split') and state.is_done(0, 'train')
    assert state.done_steps(0) == ['split', 'train']
    # A state file deleted after the fact: the step is not done any more.
    os.remove(tmp_path / 'cycle_0' / 'unlabeled.txt')
    assert not state.is_done(0, 'split')
    assert state.done_steps(0) == ['train']
    with pytest.raises(ValueError, match='step name'):
        state.mark_done(0, '../escape')


def test_manifest_created_then_checked(tmp_path):
    work_dir = tmp_path / 'run'
    state = CycleState(work_dir)
    manifest = dict(config_path='/a/cfg.py', config_sha256='abc', seed=0,
                    strategy='unified', tau=0.99, budget=10)
    stored = state.ensure_manifest(manifest)
    assert (work_dir / 'manifest.json').is_file()
    assert 'created_at' in stored
    # Same run from another checkout path: accepted.
    state.ensure_manifest(dict(manifest, config_path='/b/cfg.py'))
    with pytest.raises(ValueError) as err:
        state.ensure_manifest(dict(manifest, seed=1, tau=0.9))
    msg = str(err.value)
    assert 'seed: stored 0, now 1' in msg and 'tau: stored 0.99, now 0.9' \
        in msg and 'new WORK_DIR' in msg
    assert 'budget' not in msg and 'strategy' not in msg


def test_manifest_of_an_older_run_compares_missing_keys_as_defaults(
        tmp_path):
    """A WORK_DIR made before a setting existed ran at its default: re-used
    with the default it resumes, with another value it is refused."""
    state = CycleState(tmp_path)
    old = dict(config_sha256='abc', seed=0, tau=0.99)
    state.ensure_manifest(old)
    new = dict(old, iou_thr=0.45)
    stored = state.ensure_manifest(new, defaults=dict(iou_thr=0.45))
    assert stored['iou_thr'] == 0.45
    with pytest.raises(ValueError, match='iou_thr: stored None, now 0.45'):
        state.ensure_manifest(new)
    with pytest.raises(ValueError, match='iou_thr: stored 0.45, now 0.5'):
        state.ensure_manifest(dict(old, iou_thr=0.5),
                              defaults=dict(iou_thr=0.45))
    # the file itself is left as it was
    assert 'iou_thr' not in state_io.read_json(tmp_path / 'manifest.json')


def test_write_acquisition_writes_every_file_then_the_marker(tmp_path):
    state = CycleState(tmp_path)
    state.write_split(0, ['1'], ['2', '3', '4'])
    row = dict(entropy=0.5, inconsistency=0.25, unified=0.125,
               num_detections=1)
    coco = dict(images=[dict(id='4', file_name='4.jpg', width=2, height=2)],
                annotations=[], categories=[dict(id=1, name='a')])
    predictions = dict(coco, images=[dict(id='3', file_name='3.jpg', width=2,
                                          height=2)])
    state.write_acquisition(0, {'2': row, '3': row}, ['3'],
                            {'4': 'cannot decode'}, ['1', '3'], ['2', '4'],
                            coco, predictions)
    assert state.read_scores(0) == {'2': row, '3': row}
    assert state.read_selected(0) == ['3']
    assert state_io.read_json(state.path(0, 'skipped_images.json')) == {
        '4': 'cannot decode'}
    assert state.read_split(1) == (['1', '3'], ['2', '4'])
    assert state.read_pseudo_labels(1) == coco
    assert state_io.read_json(state.path(0, 'predictions.json')) == \
        predictions
    marker = state_io.read_json(state.path(0, 'done/acquire.json'))
    assert marker['files'] == [
        'cycle_0/scores.csv', 'cycle_0/selected.txt',
        'cycle_0/skipped_images.json', 'cycle_0/predictions.json',
        'cycle_1/labeled.txt',
        'cycle_1/unlabeled.txt', 'cycle_1/pseudo_labels.json']
    assert state.is_done(0, 'acquire')
    # without pseudo-labels: no file, not in the marker
    other = CycleState(tmp_path / 'b')
    other.write_split(0, ['1'], ['2'])
    other.write_acquisition(0, {'2': row}, ['2'], {}, ['1', '2'], [], None,
                            predictions)
    assert not other.path(1, 'pseudo_labels.json').exists()
    assert other.is_done(0, 'acquire')


def test_state_without_manifest_is_refused(tmp_path):
    (tmp_path / 'cycle_0').mkdir()
    with pytest.raises(ValueError, match='no manifest.json'):
        CycleState(tmp_path).ensure_manifest(dict(seed=0))


def test_config_hash_follows_base_files(tmp_path):
    base = tmp_path / 'base.py'
    base.write_text('model = dict(type="SSD", depth=16)\n')
    cfg = tmp_path / 'cfg.py'
    cfg.write_text('_base_ = ["./base.py"]\nseed = 0\n')
    first = config_sha256(cfg)
    cfg.write_text('_base_ = ["./base.py"]\n# a comment\nseed = 0\n')
    assert config_sha256(cfg) == first  # same resolved config
    base.write_text('model = dict(type="SSD", depth=19)\n')
    assert config_sha256(cfg) != first
    manifest = make_manifest(cfg, seed=1, strategy='unified', tau=0.99,
                             budget=5, cycles=3)
    assert manifest['config_sha256'] == config_sha256(cfg)
    assert manifest['config_path'] == str(cfg)
    assert (manifest['seed'], manifest['cycles']) == (1, 3)


def test_bad_cycle_index(tmp_path):
    with pytest.raises(ValueError, match='cycle index'):
        CycleState(tmp_path).cycle_dir(-1)
