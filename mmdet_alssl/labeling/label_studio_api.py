"""The few calls of Label Studio's REST API the loop makes, over plain
HTTP (``urllib``; the server and its SDK live in their own environment).

Authentication is Label Studio's token header (``Authorization: Token
...``: the legacy token of Account & Settings, enabled on the server by
``--enable-legacy-api-token``). The token never appears in an error.
"""
import json
import urllib.error
import urllib.request
from typing import Any, List, Optional

#: Seconds to wait for one answer (an export of many tasks takes a while).
TIMEOUT = 60


class LabelStudioAPI:
    """A Label Studio server and one of its projects.

    Args:
        url (str): the server, e.g. ``http://127.0.0.1:8080``.
        project (int): the project's id (in its page's URL).
        token (str): an API token; named ``token_name`` in errors.
        token_name (str): where the token came from, for errors.
    """

    def __init__(self, url: str, project: int, token: str,
                 token_name: str = 'the token') -> None:
        if not url.startswith(('http://', 'https://')):
            raise ValueError(f'--label-studio {url!r} is not an http(s) URL; '
                             f'pass the server\'s address, e.g. '
                             f'http://127.0.0.1:8080')
        self.url, self.project = url.rstrip('/'), int(project)
        self._token, self._token_name = token, token_name

    def request(self, method: str, path: str,
                body: Optional[Any] = None) -> Any:
        """The decoded JSON answer of ``method path`` (JSON ``body``).

        Raises:
            ValueError: the server does not answer, refuses the token,
                lacks the project, or answers with another error (its
                status and the start of its message).
        """
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={'Authorization': f'Token {self._token}',
                     'Content-Type': 'application/json',
                     'Accept': 'application/json'})
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as answer:
                text = answer.read().decode('utf-8')
        except urllib.error.HTTPError as err:
            raise ValueError(self._refusal(err, method, path)) from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, 'reason', err)
            raise ValueError(f'Label Studio at {self.url} does not answer '
                             f'({reason}); start the server or fix '
                             f'--label-studio') from None
        try:
            return json.loads(text) if text else None
        except json.JSONDecodeError:
            raise ValueError(f'Label Studio at {self.url} answered {method} '
                             f'{path} with no JSON ({text[:200]!r}); is '
                             f'--label-studio the server\'s address?'
                             ) from None

    def _refusal(self, err: urllib.error.HTTPError, method: str,
                 path: str) -> str:
        if err.code in (401, 403):
            return (f'Label Studio at {self.url} refused {self._token_name} '
                    f'(HTTP {err.code}); set it to the API token of your '
                    f'account (Account & Settings; the server needs '
                    f'--enable-legacy-api-token for this token kind)')
        if err.code == 404 and path.startswith(
                f'/api/projects/{self.project}'):
            return (f'Label Studio at {self.url} has no project '
                    f'{self.project} (HTTP 404); pass the id in the '
                    f'project\'s URL as --label-studio-project')
        detail = err.read().decode('utf-8', 'replace')[:300]
        return (f'Label Studio at {self.url} answered {method} {path} with '
                f'HTTP {err.code}: {detail}')

    # ---- the calls the loop makes ------------------------------------------
    def project_info(self) -> dict:
        """The project (checks the server, the token and the id)."""
        return self.request('GET', f'/api/projects/{self.project}')

    def set_labeling_config(self, config: str) -> None:
        self.request('PATCH', f'/api/projects/{self.project}',
                     dict(label_config=config))

    def import_tasks(self, tasks: List[dict]) -> dict:
        """Create ``tasks`` (with their predictions) in the project."""
        return self.request('POST', f'/api/projects/{self.project}/import',
                            tasks)

    def export_tasks(self) -> List[dict]:
        """Every task of the project with its annotations (JSON export)."""
        return self.request(
            'GET', f'/api/projects/{self.project}/export?exportType=JSON'
            f'&download_all_tasks=true')
