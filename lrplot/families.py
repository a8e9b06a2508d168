"""lrplot's canonical schedule families: one definition each, pure vectorised numpy.

A family is a function of the *family step* ``t`` (a float64 array of whole numbers) and its
parameters, defined with :func:`family` together with its typed parameters, summary and
formula, and collected in :data:`DEFINITIONS`. Every family also takes the warmup options:
warmup is a prefix, so the family's own step 0 is global step ``warmup`` and the ramp ends
exactly at the family's step-0 value (as in transformers, Keras 3 and optax); see
:mod:`lrplot.definition`. Unless said otherwise a family holds its last value after it ends.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

import numpy as np

from lrplot.anneal import onecycle_ends, onecycle_phases, phase_values
from lrplot.definition import DEFAULT_LR, Context, Definition, EventList, collector
from lrplot.errors import LrplotError
from lrplot.params import BOOL, CHOICE, FLOAT, FLOATS, INT, INTS, Derived, Param
from lrplot.plateau import PLATEAU_PARAMS, plateau_length, plateau_lr, plateau_reductions

DEFINITIONS: list[Definition] = []
family = collector(DEFINITIONS, kind="family", warmup=True, float_steps=True,
                   keyword_values=True)


def _steps_left(name: str) -> Derived:
    """The default of length parameter *name*: the steps of the run left after warmup."""

    def compute(values: Mapping[str, Any], ctx: Context) -> int:
        total = ctx.run_length
        left = total - values["warmup"]
        if left < 1:
            run = f"the {total}" if ctx.steps is not None else f"the default {total}"
            raise LrplotError(
                f"warmup={values['warmup']} leaves none of {run} steps for {name}; "
                f"give --steps larger than warmup, or {name} explicitly"
            )
        return left

    return Derived(compute, "steps left after warmup")


LR = Param("lr", FLOAT, DEFAULT_LR, "peak learning rate", low=0)
MIN_LR = Param("min_lr", FLOAT, 0.0, "floor the schedule decays to", low=0)


def _length(name: str, help: str = "length of the decay, in steps") -> Param:
    return Param(name, INT, _steps_left(name), help, low=1)


# --------------------------------------------------------------------------------------
# The families, in the README's order.


@family(
    "constant",
    summary="The same lr at every step.",
    formula="lr",
    params=(LR,),
    equivalents={"optax": "constant_schedule", "hf": "constant / constant_with_warmup"},
)
def constant(t: np.ndarray, *, lr: float) -> np.ndarray:
    return np.full(t.shape, lr)


@family(
    "step",
    summary="Multiply by gamma every step_size steps.",
    formula="lr·gamma^⌊t/step_size⌋",
    params=(
        LR,
        Param("step_size", INT, help="steps between decays", low=1),
        Param("gamma", FLOAT, 0.1, "factor applied at each decay", low=0),
    ),
    length=lambda p: 4 * p["step_size"],
    notes="Without --steps it shows four periods (three decays).",
    equivalents={"torch": "StepLR", "keras": "ExponentialDecay(decay_steps=step_size, "
                 "decay_rate=gamma, staircase=True)",
                 "timm": "StepLRScheduler(decay_t=step_size, decay_rate=gamma)"},
)
def step(t: np.ndarray, *, lr: float, step_size: int, gamma: float) -> np.ndarray:
    return lr * gamma ** np.floor(t / step_size)


def _one_more_period(points: tuple[int, ...]) -> int | None:
    if not points:
        return None
    last = max(points)
    gap = last - sorted(points)[-2] if len(points) > 1 else last
    return last + max(gap, 1)


@family(
    "multistep",
    summary="Multiply by gamma at each milestone.",
    formula="lr·gamma^(number of milestones ≤ t)",
    params=(
        LR,
        Param("milestones", INTS, help="steps where the lr is multiplied by gamma", low=0),
        Param("gamma", FLOAT, 0.1, "factor applied at each milestone", low=0),
    ),
    length=lambda p: _one_more_period(p["milestones"]),
    notes="The decay happens at the milestone itself, as in torch MultiStepLR; a repeated "
          "milestone decays twice. Without --steps it shows one gap past the last milestone.",
    equivalents={"torch": "MultiStepLR", "optax": "piecewise_constant_schedule",
                 "keras": "PiecewiseConstantDecay (boundaries = milestones − 1)",
                 "timm": "MultiStepLRScheduler (decay_t = milestones + 1)"},
)
def multistep(t: np.ndarray, *, lr: float, milestones: tuple[int, ...], gamma: float):
    passed = np.searchsorted(np.sort(np.asarray(milestones, dtype=np.float64)), t, side="right")
    return lr * gamma**passed


@family(
    "exponential",
    summary="Exponential decay: multiply by decay_rate every decay_steps steps, smoothly.",
    formula="lr·decay_rate^(t/decay_steps), exponent floored if staircase",
    params=(
        LR,
        Param("decay_rate", FLOAT, help="factor per decay_steps steps", low=0, low_open=True),
        Param("decay_steps", INT, 1, "steps per factor of decay_rate", low=1),
        Param("staircase", BOOL, False, "decay in whole steps of decay_steps"),
    ),
    equivalents={"torch": "ExponentialLR (decay_steps=1)", "keras": "ExponentialDecay",
                 "optax": "exponential_decay (transition_steps=decay_steps)"},
)
def exponential(t, *, lr, decay_rate, decay_steps, staircase):
    p = t / decay_steps
    if staircase:
        p = np.floor(p)
    return lr * decay_rate**p


@family(
    "inverse_time",
    summary="Inverse-time decay: lr / (1 + decay_rate·t/decay_steps).",
    formula="lr/(1+decay_rate·t/decay_steps), t/decay_steps floored if staircase",
    params=(
        LR,
        Param("decay_rate", FLOAT, help="how fast the lr falls", low=0),
        Param("decay_steps", INT, 1, "steps per unit of decay", low=1),
        Param("staircase", BOOL, False, "decay in whole steps of decay_steps"),
    ),
    equivalents={"keras": "InverseTimeDecay"},
)
def inverse_time(t, *, lr, decay_rate, decay_steps, staircase):
    p = t / decay_steps
    if staircase:
        p = np.floor(p)
    return lr / (1.0 + decay_rate * p)


def _polynomial(t, lr, decay_steps, end_lr, power, cycle):
    if cycle:
        periods = np.where(t == 0, 1.0, np.ceil(t / decay_steps))
        p = t / (decay_steps * periods)
    else:
        p = np.minimum(t, decay_steps) / decay_steps
    return (lr - end_lr) * (1.0 - p) ** power + end_lr


@family(
    "polynomial",
    summary="Polynomial decay from lr to end_lr over decay_steps (optionally cycling).",
    formula="(lr−end_lr)·(1−min(t,ds)/ds)^power + end_lr; with cycle, ds grows to the next "
            "multiple of decay_steps ≥ t (Keras)",
    params=(
        LR,
        _length("decay_steps"),
        Param("end_lr", FLOAT, 0.0, "lr reached at decay_steps", low=0),
        Param("power", FLOAT, 1.0, "exponent of the decay", low=0, low_open=True),
        Param("cycle", BOOL, False, "restart the decay after decay_steps (Keras rule)"),
    ),
    length=lambda p: None if p["cycle"] else p["decay_steps"],
    equivalents={"torch": "PolynomialLR (end_lr=0)", "keras": "PolynomialDecay",
                 "optax": "polynomial_schedule (no cycle)", "hf": "polynomial (lr_end)",
                 "timm": "PolyLRScheduler (its default power is 0.5)"},
)
def polynomial(t, *, lr, decay_steps, end_lr, power, cycle):
    return _polynomial(t, lr, decay_steps, end_lr, power, cycle)


@family(
    "linear",
    summary="Linear decay from lr to end_lr over decay_steps, then hold.",
    formula="polynomial with power 1: lr + (end_lr−lr)·min(t,ds)/ds",
    params=(LR, _length("decay_steps"), Param("end_lr", FLOAT, 0.0, "final lr", low=0)),
    length=lambda p: p["decay_steps"],
    equivalents={"torch": "LinearLR (start_factor=1, end_factor=end_lr/lr)",
                 "keras": "PolynomialDecay (power=1)", "optax": "linear_schedule",
                 "hf": "linear (end_lr=0, with warmup)"},
)
def linear(t, *, lr, decay_steps, end_lr):
    return _polynomial(t, lr, decay_steps, end_lr, 1.0, False)


def _check_piecewise(values: dict[str, Any]) -> None:
    bounds, vals = values["boundaries"], values["values"]
    if len(vals) != len(bounds) + 1:
        raise LrplotError(
            f"piecewise: values needs exactly one more entry than boundaries "
            f"(got {len(bounds)} boundaries and {len(vals)} values)"
        )
    if any(b >= c for b, c in pairwise(bounds)):
        raise LrplotError(f"piecewise: boundaries must increase strictly, got {list(bounds)}")


@family(
    "piecewise",
    summary="Piecewise-constant values between boundaries (Keras convention).",
    formula="values[i] for boundaries[i-1] < t ≤ boundaries[i]",
    params=(
        Param("boundaries", INTS, help="steps where the value changes (after the step)", low=0),
        Param("values", FLOATS, help="one more value than boundaries", low=0),
    ),
    length=lambda p: _one_more_period(p["boundaries"]),
    check=_check_piecewise,
    notes="values[i+1] first applies at step boundaries[i]+1, as in Keras "
          "PiecewiseConstantDecay (optax and torch switch at the boundary itself).",
    equivalents={"keras": "PiecewiseConstantDecay"},
)
def piecewise(t, *, boundaries, values):
    index = np.searchsorted(np.asarray(boundaries, dtype=np.float64), t, side="left")
    return np.asarray(values, dtype=np.float64)[index]


@family(
    "cosine",
    summary="Cosine annealing from lr to min_lr over decay_steps, then hold.",
    formula="min_lr + (lr−min_lr)·½(1+cos(π·min(t,ds)/ds))",
    params=(LR, _length("decay_steps"), MIN_LR),
    length=lambda p: p["decay_steps"],
    notes="Holds min_lr after decay_steps (Keras, optax, timm); torch CosineAnnealingLR and "
          "hf cosine rise again instead — use the torch./hf. dialects to see that.",
    equivalents={"torch": "CosineAnnealingLR (periodic past T_max)",
                 "keras": "CosineDecay (alpha = min_lr/lr; a linear warmup is "
                          "warmup_target/warmup_steps)",
                 "optax": "cosine_decay_schedule / warmup_cosine_decay_schedule "
                          "(decay_steps = warmup + decay_steps)",
                 "hf": "cosine / cosine_with_min_lr", "timm": "CosineLRScheduler"},
)
def cosine(t, *, lr, decay_steps, min_lr):
    return min_lr + (lr - min_lr) * 0.5 * (1.0 + np.cos(np.pi * np.minimum(t, decay_steps)
                                                         / decay_steps))


def _sgdr_cycles(t: np.ndarray, first: float, t_mul: float) -> tuple[np.ndarray, np.ndarray,
                                                                       np.ndarray]:
    """Cycle index, cycle start and cycle length for SGDR with period multiplier t_mul."""
    if t_mul == 1.0:
        i = np.floor(t / first)
        return i, i * first, np.full(t.shape, float(first))

    def start(k: np.ndarray) -> np.ndarray:
        return first * (t_mul**k - 1.0) / (t_mul - 1.0)

    i = np.floor(np.log1p(t / first * (t_mul - 1.0)) / math.log(t_mul))
    # log() can land a hair off at exact restarts: nudge i so start(i) ≤ t < start(i+1).
    i = np.where(t < start(i), i - 1, i)
    i = np.where(t >= start(i + 1), i + 1, i)
    return i, start(i), first * t_mul**i


def _three_cycles(first: int, t_mul: float) -> int:
    # A huge t_mul overflows to inf: cap it, so that the run is refused as too long by
    # the --steps check instead of crashing here.
    return round(min(first * (1.0 + t_mul + t_mul * t_mul), 2.0**62))


def _check_restarts(values: dict[str, Any]) -> None:
    # m_mul scales the height lr−min_lr: with min_lr above lr, m_mul > 1 drives it below 0.
    if values["min_lr"] > values["lr"] and values["m_mul"] > 1:
        raise LrplotError(
            f"cosine_restarts: min_lr={values['min_lr']} above lr={values['lr']} needs "
            f"m_mul ≤ 1 (got {values['m_mul']}), or the lr would go negative"
        )


def _sgdr_events(p: Mapping[str, Any], n: int) -> EventList:
    found: EventList = []
    begin, size = 0.0, float(p["first_decay_steps"])
    while True:
        begin += size
        size *= p["t_mul"]
        if begin >= n or len(found) > 10_000:
            return found
        found.append((begin, "restart"))


@family(
    "cosine_restarts",
    summary="SGDR: cosine annealing with warm restarts, each cycle t_mul times longer.",
    formula="cycle i has length first_decay_steps·t_mul^i; within it "
            "min_lr + (lr−min_lr)·m_mul^i·½(1+cos(π·t_cycle/len_i))",
    params=(
        LR,
        Param("first_decay_steps", INT, help="length of the first cycle", low=1),
        Param("t_mul", FLOAT, 2.0, "each cycle is t_mul times longer than the last", low=1),
        Param("m_mul", FLOAT, 1.0, "each restart peaks m_mul times lower (above min_lr)", low=0),
        MIN_LR,
    ),
    length=lambda p: _three_cycles(p["first_decay_steps"], p["t_mul"]),
    events=_sgdr_events,
    check=_check_restarts,
    notes="Keras CosineDecayRestarts with alpha = min_lr/lr: m_mul scales the height above "
          "min_lr. Without --steps it shows three cycles. Restarts go on forever.",
    equivalents={"torch": "CosineAnnealingWarmRestarts (integer T_mult, m_mul=1)",
                 "keras": "CosineDecayRestarts",
                 "timm": "CosineLRScheduler(cycle_mul, cycle_decay, cycle_limit)"},
)
def cosine_restarts(t, *, lr, first_decay_steps, t_mul, m_mul, min_lr):
    i, begin, size = _sgdr_cycles(t, float(first_decay_steps), t_mul)
    frac = (t - begin) / size
    return min_lr + (lr - min_lr) * m_mul**i * 0.5 * (1.0 + np.cos(np.pi * frac))


def _cycle_events(p: Mapping[str, Any], n: int) -> EventList:
    total = p["step_size"] + (p["step_size_down"] or p["step_size"])
    if n // total > 10_000:
        return []
    return [(k * total, "cycle") for k in range(1, n // total + 1) if k * total < n]


def check_cyclic(values: Mapping[str, Any]) -> None:
    """CLR's bounds (the family's and torch.CyclicLR's): below base_lr the wave, and
    exp_range's gamma^t, would run under 0. The caller's name is prefixed by validate."""
    if values["max_lr"] < values["base_lr"]:
        raise LrplotError(
            f"max_lr must be ≥ base_lr, got max_lr={values['max_lr']} "
            f"and base_lr={values['base_lr']}"
        )


@family(
    "cyclic",
    summary="Cyclical learning rates (CLR): triangle waves between base_lr and max_lr.",
    formula="triangle wave: up over step_size, down over step_size_down; amplitude × 1 "
            "(triangular), × ½^cycle (triangular2), × gamma^t (exp_range)",
    params=(
        Param("base_lr", FLOAT, help="lowest lr of each cycle", low=0),
        Param("max_lr", FLOAT, help="highest lr of the first cycle", low=0),
        Param("step_size", INT, help="steps from base_lr up to max_lr", low=1),
        Param("step_size_down", INT, None, "steps back down (default: step_size)", low=1,
              nullable=True),
        Param("mode", CHOICE, "triangular", "how the amplitude changes between cycles",
              choices=("triangular", "triangular2", "exp_range")),
        Param("gamma", FLOAT, 1.0, "exp_range: amplitude factor per step", low=0, high=1,
              low_open=True),
    ),
    length=lambda p: 4 * (p["step_size"] + (p["step_size_down"] or p["step_size"])),
    events=_cycle_events,
    check=check_cyclic,
    notes="Smith (2017). Without --steps it shows four cycles. exp_range uses gamma to the "
          "power of the step, as torch CyclicLR and the original CLR do.",
    equivalents={"torch": "CyclicLR (step_size_up=step_size)"},
)
def cyclic(t, *, base_lr, max_lr, step_size, step_size_down, mode, gamma):
    up = float(step_size)
    down = float(step_size_down or step_size)
    total = up + down
    cycle = np.floor(t / total)
    pos = t - cycle * total
    scale = np.where(pos <= up, pos / up, (total - pos) / down)
    if mode == "triangular2":
        amplitude = 0.5**cycle
    elif mode == "exp_range":
        amplitude = gamma**t
    else:
        amplitude = 1.0
    return base_lr + (max_lr - base_lr) * scale * amplitude


def _onecycle_phases(p: Mapping[str, Any]) -> list[tuple[float, float, float]]:
    """(end step, start lr, end lr) of each phase, with torch OneCycleLR's phase ends."""
    initial = p["max_lr"] / p["div_factor"]
    return onecycle_phases(p["total_steps"], p["pct_start"], p["three_phase"], initial,
                           p["max_lr"], initial / p["final_div_factor"])


