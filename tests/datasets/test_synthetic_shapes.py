"""Scene sampling and drawing of the synthetic shapes data set (no files)."""
import dataclasses
from collections import Counter

import numpy as np
import pytest

from mmdet_alssl.datasets.synthetic_shapes import (ASYMMETRIC_CLASSES,
                                                   CLASSES, METAINFO, Scene,
                                                   SceneConfig, ShapeObject,
                                                   image_rng, render_scene,
                                                   sample_annotations,
                                                   sample_scene)

BG = (230.0, 230.0, 230.0)
NO_GRADIENT = (0.0, 0.0, 0.0)


def _single(label: int, box, mirrored=False, size=128) -> Scene:
    """A clean scene: one object on a plain background, no noise."""
    return Scene(size, 'easy', (BG, NO_GRADIENT, NO_GRADIENT),
                 (ShapeObject(label, box, (20, 20, 200), mirrored), ), (),
                 0.0, 0)


@pytest.fixture(scope='module')
def default_scenes():
    # The default set: 1200 trainval + 300 test images, seed 0, 128 px.
    return sample_annotations(seed=0, num_images=1500)


def test_class_list_and_palette():
    assert CLASSES == ('circle', 'square', 'rounded_square', 'triangle',
                       'cross', 'ring', 'arrow', 'star')
    assert METAINFO['classes'] == CLASSES
    assert len(METAINFO['palette']) == len(CLASSES)


def test_class_statistics_at_default_settings(default_scenes):
    counts = Counter(o.label for s in default_scenes for o in s.objects)
    total = sum(counts.values())
    share = {CLASSES[k]: n / total for k, n in counts.items()}
    assert len(share) == len(CLASSES) >= 6
    # rare class: present, at most 5% of boxes, and the rarest
    assert 0 < share['star'] <= 0.05
    assert min(share, key=share.get) == 'star'
    # the confusable pair is common, so confusing it costs mAP
    assert share['square'] >= 0.1 and share['rounded_square'] >= 0.1
    per_image = [len(s.objects) for s in default_scenes]
    assert min(per_image) >= 1 and max(per_image) == 6
    assert np.mean(per_image) >= 3.0


def test_easy_hard_mix(default_scenes):
    easy = [s for s in default_scenes if s.difficulty == 'easy']
    hard = [s for s in default_scenes if s.difficulty == 'hard']
    assert 0.6 <= len(easy) / len(default_scenes) <= 0.8
    assert len(easy) + len(hard) == len(default_scenes)
    # easy: clean, no clutter, 2-4 objects with no contact
    assert all(s.noise_std == 0 and not s.clutter for s in easy)
    assert all(2 <= len(s.objects) <= 4 for s in easy)
    # hard: noise, clutter, and some objects occlude others
    assert all(s.noise_std > 0 and s.clutter for s in hard)

    def mean_side(scenes):
        return np.mean([(o.box[2] - o.box[0] + o.box[3] - o.box[1]) / 2
                        for s in scenes for o in s.objects])

    assert mean_side(hard) < 0.6 * mean_side(easy)
    overlapping = sum(
        _any_overlap([o.box for o in s.objects]) for s in hard)
    assert overlapping > 0.1 * len(hard)
    assert not any(_any_overlap([o.box for o in s.objects]) for s in easy)
    # contrast: easy objects far from the background, hard ones close
    def contrast(s, o):
        return np.linalg.norm(np.subtract(o.colour, s.background[0]))

    assert min(contrast(s, o) for s in easy for o in s.objects) >= 149
    assert max(contrast(s, o) for s in hard for o in s.objects) <= 91


def _any_overlap(boxes) -> bool:
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if min(a[2], b[2]) >= max(a[0], b[0]) and \
                    min(a[3], b[3]) >= max(a[1], b[1]):
                return True
    return False


def test_every_box_inside_image_with_positive_area(default_scenes):
    for scene in default_scenes:
        for obj in scene.objects:
            x1, y1, x2, y2 = obj.box
            assert 0 <= x1 < x2 <= scene.image_size - 1
            assert 0 <= y1 < y2 <= scene.image_size - 1


def test_asymmetric_classes_appear_in_both_orientations(default_scenes):
    for name in ASYMMETRIC_CLASSES:
        label = CLASSES.index(name)
        flags = {o.mirrored for s in default_scenes for o in s.objects
                 if o.label == label}
        assert flags == {False, True}


@pytest.mark.parametrize('box', [(10, 20, 50, 45), (3, 7, 11, 16),
                                 (60, 60, 126, 120)])
@pytest.mark.parametrize('label', range(len(CLASSES)))
def test_drawn_shape_fills_its_box_exactly(label, box):
    # Pixels that differ from the plain background span exactly the box.
    image = render_scene(_single(label, box, mirrored=True))
    assert image.shape == (128, 128, 3) and image.dtype == np.uint8
    ys, xs = np.nonzero((image != 230).any(-1))
    assert (xs.min(), ys.min(), xs.max(), ys.max()) == box


@pytest.mark.parametrize('label', range(len(CLASSES)))
def test_flip_changes_only_asymmetric_classes(label):
    # Box centred horizontally (x1 + x2 = 127): mirroring the shape is
    # flipping the image, up to half-pixel rasterisation differences.
    box = (30, 20, 97, 60)
    plain = render_scene(_single(label, box)).astype(int)
    mirror = render_scene(_single(label, box, mirrored=True)).astype(int)
    flip_diff = np.abs(plain - plain[:, ::-1]).max(-1)
    assert np.abs(mirror - plain[:, ::-1]).max() <= 110
    if CLASSES[label] in ASYMMETRIC_CLASSES:
        assert (flip_diff > 200).sum() > 100
    else:
        assert flip_diff.max() <= 110


def test_scene_depends_only_on_seed_and_index():
    scenes = sample_annotations(seed=3, num_images=6)
    assert sample_scene(image_rng(3, 4), SceneConfig()) == scenes[4]
    assert sample_annotations(seed=3, num_images=2, start=4) == scenes[4:]
    other = sample_annotations(seed=4, num_images=6)
    assert all(a != b for a, b in zip(scenes, other))
    np.testing.assert_array_equal(render_scene(scenes[1]),
                                  render_scene(scenes[1]))


def test_class_weights_are_followed():
    # all weight on one class -> only that class
    weights = tuple(1.0 if c == 'ring' else 0.0 for c in CLASSES)
    cfg = SceneConfig(class_weights=weights)
    scenes = sample_annotations(seed=0, num_images=20, cfg=cfg)
    assert {o.label for s in scenes for o in s.objects} == {5}


@pytest.mark.parametrize('field,value', [
    ('image_size', 16), ('image_size', 64.0), ('hard_fraction', 1.5),
    ('class_weights', (1.0, ) * 3), ('easy_num_objects', (3, 2)),
    ('hard_size', (0.0, 0.2)), ('max_aspect', 0.5)
])
def test_bad_config_raises_naming_the_value(field, value):
    with pytest.raises(ValueError, match=field):
        dataclasses.replace(SceneConfig(), **{field: value})
