"""Where files go: checking ``--out`` targets up front and writing files atomically.

Every output is checked before anything is computed (known extension, existing writable
directory, a regular file or a new name, not one of the command's inputs), then written to a
temporary file beside its target and renamed into place only when every output of the
command has been written. A failed or interrupted command leaves existing files untouched
and no partial file behind. An ``--out`` that is a symlink keeps the link: its target is
replaced, as ``cp`` and editors do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from lrplot.errors import LrplotError
from lrplot.render.formats import CSV, OutputFormat, format_of

STDOUT = "-"


@dataclass(frozen=True)
class Target:
    path: str
    fmt: OutputFormat

    @property
    def is_figure(self) -> bool:
        return self.fmt.figure


def plan_outputs(outs: list[str], inputs: Sequence[str] = ()) -> list[Target]:
    """Check every ``--out`` value and say what format each one gets; *inputs* are the files
    the command reads, which no output may replace."""
    targets: list[Target] = []
    seen: set[str] = set()
    for out in outs:
        if out == STDOUT:
            target = Target(STDOUT, CSV)
        else:
            target = Target(out, format_of(out))
            _check_writable(out)
            _refuse_inputs(out, inputs)
        key = out if out == STDOUT else os.path.realpath(out)
        if key in seen:
            raise LrplotError(f"--out {out}: given twice")
        seen.add(key)
        targets.append(target)
    return targets


def destination(path: str) -> str:
    """The file an output *path* replaces: a symlink's target, else *path* itself."""
    return os.path.realpath(path) if os.path.islink(path) else path


def _check_writable(path: str) -> None:
    real = destination(path)
    if os.path.isdir(real):
        raise LrplotError(f"--out {path}: is a directory; give a file name")
    if os.path.exists(real) and not stat.S_ISREG(os.stat(real).st_mode):
        raise LrplotError(f"--out {path}: is not a regular file (a device, FIFO or socket); "
                          "give a file name")
    folder = os.path.dirname(os.path.abspath(real))
    if not os.path.isdir(folder):
        raise LrplotError(f"--out {path}: directory {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LrplotError(f"--out {path}: directory {folder} is not writable")
    if os.path.exists(real) and not os.access(real, os.W_OK):
        raise LrplotError(f"--out {path}: file exists and is not writable")


def _refuse_inputs(path: str, inputs: Sequence[str]) -> None:
    if not os.path.exists(path):
        return
    for source in inputs:
        with contextlib.suppress(OSError):
            if os.path.samefile(path, source):
                raise LrplotError(f"--out {path}: is an input of this command ({source}); "
                                  "lrplot never overwrites its inputs: give another name")


Writer = Callable[[BinaryIO], None]


def write_all(jobs: list[tuple[str, Writer]]) -> None:
    """Write each (path, writer) to a temporary file, then rename them all into place."""
    done: list[tuple[str, str]] = []
    path = ""
    try:
        for path, write in jobs:
            real = destination(path)
            fd, tmp = _temporary(real)
            done.append((tmp, real))
            with os.fdopen(fd, "wb") as handle:
                write(handle)
            os.chmod(tmp, 0o666 & ~_umask())
        for tmp, path in done:
            os.replace(tmp, path)
    except OSError as err:
        _discard(done)
        raise LrplotError(f"--out {path}: cannot write ({err.strerror or err})") from None
    except BaseException:
        _discard(done)
        raise


def _temporary(real: str) -> tuple[int, str]:
    """A new private file beside *real*, as tempfile.mkstemp makes one (without importing
    tempfile and random at start-up). Short names: a 250-character output name must still
    leave room."""
    folder = os.path.dirname(os.path.abspath(real))
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(
        os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{os.path.basename(real)[:32]}.{os.urandom(4).hex()}.part")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name", folder)


def _discard(temps: list[tuple[str, str]]) -> None:
    for tmp, _ in temps:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
