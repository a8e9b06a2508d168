"""What a schedule name *is*: a :class:`Definition`, and the one path that builds it.

Canonical families (:mod:`lrplot.families`) and framework dialects (:mod:`lrplot.dialects`)
are both definitions: a name, typed parameters (:class:`~lrplot.params.Param`), a summary and
formula for ``describe``, and a *curve* — a vectorised function of the global steps and the
validated values. :func:`make_schedule` turns a definition and its values into a
:class:`~lrplot.core.Schedule`; families additionally take the warmup options, built as a
prefix with the same join that ``sequence`` uses (:func:`lrplot.compose.join`).

Modules that define schedules collect their definitions in a module-level ``DEFINITIONS``
list through :func:`collector`; the registry (:mod:`lrplot.registry`) reads those lists. No
definition module imports the registry, so there is no import cycle.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrplot.compose import join
from lrplot.core import Event, Schedule
from lrplot.errors import LrplotError, within
from lrplot.limits import run_length
from lrplot.params import CHOICE, FLOAT, INT, REQUIRED, Derived, Param
from lrplot.plateau import synthetic_metric

# curve(steps, values) -> lrs: steps is an int64 array of global steps (of the definition's
# own clock: after a warmup prefix, step 0 is the first step after it), values the validated
# parameters (plus "metric" for definitions that read one).
Curve = Callable[[np.ndarray, Mapping[str, Any]], np.ndarray]
EventList = list[tuple[float, str]]
Length = Callable[[Mapping[str, Any]], "int | None"]
Events = Callable[[Mapping[str, Any], int], EventList]
Check = Callable[[dict[str, Any]], None]

# The lr when none is given, for families and for the optimizer of torch, hf and timm
# dialects alike, so that overlays line up.
DEFAULT_LR = 0.1


@dataclass(frozen=True)
class Context:
    """What a definition may need besides its parameters: the run length and a metric."""

    steps: int | None = None
    metric: np.ndarray | None = None
    metric_label: str = "metric"

    @property
    def run_length(self) -> int:
        """The run to assume for defaults: ``steps``, else the default run."""
        return run_length(self.steps)


WARMUP_PARAMS = (
    Param("warmup", INT, 0, "warmup steps before the family starts (a prefix)", low=0),
    Param("warmup_start", FLOAT, 0.0, "lr at step 0 of the warmup", low=0),
    Param("warmup_shape", CHOICE, "linear", "shape of the warmup ramp",
          choices=("linear", "cosine", "exponential", "power")),
    Param("warmup_power", FLOAT, 4.0,
          "exponent of the power ramp (4 is darknet/YOLO burn-in)", low=0, low_open=True),
)
WARMUP_NAMES = frozenset(p.name for p in WARMUP_PARAMS)


@dataclass(frozen=True)
class Definition:
    """One schedule name lrplot knows, canonical family or framework dialect.

    ``params`` are the typed parameters (for families the warmup options included);
    ``curve`` computes the lr; ``length`` the natural length in the curve's own steps;
    ``events`` what to mark; ``check`` the refusals that need several values together, and
    ``check_run`` those that also need the run (``--steps`` past where a framework raises).
    A ``check`` may raise without naming the definition: :meth:`validate` prefixes its name.
    ``equivalents`` says, per framework (or ``lrplot``), what computes the same numbers.
    """

    name: str
    summary: str
    formula: str
    params: tuple[Param, ...]
    curve: Curve
    kind: str = "family"  # or "dialect"
    length: Length | None = None
    events: Events | None = None
    check: Check | None = None
    check_run: Callable[[Mapping[str, Any], Context], None] | None = None
    notes: str = ""
    equivalents: Mapping[str, str] = field(default_factory=dict)
    uses_metric: bool = False
    warmup: bool = False  # takes WARMUP_PARAMS, built as a prefix

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name or name in p.aliases:
                return p
        return None

    def validate(self, raw: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        """Coerce *raw* (user-typed values, keys with - or _) into checked parameter values."""
        values = self._given(raw)
        for p in self.params:
            if p.name in values:
                continue
            if p.required:
                raise LrplotError(
                    f"{self.name}: missing required parameter {p.name} ({p.allowed()})"
                )
            if not isinstance(p.default, Derived):
                values[p.name] = p.default
        with within(self.name):
            for p in self.params:  # derived defaults may read the others, so they come last
                if p.name not in values and isinstance(p.default, Derived):
                    values[p.name] = p.coerce(p.default.compute(values, ctx), self.name)
            if self.warmup:
                check_warmup(values)
            if self.check is not None:
                self.check(values)
        return values

    def _given(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, value in raw.items():
            norm = key.strip().replace("-", "_")
            p = self.param(norm)
            if p is None:
                raise LrplotError(self._unknown(norm))
            if p.name in values:
                raise LrplotError(f"{self.name}: {p.name} is given twice")
            values[p.name] = p.coerce(value, self.name)
        return values

    def _unknown(self, key: str) -> str:
        names = [p.name for p in self.params]
        close = difflib.get_close_matches(key, names, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        return f"{self.name}: unknown parameter {key!r}; {hint}allowed: {', '.join(names)}"

    def build(self, values: dict[str, Any], ctx: Context) -> Schedule:
        """The schedule for already validated *values* (see :func:`make_schedule`)."""
        return make_schedule(self, values, ctx)

    def resolve(self, raw: Mapping[str, Any] | None = None, ctx: Context | None = None,
                label: str | None = None) -> Schedule:
        """Validate *raw* and build: what the registry's ``resolve`` does for a name."""
        ctx = ctx or Context()
        schedule = self.build(self.validate(raw or {}, ctx), ctx)
        return schedule.with_label(label) if label else schedule


