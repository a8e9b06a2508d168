"""``timm.`` dialect: ``timm.scheduler`` classes with their own parameter names.

``t`` counts updates: row t is ``_get_lr(t)``, the lr that ``scheduler.step_update(t)``
sets (timm's train.py calls it after every update when ``t_in_epochs=False``; with timm's
default ``t_in_epochs=True`` it calls ``step(epoch)`` instead, and row t is epoch t, the same
numbers on another clock, so lrplot accepts either). timm's constructor sets the lr to
``lr`` (or ``warmup_lr_init``) before the first ``step_update``; that differs from row 0 only
for TanhLRScheduler (tanh(−7) leaves 0.9999992·lr) and MultiStepLRScheduler with a
milestone at 1. Noise (``noise_range_t``) draws from torch's random generator and is refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

import numpy as np

from lrplot.definition import Definition, collector
from lrplot.dialects import floor_log_ratio, optimizer_lr
from lrplot.errors import LrplotError
from lrplot.params import BOOL, CHOICE, FLOAT, INT, INTS, Param

DEFINITIONS: list[Definition] = []
dialect = collector(DEFINITIONS, kind="dialect")
LR = optimizer_lr("the optimizer's lr, timm's base value (lrplot's default 0.1)")
T_INITIAL = Param("t_initial", INT, help="length of the first cycle, in updates", low=1)
LR_MIN = Param("lr_min", FLOAT, 0.0, "floor", low=0)
WARMUP = (
    Param("warmup_t", INT, 0, "updates of linear warmup", low=0),
    Param("warmup_lr_init", FLOAT, 0.0, "lr at update 0 of the warmup", low=0),
)
NOISE = Param("noise_range_t", INTS, None, "timm's lr noise (refused: it uses torch's RNG)",
              nullable=True)
# Accepted so timm's keyword arguments paste as they are; _get_lr(t) is the same either way.
T_IN_EPOCHS = Param("t_in_epochs", BOOL, True, "timm's clock: true steps t per epoch "
                    "(step), false per update (step_update); row t is t on that clock")
CYCLE = (
    Param("cycle_mul", FLOAT, 1.0, "each cycle is cycle_mul times longer", low=1),
    Param("cycle_decay", FLOAT, 1.0, "each cycle peaks cycle_decay times lower", low=0),
    Param("cycle_limit", INT, 1, "number of cycles; lr_min after them", low=0),
)
K_DECAY = Param("k_decay", FLOAT, 1.0, "shape exponent on the cycle position", low=0,
                low_open=True)


def _prefix(default: bool) -> Param:
    return Param("warmup_prefix", BOOL, default,
                 "warmup before the schedule (true) or over its first updates (false)")


def _check_noise(values: Mapping[str, Any]) -> None:
    if values.get("noise_range_t") is not None:
        raise LrplotError("noise_range_t adds noise drawn from torch's random "
                          "generator, which lrplot does not reproduce; leave it unset")


WARMUP_NOTE = ("warmup_prefix=false (the default for cosine, tanh, poly) lays the warmup "
               "over the first warmup_t updates of the curve, so the lr jumps at warmup_t; "
               "with true the curve starts after the warmup, as in lrplot's families.")


def _cycle_length(p: Mapping[str, Any]) -> int:
    """timm's get_cycle_length(): the whole schedule, warmup included only with a prefix."""
    cycles = max(1, p["cycle_limit"])
    if p["cycle_mul"] == 1.0:
        total = p["t_initial"] * cycles
    else:
        total = math.floor(-p["t_initial"] * (p["cycle_mul"] ** cycles - 1)
                           / (1 - p["cycle_mul"]))
    return total + p["warmup_t"] if p["warmup_prefix"] else total


def _cycle_events(p: Mapping[str, Any], n: int) -> list[tuple[float, str]]:
    found = [(p["warmup_t"], "warmup end")] if p["warmup_t"] else []
    shift = p["warmup_t"] if p["warmup_prefix"] else 0
    begin, size = 0.0, float(p["t_initial"])
    for _ in range(max(p["cycle_limit"], 1) - 1):
        begin += size
        size *= p["cycle_mul"]
        if begin + shift >= n:
            break
        found.append((math.ceil(begin) + shift, "restart"))
    return found


