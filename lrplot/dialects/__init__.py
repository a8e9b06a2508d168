"""Framework dialects: ``torch.``, ``keras.``, ``optax.``, ``hf.`` and ``timm.`` schedule names.

Each dialect name takes the framework's own parameter names and defaults and reproduces that
framework's numbers (float64, quirks included) with vectorised numpy. Row ``t`` is the lr the
optimizer uses at its t-th step: ``schedule(t)`` in Keras/optax, ``get_last_lr()[0]`` after
``t`` calls of ``scheduler.step()`` in PyTorch/transformers, ``_get_lr(t)`` in timm.

This module holds what the framework modules share: :func:`dialect`, a decorator that
registers a curve as a catalogue :class:`~lrplot.catalogue.Definition` with
``kind="dialect"``, and small helpers for the numeric quirks several frameworks have.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from lrplot.catalogue import Context, Definition, register
from lrplot.params import FLOAT, Param
from lrplot.plateau import synthetic_metric
from lrplot.schedule import DEFAULT_STEPS, Event, Schedule

# curve(steps, values) -> lrs: steps is an int64 array of global steps, values the
# validated parameters (plus "metric" for plateau dialects).
Curve = Callable[[np.ndarray, Mapping[str, Any]], np.ndarray]
EventList = list[tuple[float, str]]

LR_DEFAULT = 0.1


def optimizer_lr(help_text: str = "the optimizer's lr (lrplot's default 0.1, as for its "
                 "families)") -> Param:
    """The ``lr`` a scheduler starts from: the optimizer's lr in torch, hf and timm."""
    return Param("lr", FLOAT, LR_DEFAULT, help_text, low=0)


def dialect(
    name: str,
    *,
    summary: str,
    formula: str,
    params: tuple[Param, ...],
    length: Callable[[Mapping[str, Any]], int | None] | None = None,
    events: Callable[[Mapping[str, Any], int], EventList] | None = None,
    check: Callable[[dict[str, Any]], None] | None = None,
    check_run: Callable[[Mapping[str, Any], Context], None] | None = None,
    notes: str = "",
    equivalents: Mapping[str, str] | None = None,
    uses_metric: bool = False,
) -> Callable[[Curve], Curve]:
    """Register *curve* as the dialect schedule *name* (``kind="dialect"``).

    ``check`` validates the parameter values together (the framework's own refusals);
    ``check_run`` also sees the run (e.g. ``--steps`` past the point where torch raises).
    """

    def decorate(curve: Curve) -> Curve:
        def build(values: dict[str, Any], ctx: Context) -> Schedule:
            if check_run is not None:
                check_run(values, ctx)
            return make_schedule(name, curve, values, ctx, length, events, uses_metric)

        register(Definition(
            name=name, summary=summary, formula=formula, params=params, build=build,
            kind="dialect", notes=notes, equivalents=dict(equivalents or {}),
            uses_metric=uses_metric, check=check,
        ))
        return curve

    return decorate


def make_schedule(
    name: str, curve: Curve, values: Mapping[str, Any], ctx: Context,
    length: Callable[[Mapping[str, Any]], int | None] | None = None,
    events: Callable[[Mapping[str, Any], int], EventList] | None = None,
    uses_metric: bool = False,
) -> Schedule:
    """A :class:`Schedule` evaluating *curve* with *values* (and a metric if it needs one)."""
    own = dict(values)
    metric = None
    if uses_metric:
        if ctx.metric is not None:
            metric = np.asarray(ctx.metric, dtype=np.float64)
        else:
            metric = synthetic_metric(ctx.steps if ctx.steps is not None else DEFAULT_STEPS)
        own["metric"] = metric

    def fn(steps: np.ndarray) -> np.ndarray:
        steps = np.asarray(steps, dtype=np.int64)
        if steps.size == 0:
            return np.zeros(steps.shape)
        return np.asarray(curve(steps, own), dtype=np.float64)

    def event_list(n: int) -> list[Event]:
        if events is None:
            return []
        return [Event(step, kind) for step, kind in events(own, n) if 0 <= step < n]

    try:
        natural = length(own) if length else None
    except OverflowError:  # astronomically long (cycle_mul=1e300): refused as too many steps
        natural = 2**62
    return Schedule(
        label=name, fn=fn, length=natural, events=event_list,
        name=name, params=dict(values), metric=metric,
        metric_label=ctx.metric_label if ctx.metric is not None else "synthetic loss",
    )


def plateau_trace(lr: float, metric: np.ndarray, steps: np.ndarray, **settings: Any):
    """torch ReduceLROnPlateau replayed on *metric*: row t is the lr after t observations."""
    from lrplot.plateau import reduce_on_plateau

    lrs = reduce_on_plateau(metric, lr=lr, **settings)
    return lrs[np.minimum(steps, len(lrs) - 1)]


def plateau_reductions(lr: float, metric: np.ndarray, n: int, **settings: Any) -> EventList:
    from lrplot.plateau import reduce_on_plateau

    lrs = reduce_on_plateau(metric, lr=lr, **settings)[:max(n, 0)]
    return [(int(step), "reduction") for step in np.flatnonzero(lrs[1:] < lrs[:-1]) + 1]


def floor_log_ratio(x: np.ndarray, base: float) -> np.ndarray:
    """``floor(log(x) / log(base))`` exactly as Python's ``math.floor(math.log(x, base))``.

    numpy's vectorised log may differ from the C library's by an ulp, which matters only
    where the ratio is (nearly) a whole number, i.e. exactly at a restart: those few
    elements are recomputed with :mod:`math`.
    """
    ratio = np.log(x) / math.log(base)
    near = np.abs(ratio - np.rint(ratio)) < 1e-9
    if near.any():
        ratio = ratio.copy()
        ratio[near] = [math.log(v, base) for v in x[near].tolist()]
    return np.floor(ratio)


def whole(value: float) -> int | float:
    """*value* as an int when it is whole (for JSON that frameworks read back)."""
    return int(value) if float(value).is_integer() else float(value)
