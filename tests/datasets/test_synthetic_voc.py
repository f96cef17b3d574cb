"""Writing the synthetic shapes set to disk: VOC files, determinism,
mmdet's VOCDataset round trip, manifest skip, atomic replacement."""
import json
from pathlib import Path

import pytest

from mmdet_alssl.datasets import synthetic_voc
from mmdet_alssl.datasets.synthetic_shapes import (CLASSES, METAINFO,
                                                   SceneConfig,
                                                   sample_annotations)
from mmdet_alssl.datasets.synthetic_voc import (generate_voc_dataset,
                                                is_complete, read_manifest)

TINY = dict(num_train=20, num_test=10, image_size=96)


def _files(root: Path) -> dict:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob('*')) if p.is_file()
    }


@pytest.fixture(scope='module')
def tiny_set(tmp_path_factory):
    out = tmp_path_factory.mktemp('synthetic') / 'shapes'
    summary = generate_voc_dataset(out, seed=0, **TINY)
    return out, summary


def test_layout_and_summary(tiny_set):
    out, summary = tiny_set
    assert not summary['skipped']
    assert summary['num_images'] == dict(trainval=20, test=10)
    ids = (out / 'ImageSets/Main/trainval.txt').read_text().split()
    assert ids == [f'{i:06d}' for i in range(20)]
    test_ids = (out / 'ImageSets/Main/test.txt').read_text().split()
    assert test_ids == [f'{i:06d}' for i in range(20, 30)]
    assert len(list((out / 'JPEGImages').glob('*.jpg'))) == 30
    assert len(list((out / 'Annotations').glob('*.xml'))) == 30
    scenes = sample_annotations(0, 30, SceneConfig(image_size=96))
    assert summary['num_boxes'] == sum(len(s.objects) for s in scenes)
    assert read_manifest(out)['class_counts'] == summary['class_counts']
    # no temporary directory left beside the set
    assert [p.name for p in out.parent.iterdir()] == ['shapes']


def test_difficulty_lists_split_each_split_by_scene_difficulty(tiny_set):
    out, summary = tiny_set
    main = out / 'ImageSets/Main'
    for split in ('trainval', 'test'):
        ids = (main / f'{split}.txt').read_text().split()
        easy = (main / f'{split}_easy.txt').read_text().split()
        hard = (main / f'{split}_hard.txt').read_text().split()
        assert sorted(easy + hard) == ids  # a partition, in id order
        assert easy == sorted(easy) and hard == sorted(hard)
        for level, level_ids in (('easy', easy), ('hard', hard)):
            for i in level_ids:
                xml = (out / 'Annotations' / f'{i}.xml').read_text()
                assert f'<scene_difficulty>{level}<' in xml
    hard = [*(main / 'trainval_hard.txt').read_text().split(),
            *(main / 'test_hard.txt').read_text().split()]
    assert len(hard) == summary['difficulty_counts'].get('hard', 0) > 0


def test_same_seed_gives_identical_files(tiny_set, tmp_path):
    out, _ = tiny_set
    again = tmp_path / 'again'
    generate_voc_dataset(again, seed=0, num_workers=2, **TINY)
    assert _files(again) == _files(out)


def test_different_seed_differs(tiny_set, tmp_path):
    out, _ = tiny_set
    other = tmp_path / 'other'
    generate_voc_dataset(other, seed=1, **TINY)
    for sub in ('Annotations/000000.xml', 'JPEGImages/000000.jpg'):
        assert (other / sub).read_bytes() != (out / sub).read_bytes()


def test_image_depends_only_on_seed_and_index(tiny_set, tmp_path):
    # A set with fewer images holds byte-identical first images.
    out, _ = tiny_set
    small = tmp_path / 'small'
    generate_voc_dataset(small, seed=0, num_train=3, num_test=2,
                         image_size=96)
    for i in range(5):
        for sub in (f'Annotations/{i:06d}.xml', f'JPEGImages/{i:06d}.jpg'):
            assert (small / sub).read_bytes() == (out / sub).read_bytes()


