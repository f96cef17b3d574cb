"""Human mode: the export for labeling tools and the checked import."""
import copy

import pytest

from mmdet_alssl.loop.human_labels import (build_to_label_json,
                                                       merge_human_labels)

CLASSES = ('RBC', 'WBC', 'Platelets')


def to_label(ids=('img_2', 'img_10')):
    return build_to_label_json(
        [dict(image_id=i, img_path=f'/data/JPEGImages/{i}.jpg', width=640,
              height=480) for i in ids], CLASSES)


def labeled_file(names, boxes, categories=None):
    """A labeling tool's COCO export: its own ids and category ids."""
    images = [dict(id=100 + n, file_name=name, width=640, height=480)
              for n, name in enumerate(names)]
    anns = [dict(id=n + 1, image_id=100 + img, category_id=cat, bbox=bbox)
            for n, (img, cat, bbox) in enumerate(boxes)]
    cats = categories or [dict(id=7, name='WBC'), dict(id=8, name='RBC')]
    return dict(images=images, annotations=anns, categories=cats)


def test_to_label_json_is_plain_coco():
    coco = to_label()
    assert coco['images'] == [
        dict(id=1, file_name='img_2.jpg', width=640, height=480,
             alssl_image_id='img_2'),
        dict(id=2, file_name='img_10.jpg', width=640, height=480,
             alssl_image_id='img_10')]
    assert coco['annotations'] == []
    assert coco['categories'] == [dict(id=1, name='RBC'),
                                  dict(id=2, name='WBC'),
                                  dict(id=3, name='Platelets')]


def test_to_label_json_keeps_paths_when_base_names_clash():
    coco = build_to_label_json(
        [dict(image_id=1, img_path='a/x.jpg', width=1, height=1),
         dict(image_id=2, img_path='b/x.jpg', width=1, height=1)], CLASSES)
    assert [i['file_name'] for i in coco['images']] == ['a/x.jpg', 'b/x.jpg']


def test_merge_maps_images_by_name_and_categories_by_name():
    # Label Studio style: a folder in front of the name; CVAT: the name.
    labels = labeled_file(['upload/img_10.jpg', 'img_2.jpg'],
                          [(0, 7, [10, 20, 30, 40]), (1, 8, [1, 2, 3, 4]),
                           (0, 8, [5, 5, 5, 5])])
    merged = merge_human_labels(to_label(), labels)
    # Id order (non-numeric ids compare as text: img_10 < img_2), then
    # file order within an image; the tool's WBC (7) is class 2.
    assert [i['id'] for i in merged['images']] == ['img_10', 'img_2']
    assert [(a['id'], a['image_id'], a['category_id'], a['bbox'], a['area'])
            for a in merged['annotations']] == [
        (1, 'img_10', 2, [10.0, 20.0, 30.0, 40.0], 1200.0),
        (2, 'img_10', 1, [5.0, 5.0, 5.0, 5.0], 25.0),
        (3, 'img_2', 1, [1.0, 2.0, 3.0, 4.0], 12.0)]
    assert merged['categories'][0] == dict(id=1, name='RBC')


def test_an_image_without_objects_counts_as_labeled():
    merged = merge_human_labels(to_label(),
                                labeled_file(['img_2.jpg', 'img_10.jpg'],
                                             []))
    assert len(merged['images']) == 2 and merged['annotations'] == []


def test_merge_names_missing_and_extra_images():
    labels = labeled_file(['img_2.jpg', 'other.jpg', 'more.jpg'], [])
    with pytest.raises(ValueError) as err:
        merge_human_labels(to_label(), labels, source='L.json')
    msg = str(err.value)
    assert 'L.json does not cover exactly the 2 images to label' in msg
    assert "1 selected image(s) missing: ['img_10']" in msg
    assert "2 image(s) that were not selected: ['other.jpg', 'more.jpg']" \
        in msg


