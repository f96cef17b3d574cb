"""tools/analysis_tools/benchmark_al.py without training: the manifest it
predicts is the loop's, finished runs are skipped, the others seeded and
started in order, and the report reads the benchmark layout."""
import pytest

from mmdet_alssl.analysis import benchmark_plan as bp
from mmdet_alssl.workdir import CycleState
from mmdet_alssl.loop import active_learning_loop as al_loop
from mmdet_alssl.workdir.state_io import read_json
from tests.helpers import BENCH_POOL as POOL
from tests.helpers import (PROJECT_ROOT, fake_cycle, finished_run, load_tool,
                           make_run, write_pool)

benchmark_al = load_tool('analysis_tools/benchmark_al.py')
ROOT = PROJECT_ROOT

CONFIG = str(ROOT / 'configs/alssl_ssd_lite0_synthetic_cpu.py')


def test_run_manifest_of_is_what_the_loop_writes(tmp_path, monkeypatch):
    # The loop writes its manifest first; its steps are skipped here, so
    # nothing is read or trained.
    monkeypatch.setattr(al_loop.ActiveLearningLoop, '_run_steps',
                        lambda self: 0)
    missing = f'{tmp_path}/no_data/'
    argv = [CONFIG, str(tmp_path / 'w'), '--cycles', '3', '--seed', '2',
            '--strategy', 'entropy', '--budget', '7', '--train-iters', '5',
            '--cfg-options', 'active_learning.pseudo_labels=False',
            f'train_dataloader.dataset.dataset.data_root={missing}']
    assert al_loop.main(argv) == 0
    written = read_json(tmp_path / 'w' / 'manifest.json')
    predicted = al_loop.run_manifest_of(argv)
    written.pop('created_at')
    assert predicted == written
    assert predicted['strategy'] == 'entropy' and not \
        predicted['pseudo_labels']


def test_finished_runs_skipped_others_seeded_and_started(tmp_path,
                                                         monkeypatch):
    out = tmp_path / 'bench'
    plan = bp.plan_runs(out, CONFIG, [0], ['random', 'unified',
                                           'random_no_con'], cycles=1)
    assert [r.name for r in plan] == [bp.SHARED, 'random', 'unified',
                                      'random_no_con']
    shared = finished_run(out / 'seed_0' / bp.SHARED, cycles=0)
    finished_run(out / 'seed_0' / 'random', cycles=1, strategy='random')
    started = []

    class Done:
        returncode = 0

    def fake_run(cmd):
        assert cmd[1:3] == ['-m', 'mmdet_alssl.loop.active_learning_loop']
        started.append(cmd[3:])
        return Done()

    monkeypatch.setattr(benchmark_al.subprocess, 'run', fake_run)
    monkeypatch.setattr(benchmark_al, 'run_manifest_of',
                        lambda argv: dict(strategy=argv[argv.index(
                            '--strategy') + 1]))
    assert benchmark_al.execute(plan) == 0
    by_name = {r.name: r for r in plan}
    assert started == [by_name['unified'].argv, by_name['random_no_con'].argv]
    unified = CycleState(out / 'seed_0' / 'unified')
    assert unified.read_split(0) == shared.read_split(0)
    assert unified.is_done(0, 'train')
    assert not (out / 'seed_0' / 'random_no_con').exists()  # its own cycle 0

    # a failing run stops the benchmark with its status
    class Failed:
        returncode = 1
    monkeypatch.setattr(benchmark_al.subprocess, 'run',
                        lambda cmd: Failed())
    assert benchmark_al.execute(plan) == 1


def test_dry_run_prints_the_plan(tmp_path, capsys):
    finished_run(tmp_path / 'seed_0' / bp.SHARED, cycles=0)
    state = CycleState(tmp_path / 'seed_0' / 'full')
    state.ensure_manifest(dict(strategy='unified'))
    state.write_split(0, POOL[:4], POOL[4:])
    fake_cycle(state, 0, select=True, steps=('train', ))
    assert benchmark_al.main([CONFIG, str(tmp_path), '--seeds', '0',
                              '--runs', 'full', 'all_labels',
                              '--dry-run']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(' seed ')[0].strip() for line in lines] == [
        'done', 'resume', 'new']
    assert 'seed 0 all_labels: tools/al_loop.sh' in lines[2]


@pytest.mark.parametrize('flag,ceiling', [
    ([], 264), (['--warm-start'], 264), (['--no-warm-start'], 7)])
