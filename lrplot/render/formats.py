"""One way out: the table of output formats, by file extension.

Each :class:`OutputFormat` says whether it is binary or text, whether it is a figure (drawn
from the schedules' per-pixel envelope, not from every value), and which function writes a
:class:`~lrplot.view.View` of schedules or a :class:`~lrplot.simulate.Simulation` into an
open binary handle. The writers import their renderer on first use, so a CSV never loads
matplotlib. The CLI and :func:`lrplot.save` both go through this table; a new format is one
renderer module and one entry here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from lrplot.errors import LrplotError

Writer = Callable[[BinaryIO, Any, str], None]  # (handle, result, format name)


def _figure(handle: BinaryIO, result: Any, fmt: str) -> None:
    from lrplot.render import figures

    figures.write(handle, result, fmt)


def _csv(handle: BinaryIO, result: Any, fmt: str) -> None:
    from lrplot.render import data

    data.write_result_csv(handle, result)


def _json(handle: BinaryIO, result: Any, fmt: str) -> None:
    from lrplot.render import data

    data.write_result_json(handle, result)


def _keras(handle: BinaryIO, result: Any, fmt: str) -> None:
    from lrplot.dialects.keras import write_view

    write_view(handle, result)


def _keras_check(result: Any, path: str) -> None:
    from lrplot.dialects.keras import check_view

    check_view(result, path)


@dataclass(frozen=True)
class OutputFormat:
    """An output format: its name and suffix, what it is and what writes it."""

    name: str
    suffix: str
    binary: bool
    figure: bool
    write: Writer
    kinds: frozenset[str] = frozenset({"schedules", "simulation"})
    check: Callable[[Any, str], None] | None = None  # refusals known before writing

    def writer(self, result: Any, path: str) -> Callable[[BinaryIO], None]:
        """A function writing *result* into a handle, refused now if this format cannot."""
        if result.kind not in self.kinds:
            allowed = " ".join(f.suffix for f in FORMATS if result.kind in f.kinds)
            raise LrplotError(f"--out {path}: {self.name} output is not available for a "
                              f"{result.kind.replace('schedules', 'schedule')} (use {allowed})")
        if self.check is not None:
            self.check(result, path)

        def write(handle: BinaryIO) -> None:
            self.write(handle, result, self.name)

        return write


# Longest suffix first, so 'x.keras.json' is not mistaken for plain JSON.
FORMATS: tuple[OutputFormat, ...] = (
    OutputFormat("keras.json", ".keras.json", binary=False, figure=False, write=_keras,
                 kinds=frozenset({"schedules"}), check=_keras_check),
    OutputFormat("png", ".png", binary=True, figure=True, write=_figure),
    OutputFormat("svg", ".svg", binary=False, figure=True, write=_figure),
    OutputFormat("pdf", ".pdf", binary=True, figure=True, write=_figure),
    OutputFormat("csv", ".csv", binary=False, figure=False, write=_csv),
    OutputFormat("json", ".json", binary=False, figure=False, write=_json),
)
CSV = next(f for f in FORMATS if f.name == "csv")


def format_of(path: str) -> OutputFormat:
    """The format *path*'s extension names, or an error listing the allowed ones."""
    lower = path.lower()
    for fmt in FORMATS:
        if lower.endswith(fmt.suffix) and len(lower) > len(fmt.suffix):
            return fmt
    _, ext = os.path.splitext(path)
    allowed = " ".join(f.suffix for f in FORMATS if f.name != "keras.json")
    what = f"unknown extension {ext!r}" if ext else "no extension"
    raise LrplotError(f"--out {path}: {what}; allowed: {allowed}, or - for CSV on stdout")