def _check_onecycle(values: dict[str, Any]) -> None:
    ends = [0.0] + [end for end, _, _ in _onecycle_phases(values)]
    if any(b <= a for a, b in pairwise(ends)):
        raise LrplotError(
            f"onecycle: pct_start={values['pct_start']} with total_steps="
            f"{values['total_steps']} leaves a phase empty; the warm-up phase needs "
            "pct_start·total_steps > 1 (and pct_start < 0.5 with three_phase)"
        )


@family(
    "onecycle",
    summary="The 1cycle policy: up from max_lr/div_factor to max_lr, then far below.",
    formula="phase ends at pct_start·T−1 and T−1 (torch OneCycleLR); cos: "
            "end+(start−end)/2·(1+cos(π·pct)), linear: start+(end−start)·pct",
    params=(
        Param("max_lr", FLOAT, 0.1, "peak lr", low=0),
        _length("total_steps", "length of the whole cycle"),
        Param("pct_start", FLOAT, 0.3, "fraction of the cycle spent going up", low=0, high=1,
              low_open=True, high_open=True),
        Param("anneal", CHOICE, "cos", "shape of each phase", choices=("cos", "linear")),
        Param("div_factor", FLOAT, 25.0, "starting lr is max_lr/div_factor", low=0,
              low_open=True),
        Param("final_div_factor", FLOAT, 1e4, "final lr is starting lr/final_div_factor",
              low=0, low_open=True),
        Param("three_phase", BOOL, False, "come back down to the starting lr, then anneal"),
    ),
    length=lambda p: p["total_steps"],
    events=lambda p, n: [(end, "phase") for end in onecycle_ends(
        p["total_steps"], p["pct_start"], p["three_phase"])[:-1]],
    check=_check_onecycle,
    notes="Phase ends follow torch OneCycleLR (peak at step pct_start·T−1, final lr at T−1); "
          "after the cycle the final lr holds, where torch raises. optax's onecycle peaks "
          "one step later: use the optax. dialect to see it.",
    equivalents={"torch": "OneCycleLR (same phases; torch raises past total_steps)",
                 "optax": "cosine_onecycle_schedule (peak one step later)"},
)
def onecycle(t, *, max_lr, total_steps, pct_start, anneal, div_factor, final_div_factor,
             three_phase):
    phases = _onecycle_phases({
        "total_steps": total_steps, "pct_start": pct_start, "max_lr": max_lr,
        "div_factor": div_factor, "final_div_factor": final_div_factor,
        "three_phase": three_phase,
    })
    return phase_values(np.minimum(t, total_steps - 1.0), phases, anneal)


