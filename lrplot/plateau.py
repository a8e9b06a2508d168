"""ReduceLROnPlateau replayed on a metric series, and a synthetic metric to show it without one.

This is the one stateful schedule: the lr at step t+1 depends on every metric seen up to
step t, so it is a loop over the metric (not over the steps to plot).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import astuple, dataclass
from typing import Any

import numpy as np

from lrplot.core import Series, series_chunk
from lrplot.limits import EVALUATION_CHUNK
from lrplot.params import CHOICE, FLOAT, INT, Param

# torch ReduceLROnPlateau's parameters, shared by the plateau family and the torch./hf.
# dialects (their lr parameter is their own).
PLATEAU_PARAMS = (
    Param("mode", CHOICE, "min", "lower (min) or higher (max) metric is better",
          choices=("min", "max")),
    Param("factor", FLOAT, 0.1, "multiply the lr by this on a plateau", low=0, high=1,
          high_open=True),
    Param("patience", INT, 10, "bad observations tolerated before a cut", low=0),
    Param("threshold", FLOAT, 1e-4, "how much better counts as better"),
    Param("threshold_mode", CHOICE, "rel", "relative or absolute threshold",
          choices=("rel", "abs")),
    Param("cooldown", INT, 0, "observations ignored after a cut", low=0),
    Param("min_lr", FLOAT, 0.0, "floor of the lr", low=0),
    Param("eps", FLOAT, 1e-8, "cuts smaller than this are skipped", low=0),
)
PLATEAU_NAMES = tuple(p.name for p in PLATEAU_PARAMS)
PLATEAU_NOTE = ("Reads --metric FILE[:COLUMN] (metric[t] is observed after step t); without "
                "one it replays a built-in synthetic loss curve.")


def reduce_on_plateau(
    metric: Any,
    *,
    lr: float,
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: str = "rel",
    mode: str = "min",
    cooldown: int = 0,
    min_lr: float = 0.0,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch ``ReduceLROnPlateau`` over *metric* (an array or a :class:`Series`), as the
    rows where the lr changed and the lr from each on: ``(rows, lrs)`` with ``lrs[0] = lr``.

    ``metric[t]`` is observed after step ``t``, so row ``t+1`` is the lr after that
    observation (row ``t`` holds ``lrs[searchsorted(rows, t, "right")]``). A cut happens once
    more than *patience* observations in a row were not better than the best so far;
    *cooldown* observations after a cut are not counted. The metric is read a chunk at a
    time and only the cuts are kept, so memory does not grow with its length.
    """
    settings = Settings(lr, factor, patience, threshold, threshold_mode, mode, cooldown,
                        min_lr, eps)
    if _jumps_apply(metric, settings):
        return _Jumps(settings, len(metric)).run(metric)
    return stepped_plateau(metric, settings)


@dataclass(frozen=True)
class Settings:
    lr: float
    factor: float
    patience: int
    threshold: float
    threshold_mode: str
    mode: str
    cooldown: int
    min_lr: float
    eps: float

    def bound(self, best: float) -> float:
        """torch's is_better(a, best) is ``a < bound`` (min) or ``a > bound`` (max)."""
        if self.threshold_mode == "rel":
            return best * (1.0 - self.threshold if self.mode == "min" else 1.0 + self.threshold)
        return best - self.threshold if self.mode == "min" else best + self.threshold


