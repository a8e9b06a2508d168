"""What a figure draws of a schedule: every step, or a per-pixel min/max envelope.

Pure numpy (no matplotlib), so the cost of a figure does not grow with the number of steps
and staircases, spikes and restarts stay visible at any length.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lrplot.limits import EVALUATION_CHUNK, check_finite

# Past this many steps per horizontal pixel a curve is reduced to its envelope.
POINTS_PER_PIXEL = 2


def curve_points(curve: Callable[[np.ndarray], np.ndarray], n: int, width_px: int, *,
                 finite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """x, y to draw of *curve* (a Schedule, or any function of a step array) over 0..n-1:
    every step when they fit, else a min/max envelope per pixel column.

    With *finite* (learning rates), an lr that overflows is refused with the same one-line
    error the data outputs give, found while the envelope is built (no second pass).
    """
    label = getattr(curve, "label", "")
    bins = max(width_px, 1)
    if n <= POINTS_PER_PIXEL * bins:
        y = curve(np.arange(n, dtype=np.int64))
        if finite:
            check_finite(label, y)
        return np.arange(n, dtype=np.float64), y
    edges = np.linspace(0, n, bins + 1).round().astype(np.int64)
    lows, highs, firsts, lasts = (np.empty(bins) for _ in range(4))
    # Evaluate a chunk of whole bins at a time, so memory stays flat for any n.
    per_chunk = max(1, EVALUATION_CHUNK // max(1, n // bins))
    for lo in range(0, bins, per_chunk):
        hi = min(bins, lo + per_chunk)
        values = curve(np.arange(edges[lo], edges[hi], dtype=np.int64))
        starts = edges[lo:hi] - edges[lo]
        lows[lo:hi] = np.minimum.reduceat(values, starts)
        highs[lo:hi] = np.maximum.reduceat(values, starts)
        firsts[lo:hi] = values[starts]
        lasts[lo:hi] = values[np.append(starts[1:], len(values)) - 1]
        if finite and not (np.isfinite(lows[lo:hi]).all() and np.isfinite(highs[lo:hi]).all()):
            check_finite(label, values, int(edges[lo]))
    # Within a pixel, visit min and max in the order the curve does, at the pixel's first
    # and last step: a smooth stretch draws as its true slope (no staircase on a ramp) and a
    # jump or spike as a near-vertical stroke.
    falling = firsts > lasts
    y = np.empty(2 * bins)
    y[0::2] = np.where(falling, highs, lows)
    y[1::2] = np.where(falling, lows, highs)
    x = np.empty(2 * bins)
    x[0::2] = edges[:-1]
    x[1::2] = edges[1:] - 1
    return x, y
