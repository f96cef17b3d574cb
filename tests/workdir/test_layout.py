"""work_dir_layout is the one home of the WORK_DIR's names: the user
guide shows its docstring, and every name it defines appears there."""
from mmdet_alssl.workdir import layout
from tests.helpers import PROJECT_ROOT


def test_user_guide_state_table_is_the_module_docstring():
    doc = layout.__doc__
    tree = doc[doc.index('    WORK_DIR/'):doc.index('Steps of a cycle')]
    readme = (PROJECT_ROOT / 'docs' / 'user_guide.md').read_text()
    block = '\n'.join(line[4:] for line in tree.rstrip().splitlines())
    assert f'```text\n{block}\n```' in readme
    for step in layout.STEPS:
        assert f'| `{step}` |' in readme


def test_every_file_name_is_in_the_docstring():
    names = [v for k, v in vars(layout).items()
             if k.isupper() and isinstance(v, str) and k not in ('END', )]
    for name in names:
        assert name.replace('{}', '<k>') in layout.__doc__, name


def test_steps_are_distinct_and_in_loop_order():
    assert len(set(layout.STEPS)) == len(layout.STEPS)
    assert layout.STEPS.index(layout.TRAIN) < layout.STEPS.index(
        layout.ACQUIRE) < layout.STEPS.index(layout.TEST)