def test_mmdet_voc_dataset_reads_boxes_exactly(tiny_set):
    import mmcv
    from mmdet.datasets import VOCDataset

    out, _ = tiny_set
    scenes = sample_annotations(0, 30, SceneConfig(image_size=96))
    for split, offset, count in (('trainval', 0, 20), ('test', 20, 10)):
        dataset = VOCDataset(
            data_root=str(out), ann_file=f'ImageSets/Main/{split}.txt',
            data_prefix=dict(sub_data_root=''), metainfo=METAINFO,
            pipeline=[], test_mode=(split == 'test'))
        assert dataset.metainfo['classes'] == CLASSES
        assert len(dataset) == count
        for i in range(count):
            info = dataset.get_data_info(i)
            scene = scenes[offset + i]
            assert info['img_id'] == f'{offset + i:06d}'
            assert (info['height'], info['width']) == (96, 96)
            assert [x['bbox'] for x in info['instances']] == \
                [list(o.box) for o in scene.objects]
            assert [x['bbox_label'] for x in info['instances']] == \
                [o.label for o in scene.objects]
            assert all(x['ignore_flag'] == 0 for x in info['instances'])
    assert mmcv.imread(info['img_path']).shape == (96, 96, 3)


def test_manifest_skips_regeneration(tmp_path):
    out = tmp_path / 'set'
    generate_voc_dataset(out, seed=0, num_train=4, num_test=2)
    sentinel = out / 'sentinel'
    sentinel.write_text('kept if not regenerated')
    again = generate_voc_dataset(out, seed=0, num_train=4, num_test=2)
    assert again['skipped'] and sentinel.exists()
    # other parameters -> regenerated (whole directory replaced)
    changed = generate_voc_dataset(out, seed=1, num_train=4, num_test=2)
    assert not changed['skipped'] and not sentinel.exists()
    assert read_manifest(out)['params']['seed'] == 1
    # a missing image -> not complete -> regenerated
    (out / 'JPEGImages/000003.jpg').unlink()
    assert not is_complete(out, read_manifest(out)['params'])
    assert not generate_voc_dataset(out, seed=1, num_train=4,
                                    num_test=2)['skipped']
    assert (out / 'JPEGImages/000003.jpg').is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ['set']


def test_killed_run_leaves_no_half_set(tmp_path, monkeypatch):
    out = tmp_path / 'set'
    generate_voc_dataset(out, seed=0, num_train=3, num_test=1)
    before = _files(out)
    calls = []

    def dying(job):
        calls.append(job)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if killed mid-way
        return real(job)

    real = synthetic_voc._write_one
    monkeypatch.setattr(synthetic_voc, '_write_one', dying)
    with pytest.raises(KeyboardInterrupt):
        generate_voc_dataset(out, seed=5, num_train=3, num_test=1)
    assert _files(out) == before  # old complete set untouched
    with pytest.raises(KeyboardInterrupt):
        calls.clear()
        generate_voc_dataset(tmp_path / 'new', seed=5, num_train=3,
                             num_test=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['set']


def test_refuses_foreign_directory(tmp_path):
    out = tmp_path / 'mine'
    out.mkdir()
    (out / 'notes.txt').write_text('not a data set')
    with pytest.raises(FileExistsError, match='overwrite=True'):
        generate_voc_dataset(out, num_train=2, num_test=1)
    assert (out / 'notes.txt').exists()
    generate_voc_dataset(out, num_train=2, num_test=1, overwrite=True)
    assert json.loads((out / 'manifest.json').read_text())['params'][
        'num_train'] == 2


@pytest.mark.parametrize('kwargs,name', [
    (dict(num_train=0), 'num_train=0'), (dict(num_test=-1), 'num_test=-1'),
    (dict(seed=-1), 'seed=-1'), (dict(image_size=16), 'image_size=16'),
    (dict(num_workers=0), 'num_workers=0'),
    (dict(jpeg_quality=0), 'jpeg_quality=0'),
    (dict(hard_fraction=2.0), 'hard_fraction=2.0')
])
def test_invalid_arguments_raise_naming_the_value(tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=name):
        generate_voc_dataset(tmp_path / 'x', **kwargs)
    assert not (tmp_path / 'x').exists()
