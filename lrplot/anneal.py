"""One-cycle style schedules as data: phases of (end step, start lr, end lr), annealed.

fastai builds its one-cycle from a phase table (``combine_scheds``); lrplot's ``onecycle``
family, ``torch.OneCycleLR`` (closed form and step-by-step replay) and optax's one-cycle
interpolation all use the same two pieces here, in the same float operations, so a
formula is written once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Phase = tuple[float, float, float]  # (end step, lr at the phase start, lr at its end)


def anneal(kind: str, start: Any, end: Any, pct: Any) -> Any:
    """From *start* to *end* as *pct* goes 0 → 1: ``cos`` (half a cosine) or ``linear``.

    torch OneCycleLR's ``_annealing_cos``/``_annealing_linear``; works on floats and arrays.
    """
    if kind == "cos":
        cos = math.cos(math.pi * pct) if isinstance(pct, float) else np.cos(math.pi * pct)
        return end + (start - end) / 2.0 * (cos + 1.0)
    return (end - start) * pct + start


def phase_values(t: np.ndarray, phases: Sequence[Phase], kind: str,
                 on_empty: Callable[[np.ndarray], None] | None = None) -> np.ndarray:
    """The lr at float steps *t*: phase k covers (end of k−1, end of k], from step 0.

    The last phase also covers everything after it (torch extrapolates one step past the
    end). *on_empty* is called with the steps that fall in a zero-length phase.
    """
    out = np.empty(t.shape)
    done = np.zeros(t.shape, dtype=bool)
    begin = 0.0
    for index, (end, lr_from, lr_to) in enumerate(phases):
        here = ~done & ((t <= end) | (index == len(phases) - 1))
        if here.any():
            if end == begin and on_empty is not None:
                on_empty(t[here])
            pct = (t[here] - begin) / (end - begin)
            out[here] = anneal(kind, lr_from, lr_to, pct)
        done |= here
        begin = end
    return out


def phase_value(t: float, phases: Sequence[Phase], kind: str) -> float:
    """:func:`phase_values` at one step, for step-by-step replays."""
    begin = 0.0
    for index, (end, lr_from, lr_to) in enumerate(phases):
        if t <= end or index == len(phases) - 1:
            return float(anneal(kind, lr_from, lr_to, (t - begin) / (end - begin)))
        begin = end
    raise AssertionError("phases must not be empty")


def onecycle_ends(total: int, pct: float, three_phase: bool) -> list[float]:
    """torch OneCycleLR's phase end steps: ``pct·T−1`` (``2·pct·T−2``), ``T−1``."""
    if three_phase:
        return [float(pct * total) - 1, float(2 * pct * total) - 2, total - 1.0]
    return [float(pct * total) - 1, total - 1.0]


def onecycle_phases(total: int, pct: float, three_phase: bool, initial: float, peak: float,
                    final: float) -> list[Phase]:
    """torch OneCycleLR's phase table: up to *peak*, (back to *initial*,) down to *final*."""
    ends = onecycle_ends(total, pct, three_phase)
    if three_phase:
        return [(ends[0], initial, peak), (ends[1], peak, initial), (ends[2], initial, final)]
    return [(ends[0], initial, peak), (ends[1], peak, final)]
