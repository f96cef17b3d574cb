"""A finished run's report inputs without its checkpoints, so that seeds
trained in different sessions or on different machines are reported
together: ``al_report.py`` and ``benchmark_al.py --report-only`` read an
archive as they read the WORK_DIR (a 256 px BCCD run: ~100 MB of
checkpoints, under 1 MB archived).

An archive mirrors the WORK_DIR's layout (:mod:`..workdir.layout`)
and adds :data:`ARCHIVED_CONFIG`, the run's config: the config path a
manifest records is absolute and rarely outlives the checkout it ran in,
and the report needs the config for the ground truth. The config is
resolved (``_base_`` files merged), checked against the manifest's
``config_sha256`` and stored once per archive, under its content's hash
in :data:`CONFIGS_DIR` (the runs of a benchmark share one); each run's
:data:`ARCHIVED_CONFIG` is a one-line config inheriting it.
"""
import hashlib
import os
from pathlib import Path
from typing import List

from ..workdir.cycle_state import CycleState, config_sha256
from ..workdir.state_io import atomic_open, atomic_write_text, read_json
from ..workdir.layout import (LABELED_IDS, MANIFEST, METRICS, POOL_IDS,
                              PSEUDO_LABELS, SCORES, SELECTED_IDS, SUMMARY,
                              UNLABELED_IDS)

#: The run's config, beside the manifest, in an archive.
ARCHIVED_CONFIG = 'config.py'
#: Where ``archive_runs.py`` keeps the resolved configs of an archive's runs.
CONFIGS_DIR = 'configs'
#: What a report (and a later look at the selections) reads of a cycle.
CYCLE_FILES = (LABELED_IDS, UNLABELED_IDS, PSEUDO_LABELS, METRICS, SCORES,
               SELECTED_IDS)


def archived_config(work_dir) -> Path:
    """Where an archive keeps the run's config (it may not exist)."""
    return Path(work_dir) / ARCHIVED_CONFIG


def store_config(text: str, configs_dir) -> Path:
    """``configs_dir/<hash of text>.py`` holding ``text`` (kept if there:
    the name is the content's)."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = Path(configs_dir) / f'{digest}.py'
    if not path.is_file():
        atomic_write_text(path, text)
    return path


def _copy(src: Path, dst: Path) -> None:
    with atomic_open(dst, 'wb') as f:
        f.write(src.read_bytes())


def archive_run(work_dir, dest, configs_dir=None) -> List[Path]:
    """Copy the report inputs of the cycles ``summary.json`` lists.

    Args:
        work_dir: the run's WORK_DIR.
        dest: the run's archive folder.
        configs_dir: where the resolved config is stored (default
            ``dest/configs``); give runs archived together the same one.

    Re-archiving the same run (after more cycles) updates ``dest``;
    ``summary.json`` is written last, so an interrupted archive lists no
    cycle whose files are not all there.

    Returns:
        list[Path]: the files written, in order (the stored config
        first).

    Raises:
        FileNotFoundError: no summary.json or manifest.json in ``work_dir``,
            or the manifest's config is gone.
        ValueError: the config changed since the run (its hash differs
            from the manifest's), or ``dest`` holds another run.
    """
    state = CycleState(Path(work_dir))
    src, dest = state.work_dir, Path(dest)
    for name in (SUMMARY, MANIFEST):
        if not (src / name).is_file():
            raise FileNotFoundError(f'{src / name} does not exist: {src} is '
                                    f'not a run with a tested cycle')
    manifest = read_json(src / MANIFEST)
    if (dest / MANIFEST).is_file() and \
            read_json(dest / MANIFEST) != manifest:
        raise ValueError(f'{dest} holds the archive of another run (its '
                         f'{MANIFEST} differs from {src / MANIFEST}); '
                         f'archive into an empty folder')
    config = Path(manifest.get('config_path', ''))
    if not config.is_file():
        raise FileNotFoundError(
            f'{src / MANIFEST}: its config {config} does not exist; archive '
            f'from the checkout the run was trained in')
    recorded = manifest.get('config_sha256')
    if recorded and config_sha256(config) != recorded:
        raise ValueError(
            f'{config} changed since {src} was trained (config_sha256 '
            f'differs from {src / MANIFEST}); archive from the checkout of '
            f'the run\'s commit')
    from mmengine.config import Config
    resolved = Config.fromfile(str(config), import_custom_modules=False,
                               format_python_code=False)
    stored = store_config(resolved.dump(), Path(
        configs_dir if configs_dir is not None else dest / CONFIGS_DIR))
    written = [stored, archived_config(dest)]
    base = os.path.relpath(stored.absolute(), dest.absolute())
    atomic_write_text(written[1], f'_base_ = {base!r}\n')
    files = [MANIFEST, POOL_IDS] + [
        str(state.path(entry['cycle'], name).relative_to(src))
        for entry in state.read_summary()['cycles'] for name in CYCLE_FILES]
    for name in files + [SUMMARY]:
        if (src / name).is_file():
            _copy(src / name, dest / name)
            written.append(dest / name)
    return written
