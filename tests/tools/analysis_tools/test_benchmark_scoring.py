"""tools/analysis_tools/benchmark_scoring.py's pure helpers (no timing): the
flip TTA pipeline gives exactly [flipped, original], the ratios, the pool
ids."""
import numpy as np
import pytest
from mmengine.dataset import Compose

from mmdet.utils import register_all_modules

from tests.helpers import load_tool

bs = load_tool('analysis_tools/benchmark_scoring.py')

META = ('img_id', 'ori_shape', 'img_shape', 'scale_factor')


def test_flip_tta_pipeline_packs_flipped_then_original_view():
    register_all_modules()
    test_pipeline = [
        dict(type='Resize', scale=(3, 2), keep_ratio=False),
        dict(type='PackDetInputs', meta_keys=META),
    ]
    tta = bs.flip_tta_pipeline(test_pipeline)
    assert test_pipeline[-1]['meta_keys'] == META  # input not modified
    assert tta[0] == test_pipeline[0] and tta[0] is not test_pipeline[0]
    # A 2x3 image whose columns differ, already at the Resize scale (w 3,
    # h 2): only the flip changes pixels.
    img = np.arange(18, dtype=np.uint8).reshape(2, 3, 3)
    out = Compose(tta)(dict(img=img, img_id='a', ori_shape=(2, 3)))
    assert len(out['inputs']) == len(out['data_samples']) == 2
    flipped, original = (x.permute(1, 2, 0).numpy() for x in out['inputs'])
    assert np.array_equal(original, img)
    assert np.array_equal(flipped, img[:, ::-1])
    assert [s.flip for s in out['data_samples']] == [True, False]
    assert out['data_samples'][0].flip_direction == 'horizontal'
    assert out['data_samples'][1].img_id == 'a'


def test_flip_tta_pipeline_needs_pack_last():
    with pytest.raises(ValueError, match="got 'Resize'"):
        bs.flip_tta_pipeline([dict(type='Resize', scale=(4, 4))])
    with pytest.raises(ValueError, match='got None'):
        bs.flip_tta_pipeline([])


def test_ratio_summary_of_medians_and_of_paired_rounds():
    # medians 3 / 3; per-round ratios 2, 1, 2.5 -> median 2
    assert bs.ratio_summary([2, 3, 10], [1, 3, 4]) == (1.0, 2.0)
    with pytest.raises(ValueError, match='3 and 2'):
        bs.ratio_summary([1, 2, 3], [1, 2])


def test_read_pool_ids_first_n_and_too_many(tmp_path):
    ann = tmp_path / 'trainval.txt'
    ann.write_text('003\n\n001\n002\n')
    assert bs.read_pool_ids(ann, 2) == ['003', '001']
    with pytest.raises(ValueError, match='lists 3'):
        bs.read_pool_ids(ann, 4)