def stepped_plateau(metric: Any, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """:func:`reduce_on_plateau` one observation at a time, as torch steps: the reference."""
    (lr, factor, patience, threshold, threshold_mode, mode, cooldown, min_lr,
     eps) = astuple(settings)
    rows: list[int] = []
    lrs = [lr]
    current = lr
    best = math.inf if mode == "min" else -math.inf
    # torch's is_better(a, best): a < best·(1−threshold) or a < best − threshold for min,
    # a > best·(1+threshold) or a > best + threshold for max (inlined: this is the loop).
    sign = 1.0 if mode == "min" else -1.0
    relative = threshold_mode == "rel"
    scale = 1.0 - threshold if mode == "min" else 1.0 + threshold
    bad = cooling = 0
    index = 1
    for start in range(0, len(metric), EVALUATION_CHUNK):
        for value in series_chunk(metric, start, start + EVALUATION_CHUNK).tolist():
            bound = best * scale if relative else best - sign * threshold
            if (value < bound) if sign > 0 else (value > bound):
                best = value
                bad = 0
            else:
                bad += 1
            if cooling > 0:
                cooling -= 1
                bad = 0
            if bad > patience:
                reduced = max(current * factor, min_lr)
                if current - reduced > eps:
                    current = reduced
                    rows.append(index)
                    lrs.append(current)
                cooling = cooldown
                bad = 0
            index += 1
    return np.asarray(rows, dtype=np.int64), np.asarray(lrs, dtype=np.float64)




def _jumps_apply(metric: Any, settings: Settings) -> bool:
    """Whether the best-so-far only ever falls (min) or rises (max) through the bound, so
    improvements can be found by binary search (the metric must be ≥ 0 for a relative
    threshold); otherwise the reference loop runs."""
    if settings.threshold < 0 or (settings.threshold_mode == "rel" and settings.mode == "min"
                                  and settings.threshold >= 1):
        return False
    if isinstance(metric, Series):  # the synthetic loss: positive and finite
        return True
    values = np.asarray(metric, dtype=np.float64)
    if not np.isfinite(values).all():
        return False
    return settings.threshold_mode == "abs" or not values.size or float(values.min()) >= 0


class _Jumps:
    """ReduceLROnPlateau from one event to the next instead of one observation at a time.

    Whether an observation improves depends only on the best so far, never on the cuts: so
    each chunk's improvements are found by binary search on its running best (each is the
    first value past the bound of the one before), and between two improvements the cuts
    fall at fixed intervals (patience + 1 after the last reset, then cooldown + patience + 1),
    which is arithmetic. Only the cuts that change the lr are stepped, in torch's float
    operations; once a cut cannot change it (below eps or at min_lr) nothing later can, and
    the rest of the metric is not read.
    """

    def __init__(self, settings: Settings, n: int) -> None:
        self.s, self.n = settings, n
        self.best = math.inf if settings.mode == "min" else -math.inf
        self.current = settings.lr
        self.rows: list[int] = []
        self.lrs = [settings.lr]
        self.j = -1  # the last observation accounted for
        self.bad = self.cooling = 0
        self.stuck = False

    def run(self, metric: Any) -> tuple[np.ndarray, np.ndarray]:
        for start in range(0, self.n, EVALUATION_CHUNK):
            self._chunk(series_chunk(metric, start, start + EVALUATION_CHUNK), start)
            if self.stuck:
                break
        if not self.stuck:
            self._gap(self.n)
        return np.asarray(self.rows, dtype=np.int64), np.asarray(self.lrs, dtype=np.float64)

    def _chunk(self, values: np.ndarray, start: int) -> None:
        minimum = self.s.mode == "min"
        # Running best of the chunk; every value before the search point is past no bound
        # that matters, so the first running best past the bound is the next improvement.
        key = -np.minimum.accumulate(values) if minimum else np.maximum.accumulate(values)
        searches = 0
        while not self.stuck:
            bound = self.s.bound(self.best)
            k = int(np.searchsorted(key, -bound if minimum else bound, side="right"))
            if k >= len(values):
                return
            self._improved(start + k, float(values[k]))
            searches += 1
            if searches > 16 + len(values) // 32:  # improvements are dense: look at each
                self._each(values, start, k + 1)
                return

    def _each(self, values: np.ndarray, start: int, begin: int) -> None:
        minimum = self.s.mode == "min"
        for k, value in enumerate(values[begin:].tolist(), start=start + begin):
            bound = self.s.bound(self.best)
            if (value < bound) if minimum else (value > bound):
                self._improved(k, value)
                if self.stuck:
                    return

    def _improved(self, u: int, value: float) -> None:
        """Observation *u* beats the best: the gap before it, then its own step."""
        self._gap(u)
        if self.stuck:
            return
        self.best = value
        self.bad = 0
        if self.cooling > 0:
            self.cooling -= 1
        self.j = u

    def _gap(self, end: int) -> None:
        """Observations j+1 .. end-1, none better than the best."""
        s = self.s
        left = end - self.j - 1
        at = self.j
        if left <= 0:
            return
        if self.cooling:  # not counted while cooling down
            spent = min(self.cooling, left)
            self.cooling -= spent
            self.bad, at, left = 0, at + spent, left - spent
        first = at + s.patience + 1 - self.bad  # the first cut, then one a period
        if left == 0 or first > end - 1:
            self.bad += end - 1 - at
            self.j = end - 1
            return
        period = s.cooldown + s.patience + 1
        last = first + (end - 1 - first) // period * period
        for cut in range(first, last + 1, period):
            reduced = max(self.current * s.factor, s.min_lr)
            if not self.current - reduced > s.eps:
                self.stuck = True  # the same cut every time from now on
                return
            self.current = reduced
            self.rows.append(cut + 1)
            self.lrs.append(reduced)
        after = end - 1 - last
        self.cooling, self.bad = max(s.cooldown - after, 0), max(after - s.cooldown, 0)
        self.j = end - 1


def synthetic_metric(n: int) -> Series:
    """A deterministic validation-loss curve of length *n* with three plateaus.

    Each quarter of the run drops quickly and then flattens out (creeping up a little, with a
    small fixed wiggle), so that ReduceLROnPlateau has something to react to at any length.
    It is a :class:`~lrplot.core.Series`: computed a chunk of steps at a time, never held.
    """
    return Series(n, lambda steps: synthetic_loss(steps, n))


def synthetic_loss(steps: np.ndarray, n: int) -> np.ndarray:
    """:func:`synthetic_metric`'s values at *steps* of a run of *n*."""
    t = np.asarray(steps, dtype=np.float64) / max(n, 1)
    quarter = np.minimum(np.floor(t * 4), 3)
    within = t * 4 - quarter
    level = 2.0 * 0.55**quarter
    drop = 0.45 * level * np.exp(-within * 40.0)
    # A slight upward drift (mild overfitting) plus a fixed wiggle: once the drop is over,
    # no step beats the best so far, so each flat stretch is a real plateau.
    drift = 0.03 * level * within
    wiggle = 0.002 * level * (1.0 + np.sin(np.asarray(steps) * 2.3999632297))
    return level * 0.55 + drop + drift + wiggle


# The trace is a Python loop over the whole metric, and a schedule is evaluated a chunk of
# steps at a time (and again for its events): remember the last few traces (a few cuts
# each), keyed by the metric object itself and the settings.
_TRACES: list[tuple[Any, tuple[tuple[str, Any], ...], tuple[np.ndarray, np.ndarray]]] = []


def plateau_trace(values: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`reduce_on_plateau`'s ``(rows, lrs)`` for validated *values* (lr, metric and
    :data:`PLATEAU_PARAMS`), computed once per metric and settings."""
    metric = values["metric"]
    settings = tuple((name, values[name]) for name in ("lr", *PLATEAU_NAMES))
    for seen, seen_settings, trace in _TRACES:
        if seen is metric and seen_settings == settings:
            return trace
    trace = reduce_on_plateau(metric, **dict(settings))
    _TRACES[:] = [*_TRACES[-7:], (metric, settings, trace)]
    return trace


def plateau_lr(steps: np.ndarray, values: Mapping[str, Any]) -> np.ndarray:
    """Row t is the lr after t observations; the last lr holds after the metric ends."""
    rows, lrs = plateau_trace(values)
    return lrs[np.searchsorted(rows, steps, side="right")]


def plateau_reductions(values: Mapping[str, Any], n: int) -> list[tuple[float, str]]:
    """The steps below *n* where the lr was cut, as ``reduction`` events."""
    rows, _ = plateau_trace(values)
    return [(int(step), "reduction") for step in rows[rows < n].tolist()]


def plateau_length(values: Mapping[str, Any]) -> int:
    return len(values["metric"])
