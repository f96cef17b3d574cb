"""tools/analysis_tools/rebuild_report.py: a benchmark's report, written
from its WORK_DIRs (seed 0 from an earlier report's results.json),
rebuilds byte for byte from its results.json once the runs and the pool
are gone; an edited figure fails --check, and a rebuild writes it back; a
step timing rebuilds from its .json. Every committed report under
docs/benchmark/ rebuilds identically."""
import re
import shutil

from mmdet_alssl.workdir import CycleState
from mmdet_alssl.workdir.layout import PREDICTIONS
from mmdet_alssl.workdir.state_io import write_json
from tests.helpers import (PROJECT_ROOT, load_tool, make_run, pseudo,
                           write_pool)

benchmark_al = load_tool('analysis_tools/benchmark_al.py')
rebuild_report = load_tool('analysis_tools/rebuild_report.py')

# x, y, w, h, label: one of p2's boxes is right, p3 has no ground truth
FULL_PL = {1: pseudo({'p2': [(0, 0, 10, 10, 1), (0, 0, 10, 10, 0)],
                      'p3': [(5, 5, 5, 5, 0)]})}
#: The committed reports; each keeps its results.json beside it.
COMMITTED = sorted((PROJECT_ROOT / 'docs' / 'benchmark').rglob('*.md'))
ARGV = ['--cycles', '1', '--train-iters', '2', '--runs', 'random', 'full',
        '--report-only']


def test_a_benchmark_report_rebuilds_without_its_runs(tmp_path, capsys):
    config = write_pool(tmp_path / 'pool')
    old, new = tmp_path / 'old', tmp_path / 'new'
    make_run(old / 'seed_0' / 'random', config, 0, (0.40, 0.50), 'random')
    make_run(old / 'seed_0' / 'full', config, 0, (0.40, 0.60), 'unified',
             FULL_PL)
    assert benchmark_al.main([str(config), str(old), '--seeds', '0',
                              *ARGV]) == 0
    make_run(new / 'seed_1' / 'random', config, 1, (0.42, 0.46), 'random')
    full = make_run(new / 'seed_1' / 'full', config, 1, (0.42, 0.56),
                    'unified', FULL_PL)
    # cycle 0 selected p2 and suggested its one box, right (p2's GT: class b)
    state = CycleState(full)
    state.write_selected(0, ['p2'])
    write_json(state.path(0, PREDICTIONS), dict(
        images=[dict(id='p2', file_name='p2.jpg', width=64, height=64)],
        annotations=[dict(id=0, image_id='p2', bbox=[0, 0, 10, 10],
                          category_id=2, score=0.9)]))
    assert benchmark_al.main([
        str(config), str(new), '--seeds', '1', *ARGV, '--earlier-results',
        str(old / 'report' / 'results.json')]) == 0
    report = new / 'report' / 'benchmark.md'
    text = report.read_text()
    # every section a rebuild must draw again, selections of seed 1 only
    for section in ('## Expectations', '## Per-class AP', '## Against random',
                    '## Pseudo-labels', '## What the selections',
                    '## What the suggestions save', '## Labeling cost'):
        assert section in text, section
    assert '| full | 1 | 1.00 |' in text  # one image selected, one seed
    # p2's one box suggested right: kept, nothing to edit
    assert '| full | 1 | 1 | 1 | 1 | 0 | 0 | 0 | 0 | 100.0% | 1 |' in text
    assert '| full | 1 | 2 | 1.50 | 33.3 | 1 |' in text
    for gone in (old, new / 'seed_1', tmp_path / 'pool'):
        shutil.rmtree(gone)
    capsys.readouterr()

    assert rebuild_report.main([str(report), '--check']) == 0
    assert 'rebuilds identically' in capsys.readouterr().out
    report.write_text(text.replace('| 33.3 |', '| 33.4 |'))
    assert rebuild_report.main([str(report), '--check']) == 1
    assert '+| full | 1 | 2 | 1.50 | 33.3 | 1 |' in capsys.readouterr().out
    (report.parent / 'mAP_vs_labels.png').unlink()
    assert rebuild_report.main([str(report)]) == 0
    assert report.read_text() == text
    assert (report.parent / 'mAP_vs_labels.png').stat().st_size > 0


def test_a_report_without_results_json_is_an_error(tmp_path, capsys):
    (tmp_path / 'benchmark.md').write_text('# report\n\n## mAP per cycle\n')
    assert rebuild_report.main([str(tmp_path / 'benchmark.md')]) == 2
    assert 'results.json does not exist' in capsys.readouterr().err


def test_a_step_timing_rebuilds_from_the_json_of_its_name(tmp_path, capsys):
    report = tmp_path / 'train_step.md'
    write_json(report.with_suffix('.json'), dict(
        report='train_step', config='configs/x.py', setting='batch 2',
        plain='plain RetinaHead', ours='ConsistencyDetector',
        rounds={'plain RetinaHead': [0.1, 0.1],
                'ConsistencyDetector': [0.19, 0.21]}))
    report.write_text('stale')
    assert rebuild_report.main([str(report), '--check']) == 1
    assert rebuild_report.main([str(report)]) == 0
    assert '**2.00x**' in report.read_text()
    capsys.readouterr()
    assert rebuild_report.main([str(report), '--check']) == 0
    assert 'rebuilds identically' in capsys.readouterr().out


def test_a_json_of_no_known_report_is_an_error(tmp_path, capsys):
    report = tmp_path / 'notes.md'
    write_json(report.with_suffix('.json'), dict(rows=[]))
    report.write_text('notes')
    assert rebuild_report.main([str(report)]) == 2
    assert '"report" is None' in capsys.readouterr().err
    assert report.read_text() == 'notes'


def linked_reports() -> set:
    """The reports the README and the results pages link."""
    pages = [PROJECT_ROOT / 'README.md',
             *(PROJECT_ROOT / 'docs' / 'results').glob('*.md')]
    return {(page.parent / link).resolve() for page in pages
            for link in re.findall(r'\]\(([^)]*benchmark/[^)]+\.md)\)',
                                   page.read_text())}


def test_every_committed_report_rebuilds_from_its_results_json(capsys):
    linked = linked_reports()
    assert len(linked) > 10 and linked <= set(COMMITTED)
    assert rebuild_report.main([str(p) for p in COMMITTED] + ['--check']) == 0
    assert capsys.readouterr().out.count('rebuilds identically') == len(
        COMMITTED)
