"""tools/make_synthetic_data.py: the thin CLI over generate_voc_dataset."""
import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parents[2] / 'tools' / \
    'make_synthetic_data.py'


def _load_tool():
    spec = importlib.util.spec_from_file_location('make_synthetic_data', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generates_then_skips(tmp_path, capsys):
    tool = _load_tool()
    out = tmp_path / 'synthetic_shapes'
    argv = [str(out), '--seed', '0', '--num-train', '6', '--num-test', '2',
            '--image-size', '64']
    assert tool.main(argv) == 0
    printed = capsys.readouterr().out
    assert '6 trainval + 2 test images' in printed
    assert 'star' in printed and 'rounded_square' in printed
    assert len(list((out / 'JPEGImages').glob('*.jpg'))) == 8
    assert tool.main(argv) == 0
    assert 'nothing to do' in capsys.readouterr().out


def test_bad_argument_exits_2_naming_the_value(tmp_path, capsys):
    tool = _load_tool()
    assert tool.main([str(tmp_path / 'x'), '--num-train', '0']) == 2
    assert 'num_train=0' in capsys.readouterr().err
    assert not (tmp_path / 'x').exists()