def _cycles(t: np.ndarray, p: Mapping[str, Any]):
    """Cycle index i, cycle length t_i and position t_curr, as timm computes them."""
    t_initial, mul = p["t_initial"], p["cycle_mul"]
    if mul != 1:
        tf = t.astype(np.float64)
        i = floor_log_ratio(1 - tf / t_initial * (1 - mul), mul)
        t_i = mul ** i * t_initial
        t_curr = tf - (1 - mul ** i) / (1 - mul) * t_initial
    else:
        i = (t // t_initial).astype(np.float64)
        t_i = np.full(t.shape, float(t_initial))
        t_curr = (t - t_initial * (t // t_initial)).astype(np.float64)
    return i, t_i, t_curr


def _with_warmup(t: np.ndarray, p: Mapping[str, Any], curve, target: float | None = None):
    """timm's warmup: warmup_lr_init + t·(target − init)/warmup_t below warmup_t, else curve."""
    warm, init = p["warmup_t"], p["warmup_lr_init"]
    out = np.empty(t.shape)
    ramp = t < warm
    if ramp.any():
        stride = ((p["lr"] if target is None else target) - init) / warm
        out[ramp] = init + t[ramp] * stride
    rest = t[~ramp]
    if rest.size:
        out[~ramp] = curve(rest - warm if p["warmup_prefix"] else rest)
    return out


def _cycled(t: np.ndarray, p: Mapping[str, Any], shape) -> np.ndarray:
    """lr_min + (lr_max − lr_min)·shape(...) inside the cycle limit, lr_min after it."""
    i, t_i, t_curr = _cycles(t, p)
    lr_max = p["lr"] * p["cycle_decay"] ** i
    inside = i < p["cycle_limit"]
    out = np.full(t.shape, float(p["lr_min"]))
    out[inside] = shape(lr_max[inside], t_i[inside], t_curr[inside])
    return out


@dialect(
    "timm.CosineLRScheduler",
    summary="timm CosineLRScheduler: cosine cycles (SGDR) with timm's warmup.",
    formula="lr_min + ½(lr_max−lr_min)(1+cos(π·t_curr^k/t_i^k)), lr_max = lr·cycle_decay^i; "
            "lr_min once i ≥ cycle_limit",
    params=(LR, T_INITIAL, LR_MIN, *CYCLE, *WARMUP, _prefix(False), K_DECAY, T_IN_EPOCHS, NOISE),
    length=_cycle_length,
    events=_cycle_events,
    check=_check_noise,
    notes="Holds lr_min after cycle_limit cycles. " + WARMUP_NOTE,
    equivalents={"lrplot": "cosine (one cycle, decay_steps=t_initial, min_lr=lr_min) or "
                           "cosine_restarts (cycle_limit > 1)"},
)
def cosine_lr(t, p):
    k, lo = p["k_decay"], p["lr_min"]

    def shape(lr_max, t_i, t_curr):
        return lo + 0.5 * (lr_max - lo) * (1 + np.cos(math.pi * t_curr ** k / t_i ** k))

    return _with_warmup(t, p, lambda s: _cycled(s, p, shape))


def _tanh_shape(p: Mapping[str, Any]):
    lo, lb, ub = p["lr_min"], p["lb"], p["ub"]

    def shape(lr_max, t_i, t_curr):
        tr = t_curr / t_i
        return lo + 0.5 * (lr_max - lo) * (1 - np.tanh(lb * (1.0 - tr) + ub * tr))

    return shape


def _check_tanh(values: dict[str, Any]) -> None:
    _check_noise(values)
    if not values["lb"] < values["ub"]:
        raise LrplotError(f"timm.TanhLRScheduler: lb must be < ub (timm asserts it), got "
                          f"lb={values['lb']}, ub={values['ub']}")


@dialect(
    "timm.TanhLRScheduler",
    summary="timm TanhLRScheduler: tanh-shaped decay cycles (Hsueh et al.).",
    formula="lr_min + ½(lr_max−lr_min)(1 − tanh(lb·(1−r) + ub·r)), r = t_curr/t_i",
    params=(LR, T_INITIAL, Param("lb", FLOAT, -7.0, "tanh argument at the cycle start"),
            Param("ub", FLOAT, 3.0, "tanh argument at the cycle end"),
            LR_MIN, *CYCLE, *WARMUP, _prefix(False), T_IN_EPOCHS, NOISE),
    length=_cycle_length,
    events=_cycle_events,
    check=_check_tanh,
    notes="Starts at 0.9999992·lr (tanh(−7)) and ends near 0.0025·lr before lr_min holds. "
          "Without warmup_prefix the warmup ramps to the curve's value at warmup_t. "
          + WARMUP_NOTE,
    equivalents={"lrplot": "none (closest: cosine)"},
)
def tanh_lr(t, p):
    shape = _tanh_shape(p)
    target = None
    if p["warmup_t"] and not p["warmup_prefix"]:
        target = float(_cycled(np.asarray([p["warmup_t"]]), p, shape)[0])
    return _with_warmup(t, p, lambda s: _cycled(s, p, shape), target)


@dialect(
    "timm.PolyLRScheduler",
    summary="timm PolyLRScheduler: polynomial decay cycles (default power 0.5).",
    formula="lr_min + (lr_max−lr_min)·(1 − t_curr^k/t_i^k)^power",
    params=(LR, T_INITIAL, Param("power", FLOAT, 0.5, "exponent of the decay", low=0), LR_MIN,
            *CYCLE, *WARMUP, _prefix(False), K_DECAY, T_IN_EPOCHS, NOISE),
    length=_cycle_length,
    events=_cycle_events,
    check=_check_noise,
    notes="Default power is 0.5 (a square-root decay), not 1. " + WARMUP_NOTE,
    equivalents={"lrplot": "polynomial (decay_steps=t_initial, end_lr=lr_min)"},
)
def poly_lr(t, p):
    k, lo, power = p["k_decay"], p["lr_min"], p["power"]

    def shape(lr_max, t_i, t_curr):
        return lo + (lr_max - lo) * (1 - t_curr ** k / t_i ** k) ** power

    return _with_warmup(t, p, lambda s: _cycled(s, p, shape))


def _step_length(p: Mapping[str, Any]) -> int:
    return math.ceil(4 * p["decay_t"]) + (p["warmup_t"] if p["warmup_prefix"] else 0)


@dialect(
    "timm.StepLRScheduler",
    summary="timm StepLRScheduler: multiply by decay_rate every decay_t updates.",
    formula="lr·decay_rate^⌊t/decay_t⌋ (t after the warmup with warmup_prefix)",
    params=(LR, Param("decay_t", FLOAT, help="updates between decays", low=0, low_open=True),
            Param("decay_rate", FLOAT, 1.0, "factor per decay (timm's default 1: no decay)",
                  low=0),
            *WARMUP, _prefix(True), T_IN_EPOCHS, NOISE),
    length=_step_length,
    events=lambda p, n: [(p["warmup_t"], "warmup end")] if p["warmup_t"] else [],
    check=_check_noise,
    notes="warmup_prefix defaults to true here (false for cosine/tanh/poly), and "
          "decay_rate to 1. Without --steps it shows four periods.",
    equivalents={"lrplot": "step (step_size=decay_t, gamma=decay_rate)"},
)
def step_lr(t, p):
    return _with_warmup(t, p, lambda s: p["lr"] * p["decay_rate"] ** np.floor_divide(
        s.astype(np.float64), float(p["decay_t"])))


def _check_multistep(values: dict[str, Any]) -> None:
    _check_noise(values)
    if any(b < a for a, b in pairwise(values["decay_t"])):
        raise LrplotError("timm.MultiStepLRScheduler: decay_t must be sorted (timm bisects "
                          f"it), got {list(values['decay_t'])}")


def _multistep_length(p: Mapping[str, Any]) -> int | None:
    if not p["decay_t"]:
        return None
    last = max(p["decay_t"])
    return last + max(10, last // 3) + (p["warmup_t"] if p["warmup_prefix"] else 0)


@dialect(
    "timm.MultiStepLRScheduler",
    summary="timm MultiStepLRScheduler: multiply by decay_rate one update BEFORE each "
            "milestone.",
    formula="lr·decay_rate^bisect_right(decay_t, t+1)",
    params=(LR, Param("decay_t", INTS, help="milestones (sorted)"),
            Param("decay_rate", FLOAT, 1.0, "factor per milestone (timm's default 1)", low=0),
            *WARMUP, _prefix(True), T_IN_EPOCHS, NOISE),
    length=_multistep_length,
    events=lambda p, n: [(m - 1 + (p["warmup_t"] if p["warmup_prefix"] else 0), "milestone")
                         for m in p["decay_t"]],
    check=_check_multistep,
    notes="Decays at decay_t − 1 (timm's historical off-by-one, kept on purpose), one update "
          "earlier than torch MultiStepLR and lrplot's multistep.",
    equivalents={"lrplot": "multistep (milestones = decay_t − 1, gamma = decay_rate)"},
)
def multistep_lr(t, p):
    milestones = np.asarray(p["decay_t"], dtype=np.int64)
    return _with_warmup(t, p, lambda s: p["lr"] * p["decay_rate"] ** np.searchsorted(
        milestones, s + 1, side="right").astype(np.float64))


STABLE_FNS = ("constant", "rsqrt", "power")
DECAY_FNS = ("linear", "1-sqrt", "cosine", "power", "exp")


def _check_wsd(values: dict[str, Any]) -> None:
    name = "timm.WSDLRScheduler"
    _check_noise(values)
    if not 0 < values["decay_t"] <= values["t_initial"]:
        raise LrplotError(f"{name}: decay_t must be in (0, t_initial] (timm refuses others), "
                          f"got decay_t={values['decay_t']}, t_initial={values['t_initial']}")
    if values["stable_fn"] != "constant":
        scale = values["stable_timescale"]
        if (values["warmup_t"] if scale is None else scale) <= 0:
            raise LrplotError(f"{name}: stable_fn={values['stable_fn']} needs a positive "
                              "stable_timescale (it defaults to warmup_t, which is 0)")


@dialect(
    "timm.WSDLRScheduler",
    summary="timm WSDLRScheduler: warmup, stable (optionally decaying), then a final decay.",
    formula="stable = max(lr·s(t−W), lr_min) with s = 1, (1+t/ts)^−½ or (1+t/ts)^−p; over "
            "the last decay_t of t_initial: lr_min + (stable−lr_min)·d(fraction)",
    params=(LR, Param("t_initial", INT, help="updates after warmup (stable + decay)", low=1),
            Param("decay_t", INT, help="updates of the final decay", low=1), LR_MIN,
            Param("stable_fn", CHOICE, "constant", "stable phase", choices=STABLE_FNS),
            Param("stable_timescale", FLOAT, None, "timescale of a decaying stable phase "
                                                   "(default warmup_t)", nullable=True),
            Param("stable_power", FLOAT, 0.5, "exponent of stable_fn=power", low=0,
                  low_open=True),
            Param("decay_fn", CHOICE, "1-sqrt", "final decay shape", choices=DECAY_FNS),
            Param("decay_power", FLOAT, 0.5, "exponent of decay_fn=power", low=0,
                  low_open=True),
            Param("decay_ratio", FLOAT, 0.1, "decay_fn=exp: ratio reached before "
                                             "normalising", low=0, high=1, low_open=True,
                  high_open=True),
            *WARMUP, T_IN_EPOCHS, NOISE),
    length=lambda p: p["warmup_t"] + p["t_initial"],
    events=lambda p, n: [*([(p["warmup_t"], "warmup end")] if p["warmup_t"] else []),
                         (p["warmup_t"] + p["t_initial"] - p["decay_t"], "phase")],
    check=_check_wsd,
    notes="t_initial excludes the warmup (the schedule is warmup_t + t_initial long) and "
          "the default decay is 1-sqrt. Holds lr_min after the decay.",
    equivalents={"lrplot": "wsd with warmup=warmup_t (total_steps=t_initial, "
                           "decay_steps=decay_t, decay_shape=decay_fn)"},
)
def wsd_lr(t, p):
    warm, lo = p["warmup_t"], p["lr_min"]

    def stable(t_s: np.ndarray) -> np.ndarray:
        if p["stable_fn"] == "constant":
            return np.ones(t_s.shape)
        scale = warm if p["stable_timescale"] is None else p["stable_timescale"]
        power = 0.5 if p["stable_fn"] == "rsqrt" else p["stable_power"]
        return (1.0 + t_s / scale) ** -power

    def decay(frac: np.ndarray) -> np.ndarray:
        kind = p["decay_fn"]
        if kind == "linear":
            return 1.0 - frac
        if kind == "1-sqrt":
            return 1.0 - np.sqrt(frac)
        if kind == "cosine":
            return 0.5 * (1.0 + np.cos(math.pi * frac))
        if kind == "power":
            return 1.0 - frac ** p["decay_power"]
        r = p["decay_ratio"]
        return (r ** frac - r) / (1.0 - r)

    def after(t_s: np.ndarray) -> np.ndarray:
        held = np.maximum(p["lr"] * stable(t_s.astype(np.float64)), lo)
        t_decay = t_s - (p["t_initial"] - p["decay_t"])
        out = held.copy()
        late = t_decay > 0
        frac = np.minimum(t_decay[late] / p["decay_t"], 1.0)
        out[late] = lo + (held[late] - lo) * decay(frac)
        return out

    return _with_warmup(t, {**p, "warmup_prefix": True}, after)
