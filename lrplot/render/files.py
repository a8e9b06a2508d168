"""Where files go: checking ``--out`` targets up front and writing files atomically.

Every output is checked before anything is computed (known extension, existing writable
directory), then written to a temporary file beside its target and renamed into place only
when every output of the command has been written. A failed or interrupted command leaves
existing files untouched and no partial file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
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


def plan_outputs(outs: list[str]) -> list[Target]:
    """Check every ``--out`` value and say what format each one gets."""
    targets: list[Target] = []
    seen: set[str] = set()
    for out in outs:
        if out == STDOUT:
            target = Target(STDOUT, CSV)
        else:
            target = Target(out, format_of(out))
            _check_writable(out)
        key = out if out == STDOUT else os.path.realpath(out)
        if key in seen:
            raise LrplotError(f"--out {out}: given twice")
        seen.add(key)
        targets.append(target)
    return targets


def _check_writable(path: str) -> None:
    if os.path.isdir(path):
        raise LrplotError(f"--out {path}: is a directory; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise LrplotError(f"--out {path}: directory {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LrplotError(f"--out {path}: directory {folder} is not writable")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise LrplotError(f"--out {path}: file exists and is not writable")


Writer = Callable[[BinaryIO], None]


def write_all(jobs: list[tuple[str, Writer]]) -> None:
    """Write each (path, writer) to a temporary file, then rename them all into place."""
    done: list[tuple[str, str]] = []
    path = ""
    try:
        for path, write in jobs:
            folder = os.path.dirname(os.path.abspath(path))
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part",
                                       dir=folder)
            done.append((tmp, path))
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


def _discard(temps: list[tuple[str, str]]) -> None:
    for tmp, _ in temps:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