def collector(into: list[Definition], *, kind: str, warmup: bool = False,
              float_steps: bool = False, keyword_values: bool = False
              ) -> Callable[..., Callable[[Callable[..., np.ndarray]], Callable[..., np.ndarray]]]:
    """A decorator that appends a :class:`Definition` per decorated curve to *into*.

    ``float_steps`` hands the curve float64 steps; ``keyword_values`` calls it as
    ``curve(t, **values)`` (the families' style) instead of ``curve(t, values)``.
    """

    def define(name: str, *, params: tuple[Param, ...], **fields: Any
               ) -> Callable[[Callable[..., np.ndarray]], Callable[..., np.ndarray]]:
        def decorate(function: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
            into.append(Definition(
                name=name, params=(*params, *WARMUP_PARAMS) if warmup else params,
                curve=_adapt(function, float_steps, keyword_values), kind=kind,
                warmup=warmup, **fields,
            ))
            function.__doc__ = function.__doc__ or (
                f"{fields['summary']}\n\nFormula: {fields['formula']}")
            return function

        return decorate

    return define


def _adapt(function: Callable[..., np.ndarray], float_steps: bool,
           keyword_values: bool) -> Curve:
    if not (float_steps or keyword_values):
        return function

    def curve(steps: np.ndarray, values: Mapping[str, Any]) -> np.ndarray:
        t = steps.astype(np.float64) if float_steps else steps
        return function(t, **values) if keyword_values else function(t, values)

    return curve


def check_warmup(values: Mapping[str, Any]) -> None:
    if values["warmup_shape"] == "exponential" and values["warmup"] > 0 \
            and values["warmup_start"] <= 0:
        raise LrplotError("warmup_start must be > 0 when warmup_shape=exponential "
                          "(an exponential ramp cannot start at 0)")


def make_schedule(defn: Definition, values: dict[str, Any], ctx: Context) -> Schedule:
    """A :class:`Schedule` evaluating *defn*'s curve with *values*.

    A definition that reads a metric gets ``ctx.metric`` (else a synthetic loss as long as
    the run); with a warmup prefix of W steps the curve starts at global step W and sees
    the metric from W on.
    """
    if defn.check_run is not None:
        with within(defn.name):
            defn.check_run(values, ctx)
    warmup = values.get("warmup", 0) if defn.warmup else 0
    own = {k: v for k, v in values.items() if k not in WARMUP_NAMES} if defn.warmup \
        else dict(values)
    metric = None
    if defn.uses_metric:
        metric = (np.asarray(ctx.metric, dtype=np.float64) if ctx.metric is not None
                  else synthetic_metric(ctx.run_length))
        own["metric"] = metric[warmup:]
    fn = _curve_fn(defn.curve, own)
    if warmup:
        fn = _with_warmup(fn, warmup, values)
    return Schedule(
        label=defn.name, fn=fn, length=_length(defn, own, warmup),
        events=_event_list(defn, own, warmup), name=defn.name, params=values, metric=metric,
        metric_label=ctx.metric_label if ctx.metric is not None else "synthetic loss",
    )


def _curve_fn(curve: Curve, own: Mapping[str, Any]) -> Callable[[np.ndarray], np.ndarray]:
    def fn(steps: np.ndarray) -> np.ndarray:
        if steps.size == 0:
            return np.zeros(steps.shape)
        return np.asarray(curve(steps, own), dtype=np.float64)

    return fn


def _with_warmup(fn: Callable[[np.ndarray], np.ndarray], warmup: int,
                 values: Mapping[str, Any]) -> Callable[[np.ndarray], np.ndarray]:
    """The warmup ramp joined before *fn*, ending exactly at fn's step-0 value."""
    with np.errstate(all="ignore"):  # an overflow shows as inf and is reported later
        target = float(fn(np.zeros(1, dtype=np.int64))[0])
    start, shape, power = values["warmup_start"], values["warmup_shape"], values["warmup_power"]

    def ramp(steps: np.ndarray) -> np.ndarray:
        return warmup_ramp(steps.astype(np.float64), warmup, start, target, shape, power)

    return join([ramp, fn], [0, warmup])


def warmup_ramp(s: np.ndarray, warmup: int, start: float, target: float, shape: str,
                power: float) -> np.ndarray:
    """The warmup prefix: from *start* at step 0 towards *target*, reached at step *warmup*."""
    frac = s / warmup
    if shape == "linear":
        return start + (target - start) * frac
    if shape == "cosine":
        return start + (target - start) * 0.5 * (1.0 - np.cos(np.pi * frac))
    if shape == "exponential":
        return start * (target / start) ** frac
    return start + (target - start) * frac**power


def _length(defn: Definition, own: Mapping[str, Any], warmup: int) -> int | None:
    if defn.length is None:
        return None
    try:
        natural = defn.length(own)
    except OverflowError:  # astronomically long (cycle_mul=1e300): refused as too many steps
        natural = 2**62
    return None if natural is None else warmup + natural


def _event_list(defn: Definition, own: Mapping[str, Any], warmup: int
                ) -> Callable[[int], list[Event]]:
    def events(n: int) -> list[Event]:
        found = [Event(warmup, "warmup end")] if 0 < warmup < n else []
        if defn.events is not None:
            found += [Event(warmup + step, kind) for step, kind in defn.events(own, n - warmup)
                      if 0 <= warmup + step < n]
        return found

    return events


def default_text(p: Param) -> str:
    """A parameter's default as ``describe`` and ``--help`` show it."""
    if p.default is REQUIRED:
        return "required"
    if isinstance(p.default, Derived):
        return p.default.text
    if isinstance(p.default, bool):
        return "true" if p.default else "false"
    if isinstance(p.default, tuple):
        return "[" + ",".join(str(v) for v in p.default) + "]"
    if p.default is None:
        return "none"
    return str(p.default)
