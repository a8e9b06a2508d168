"""What an output shows: a :class:`View` of schedules over a run, and how figures look.

A view is the one bundle every renderer consumes (CSV, JSON, figures, the terminal), in the
way sqlite-utils passes one output-options bundle to one consumer. Its numbers are evaluated
once, on first use, with the single finite-lr check (:meth:`lrplot.core.Schedule.checked_values`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from lrplot.core import Column, Schedule, natural_steps
from lrplot.errors import LrplotError
from lrplot.render.style import THEMES as FIGURE_THEMES
from lrplot.run import check_steps
from lrplot.text import plain_text

DPI_RANGE = (20, 1200)
SIZE_RANGE = (1.0, 50.0)
MAX_PIXELS = 400_000_000  # figure width × height × dpi²: a 20 000 × 20 000 PNG
THEMES = tuple(FIGURE_THEMES)
LAYOUTS = ("overlay", "grid", "both")
# Up to this many lrs in all (128 MB) a view keeps its columns once scanned, so outputs read
# each schedule once; longer runs are evaluated again chunk by chunk as they are written.
KEPT_CELLS = 1 << 24


@dataclass(frozen=True)
class Look:
    """How figures look: resolution, size in inches (None: the figure's own) and theme."""

    dpi: int = 150
    size: tuple[float, float] | None = None
    theme: str = "light"

    def __post_init__(self) -> None:
        low, high = DPI_RANGE
        if not low <= self.dpi <= high:
            raise LrplotError(f"--dpi must be an integer in [{low}, {high}], got {self.dpi}")
        if self.theme not in THEMES:
            raise LrplotError(f"--theme must be one of {', '.join(THEMES)}, got {self.theme!r}")
        if self.size is not None:
            width, height = self.size
            if width * height * self.dpi * self.dpi > MAX_PIXELS:
                raise LrplotError(f"--size {width:g}x{height:g} at --dpi {self.dpi} is over "
                                  f"{MAX_PIXELS:_} pixels; use a smaller size or dpi")

    @classmethod
    def parse(cls, dpi: int = 150, size: str | None = None, theme: str = "light") -> Look:
        """From command-line text: ``--size 8x4.5``."""
        return cls(dpi, parse_size(size) if size is not None else None, theme)


def parse_size(text: str) -> tuple[float, float]:
    width, sep, height = text.lower().partition("x")
    low, high = SIZE_RANGE
    try:
        parsed = (float(width), float(height)) if sep else None
    except ValueError:
        parsed = None
    if parsed is None or not all(low <= v <= high for v in parsed):
        raise LrplotError(f"--size must be WIDTHxHEIGHT in inches, each in [{low:g}, "
                          f"{high:g}] (e.g. 8x4.5), got {text!r}")
    return parsed


@dataclass
class View:
    """Schedules over steps 0..n-1, and everything an output needs to show them.

    ``layout`` None draws one overlay (``plot``); ``overlay``, ``grid`` or ``both`` make it a
    comparison (``compare``): a compare figure and a comparison table in the terminal.
    """

    schedules: list[Schedule]
    n: int
    title: str | None = None
    log: bool = False
    steps_per_epoch: int | None = None
    look: Look = field(default_factory=Look)
    layout: str | None = None
    legend_title: str | None = None
    sequential: bool = False
    sweep_shape: tuple[int, ...] = ()
    inputs: tuple[str, ...] = ()  # the files the schedules came from: never an --out
    kind = "schedules"

    def __post_init__(self) -> None:
        # Titles from the command line, files and callers alike (labels: Schedule).
        self.title = self.title and plain_text(self.title)
        self.legend_title = self.legend_title and plain_text(self.legend_title)
        check_steps(self.n, "the number of steps")
        if self.steps_per_epoch is not None and self.steps_per_epoch < 1:
            raise LrplotError(f"--steps-per-epoch must be an integer ≥ 1, got "
                              f"{self.steps_per_epoch}")
        if self.layout is not None and self.layout not in LAYOUTS:
            raise LrplotError(f"--layout must be one of {', '.join(LAYOUTS)}, got "
                              f"{self.layout!r}")

    @classmethod
    def of(cls, schedules: Sequence[Schedule], steps: int | None = None,
           **options: object) -> View:
        """A view of *schedules* over *steps* (default: their natural length, else 100)."""
        return cls(list(schedules), natural_steps(list(schedules), steps), **options)  # type: ignore[arg-type]

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.schedules]

    @cached_property
    def columns(self) -> list[Column]:
        """Each schedule's lr at steps 0..n-1, read a chunk at a time (checked finite as it
        is read): outputs stream them, so memory does not grow with the steps."""
        keep = self.n * len(self.schedules) <= KEPT_CELLS
        return [Column(s, self.n, keep=keep) for s in self.schedules]

    def check(self) -> None:
        """Raise the finite-lr error before anything is written, if there is one."""
        for column in self.columns:
            column.check()

    def arrays(self) -> list[np.ndarray]:
        """Each schedule's lr at steps 0..n-1 as one array, checked finite (short runs)."""
        return [np.asarray(column) for column in self.columns]

    @property
    def is_comparison(self) -> bool:
        return self.layout is not None
