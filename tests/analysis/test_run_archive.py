"""run_archive.py: a finished run archived without its checkpoints reports
exactly as the WORK_DIR did, after the WORK_DIR and its config are gone."""
import shutil

import pytest

from mmdet_alssl.analysis import report
from mmdet_alssl.analysis.build_report import build_report
from mmdet_alssl.analysis.run_archive import (ARCHIVED_CONFIG, CONFIGS_DIR,
                                              archive_run)
from mmdet_alssl.workdir.cycle_state import config_sha256
from mmdet_alssl.workdir.state_io import read_json, write_json
from mmdet_alssl.workdir.layout import MANIFEST, SUMMARY
from tests.helpers import make_run, pseudo, write_pool


@pytest.fixture
def trained(tmp_path):
    """A finished pseudo-labelling run on a VOC pool, with a checkpoint and
    the config hash the loop records."""
    config = write_pool(tmp_path / 'pool')
    work = make_run(tmp_path / 'work', config, 0, (0.40, 0.56, 0.60),
                    'unified', {1: pseudo({'p2': [(0, 0, 10, 10, 1)]}),
                                2: pseudo({'p3': [(5, 5, 5, 5, 0)]})})
    (work / 'cycle_2' / 'train').mkdir(parents=True)
    (work / 'cycle_2' / 'train' / 'iter_100.pth').write_bytes(b'weights')
    manifest = read_json(work / MANIFEST)
    write_json(work / MANIFEST,
               dict(manifest, config_sha256=config_sha256(config)))
    return work, config


def test_archive_holds_the_report_inputs_only(trained, tmp_path):
    work, _ = trained
    written = archive_run(work, tmp_path / 'archive')
    names = [str(p.relative_to(tmp_path / 'archive')) for p in written]
    stored = names[0]
    assert stored.startswith(f'{CONFIGS_DIR}/') and names[1] == \
        ARCHIVED_CONFIG and names[-1] == SUMMARY
    assert (tmp_path / 'archive' / ARCHIVED_CONFIG).read_text() == \
        f"_base_ = '{stored}'\n"
    assert sorted(names) == sorted(
        [stored, ARCHIVED_CONFIG, MANIFEST, SUMMARY] +
        [f'cycle_{k}/{f}' for k in range(3)
         for f in ('labeled.txt', 'unlabeled.txt', 'metrics.json')] +
        ['cycle_1/pseudo_labels.json', 'cycle_2/pseudo_labels.json'])
    assert not (tmp_path / 'archive' / 'cycle_2' / 'train').exists()
    assert (tmp_path / 'archive' / MANIFEST).read_bytes() == \
        (work / MANIFEST).read_bytes()


def test_archive_reports_like_the_run_after_the_run_is_gone(trained,
                                                            tmp_path):
    work, config = trained
    before, results = build_report([report.read_run(work)],
                                   out=tmp_path / 'r1', warn=pytest.fail)
    assert results['class_counts'] == dict(a=1, b=2)  # the pool was read
    archive_run(work, tmp_path / 'archive')
    shutil.rmtree(work)
    config.unlink()  # the checkout the run named is gone
    after, _ = build_report([report.read_run(tmp_path / 'archive')],
                            out=tmp_path / 'r2', warn=pytest.fail)
    assert after == before


def test_archive_refuses_a_changed_config_and_another_run(trained,
                                                          tmp_path):
    work, config = trained
    config.write_text(config.read_text() + 'extra = 1\n')
    with pytest.raises(ValueError, match=f'{config} changed since'):
        archive_run(work, tmp_path / 'archive')
    assert not (tmp_path / 'archive').exists()
    config.write_text(config.read_text().replace('extra = 1\n', ''))
    archive_run(work, tmp_path / 'archive')
    archive_run(work, tmp_path / 'archive')  # the same run again: updated
    other = make_run(tmp_path / 'other', config, 1, (0.3, ), 'random')
    with pytest.raises(ValueError, match='holds the archive of another run'):
        archive_run(other, tmp_path / 'archive')
    with pytest.raises(FileNotFoundError, match='not a run with a tested'):
        archive_run(tmp_path / 'empty', tmp_path / 'a2')


def test_runs_archived_together_store_their_config_once(trained, tmp_path):
    work, config = trained
    other = make_run(tmp_path / 'other', config, 1, (0.3, ), 'random')
    write_json(other / MANIFEST, dict(read_json(other / MANIFEST),
                                      config_sha256=config_sha256(config)))
    configs = tmp_path / 'archive' / CONFIGS_DIR
    first = archive_run(work, tmp_path / 'archive' / 'a', configs)
    second = archive_run(other, tmp_path / 'archive' / 'b', configs)
    assert first[0] == second[0] and list(configs.iterdir()) == [first[0]]
    config.unlink()
    for run in ('a', 'b'):  # each still reads the pool through its config
        _, results = build_report(
            [report.read_run(tmp_path / 'archive' / run)],
            out=tmp_path / run, warn=pytest.fail)
        assert results['class_counts'] == dict(a=1, b=2)
