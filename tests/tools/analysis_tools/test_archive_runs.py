"""tools/analysis_tools/archive_runs.py on a fabricated benchmark OUT_DIR:
every run archived under its relative path, and the benchmark's report
rebuilt from the archive alone."""
import shutil

from tests.helpers import load_tool, make_run, write_pool

archive_runs = load_tool('analysis_tools/archive_runs.py')
benchmark_al = load_tool('analysis_tools/benchmark_al.py')


def test_archive_of_a_benchmark_reports_like_the_benchmark(tmp_path,
                                                           capsys):
    config = write_pool(tmp_path / 'pool')
    out, dest = tmp_path / 'out', tmp_path / 'archive'
    for seed, run, maps in ((0, 'random', (0.40, 0.50)),
                            (0, 'unified', (0.40, 0.60)),
                            (1, 'random', (0.42, 0.46))):
        make_run(out / f'seed_{seed}' / run, config, seed, maps, run)
    assert archive_runs.main([str(out), str(dest)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(' -> ')[0] for line in printed] == [
        str(out / 'seed_0' / 'random'), str(out / 'seed_0' / 'unified'),
        str(out / 'seed_1' / 'random')]
    argv = ['--seeds', '0', '1', '--cycles', '1', '--train-iters', '2',
            '--runs', 'random',
            'unified', '--report-only']
    assert benchmark_al.main([str(config), str(out), *argv]) == 0
    from_runs = (out / 'report' / 'benchmark.md').read_text()
    shutil.rmtree(out)
    assert benchmark_al.main([str(config), str(dest), *argv]) == 0
    md = (dest / 'report' / 'benchmark.md').read_text()
    # the same report; only the head's command names the other OUT_DIR
    assert md.replace(str(dest), str(out)) == from_runs
    assert '| random | 41.0 ± 1.4 | 48.0 ± 2.8 | 44.5 | 2 |' in md
    assert 'Classes: a (1 boxes), b (2 boxes).' in md  # ground truth read
    # three runs of one config: stored once
    assert len(list((dest / 'configs').iterdir())) == 1


def test_nothing_to_archive_is_an_error(tmp_path, capsys):
    assert archive_runs.main([str(tmp_path), str(tmp_path / 'a')]) == 2
    assert 'no run with a tested cycle under' in capsys.readouterr().err


def test_one_work_dir_joins_an_archive_with_its_configs(tmp_path, capsys):
    config = write_pool(tmp_path / 'pool')
    out, dest = tmp_path / 'out', tmp_path / 'archive'
    make_run(out / 'seed_0' / 'random', config, 0, (0.40, 0.50), 'random')
    make_run(tmp_path / 'later', config, 1, (0.42, 0.46), 'random')
    assert archive_runs.main([str(out), str(dest)]) == 0
    assert archive_runs.main([
        str(tmp_path / 'later'), str(dest / 'seed_1' / 'random'),
        '--configs', str(dest / 'configs')]) == 0
    # one stored config, no configs folder inside the added run
    assert len(list((dest / 'configs').iterdir())) == 1
    assert not (dest / 'seed_1' / 'random' / 'configs').exists()
    argv = ['--seeds', '0', '1', '--cycles', '1', '--train-iters', '2',
            '--runs', 'random', '--report-only']
    assert benchmark_al.main([str(config), str(dest), *argv]) == 0
    md = (dest / 'report' / 'benchmark.md').read_text()
    assert '| random | 41.0 ± 1.4 | 48.0 ± 2.8 | 44.5 | 2 |' in md
