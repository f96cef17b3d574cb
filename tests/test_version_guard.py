"""The import-time guard names what is missing or at the wrong version."""
import pytest

from mmdet_alssl._version_guard import _as_tuple, check_versions


def test_installed_stack_passes():
    check_versions()  # mmcv 2.1.0, mmdet 3.3.0, mmengine 0.10.7


def test_missing_package_is_named_with_the_fix():
    with pytest.raises(ImportError) as err:
        check_versions((('mmcv-not-installed-here', '2.0.0', '2.2.0'), ))
    message = str(err.value)
    assert 'mmcv-not-installed-here is not installed' in message
    assert 'make setup' in message


def test_unsupported_version_names_found_and_needed():
    with pytest.raises(ImportError) as err:
        check_versions((('mmdet', '3.0.0', '3.3.0'), ('mmengine', '0.7.1',
                                                        '1.0.0')))
    message = str(err.value)
    assert 'mmdet==3.3.0 is installed but mmdet_alssl needs ' \
        '3.0.0 <= mmdet < 3.3.0' in message
    assert 'mmengine' not in message.split('. Fix')[0]


@pytest.mark.parametrize('text,expected', [('2.1.0', (2, 1, 0)),
                                           ('2.0.0rc4', (2, 0, 0)),
                                           ('0.10.7', (0, 10, 7))])
def test_version_parsing(text, expected):
    assert _as_tuple(text) == expected
