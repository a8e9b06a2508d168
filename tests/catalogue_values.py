"""Parameter values for any definition in the catalogue, built from its Params alone.

So tests can sweep every family and dialect (including ones added later) without knowing
their parameters: ``typical_params`` gives ordinary values for the required ones, and
``extreme_value`` draws edge-of-range values (huge and tiny, next to open bounds, 0 and 1)
that the Param itself accepts.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from lrplot.definition import Definition
from lrplot.errors import LrplotError
from lrplot.params import BOOL, CHOICE, FLOAT, FLOATS, INT, INTS, Param


def accepts(p: Param, value: Any) -> bool:
    try:
        p.coerce(value, "test")
    except LrplotError:
        return False
    return True


def _scalar(p: Param) -> Param:
    return Param(p.name, INT if p.kind == INTS else FLOAT, low=p.low, high=p.high,
                 low_open=p.low_open, high_open=p.high_open)


def typical_value(p: Param) -> Any:
    """An ordinary value for *p*: lr-like for floats, tens of steps for ints."""
    if p.kind == BOOL:
        return False
    if p.kind == CHOICE:
        return p.choices[0]
    if p.kind == INTS:
        item = _scalar(p)
        return [v for v in (10, 20, 30) if accepts(item, v)] or [typical_value(item)]
    if p.kind == FLOATS:
        item = _scalar(p)
        return [v for v in (0.1, 0.05, 0.01, 0.005) if accepts(item, v)]
    candidates = (10, 100, 1, 2) if p.kind == INT else (0.1, 0.5, 0.9, 1.0, 2.0, 10.0)
    for value in candidates:
        if accepts(p, value):
            return value
    for value in (p.low, p.high):
        if value is not None and accepts(p, value):
            return value
    raise AssertionError(f"no typical value for {p}")


# Definitions whose parameters constrain each other, so per-parameter values cannot be valid
# together: ordinary values chosen by hand (each accepted by the framework itself).
TYPICAL_OVERRIDES: dict[str, dict[str, Any]] = {
    # long enough for every test run: torch refuses steps past total_steps + 1
    "torch.OneCycleLR": {"max_lr": 0.1, "total_steps": 10_000_000},
    "optax.warmup_cosine_decay_schedule": {"init_value": 0.0, "peak_value": 0.1,
                                           "warmup_steps": 10, "decay_steps": 100},
    "hf.cosine_with_min_lr": {"num_warmup_steps": 10, "num_training_steps": 100,
                              "min_lr_rate": 0.1},
    "hf.cosine_warmup_with_min_lr": {"num_warmup_steps": 10, "num_training_steps": 100,
                                     "min_lr_rate": 0.1},
}


def typical_params(defn: Definition) -> dict[str, Any]:
    """Ordinary values for the required parameters of *defn* (the rest keep defaults)."""
    if defn.name in TYPICAL_OVERRIDES:
        return dict(TYPICAL_OVERRIDES[defn.name])
    return {p.name: typical_value(p) for p in defn.params if p.required}


# No subnormals (below 2.2e-308): no optimizer works there, and interpolating between two of
# them rounds to ±5e-324, which would read as a "negative lr".
FLOAT_EDGES = (0.0, 1e-300, 1e-12, 1e-6, 0.01, 0.5, 1 - 1e-12, 1.0, 1 + 1e-12, 2.0,
               1e6, 1e12, 1e100, 1e300)
INT_EDGES = (0, 1, 2, 3, 7, 1000, 10**6, 10**9, 2**31, 10**12)


def _float_edges(p: Param) -> list[float]:
    edges = list(FLOAT_EDGES)
    for bound in (p.low, p.high):
        if bound is not None:
            edges += [bound, math.nextafter(bound, math.inf), math.nextafter(bound, -math.inf)]
    return sorted({v for v in edges if accepts(p, v) and (v == 0 or abs(v) >= 1e-300)})


def _int_edges(p: Param) -> list[int]:
    edges = list(INT_EDGES)
    for bound in (p.low, p.high):
        if bound is not None:
            edges += [int(bound), int(bound) + 1, int(bound) - 1]
    return sorted({v for v in edges if accepts(p, v)})


def extreme_value(p: Param) -> st.SearchStrategy[Any]:
    """Values *p* accepts, biased to the edges of its range."""
    if p.kind == BOOL:
        base: st.SearchStrategy[Any] = st.booleans()
    elif p.kind == CHOICE:
        base = st.sampled_from(p.choices)
    elif p.kind in (INTS, FLOATS):
        base = st.lists(extreme_value(_scalar(p)), max_size=5)
    elif p.kind == INT:
        edges = _int_edges(p)
        lo = int(p.low) if p.low is not None else -(10**6)
        hi = int(p.high) if p.high is not None else 10**6
        base = st.sampled_from(edges) | st.integers(lo, max(lo, hi)).filter(
            lambda v: accepts(p, v))
    else:
        edges = _float_edges(p)
        base = st.sampled_from(edges) | st.floats(
            min_value=p.low, max_value=p.high, allow_nan=False, allow_infinity=False,
            allow_subnormal=False,
        ).filter(lambda v: accepts(p, v))
    return (base | st.none()) if p.nullable else base