def _wsd_decay_default(values: Mapping[str, Any], ctx: Context) -> int:
    return max(1, round(0.2 * values["total_steps"]))


def _check_wsd(values: dict[str, Any]) -> None:
    if values["decay_steps"] > values["total_steps"]:
        raise LrplotError(
            f"wsd: decay_steps={values['decay_steps']} must be ≤ total_steps="
            f"{values['total_steps']}"
        )


@family(
    "wsd",
    summary="Warmup–stable–decay: hold lr, then decay to min_lr over the last decay_steps.",
    formula="lr until total_steps−decay_steps, then min_lr+(lr−min_lr)·f(p), p the decay "
            "fraction; f = 1−p (linear), ½(1+cos πp) (cosine), 1−√p (1-sqrt)",
    params=(
        LR,
        _length("total_steps", "stable + decay steps (after warmup)"),
        Param("decay_steps", INT, Derived(_wsd_decay_default, "20% of total_steps"),
              "length of the final decay", low=1),
        MIN_LR,
        Param("decay_shape", CHOICE, "linear", "shape of the decay",
              choices=("linear", "cosine", "1-sqrt")),
    ),
    length=lambda p: p["total_steps"],
    events=lambda p, n: [(p["total_steps"] - p["decay_steps"], "phase")],
    check=_check_wsd,
    notes="MiniCPM / DeepSeek-style trapezoid. total_steps excludes the warmup (warmup is a "
          "prefix); hf warmup_stable_decay counts it in num_training_steps.",
    equivalents={"hf": "warmup_stable_decay (num_training_steps = warmup + total_steps)",
                 "timm": "WSDLRScheduler (t_initial=total_steps, decay_t=decay_steps)"},
)
def wsd(t, *, lr, total_steps, decay_steps, min_lr, decay_shape):
    p = np.clip((t - (total_steps - decay_steps)) / decay_steps, 0.0, 1.0)
    if decay_shape == "linear":
        f = 1.0 - p
    elif decay_shape == "cosine":
        f = 0.5 * (1.0 + np.cos(np.pi * p))
    else:
        f = 1.0 - np.sqrt(p)
    return min_lr + (lr - min_lr) * f


