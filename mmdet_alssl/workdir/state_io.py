"""Atomic writes and validating readers for the cycle-state files.

Every writer goes through :func:`atomic_open`: the content goes to a
temporary file in the destination's directory, is flushed and fsync'ed, then
``os.replace``-d over the destination (atomic on POSIX and Windows) and the
directory is fsync'ed. A kill or an exception at any moment leaves either
the old file or the new one, never a mix. Readers raise ``ValueError``
naming the file when it cannot be parsed, and ``FileNotFoundError`` naming
it when it is missing.
"""
import csv
import io
import json
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Hashable, Iterable, Iterator, List, Mapping, Sequence

#: Appended to every "this file is broken" error.
CORRUPT_FIX = ('restore it, or delete it and re-run the loop: the step that '
               'writes it runs again')


def corrupt(path, problem: str) -> ValueError:
    """A ValueError naming a corrupt state file, its problem and the fix."""
    return ValueError(f'{path}: {problem}; {CORRUPT_FIX}')


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every OS/filesystem.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_open(path, mode: str = 'w', encoding: str = 'utf-8',
                **kwargs) -> Iterator[io.IOBase]:
    """Open ``path`` for writing so that it appears complete or not at all.

    Usage: ``with atomic_open(p) as f: f.write(...)``. If the block raises,
    the destination keeps its old content (or stays absent) and the
    temporary file is removed.
    """
    if 'r' in mode or 'a' in mode or '+' in mode:
        raise ValueError(f'atomic_open mode={mode!r}: only "w"/"wb" make '
                         f'sense for a whole-file replacement')
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.',
                               suffix='.tmp')
    try:
        with os.fdopen(fd, mode, encoding=None if 'b' in mode else encoding,
                       **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def atomic_write_text(path, text: str) -> None:
    with atomic_open(path) as f:
        f.write(text)


def write_json(path, obj) -> None:
    """Atomically write ``obj`` as JSON (NaN/inf refused: not JSON)."""
    text = json.dumps(obj, indent=1, allow_nan=False) + '\n'
    atomic_write_text(path, text)


def _read_text(path) -> str:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'{path} does not exist; the step that '
                                f'writes it has not run yet (re-run the loop)')
    try:
        return path.read_text(encoding='utf-8')
    except UnicodeDecodeError as err:
        raise corrupt(path, f'not UTF-8 text ({err})') from None


def read_json(path, expect: type = dict):
    """Read a JSON file whose top level must be of type ``expect``."""
    text = _read_text(path)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        raise corrupt(path, f'not valid JSON ({err})') from None
    if not isinstance(obj, expect):
        raise corrupt(path, f'expected a JSON {expect.__name__}, got '
                      f'{type(obj).__name__}')
    return obj


def write_ids(path, ids: Iterable[Hashable]) -> None:
    """Atomically write image ids, one a line, in the order given."""
    lines = [str(i) for i in ids]
    for line in lines:
        if not line or line != line.strip() or '\n' in line or '\r' in line:
            raise ValueError(f'image id {line!r} cannot be written to {path}: '
                             f'ids must be non-empty, with no surrounding '
                             f'whitespace and no line breaks')
    if len(set(lines)) != len(lines):
        dup = sorted({i for i in lines if lines.count(i) > 1})[:5]
        raise ValueError(f'duplicate image ids for {path}, e.g. {dup}')
    atomic_write_text(path, ''.join(f'{i}\n' for i in lines))


def read_ids(path) -> List[str]:
    """Image ids of a ``*.txt`` state file, in file order (blank lines
    skipped); duplicates are an error."""
    ids = [line.strip() for line in _read_text(path).splitlines()]
    ids = [i for i in ids if i]
    seen = set()
    for image_id in ids:
        if image_id in seen:
            raise corrupt(path, f'image id {image_id!r} appears twice')
        seen.add(image_id)
    return ids


def _number(path, lineno: int, column: str, text: str, kind=float):
    try:
        value = kind(text)
    except ValueError:
        raise corrupt(path, f'line {lineno}, column {column!r}: {text!r} '
                      f'is not a number') from None
    if isinstance(value, float) and not math.isfinite(value):
        raise corrupt(path, f'line {lineno}, column {column!r}: {text!r} '
                      f'is not finite')
    return value


def write_table(path, table: Mapping[Hashable, Mapping[str, float]],
                columns: Sequence[str], order: Sequence[Hashable]) -> None:
    """Atomically write ``{id: {column: number}}`` as CSV.

    The header is ``columns[0]`` (the id column), the other ``columns``,
    then any further columns of the rows in sorted order; rows in ``order``.
    Floats are written with ``repr`` so they read back bit-exact.
    """
    extra = sorted({c for row in table.values() for c in row} -
                   set(columns))
    header = list(columns) + extra
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator='\n')
    writer.writerow(header)
    for image_id in order:
        row = table[image_id]
        cells = [str(image_id)]
        for column in header[1:]:
            if column not in row:
                raise ValueError(f'row {image_id!r} has no {column!r} value '
                                 f'for {path}; every row needs every column')
            value = row[column]
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f'row {image_id!r}, column {column!r} is '
                                 f'{value}, which {path} cannot hold; the '
                                 f'scores are broken (did the model diverge?)')
            cells.append(repr(value) if isinstance(value, float) else
                         str(value))
        writer.writerow(cells)
    atomic_write_text(path, buf.getvalue())


def read_table(path, columns: Sequence[str],
               int_columns: Sequence[str] = ()) -> Dict[str, Dict]:
    """Read a CSV written by :func:`write_table`: ``{id: {column: value}}``
    in file order; ids are strings, ``int_columns`` ints, others floats."""
    rows = list(csv.reader(io.StringIO(_read_text(path))))
    if not rows or rows[0][:len(columns)] != list(columns):
        raise corrupt(path, f'the header must start with '
                      f'{",".join(columns)}, got '
                      f'{",".join(rows[0]) if rows else "an empty file"}')
    header = rows[0]
    table = {}
    for lineno, cells in enumerate(rows[1:], 2):
        if not cells:
            continue
        if len(cells) != len(header):
            raise corrupt(path, f'line {lineno} has {len(cells)} cells, the '
                          f'header {len(header)}')
        image_id = cells[0]
        if image_id in table:
            raise corrupt(path, f'image id {image_id!r} appears twice')
        table[image_id] = {
            column: _number(path, lineno, column, text,
                            int if column in int_columns else float)
            for column, text in zip(header[1:], cells[1:])
        }
    return table
