"""``optax.`` dialect: ``optax.schedules`` functions with their own argument names.

Row t is ``schedule(t)`` (``scale_by_schedule`` uses ``fn(count)`` and then increments). optax
computes in float32 unless ``jax_enable_x64`` is on; lrplot in float64, which matches optax
with x64 to 1e-9.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrplot.anneal import anneal
from lrplot.compose import join
from lrplot.definition import Definition, collector
from lrplot.dialects import as_float
from lrplot.errors import LrplotError
from lrplot.params import BOOL, FLOAT, FLOATS, INT, Param

DEFINITIONS: list[Definition] = []
dialect = collector(DEFINITIONS, kind="dialect")

X64_NOTE = ("optax computes in float32 unless jax_enable_x64 is set; lrplot in float64.")


@dataclass(frozen=True)
class BoundaryScales(Param):
    """optax's ``boundaries_and_scales`` dict: ``[[step,scale],...]`` in a spec, or a table.

    Returned as a tuple of (boundary, scale) pairs in the order given; later duplicates win,
    as they would in the Python dict optax receives.
    """

    def allowed(self) -> str:
        text = "pairs [[boundary,scale],...] (a {boundary: scale} table in config files)"
        return text + (", or none" if self.nullable else "")

    def coerce(self, value: Any, owner: str) -> Any:
        def fail(why: str) -> LrplotError:
            return LrplotError(f"{owner}: {self.name} must be {self.allowed()}; {why}")

        if value is None or (isinstance(value, str) and value.strip().lower() in ("none",
                                                                                   "null")):
            if self.nullable:
                return None
            raise fail("got none")
        if isinstance(value, Mapping):
            items = list(value.items())
        elif isinstance(value, (list, tuple)):
            items = []
            for item in value:
                if not isinstance(item, (list, tuple)) or len(item) != 2:
                    raise fail(f"{item!r} is not a [boundary,scale] pair")
                items.append((item[0], item[1]))
        else:
            raise fail(f"got {value!r}")
        merged: dict[int, float] = {}
        for boundary, scale in items:
            step = Param(self.name, INT).coerce(boundary, owner)
            merged[step] = Param(self.name, FLOAT).coerce(scale, owner)
        return tuple(merged.items())


# ---- constant, linear, polynomial ---------------------------------------------------------


@dialect(
    "optax.constant_schedule",
    summary="optax constant_schedule: the same value at every step.",
    formula="value",
    params=(Param("value", FLOAT, help="the lr", low=0),),
    notes="The parameter is value, not lr; otherwise lrplot's constant family.",
    equivalents={"lrplot": "constant (lr=value)"},
)
def constant_schedule(t, p):
    return np.full(t.shape, p["value"])


def _polynomial(t: np.ndarray, init: float, end: float, power: float, steps: int,
                begin: int) -> np.ndarray:
    if steps <= 0:
        return np.full(t.shape, float(init))
    begin = max(begin, 0)
    count = np.clip(t - begin, 0, steps)
    frac = 1 - count / steps
    return (init - end) * (frac ** power) + end


TRANSITION_STEPS = Param("transition_steps", INT, help="steps of the transition (≤ 0: "
                         "constant init_value, as in optax)")
TRANSITION_BEGIN = Param("transition_begin", INT, 0, "steps at init_value before the "
                         "transition (negative counts as 0)")


def _transition_length(p: Mapping[str, Any]) -> int | None:
    total = max(p["transition_begin"], 0) + p["transition_steps"]
    return total if p["transition_steps"] > 0 else None


@dialect(
    "optax.linear_schedule",
    summary="optax linear_schedule: linear from init_value to end_value, then hold.",
    formula="init + (end−init)·clip(t−transition_begin, 0, transition_steps)/transition_steps",
    params=(Param("init_value", FLOAT, help="value before and at the start", low=0),
            Param("end_value", FLOAT, help="value after the transition", low=0),
            TRANSITION_STEPS, TRANSITION_BEGIN),
    length=_transition_length,
    notes="Holds end_value after the transition and init_value before transition_begin. "
          "As lrplot's linear family, plus the delay.",
    equivalents={"lrplot": "linear (lr=init_value, end_lr=end_value, "
                           "decay_steps=transition_steps)"},
)
def linear_schedule(t, p):
    return _polynomial(t, p["init_value"], p["end_value"], 1, p["transition_steps"],
                       p["transition_begin"])


@dialect(
    "optax.polynomial_schedule",
    summary="optax polynomial_schedule: polynomial from init_value to end_value, then hold.",
    formula="(init−end)·(1−clip(t−begin, 0, T)/T)^power + end",
    params=(Param("init_value", FLOAT, help="value at the start", low=0),
            Param("end_value", FLOAT, help="value after the transition", low=0),
            Param("power", FLOAT, help="exponent", low=0), TRANSITION_STEPS, TRANSITION_BEGIN),
    length=_transition_length,
    notes="Holds end_value after the transition. " + X64_NOTE,
    equivalents={"lrplot": "polynomial (lr=init_value, end_lr=end_value, "
                           "decay_steps=transition_steps)"},
)
def polynomial_schedule(t, p):
    return _polynomial(t, p["init_value"], p["end_value"], p["power"],
                       p["transition_steps"], p["transition_begin"])


# ---- exponential ------------------------------------------------------------------------


def _exponential(t: np.ndarray, init: float, steps: int, rate: float, begin: int,
                 staircase: bool, end: float | None) -> np.ndarray:
    if steps <= 0 or rate == 0:
        return np.full(t.shape, float(init))
    begin = max(begin, 0)
    count = t - begin
    ratio = count / steps
    if staircase:
        ratio = np.floor(ratio)
    with np.errstate(invalid="ignore", over="ignore"):
        value = np.where(count <= 0, init, init * np.power(rate, ratio))
    if end is not None:
        value = np.maximum(value, end) if rate < 1.0 else np.minimum(value, end)
    return value


EXPONENTIAL_PARAMS = (
    Param("transition_steps", INT, help="steps per factor of decay_rate (≤ 0: constant)"),
    Param("decay_rate", FLOAT, help="factor per transition_steps (0: constant, as in optax)",
          low=0),
    TRANSITION_BEGIN,
    Param("staircase", BOOL, False, "decay in whole periods"),
    Param("end_value", FLOAT, None, "bound the decay (a floor, or a ceiling if decay_rate>1)",
          low=0, nullable=True),
)


@dialect(
    "optax.exponential_decay",
    summary="optax exponential_decay: init_value·decay_rate^((t−begin)/transition_steps).",
    formula="init for t ≤ begin, else init·decay_rate^((t−begin)/transition_steps), "
            "clipped at end_value",
    params=(Param("init_value", FLOAT, help="value at the start", low=0), *EXPONENTIAL_PARAMS),
    notes="decay_rate=0 or transition_steps ≤ 0 give a constant init_value (optax logs and "
          "does that). end_value is a floor when decaying, a ceiling when growing.",
    equivalents={"lrplot": "exponential (decay_steps=transition_steps), without "
                           "transition_begin or end_value"},
)
def exponential_decay(t, p):
    return _exponential(t, p["init_value"], p["transition_steps"], p["decay_rate"],
                        p["transition_begin"], p["staircase"], p["end_value"])


# ---- cosine -------------------------------------------------------------------------------


def _cosine(t: np.ndarray, init: float, steps: float, alpha: float, exponent: float):
    count = np.minimum(as_float(t), float(steps))
    decay = 0.5 * (1 + np.cos(math.pi * count / float(steps)))
    return init * ((1 - alpha) * decay ** exponent + alpha)


@dialect(
    "optax.cosine_decay_schedule",
    summary="optax cosine_decay_schedule: cosine from init_value to alpha·init_value.",
    formula="init·((1−alpha)·(½(1+cos(π·min(t,D)/D)))^exponent + alpha)",
    params=(Param("init_value", FLOAT, help="value at step 0", low=0),
            Param("decay_steps", INT, help="steps of the decay (optax requires > 0)", low=1),
            Param("alpha", FLOAT, 0.0, "floor as a fraction of init_value", low=0),
            Param("exponent", FLOAT, 1.0, "power applied to the cosine factor", low=0)),
    length=lambda p: p["decay_steps"],
    notes="Holds alpha·init_value after decay_steps. " + X64_NOTE,
    equivalents={"lrplot": "cosine (min_lr = alpha·init_value; exponent 1)"},
)
def cosine_decay_schedule(t, p):
    return _cosine(t, p["init_value"], p["decay_steps"], p["alpha"], p["exponent"])


def _check_warmup_cosine(values: dict[str, Any]) -> None:
    if values["decay_steps"] - values["warmup_steps"] <= 0:
        raise LrplotError(
            "optax.warmup_cosine_decay_schedule: decay_steps includes the warmup, so it must "
            f"be greater than warmup_steps (got decay_steps={values['decay_steps']}, "
            f"warmup_steps={values['warmup_steps']}); optax refuses a cosine of "
            f"{values['decay_steps'] - values['warmup_steps']} steps")


@dialect(
    "optax.warmup_cosine_decay_schedule",
    summary="optax warmup_cosine_decay_schedule: linear warmup, then cosine to end_value.",
    formula="linear init→peak over warmup_steps, then cosine_decay(peak, decay_steps − "
            "warmup_steps, alpha = end/peak)",
    params=(Param("init_value", FLOAT, help="value at step 0", low=0),
            Param("peak_value", FLOAT, help="value at the end of the warmup", low=0),
            Param("warmup_steps", INT, help="steps of linear warmup", low=0),
            Param("decay_steps", INT, help="TOTAL length including the warmup", low=1),
            Param("end_value", FLOAT, 0.0, "final value", low=0),
            Param("exponent", FLOAT, 1.0, "power applied to the cosine factor", low=0)),
    length=lambda p: p["decay_steps"],
    events=lambda p, n: [(p["warmup_steps"], "warmup end")] if p["warmup_steps"] else [],
    check=_check_warmup_cosine,
    notes="decay_steps INCLUDES the warmup (Keras' CosineDecay excludes it). Holds "
          "end_value after decay_steps. " + X64_NOTE,
    equivalents={"lrplot": "cosine with warmup=warmup_steps, warmup_start=init_value, "
                           "lr=peak_value, decay_steps=decay_steps−warmup_steps, "
                           "min_lr=end_value"},
)
def warmup_cosine_decay_schedule(t, p):
    init, peak, warm = p["init_value"], p["peak_value"], p["warmup_steps"]
    alpha = 0.0 if peak == 0.0 else p["end_value"] / peak
    # optax.join_schedules: the cosine sees t − warmup_steps.
    return join([lambda s: _polynomial(s, init, peak, 1, warm, 0),
                 lambda s: _cosine(s, peak, p["decay_steps"] - warm, alpha, p["exponent"])],
                [0, warm])(t)


@dialect(
    "optax.warmup_exponential_decay_schedule",
    summary="optax warmup_exponential_decay_schedule: linear warmup, then exponential decay.",
    formula="linear init→peak over warmup_steps, then exponential_decay(peak, ...) on t − "
            "warmup_steps",
    params=(Param("init_value", FLOAT, help="value at step 0", low=0),
            Param("peak_value", FLOAT, help="value at the end of the warmup", low=0),
            Param("warmup_steps", INT, help="steps of linear warmup", low=0),
            *EXPONENTIAL_PARAMS),
    events=lambda p, n: [(p["warmup_steps"], "warmup end")] if p["warmup_steps"] else [],
    notes="transition_begin counts from the end of the warmup. " + X64_NOTE,
    equivalents={"lrplot": "exponential with warmup=warmup_steps, warmup_start=init_value"},
)
def warmup_exponential_decay_schedule(t, p):
    warm = p["warmup_steps"]
    return join([lambda s: _polynomial(s, p["init_value"], p["peak_value"], 1, warm, 0),
                 lambda s: _exponential(s, p["peak_value"], p["transition_steps"],
                                        p["decay_rate"], p["transition_begin"],
                                        p["staircase"], p["end_value"])],
                [0, warm])(t)


# ---- one-cycle and piecewise ------------------------------------------------------------


def _piecewise_interpolate(t: np.ndarray, kind: str, init: float,
                           boundaries_and_scales: dict[int, float]) -> np.ndarray:
    """optax.piecewise_interpolate_schedule, vectorised over t."""
    pairs = sorted(boundaries_and_scales.items())
    bounds = np.asarray([0] + [b for b, _ in pairs], dtype=np.int64)
    values = np.cumprod(np.asarray([init] + [s for _, s in pairs], dtype=np.float64))
    tf = as_float(t)
    out = np.zeros(tf.shape)
    for i in range(len(pairs)):
        size = max(int(bounds[i + 1] - bounds[i]), 1)
        inside = (bounds[i] <= t) & (t < bounds[i + 1])
        pct = (tf - bounds[i]) / size
        start, end = values[i], values[i + 1]
        out += inside * anneal("linear" if kind == "linear" else "cos", start, end, pct)
    out += (bounds[-1] <= t) * values[-1]
    return out


ONECYCLE_PARAMS = (
    Param("transition_steps", INT, help="length of the cycle (optax requires > 0)", low=1),
    Param("peak_value", FLOAT, help="highest value", low=0),
    Param("pct_start", FLOAT, 0.3, "fraction of the cycle spent going up", low=0, high=1),
)
DIV_PARAMS = (
    Param("div_factor", FLOAT, 25.0, "start value is peak_value/div_factor", low=0,
          low_open=True),
    Param("final_div_factor", FLOAT, 1e4, "final value is start/final_div_factor", low=0,
          low_open=True),
)


@dialect(
    "optax.linear_onecycle_schedule",
    summary="optax linear_onecycle_schedule: linear up to peak, back down, then far below.",
    formula="linear interpolation through peak/div (0), peak (int(pct_start·T)), peak/div "
            "(int(pct_final·T)), peak/(div·final_div) (T)",
    params=(*ONECYCLE_PARAMS,
            Param("pct_final", FLOAT, 0.85, "fraction of the cycle where the down ramp ends",
                  low=0, high=1),
            *DIV_PARAMS),
    length=lambda p: p["transition_steps"],
    notes="Three phases: up, back down to the start value by pct_final, then to the final "
          "value at transition_steps. Boundaries are int(pct·T), so the peak is one step "
          "later than torch OneCycleLR's pct_start·T−1.",
    equivalents={"lrplot": "onecycle (anneal=linear, three_phase=true) — phase ends one "
                           "step later"},
)
def linear_onecycle_schedule(t, p):
    total, div = p["transition_steps"], p["div_factor"]
    scales = {int(p["pct_start"] * total): div, int(p["pct_final"] * total): 1.0 / div,
              total: 1.0 / p["final_div_factor"]}
    return _piecewise_interpolate(t, "linear", p["peak_value"] / div, scales)


@dialect(
    "optax.cosine_onecycle_schedule",
    summary="optax cosine_onecycle_schedule: cosine up to peak, then cosine far below.",
    formula="cosine interpolation through peak/div (0), peak (int(pct_start·T)), "
            "peak/(div·final_div) (T); holds after T",
    params=(*ONECYCLE_PARAMS, *DIV_PARAMS),
    length=lambda p: p["transition_steps"],
    events=lambda p, n: [(int(p["pct_start"] * p["transition_steps"]), "phase")],
    notes="Peaks at int(pct_start·T), one step later than torch OneCycleLR (pct_start·T−1), "
          "and reaches the final value at T (torch: T−1). Holds after T.",
    equivalents={"lrplot": "onecycle (anneal=cos) — peak one step later"},
)
def cosine_onecycle_schedule(t, p):
    total, div = p["transition_steps"], p["div_factor"]
    scales = {int(p["pct_start"] * total): div,
              int(total): 1.0 / np.float64(div * p["final_div_factor"])}  # inf, not a crash
    return _piecewise_interpolate(t, "cosine", p["peak_value"] / div, scales)


def _check_piecewise(values: dict[str, Any]) -> None:
    pairs = values["boundaries_and_scales"] or ()
    if any(scale < 0 for _, scale in pairs):
        raise LrplotError("optax.piecewise_constant_schedule: expects non-negative scale "
                          "factors (optax refuses negative ones)")


def _piecewise_length(p: Mapping[str, Any]) -> int | None:
    pairs = p["boundaries_and_scales"]
    if not pairs:
        return None
    last = max(b for b, _ in pairs)
    return last + max(10, last // 4) if last > 0 else None


@dialect(
    "optax.piecewise_constant_schedule",
    summary="optax piecewise_constant_schedule: multiply by each scale from its boundary on.",
    formula="init_value·∏ scale_i over boundaries_i ≤ t",
    params=(Param("init_value", FLOAT, help="value before the first boundary", low=0),
            BoundaryScales("boundaries_and_scales", FLOATS, None,
                           "scale factors by boundary step (cumulative)", nullable=True)),
    length=_piecewise_length,
    events=lambda p, n: [(b, "milestone") for b, _ in p["boundaries_and_scales"] or ()],
    check=_check_piecewise,
    notes="Switches AT the boundary (Keras' PiecewiseConstantDecay switches one step "
          "later). Scales multiply: [[100,0.1],[200,0.1]] gives init, init/10, init/100. "
          "Spec form: boundaries_and_scales=[[100,0.1],[200,0.1]].",
    equivalents={"lrplot": "multistep (milestones = boundaries, one gamma) or piecewise "
                           "(boundaries − 1)"},
)
def piecewise_constant_schedule(t, p):
    value = np.full(t.shape, float(p["init_value"]))
    for boundary, scale in sorted(p["boundaries_and_scales"] or ()):
        indicator = np.maximum(0.0, np.sign(boundary - t))
        value = value * indicator + (1 - indicator) * scale * value
    return value
