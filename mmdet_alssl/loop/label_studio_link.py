"""``--label-studio URL --label-studio-project ID``: the ``--human`` loop
talks to a Label Studio server itself instead of through files.

At a cycle waiting for labels, the first run pushes the cycle's tasks (its
``to_label_label_studio.json``: the images with the previous cycle's boxes
as predictions) into the project, after setting the project's labeling
config, and records that in ``label_studio_pushed.json`` (server, project,
image ids; never the token). A later run pulls the project's tasks: while
any task of the cycle has no annotation it stops, naming how many; once all
have one it imports them through the same checks as
``tools/import_labels.py`` and the loop goes on. The token comes from the
environment variable :data:`TOKEN_ENV`. A server that does not answer, a
refused token or an unknown project is an error before anything is
written.
"""
import os
from typing import Callable, Optional

from ..labeling.label_studio import ID_FIELD, unlabeled_tasks
from ..labeling.label_studio_api import LabelStudioAPI
from ..workdir.cycle_state import CycleState
from .import_labels import import_exported
from ..workdir.state_io import read_json, write_json
from ..workdir.layout import (LABEL_STUDIO_CONFIG, LABEL_STUDIO_PUSHED,
                              TO_LABEL_LABEL_STUDIO)

#: The environment variable holding the Label Studio API token.
TOKEN_ENV = 'LABEL_STUDIO_API_KEY'


def connect(url: str, project: int) -> LabelStudioAPI:
    """The server and project, checked (answers, accepts the token, has the
    project)."""
    token = os.environ.get(TOKEN_ENV)
    if not token:
        raise ValueError(f'--label-studio needs the API token in the '
                         f'environment variable {TOKEN_ENV} (Label Studio: '
                         f'Account & Settings > Access Token)')
    api = LabelStudioAPI(url, project, token, token_name=TOKEN_ENV)
    api.project_info()
    return api


def sync_labels(api: LabelStudioAPI, state: CycleState, k: int,
                log: Callable[[str], None]) -> bool:
    """Push cycle k's tasks, or pull their labels; True once imported."""
    pushed = state.path(k, LABEL_STUDIO_PUSHED)
    tasks = read_json(state.path(k, TO_LABEL_LABEL_STUDIO), expect=list)
    ids = [t['data'][ID_FIELD] for t in tasks]
    where = f'project {api.project} at {api.url}'
    if not pushed.is_file():
        api.set_labeling_config(
            state.path(k, LABEL_STUDIO_CONFIG).read_text(encoding='utf-8'))
        api.import_tasks(tasks)
        write_json(pushed, dict(url=api.url, project=api.project,
                                image_ids=ids))
        log(f'cycle {k}: pushed {len(tasks)} task(s) with the model\'s boxes '
            f'to Label Studio {where}; label them there, then re-run this '
            f'command')
        return False
    record = read_json(pushed)
    if (record['url'], record['project']) != (api.url, api.project):
        raise ValueError(f'cycle {k}\'s tasks were pushed to project '
                         f'{record["project"]} at {record["url"]} '
                         f'({pushed}); pass those --label-studio and '
                         f'--label-studio-project')
    wanted = set(record['image_ids'])
    mine = [t for t in api.export_tasks()
            if str((t.get('data') or {}).get(ID_FIELD)) in wanted]
    waiting = unlabeled_tasks(mine, where)
    if waiting or len(mine) < len(wanted):
        missing = len(wanted) - len({str(t['data'][ID_FIELD]) for t in mine})
        log(f'cycle {k}: {len(waiting) + missing} of {len(wanted)} task(s) '
            f'in Label Studio {where} are not labeled yet'
            + (f' ({missing} deleted there: re-import them from '
               f'{state.path(k, TO_LABEL_LABEL_STUDIO)})' if missing else '')
            + '; label them, then re-run this command')
        return False
    merged = import_exported(state, k, mine, f'Label Studio {where}')
    log(f'cycle {k}: imported {len(mine)} labeled image(s) from Label Studio '
        f'{where} ({len(merged["annotations"])} boxes in all)')
    return True


def link_of(args) -> Optional[LabelStudioAPI]:
    """The checked link of the command line, or None without one."""
    url = getattr(args, 'label_studio', None)
    return None if url is None else connect(url, args.label_studio_project)
