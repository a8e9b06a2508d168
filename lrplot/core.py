"""The evaluated object every part of lrplot passes around: a :class:`Schedule`.

A schedule maps an integer array of global steps to a float64 array of learning rates, with
row ``t`` meaning *the lr the optimizer uses at its t-th step* (the README's step convention,
the one rule of the whole package). It also
carries what renderers need besides the numbers: a label, a natural length, marked events
(warmup end, restarts, reductions) and, for plateau schedules, the metric that drove it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from lrplot.errors import LrplotError
from lrplot.limits import DEFAULT_STEPS, EVALUATION_CHUNK, MAX_STEPS, check_finite
from lrplot.text import plain_text


@dataclass(frozen=True)
class Event:
    """Something worth marking on a plot or listing in a table, at a global step."""

    step: float
    kind: str  # "warmup end", "restart", "cycle", "phase", "reduction", "milestone"


def _no_events(n: int) -> list[Event]:
    return []


@dataclass(frozen=True)
class Series:
    """A metric series computed on demand (the synthetic loss): ``at(steps)`` gives the
    values at steps in ``0..length-1``, so a long one is never held whole.

    It slices like an array (``series[w:]`` is another Series) and converts to one with
    ``np.asarray`` (for short series only); :func:`series_chunk` and :func:`series_at`
    read either kind.
    """

    length: int
    at: Callable[[np.ndarray], np.ndarray]

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice) and key.step in (None, 1):
            start, stop, _ = key.indices(self.length)
            at = self.at
            return Series(max(stop - start, 0), lambda steps: at(steps + start))
        return np.asarray(self)[key]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self.at(np.arange(self.length, dtype=np.int64)),
                          dtype=dtype or np.float64)


def series_chunk(metric: Any, start: int, stop: int) -> np.ndarray:
    """Values start..stop-1 of a metric array or :class:`Series`."""
    if isinstance(metric, Series):
        return np.asarray(metric.at(np.arange(start, min(stop, metric.length),
                                              dtype=np.int64)), dtype=np.float64)
    return np.asarray(metric[start:stop], dtype=np.float64)


def series_at(metric: Any, steps: np.ndarray) -> np.ndarray:
    """The metric at *steps* (each below its length), array or :class:`Series`."""
    if isinstance(metric, Series):
        return np.asarray(metric.at(steps), dtype=np.float64)
    return np.asarray(metric, dtype=np.float64)[steps]


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule ready to evaluate.

    ``fn`` takes an int64 array of global steps (each ≥ 0) and returns float64 learning
    rates of the same shape. ``length`` is the schedule's natural length in steps (None for
    schedules without an end). ``events(n)`` lists the events in steps ``0..n-1``.
    """

    label: str
    fn: Callable[[np.ndarray], np.ndarray]
    length: int | None = None
    events: Callable[[int], list[Event]] = _no_events
    name: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    metric: np.ndarray | Series | None = None
    metric_label: str = "metric"

    def __post_init__(self) -> None:
        # Every label passes here, whatever made the schedule: one place to make it writable.
        object.__setattr__(self, "label", plain_text(self.label))
        object.__setattr__(self, "metric_label", plain_text(self.metric_label))

    def __call__(self, steps: Any) -> np.ndarray:
        arr = np.asarray(steps, dtype=np.int64)
        # Overflow shows up as inf in the result, which callers check; no stray warnings.
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            return np.asarray(self.fn(arr), dtype=np.float64)

    def values(self, n: int) -> np.ndarray:
        """The lr for steps 0..n-1, evaluated a chunk of steps at a time."""
        if n <= EVALUATION_CHUNK:
            return self(np.arange(n, dtype=np.int64))
        out = np.empty(n, dtype=np.float64)
        for start in range(0, n, EVALUATION_CHUNK):
            stop = min(n, start + EVALUATION_CHUNK)
            out[start:stop] = self(np.arange(start, stop, dtype=np.int64))
        return out

    def with_label(self, label: str) -> Schedule:
        return replace(self, label=label)

    def checked_values(self, n: int) -> np.ndarray:
        """:meth:`values`, refused with a one-line error if any lr is not finite."""
        values = self.values(n)
        check_finite(self.label, values)
        return values

    def plot(self, ax: Any = None, *, steps: int | None = None, **options: Any) -> Any:
        """Draw this schedule on a matplotlib Axes (a new figure's when *ax* is None).

        Returns the Axes, as pandas' ``plot`` does, so notebooks can keep styling it.
        """
        from lrplot.render.figures import draw_on_axes  # matplotlib only when drawn

        return draw_on_axes(ax, [self], natural_steps([self], steps), **options)


def natural_steps(schedules: Sequence[Schedule], requested: int | None) -> int:
    """How many steps to show: what was asked for, else the longest natural length, else 100."""
    if requested is not None:
        return requested
    lengths = [s.length for s in schedules if s.length]
    if not lengths:
        return DEFAULT_STEPS
    longest = max(lengths)
    if longest > MAX_STEPS:
        # Name the schedule: the user never typed this length, its parameters imply it.
        culprit = next(s for s in schedules if s.length == longest)
        raise LrplotError(
            f"{culprit.label}: its natural length is {longest} steps, over the limit of "
            f"{MAX_STEPS}; give --steps N (at most {MAX_STEPS}) to show part of it"
        )
    return longest


