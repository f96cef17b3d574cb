"""A real Label Studio server for the tests: the one ``make setup``
installs into ``.venv-label-studio`` (``LABEL_STUDIO_VENV`` to use
another), started on 127.0.0.1 with a temporary data dir, stopped after.

Start flags and variables as measured (docs/labeling_tools.md): empty
``SENTRY_DSN`` / ``FRONTEND_SENTRY_DSN`` (sentry-sdk 3 crashes the start
otherwise), no version check or analytics, the legacy token header on.
A new data dir takes ~50 s to start (its SQLite set-up).
"""
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from mmdet_alssl.labeling.label_studio_api import LabelStudioAPI

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get('LABEL_STUDIO_VENV', ROOT / '.venv-label-studio'))
START_TIMEOUT = 300


@dataclass
class Server:
    url: str
    token: str
    document_root: Path

    def new_project(self, title: str) -> LabelStudioAPI:
        """A new empty project (its API, with this server's token)."""
        api = LabelStudioAPI(self.url, 0, self.token)
        project = api.request('POST', '/api/projects', dict(title=title))
        return LabelStudioAPI(self.url, project['id'], self.token)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + '/health', timeout=5) as answer:
            return b'UP' in answer.read()
    except OSError:
        return False


def start_server(data_dir: Path, document_root: Path):
    """``(Server, process)``; raises with the log's end if it never
    answers."""
    exe = VENV / 'bin' / 'label-studio'
    if not exe.exists():
        raise RuntimeError(f'no Label Studio at {exe}: run `make setup` (it '
                           f'installs label-studio into .venv-label-studio)'
                           f' or set LABEL_STUDIO_VENV')
    port, token = _free_port(), secrets.token_hex(20)
    env = dict(os.environ, HOME=str(data_dir / 'home'),
               LABEL_STUDIO_BASE_DATA_DIR=str(data_dir / 'data'),
               SENTRY_DSN='', FRONTEND_SENTRY_DSN='',
               LATEST_VERSION_CHECK='false', COLLECT_ANALYTICS='false',
               LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED='true',
               LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT=str(document_root))
    (data_dir / 'home').mkdir(parents=True, exist_ok=True)
    log = open(data_dir / 'server.log', 'wb')
    proc = subprocess.Popen(
        [str(exe), 'start', '--no-browser', '--internal-host', '127.0.0.1',
         '--port', str(port), '--username', 'admin@example.com',
         '--password', secrets.token_hex(8), '--user-token', token,
         '--enable-legacy-api-token'],
        cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f'http://127.0.0.1:{port}'
    deadline = time.time() + START_TIMEOUT
    while not _healthy(url):
        if proc.poll() is not None or time.time() > deadline:
            stop_server(proc)
            tail = (data_dir / 'server.log').read_text(errors='replace')
            raise RuntimeError(f'Label Studio did not start on {url}:\n'
                               f'{tail[-3000:]}')
        time.sleep(1)
    return Server(url, token, document_root), proc


def stop_server(proc: subprocess.Popen) -> None:
    """End the server's process group (it starts workers)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
