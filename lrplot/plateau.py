"""ReduceLROnPlateau replayed on a metric series, and a synthetic metric to show it without one.

This is the one stateful schedule: the lr at step t+1 depends on every metric seen up to
step t, so it is a loop over the metric (not over the steps to plot).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

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
    metric: np.ndarray,
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
) -> np.ndarray:
    """The lr for steps 0..len(metric), PyTorch ``ReduceLROnPlateau`` semantics.

    ``metric[t]`` is observed after step ``t``; entry ``t+1`` of the result is the lr after
    that observation. A cut happens once more than *patience* observations in a row were not
    better than the best so far; *cooldown* observations after a cut are not counted.
    """
    lrs = np.empty(len(metric) + 1, dtype=np.float64)
    lrs[0] = current = lr
    best = math.inf if mode == "min" else -math.inf
    bad = 0
    cooling = 0
    for index, value in enumerate(np.asarray(metric, dtype=np.float64).tolist()):
        if _is_better(value, best, mode, threshold_mode, threshold):
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
            cooling = cooldown
            bad = 0
        lrs[index + 1] = current
    return lrs


def _is_better(value: float, best: float, mode: str, threshold_mode: str,
               threshold: float) -> bool:
    if mode == "min":
        bound = best * (1.0 - threshold) if threshold_mode == "rel" else best - threshold
        return value < bound
    bound = best * (1.0 + threshold) if threshold_mode == "rel" else best + threshold
    return value > bound


def synthetic_metric(n: int) -> np.ndarray:
    """A deterministic validation-loss curve of length *n* with three plateaus.

    Each quarter of the run drops quickly and then flattens out (creeping up a little, with a
    small fixed wiggle), so that ReduceLROnPlateau has something to react to at any length.
    """
    t = np.arange(n, dtype=np.float64) / max(n, 1)
    quarter = np.minimum(np.floor(t * 4), 3)
    within = t * 4 - quarter
    level = 2.0 * 0.55**quarter
    drop = 0.45 * level * np.exp(-within * 40.0)
    # A slight upward drift (mild overfitting) plus a fixed wiggle: once the drop is over,
    # no step beats the best so far, so each flat stretch is a real plateau.
    drift = 0.03 * level * within
    wiggle = 0.002 * level * (1.0 + np.sin(np.arange(n) * 2.3999632297))
    return level * 0.55 + drop + drift + wiggle


# The trace is a Python loop over the whole metric, and a schedule is evaluated a chunk of
# steps at a time (and again for its events): remember the last few traces, keyed by the
# metric object itself and the settings.
_TRACES: list[tuple[np.ndarray, tuple[tuple[str, Any], ...], np.ndarray]] = []


def plateau_trace(values: Mapping[str, Any]) -> np.ndarray:
    """The lr after 0..len(metric) observations for validated *values* (lr, metric and
    :data:`PLATEAU_PARAMS`), computed once per metric and settings."""
    metric = values["metric"]
    settings = tuple((name, values[name]) for name in ("lr", *PLATEAU_NAMES))
    for seen, seen_settings, lrs in _TRACES:
        if seen is metric and seen_settings == settings:
            return lrs
    lrs = reduce_on_plateau(metric, **dict(settings))
    _TRACES[:] = [*_TRACES[-7:], (metric, settings, lrs)]
    return lrs


def plateau_lr(steps: np.ndarray, values: Mapping[str, Any]) -> np.ndarray:
    """Row t is the lr after t observations; the last lr holds after the metric ends."""
    lrs = plateau_trace(values)
    return lrs[np.minimum(steps, len(lrs) - 1).astype(np.int64)]


def plateau_reductions(values: Mapping[str, Any], n: int) -> list[tuple[float, str]]:
    """The steps below *n* where the lr was cut, as ``reduction`` events."""
    lrs = plateau_trace(values)[:max(n, 0)]
    return [(int(step), "reduction") for step in np.flatnonzero(lrs[1:] < lrs[:-1]) + 1]


def plateau_length(values: Mapping[str, Any]) -> int:
    return len(values["metric"])
