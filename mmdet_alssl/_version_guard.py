"""Fail early, and say how to fix it, when the OpenMMLab stack is missing or
at a version this plugin was not built for."""
import re
from importlib import metadata

# (distribution, minimum inclusive, maximum exclusive); mmdet 3.3.0 pins
# mmcv<2.2.0, and mmengine 1.x may change the Runner API we rely on.
REQUIREMENTS = (
    ('mmengine', '0.7.1', '1.0.0'),
    ('mmcv', '2.0.0', '2.2.0'),
    ('mmdet', '3.0.0', '3.4.0'),
)
FIX = ('run `make setup` in the mmdet-alssl checkout, or install '
       '"mmengine>=0.7.1,<1.0.0", "mmcv>=2.0.0,<2.2.0" (built with ops, '
       'MMCV_WITH_OPS=1) and "mmdet>=3.0.0,<3.4.0" into this Python')


def _as_tuple(version: str) -> tuple:
    """'2.1.0rc1' -> (2, 1, 0): release numbers only, enough for bounds."""
    return tuple(int(part) for part in re.findall(r'\d+', version)[:3])


def check_versions(requirements=REQUIREMENTS) -> None:
    """Raise ImportError naming every missing or unsupported package."""
    problems = []
    for name, low, high in requirements:
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f'{name} is not installed')
            continue
        if not _as_tuple(low) <= _as_tuple(found) < _as_tuple(high):
            problems.append(f'{name}=={found} is installed but mmdet_alssl '
                            f'needs {low} <= {name} < {high}')
    if problems:
        raise ImportError('mmdet_alssl cannot load: ' + '; '.join(problems) +
                          '. Fix: ' + FIX + '.')
