"""How rote writes files. `atomic_write` replaces a file (a trajectory, a bench summary, a plot,
a checkpoint) so that a kill or a power cut at any moment leaves the old file or the complete new
one; `make_directory` makes the directories they go in."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rote.errors import RoteError


@contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A new, empty file beside `path` for the block to write, by any means (an open, savefig,
    torch.save). When the block ends normally, the file is synced to disk, renamed over
    `path` and the directory synced, so the rename itself survives a power cut; when it
    raises, the file is removed and `path` is untouched. A place no file can be made is a
    one-line RoteError."""
    target = Path(path)
    # Same directory: a rename is atomic only within one file system. O_EXCL with mode 0o666
    # rather than mkstemp: mkstemp's 0o600 would make every replaced file private to its
    # owner, where a plain open follows the umask.
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as error:  # a missing directory, /proc, no permission: the user's to fix
        raise RoteError(f"{target}: cannot write: {error.strerror}") from None
    try:
        yield tmp
        _sync(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync(target.parent)


def make_directory(path: str | os.PathLike[str]) -> Path:
    """Create a directory and its parents (one already there is fine); a file in the way or a
    place nothing may be created (/proc) is a one-line RoteError, not a traceback."""
    target = Path(path)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise RoteError(f"{target}: cannot create the directory: a file is in the way") from None
    except OSError as error:
        raise RoteError(f"{target}: cannot create the directory: {error.strerror}") from None
    return target


def file_target(path: str | os.PathLike[str]) -> Path:
    """The file a command will write, checked before the work that fills it: its directory is
    made, and a directory of that name is a one-line RoteError now, not a traceback at the end."""
    target = Path(path)
    if target.is_dir():
        raise RoteError(f"{target} is a directory; give a file to write")
    make_directory(target.parent)
    return target


def _sync(path: Path) -> None:
    """Flush a file's or a directory's data to disk (fsync needs a descriptor, not a path)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