@pytest.mark.parametrize('edit, match', [
    (lambda c: c['images'].append(dict(c['images'][0], id=999)),
     "image 'img_2' appears twice"),
    (lambda c: c['images'][0].update(width=320),
     'is 320x480, the exported one 640x480'),
    (lambda c: c['annotations'][0].update(category_id=9),
     "category 9, not a class"),
    (lambda c: c['categories'].append(dict(id=9, name='cat')) or
     c['annotations'][0].update(category_id=9), "category 'cat'"),
    (lambda c: c['annotations'][0].update(bbox=[1, 2, 0, 4]),
     r'bbox \[1, 2, 0, 4\]'),
    (lambda c: c['annotations'][0].update(image_id=5),
     'image 5, which its "images" list lacks'),
    (lambda c: c.pop('annotations'), "'annotations' must be a list"),
    (lambda c: c['images'][1].update(id=100),
     'image id 100 is used by 2 images'),
])
def test_merge_rejects_bad_files(edit, match):
    labels = labeled_file(['img_2.jpg', 'img_10.jpg'],
                          [(0, 8, [1, 2, 3, 4])])
    edit(labels)
    with pytest.raises(ValueError, match=match):
        merge_human_labels(to_label(), labels)


def test_unused_unknown_category_is_ignored():
    labels = labeled_file(['img_2.jpg', 'img_10.jpg'],
                          [(0, 8, [1, 2, 3, 4])],
                          [dict(id=8, name='RBC'), dict(id=9, name='cat')])
    assert len(merge_human_labels(to_label(), labels)['annotations']) == 1


def test_exported_id_wins_over_names():
    labels = labeled_file(['renamed_a.jpg', 'renamed_b.jpg'], [])
    labels['images'][0]['alssl_image_id'] = 'img_10'
    labels['images'][1]['alssl_image_id'] = 'img_2'
    merged = merge_human_labels(to_label(), labels)
    assert [i['id'] for i in merged['images']] == ['img_10', 'img_2']
    assert [i['file_name'] for i in merged['images']] == ['img_10.jpg',
                                                          'img_2.jpg']


def test_exported_id_wins_over_a_file_name_of_another_image():
    # A tool that renamed the files crosswise: names point at the other
    # image; the kept alssl_image_id must decide where the boxes go.
    labels = labeled_file(['img_10.jpg', 'img_2.jpg'],
                          [(0, 8, [1, 1, 2, 2]), (1, 7, [3, 3, 4, 4])])
    labels['images'][0]['alssl_image_id'] = 'img_2'
    labels['images'][1]['alssl_image_id'] = 'img_10'
    merged = merge_human_labels(to_label(), labels)
    assert [(a['image_id'], a['category_id']) for a in
            merged['annotations']] == [('img_10', 2), ('img_2', 1)]


@pytest.mark.parametrize('bbox', [[600, 450, 200, 200], [-5, 0, 10, 10],
                                  [0, 479, 10, 3], [700, 0, 1, 1]])
def test_boxes_outside_the_image_are_refused(bbox):
    labels = labeled_file(['img_2.jpg', 'img_10.jpg'], [(0, 8, bbox)])
    with pytest.raises(ValueError, match=(
            r"L.json: annotation 1 on image 'img_2' has bbox .* outside "
            r"the 640x480 image; boxes must lie inside the image")):
        merge_human_labels(to_label(), labels, source='L.json')


def test_boxes_within_a_pixel_of_the_border_are_clipped():
    labels = labeled_file(['img_2.jpg', 'img_10.jpg'],
                          [(0, 8, [-0.5, 470, 640.8, 10.5])])
    merged = merge_human_labels(to_label(), labels)
    assert merged['annotations'][0]['bbox'] == [0.0, 470.0, 640.0, 10.0]


def test_merge_with_the_previous_cycle():
    first = merge_human_labels(
        to_label(['img_2']),
        labeled_file(['img_2.jpg'], [(0, 8, [1, 1, 2, 2])]))
    previous = copy.deepcopy(first)
    second = merge_human_labels(
        to_label(['img_1', 'img_3']),
        labeled_file(['img_3.jpg', 'img_1.jpg'],
                     [(0, 7, [3, 3, 4, 4]), (1, 8, [5, 5, 6, 6])]),
        previous=first)
    assert first == previous  # not modified
    assert [i['id'] for i in second['images']] == ['img_1', 'img_2',
                                                    'img_3']
    assert [(a['id'], a['image_id'], a['category_id'])
            for a in second['annotations']] == [(1, 'img_1', 1),
                                                (2, 'img_2', 1),
                                                (3, 'img_3', 2)]
    with pytest.raises(ValueError, match='labeled in an earlier cycle'):
        merge_human_labels(to_label(['img_2']),
                           labeled_file(['img_2.jpg'], []), previous=first)