def stepwise_changes(values: Any, limit: int = 64) -> np.ndarray | None:
    """Steps where a piecewise-constant schedule changes value, or None if it is not stepwise.

    A schedule counts as stepwise when it changes value at most *limit* times; smooth curves
    change at (almost) every step.
    """
    if isinstance(values, Column) and limit == CHANGE_LIMIT:
        return values.scan.changes
    if isinstance(values, Column):
        values = np.asarray(values)
    if values.size < 2:
        return np.zeros(0, dtype=np.int64)
    differs = values[1:] != values[:-1]
    if np.count_nonzero(differs) > limit:  # count first: listing every step costs 8 B each
        return None
    return np.flatnonzero(differs) + 1


@dataclass(frozen=True)
class Scan:
    """What one pass over a column finds: its extremes, peak, total, last value and the
    steps where it changes (None past the limit: not a staircase)."""

    min: float
    max: float
    min_positive: float  # inf when no value is > 0
    argmax: int
    total: float
    final: float
    changes: np.ndarray | None


CHANGE_LIMIT = 64


class Column:
    """One schedule's lr at steps ``0..n-1``, evaluated a chunk at a time as it is read.

    Nothing is held whole: a slice or a step is evaluated when read and checked finite
    (:func:`~lrplot.limits.check_finite`'s one error, at the first bad step), ``len`` is n,
    ``np.asarray(column)`` is every value (short runs only), and the numbers a summary
    needs come from one pass over the chunks (:attr:`scan`), kept. Stats and renderers
    accept a Column wherever they take an array of lrs.
    """

    def __init__(self, schedule: Schedule, n: int, chunk: int = EVALUATION_CHUNK,
                 keep: bool = False) -> None:
        self.schedule, self.n, self.chunk, self.keep = schedule, n, chunk, keep
        self._kept: np.ndarray | None = None  # with keep: every value, from the scan on
        self._scan: Scan | None = None
        self._after: dict[float, tuple[int | None, int]] = {}

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, key: Any) -> Any:
        if self._kept is not None:
            return self._kept[key]
        if isinstance(key, slice):
            start, stop, stride = key.indices(self.n)
            if stride != 1:
                return np.asarray(self)[key]
            return self._read(np.arange(start, max(start, stop), dtype=np.int64), start)
        if isinstance(key, (int, np.integer)):
            step = int(key) + (self.n if key < 0 else 0)
            if not 0 <= step < self.n:
                raise IndexError(f"step {int(key)} is outside 0..{self.n - 1}")
            return self._read(np.array([step], dtype=np.int64), step)[0]
        steps = np.asarray(key, dtype=np.int64)
        values = self.schedule(steps)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            check_finite(self.schedule.label, values[bad[:1]], int(steps.ravel()[bad[0]]))
        return values

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        values = self._kept if self._kept is not None else self.schedule.checked_values(self.n)
        return np.asarray(values, dtype=dtype or np.float64)

    def _read(self, steps: np.ndarray, first: int) -> np.ndarray:
        values = self.schedule(steps)
        check_finite(self.schedule.label, values, first)
        return values

    def chunks(self) -> Any:
        """(first step, values) for each chunk of the run, in order."""
        for start in range(0, self.n, self.chunk):
            yield start, self[start:start + self.chunk]

    @property
    def scan(self) -> Scan:
        if self._scan is None:
            if self.keep:  # a short run: evaluated once, read from memory after
                self._kept = np.asarray(self)
            self._scan = _scan(self.chunks())
        return self._scan

    def check(self) -> None:
        """Raise the finite-lr error now if any lr is not finite (one pass, kept)."""
        self.scan  # noqa: B018

    def argmax(self, axis: Any = None, out: Any = None) -> int:
        return self.scan.argmax

    def min(self, axis: Any = None, out: Any = None) -> float:
        return self.scan.min

    def max(self, axis: Any = None, out: Any = None) -> float:
        return self.scan.max

    def sum(self, axis: Any = None, out: Any = None) -> float:
        return self.scan.total

    def mean(self, axis: Any = None, out: Any = None) -> float:
        return self.scan.total / self.n

    def past_peak(self, fractions: Sequence[float]) -> tuple[list[int | None], int]:
        """One more pass: for each fraction f, the first step after the peak whose lr is
        below f·peak, and how many steps have an lr of at least fractions[0]·peak."""
        scan = self.scan
        bounds = [f * scan.max for f in fractions]
        firsts: list[int | None] = [None] * len(bounds)
        count = 0
        for start, values in self.chunks():
            count += int(np.count_nonzero(values >= bounds[0]))
            skip = max(scan.argmax - start, 0)
            for index, bound in enumerate(bounds):
                if firsts[index] is None and skip < len(values):
                    below = np.flatnonzero(values[skip:] < bound)
                    firsts[index] = start + skip + int(below[0]) if below.size else None
        return firsts, count


def _scan(chunks: Any) -> Scan:
    low, high, positive, total = math.inf, -math.inf, math.inf, 0.0
    peak_step, final = 0, math.nan
    changes: list[np.ndarray] | None = []
    count = 0
    for start, values in chunks:
        if not values.size:
            continue
        top = int(np.argmax(values))
        if values[top] > high:  # the first step of the highest value, as np.argmax
            high, peak_step = float(values[top]), start + top
        low = min(low, float(values.min()))
        positive = min(positive, float(np.min(values, where=values > 0, initial=math.inf)))
        total += float(values.sum())
        if changes is not None:  # past the limit it is no staircase: stop looking
            differs = np.flatnonzero(values[1:] != values[:-1]) + 1 + start
            if start and values[0] != final:
                differs = np.concatenate(([start], differs))
            count += differs.size
            changes = [*changes, differs] if count <= CHANGE_LIMIT else None
        final = float(values[-1])
    found = None if changes is None else np.concatenate(changes or [np.zeros(0, np.int64)])
    return Scan(low, high, positive, peak_step, total, final,
                None if found is None else found.astype(np.int64))
