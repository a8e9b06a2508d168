"""ReduceLROnPlateau replayed on a metric series, and a synthetic metric to show it without one.

This is the one stateful schedule: the lr at step t+1 depends on every metric seen up to
step t, so it is a loop over the metric (not over the steps to plot).
"""

from __future__ import annotations

import math

import numpy as np


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
