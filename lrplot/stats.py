"""Numbers about evaluated schedules: summaries and the steps worth showing in a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lrplot.core import Column, Event, stepwise_changes


@dataclass(frozen=True)
class Summary:
    peak: float
    peak_step: int
    final: float
    min: float
    mean: float
    total: float  # sum of lr over all steps: the 'area' a run gets
    below_half: int | None  # first step after the peak below 50% of peak
    below_tenth: int | None  # first step after the peak below 10% of peak
    above_half: int  # how many steps run at ≥ 50% of peak


# Points of the run where a comparison shows every schedule's lr.
COMPARE_FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)


def summarize(values: np.ndarray | Column) -> Summary:
    if isinstance(values, Column):
        return _summarize_column(values)
    peak_step = int(np.argmax(values))
    peak = float(values[peak_step])
    after = values[peak_step:]
    return Summary(
        peak=peak,
        peak_step=peak_step,
        final=float(values[-1]),
        min=float(values.min()),
        mean=float(values.mean()),
        total=float(values.sum()),
        below_half=_first_below(after, 0.5 * peak, peak_step),
        below_tenth=_first_below(after, 0.1 * peak, peak_step),
        above_half=int(np.count_nonzero(values >= 0.5 * peak)),
    )


def _summarize_column(column: Column) -> Summary:
    """:func:`summarize` in passes over the chunks: one for the scan, one past the peak."""
    scan = column.scan
    (below_half, below_tenth), above_half = column.past_peak((0.5, 0.1))
    return Summary(
        peak=scan.max, peak_step=scan.argmax, final=scan.final, min=scan.min,
        mean=scan.total / len(column), total=scan.total, below_half=below_half,
        below_tenth=below_tenth, above_half=above_half,
    )


def fraction_step(fraction: float, n: int) -> int:
    """The step at *fraction* of a run of n steps: 0 → step 0, 1 → the last step n-1."""
    return round(fraction * (n - 1))


def at_fractions(values: np.ndarray,
                 fractions: Sequence[float] = COMPARE_FRACTIONS) -> list[tuple[int, float]]:
    """(step, lr) at each fraction of the run."""
    n = len(values)
    return [(step, float(values[step])) for step in (fraction_step(f, n) for f in fractions)]


def _first_below(after: np.ndarray, bound: float, offset: int) -> int | None:
    below = after < bound
    first = int(np.argmax(below))  # not flatnonzero: that lists every such step
    return first + offset if below[first] else None


def isolated(changes: np.ndarray) -> np.ndarray:
    """The change points with no change at the step before or after: the steps of a
    staircase, not every step of a short ramp (a 30-step linear decay changes 30 times)."""
    if changes.size < 2:
        return changes
    gaps = np.diff(changes)
    alone = np.ones(changes.size, dtype=bool)
    alone[1:] &= gaps > 1
    alone[:-1] &= gaps > 1
    return changes[alone]


def _change_points(columns: Sequence[np.ndarray]) -> list[int]:
    """The isolated steps where a stepwise column changes, column after column."""
    points: list[int] = []
    for values in columns:
        changes = stepwise_changes(values)
        if changes is not None:
            points += isolated(changes).tolist()
    return points


def sample_steps(
    columns: Sequence[np.ndarray], events: Sequence[Sequence[Event]], n: int,
    rows: int = 16, limit: int = 40,
) -> list[tuple[int, str]]:
    """Steps for a terminal table, each with a note: ends, peaks, events, change points,
    and evenly spaced steps to fill up to *rows*; at most *limit* rows."""
    notes: dict[int, str] = {}

    def add(step: int, note: str) -> None:
        if 0 <= step < n and (step not in notes or not notes[step]):
            notes[step] = note

    add(0, "start")
    add(n - 1, "end")
    for values in columns:
        add(int(np.argmax(values)), "peak")
    # Each event or change shows with the step before it, so the jump itself can be read.
    marked = [(int(np.ceil(event.step)), event.kind) for found in events for event in found]
    marked += [(step, "change") for step in _change_points(columns)]
    for step, note in marked:
        if len(notes) >= limit:
            break
        add(step - 1, "")
        add(step, note)
    spare = max(rows - len(notes), 0)
    if spare:
        for step in np.linspace(0, n - 1, spare + 2).round().astype(int).tolist():
            add(step, "")
    return sorted(notes.items())[: max(limit, 2)]
