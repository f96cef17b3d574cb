"""The package's layers, read from the source: the WORK_DIR package sits
below the loop, the hook and the analysis; nothing but the loop's own
command-line tools imports the loop's orchestrator."""
import ast
from pathlib import Path

import pytest

from tests.helpers import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / 'mmdet_alssl'
ORCHESTRATOR = 'mmdet_alssl.loop.active_learning_loop'


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def imported_modules(path: Path) -> set:
    """Absolute names of every module ``path`` imports (relative imports
    resolved; ``from pkg import name`` counts as ``pkg.name`` too)."""
    package = module_name(path).split('.')
    if path.name != '__init__.py':
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level \
                else []
            module = '.'.join(base + ([node.module] if node.module else []))
            found.add(module)
            found.update(f'{module}.{alias.name}' for alias in node.names)
    return found


def imports_of(folder: str) -> dict:
    root = PROJECT_ROOT / folder
    return {module_name(p) if folder.startswith('mmdet_alssl') else str(p):
            imported_modules(p) for p in sorted(root.rglob('*.py'))}


def test_imported_modules_resolves_relative_imports():
    hook = PACKAGE / 'engine' / 'hooks' / 'active_learning_hook.py'
    found = imported_modules(hook)
    assert 'mmdet_alssl.workdir' in found
    assert 'mmdet_alssl.acquisition.acquire.decide' in found
    assert 'mmdet_alssl.engine.pool_scorer' in found


@pytest.mark.parametrize('folder', ['mmdet_alssl/workdir'])
def test_the_work_dir_package_imports_no_layer_above_it(folder):
    above = ('mmdet_alssl.loop', 'mmdet_alssl.engine', 'mmdet_alssl.analysis',
             'mmdet_alssl.models', 'mmdet_alssl.datasets')
    for module, imports in imports_of(folder).items():
        bad = sorted(i for i in imports if i.startswith(above))
        assert not bad, f'{module} imports {bad}'


@pytest.mark.parametrize('folder', [
    'mmdet_alssl/engine', 'mmdet_alssl/acquisition', 'mmdet_alssl/datasets',
    'mmdet_alssl/models', 'mmdet_alssl/workdir', 'mmdet_alssl/evaluation'])
def test_lower_layers_import_nothing_of_the_loop(folder):
    for module, imports in imports_of(folder).items():
        bad = sorted(i for i in imports if i.startswith('mmdet_alssl.loop'))
        assert not bad, f'{module} imports {bad}'


def test_only_the_loop_and_its_tools_import_the_orchestrator():
    users = {module for folder in ('mmdet_alssl', 'tools')
             for module, imports in imports_of(folder).items()
             if any(i.startswith(ORCHESTRATOR) for i in imports)}
    users = {u for u in users if not u.startswith('mmdet_alssl.loop')}
    allowed = {str(PROJECT_ROOT / 'tools' / 'al_loop.py'),
               # it runs whole loops side by side
               str(PROJECT_ROOT / 'tools/analysis_tools/benchmark_al.py')}
    assert users <= allowed, sorted(users - allowed)