def test_warm_start_either_way_reaches_every_run(tmp_path, capsys, flag,
                                                 ceiling):
    # the config warm-starts; --no-warm-start (the paper's protocol) must
    # override it in every run, and the ceiling then trains one cycle's
    # length instead of all cycles' (250 + 2 x 7)
    assert benchmark_al.main([CONFIG, str(tmp_path), '--seeds', '0',
                              '--cycles', '2', '--train-iters', '7',
                              '--runs', 'random', 'all_labels', *flag,
                              '--dry-run']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for line in lines:
        assert line.count('warm-start') == len(flag)
        assert all(f in line.split() for f in flag)
    assert f'--initial-iters {ceiling} ' in lines[2]


def test_report_only_reads_the_benchmark_layout(tmp_path, capsys):
    config = write_pool(tmp_path / 'pool')
    out = tmp_path / 'out'
    make_run(out / 'seed_0' / 'random', config, 0, (0.40, 0.50), 'random')
    make_run(out / 'seed_0' / 'unified', config, 0, (0.40, 0.60), 'unified')
    argv = [str(config), str(out), '--seeds', '0', '--cycles', '1',
            '--train-iters', '2', '--runs', 'random', 'unified']
    assert benchmark_al.main([*argv, '--report-only']) == 0
    md = (out / 'report' / 'benchmark.md').read_text()
    # the head names the command that runs the benchmark, not the report's
    assert md.splitlines()[2] == \
        f'`python tools/analysis_tools/benchmark_al.py {" ".join(argv)}`'
    assert '| random | 40.0 | 50.0 | 45.0 | 1 |' in md
    assert '| unified | 40.0 | 60.0 | 50.0 | 1 |' in md
    assert (out / 'report' / 'mAP_vs_labels.png').stat().st_size > 0
    assert 'report:' in capsys.readouterr().out


def test_earlier_results_stand_in_for_work_dirs_that_are_gone(tmp_path,
                                                              capsys):
    config = write_pool(tmp_path / 'pool')
    old, new = tmp_path / 'old', tmp_path / 'new'
    argv = ['--cycles', '1', '--train-iters', '2', '--runs', 'random',
            'unified', '--report-only']
    make_run(old / 'seed_0' / 'random', config, 0, (0.40, 0.50), 'random')
    make_run(old / 'seed_0' / 'unified', config, 0, (0.40, 0.60), 'unified')
    assert benchmark_al.main([str(config), str(old), '--seeds', '0',
                              *argv]) == 0
    earlier = old / 'report' / 'results.json'
    # seed 1 here; seed 0's random again here (it replaces the file's)
    make_run(new / 'seed_1' / 'random', config, 1, (0.42, 0.46), 'random')
    make_run(new / 'seed_1' / 'unified', config, 1, (0.42, 0.56), 'unified')
    make_run(new / 'seed_0' / 'random', config, 0, (0.40, 0.54), 'random')
    # the same file twice: its seed 0 `unified` still counts once
    assert benchmark_al.main([str(config), str(new), '--seeds', '0', '1',
                              *argv, '--earlier-results',
                              str(earlier), str(earlier)]) == 0
    md = (new / 'report' / 'benchmark.md').read_text()
    assert (f'From earlier reports (`{earlier}`; work dirs gone, mAP rows '
            f'only): seed 0 `unified`.') in md
    # random: seeds 0 (here) and 1; unified: seed 0 (earlier) and 1
    assert '| random | 41.0 ± 1.4 | 50.0 ± 5.7 | 45.5 | 2 |' in md
    assert '| unified | 41.0 ± 1.4 | 58.0 ± 2.8 | 49.5 | 2 |' in md
    assert 'only its mAP rows are known' in capsys.readouterr().out
    (tmp_path / 'bad.json').write_text('{"curves": {}}')
    assert benchmark_al.main([str(config), str(new), '--seeds', '1', *argv,
                              '--earlier-results',
                              str(tmp_path / 'bad.json')]) == 2
    assert 'bad.json is not the results.json of a report (KeyError' in \
        capsys.readouterr().err


def test_report_cuts_runs_that_grew_beyond_cycles(tmp_path):
    # A 3-cycle report rebuilt after its runs went on to more cycles must
    # not change: runs here and earlier results both cut at --cycles.
    config = write_pool(tmp_path / 'pool')
    old, out = tmp_path / 'old', tmp_path / 'out'
    make_run(old / 'seed_0' / 'random', config, 0, (0.40, 0.50, 0.90),
             'random')
    make_run(out / 'seed_1' / 'random', config, 1, (0.42, 0.46, 0.90),
             'random')
    make_run(out / 'seed_1' / 'unified', config, 1, (0.42, 0.56, 0.90),
             'unified')
    assert benchmark_al.main([
        str(config), str(old), '--seeds', '0', '--cycles', '2',
        '--train-iters', '2', '--runs', 'random', '--report-only']) == 0
    assert benchmark_al.main([
        str(config), str(out), '--seeds', '1', '--cycles', '1',
        '--train-iters', '2', '--runs', 'random', 'unified', '--report-only',
        '--earlier-results', str(old / 'report' / 'results.json')]) == 0
    md = (out / 'report' / 'benchmark.md').read_text()
    assert '| random | 41.0 ± 1.4 | 48.0 ± 2.8 | 44.5 | 2 |' in md
    assert '| unified | 42.0 | 56.0 | 49.0 | 1 |' in md
    assert '90.0' not in md and 'cycle 2' not in md
