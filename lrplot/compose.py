"""Composite schedules built from other schedules: ``sequence`` and ``chain``.

Both are pure numpy over whole step arrays (one pass per part, never one per step), take
finished :class:`Schedule` objects and return one, so they nest freely: a sequence of chains,
a chain containing a sequence, and so on. Config files reach them through ``name =
"sequence"`` / ``name = "chain"`` tables with ``parts`` (see :mod:`lrplot.config`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from lrplot.errors import LrplotError
from lrplot.schedule import Event, Schedule


def check_boundaries(boundaries: Sequence[int], parts: int, owner: str = "sequence") -> None:
    """Raise unless *boundaries* fit *parts* parts: one fewer, each ≥ 1, strictly increasing."""
    if parts < 1:
        raise LrplotError(f"{owner}: parts must hold at least one schedule")
    if len(boundaries) != parts - 1:
        raise LrplotError(
            f"{owner}: boundaries needs exactly one entry fewer than parts (got {parts} parts "
            f"and {len(boundaries)} boundaries {list(boundaries)})"
        )
    if boundaries and boundaries[0] < 1:
        raise LrplotError(f"{owner}: boundaries must be ≥ 1, got {list(boundaries)}")
    if any(b >= c for b, c in pairwise(boundaries)):
        raise LrplotError(f"{owner}: boundaries must increase strictly, got {list(boundaries)}")


def sequence(parts: Sequence[Schedule], boundaries: Sequence[int],
             label: str = "sequence") -> Schedule:
    """Parts joined at *boundaries*, each part restarting at its own step 0.

    Part ``k`` runs on global steps ``boundaries[k-1] <= t < boundaries[k]`` and sees local
    step ``t - boundaries[k-1]`` (optax ``join_schedules``, torch ``SequentialLR``), so a
    cosine part starts again from its peak whatever the previous part ended at. The last part
    runs forever. Natural length: the last boundary plus the last part's length; when the last
    part has no end, the last boundary plus the length of the segment before it (so it shows
    as long as its predecessor). Events: each join (``"phase"``) and every part's own events
    inside its segment.
    """
    parts = list(parts)
    starts = [0, *(int(b) for b in boundaries)]
    check_boundaries(starts[1:], len(parts))
    cuts = np.asarray(starts[1:], dtype=np.int64)

    def fn(steps: np.ndarray) -> np.ndarray:
        which = np.searchsorted(cuts, steps, side="right")
        out = np.empty(steps.shape, dtype=np.float64)
        for index, (part, start) in enumerate(zip(parts, starts)):
            here = which == index
            if here.any():
                out[here] = part(steps[here] - start)
        return out

    def events(n: int) -> list[Event]:
        found: list[Event] = []
        ends = [*starts[1:], None]
        for index, (part, start, end) in enumerate(zip(parts, starts, ends)):
            if start >= n:
                break
            if index:
                found.append(Event(start, "phase"))
            stop = n if end is None else min(end, n)
            found += [Event(start + e.step, e.kind) for e in part.events(stop - start)
                      if 0 <= e.step < stop - start]
        return found

    last = parts[-1].length
    if last is None:
        last = starts[-1] - starts[-2] if len(starts) > 1 else None
    length = None if last is None else starts[-1] + last
    metric = _joined_metric(parts, starts)
    return Schedule(
        label=label, fn=fn, length=length, events=events, name="sequence",
        params={"boundaries": tuple(starts[1:]), "parts": tuple(p.label for p in parts)},
        metric=metric, metric_label=_metric_label(parts),
    )


def chain(parts: Sequence[Schedule], label: str = "chain") -> Schedule:
    """The product of the parts' values at every step, like torch ``ChainedScheduler``.

    All parts see the same global step. Give one part the learning rate and make the others
    factors around 1: ``constant:lr=1,warmup=500`` is a 0→1 warmup multiplier,
    ``step:lr=1,step_size=1000,gamma=0.5`` halves whatever it multiplies every 1000 steps.
    Natural length: the longest part's; events: every part's.
    """
    parts = list(parts)
    if not parts:
        raise LrplotError("chain: parts must hold at least one schedule")

    def fn(steps: np.ndarray) -> np.ndarray:
        out = np.ones(steps.shape, dtype=np.float64)
        for part in parts:
            out *= part(steps)
        return out

    def events(n: int) -> list[Event]:
        seen = {(e.step, e.kind): e for part in parts for e in part.events(n)}
        return sorted(seen.values(), key=lambda e: e.step)

    lengths = [p.length for p in parts if p.length is not None]
    metric_part = next((p for p in parts if p.metric is not None), None)
    return Schedule(
        label=label, fn=fn, length=max(lengths) if lengths else None, events=events,
        name="chain", params={"parts": tuple(p.label for p in parts)},
        metric=None if metric_part is None else metric_part.metric,
        metric_label=_metric_label(parts),
    )


def _joined_metric(parts: list[Schedule], starts: list[int]) -> np.ndarray | None:
    """The metric on global steps: each metric-driven part's series placed at its segment.

    Steps no part's metric covers are NaN, which plots as a gap.
    """
    if all(p.metric is None for p in parts):
        return None
    pieces = []
    for index, (part, start) in enumerate(zip(parts, starts)):
        end = starts[index + 1] if index + 1 < len(starts) else None
        if part.metric is None:
            size = (end - start) if end is not None else 0
            pieces.append(np.full(size, np.nan))
        else:
            own = np.asarray(part.metric, dtype=np.float64)
            pieces.append(own if end is None else _fit(own, end - start))
    return np.concatenate(pieces)


def _fit(values: np.ndarray, size: int) -> np.ndarray:
    if len(values) >= size:
        return values[:size]
    return np.concatenate([values, np.full(size - len(values), np.nan)])


def _metric_label(parts: list[Schedule]) -> str:
    return next((p.metric_label for p in parts if p.metric is not None), "metric")
