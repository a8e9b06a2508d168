"""The evaluated object every part of lrplot passes around: a :class:`Schedule`.

A schedule maps an integer array of global steps to a float64 array of learning rates, with
row ``t`` meaning *the lr the optimizer uses at its t-th step* (the README's step convention,
the one rule of the whole package). It also
carries what renderers need besides the numbers: a label, a natural length, marked events
(warmup end, restarts, reductions) and, for plateau schedules, the metric that drove it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from lrplot.errors import LrplotError
from lrplot.limits import DEFAULT_STEPS, EVALUATION_CHUNK, MAX_STEPS, check_finite


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


def stepwise_changes(values: np.ndarray, limit: int = 64) -> np.ndarray | None:
    """Steps where a piecewise-constant schedule changes value, or None if it is not stepwise.

    A schedule counts as stepwise when it changes value at most *limit* times; smooth curves
    change at (almost) every step.
    """
    if values.size < 2:
        return np.zeros(0, dtype=np.int64)
    differs = values[1:] != values[:-1]
    if np.count_nonzero(differs) > limit:  # count first: listing every step costs 8 B each
        return None
    return np.flatnonzero(differs) + 1