def _timescale_default(values: Mapping[str, Any], ctx: Context) -> int:
    return values["warmup"] or 1


@family(
    "inverse_sqrt",
    summary="Inverse square-root decay (the T5/fairseq schedule).",
    formula="lr·sqrt(timescale/(t+timescale))",
    params=(
        LR,
        Param("timescale", FLOAT, Derived(_timescale_default, "warmup (or 1)"),
              "after timescale steps the lr is lr/√2", low=0, low_open=True),
    ),
    notes="With warmup=W and the default timescale this is transformers' inverse_sqrt: "
          "lr·sqrt(W/step) after the ramp.",
    equivalents={"hf": "inverse_sqrt"},
)
def inverse_sqrt(t, *, lr, timescale):
    return lr * np.sqrt(timescale / (t + timescale))


@family(
    "noam",
    summary="The Transformer schedule (Vaswani et al. 2017): linear ramp, then 1/√t.",
    formula="factor·d_model^−½·min(n^−½, n·warmup_steps^−1.5), n = t+1",
    params=(
        Param("d_model", INT, help="model width", low=1),
        Param("warmup_steps", INT, help="steps of the built-in ramp", low=1),
        Param("factor", FLOAT, 1.0, "overall scale", low=0, low_open=True),
    ),
    length=lambda p: 10 * p["warmup_steps"],
    notes="The ramp is built in and n counts from 1, so step 0 already has a small lr. "
          "Without --steps it shows ten times warmup_steps.",
    equivalents={"optax": "none built in (Paddle NoamDecay)"},
)
def noam(t, *, d_model, warmup_steps, factor):
    n = t + 1.0
    return factor * d_model**-0.5 * np.minimum(n**-0.5, n * float(warmup_steps) ** -1.5)


@family(
    "plateau",
    summary="ReduceLROnPlateau: cut the lr when a metric stops improving.",
    formula="after step t sees metric[t]: if no improvement for more than patience steps, "
            "lr ← max(lr·factor, min_lr)",
    params=(LR, *PLATEAU_PARAMS),
    length=plateau_length,
    events=plateau_reductions,
    uses_metric=True,
    notes="PyTorch semantics: metric[t] is observed after step t, and a cut happens after "
          "patience+1 bad observations. Reads --metric FILE[:COLUMN]; without one it replays "
          "a built-in synthetic loss curve with plateaus. Holds its last lr after the metric "
          "ends. With warmup=W the family starts at step W, so it first sees metric[W].",
    equivalents={"torch": "ReduceLROnPlateau", "hf": "reduce_lr_on_plateau",
                 "keras": "callbacks.ReduceLROnPlateau (cuts one step earlier)"},
)
def plateau(t, **p):
    return plateau_lr(t, p)
