"""The REST client's errors without a server (the calls themselves:
tests/labeling/test_label_studio_server.py, against a real one)."""
import socket

import pytest

from mmdet_alssl.labeling.label_studio_api import LabelStudioAPI


def test_a_server_that_does_not_answer_is_named_without_the_token():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    api = LabelStudioAPI(f'http://127.0.0.1:{port}/', 3, 'secret-token')
    with pytest.raises(ValueError) as err:
        api.project_info()
    msg = str(err.value)
    assert msg.startswith(f'Label Studio at http://127.0.0.1:{port} does not '
                          f'answer (')
    assert 'start the server or fix --label-studio' in msg
    assert 'secret-token' not in msg


def test_a_url_without_a_scheme_is_refused():
    with pytest.raises(ValueError, match="'localhost:8080' is not an http"):
        LabelStudioAPI('localhost:8080', 1, 't')
