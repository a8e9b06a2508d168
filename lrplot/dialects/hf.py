"""``hf.`` dialect: the ``transformers.get_scheduler`` types, as the Trainer builds them.

Each type is a ``LambdaLR`` on an optimizer with lr ``lr``: row t is ``lr·lambda(t)``, i.e.
``get_last_lr()[0]`` after t calls of ``scheduler.step()``. Parameters are get_scheduler's
(``num_warmup_steps``, ``num_training_steps``) plus the type's own keyword arguments
(``scheduler_specific_kwargs``); where get_scheduler drops or ignores some, so does lrplot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrplot.definition import Context, Definition, collector
from lrplot.dialects import optimizer_lr
from lrplot.errors import LrplotError
from lrplot.params import CHOICE, FLOAT, INT, Derived, Param
from lrplot.plateau import (
    PLATEAU_NOTE,
    PLATEAU_PARAMS,
    plateau_length,
    plateau_lr,
    plateau_reductions,
)

DEFINITIONS: list[Definition] = []
dialect = collector(DEFINITIONS, kind="dialect")
LR = optimizer_lr("the optimizer's lr (TrainingArguments.learning_rate; lrplot's default "
                  "0.1)")
WARMUP = Param("num_warmup_steps", INT, 0, "steps of linear warmup from 0", low=0)


def _run_length(values: Mapping[str, Any], ctx: Context) -> int:
    return ctx.run_length


TRAINING = Param("num_training_steps", INT, Derived(_run_length, "--steps (or 100)"),
                 "total optimizer steps, warmup included", low=0)
NUM_CYCLES = Param("num_cycles", FLOAT, 0.5, "cosine waves over the decay (0.5: down once)")
COMMON = (LR, WARMUP, TRAINING)


def _warmup_events(p: Mapping[str, Any], n: int) -> list[tuple[float, str]]:
    return [(p["num_warmup_steps"], "warmup end")] if p["num_warmup_steps"] > 0 else []


def _warmup(t: np.ndarray, warmup: int) -> np.ndarray:
    return t.astype(np.float64) / float(max(1, warmup))


def _progress(t: np.ndarray, warmup: int, total: int) -> np.ndarray:
    return (t - warmup).astype(np.float64) / float(max(1, total - warmup))


def _lambda_lr(t: np.ndarray, lr: float, warmup: int, after) -> np.ndarray:
    """lr·lambda(t): the linear warmup below *warmup*, *after(t)* from there on."""
    factor = np.empty(t.shape)
    ramp = t < warmup
    factor[ramp] = _warmup(t[ramp], warmup)
    factor[~ramp] = after(t[~ramp])
    return lr * factor


@dialect(
    "hf.linear",
    summary="transformers linear: linear warmup from 0, then linear decay to 0.",
    formula="t/W during warmup, then max(0, (T−t)/max(1, T−W))",
    params=COMMON,
    length=lambda p: p["num_training_steps"],
    events=_warmup_events,
    notes="The first update (step 0) uses lr 0 when warmup > 0. Reaches 0 at "
          "num_training_steps and stays there.",
    equivalents={"lrplot": "linear with warmup=num_warmup_steps (decay_steps = T − W)"},
)
def linear(t, p):
    total, warm = p["num_training_steps"], p["num_warmup_steps"]
    return _lambda_lr(t, p["lr"], warm, lambda s: np.maximum(
        0.0, (total - s).astype(np.float64) / float(max(1, total - warm))))


def _cosine_factor(progress: np.ndarray, num_cycles: float, min_rate: float) -> np.ndarray:
    factor = 0.5 * (1.0 + np.cos(math.pi * float(num_cycles) * 2.0 * progress))
    return np.maximum(0, factor * (1 - min_rate) + min_rate)


@dialect(
    "hf.cosine",
    summary="transformers cosine: linear warmup from 0, then cosine to 0 — not clamped.",
    formula="t/W during warmup, then max(0, ½(1+cos(2π·num_cycles·p))), "
            "p = (t−W)/max(1, T−W)",
    params=(*COMMON, NUM_CYCLES),
    length=lambda p: p["num_training_steps"],
    events=_warmup_events,
    notes="Past num_training_steps the cosine is not clamped: the lr rises again (period "
          "2·(T−W) with num_cycles=0.5). lrplot's cosine family holds its floor instead.",
    equivalents={"lrplot": "cosine with warmup=num_warmup_steps, decay_steps = T − W "
                           "(holds after the decay)"},
)
def cosine(t, p):
    warm, total = p["num_warmup_steps"], p["num_training_steps"]
    return _lambda_lr(t, p["lr"], warm, lambda s: _cosine_factor(
        _progress(s, warm, total), p["num_cycles"], 0.0))


@dialect(
    "hf.cosine_with_restarts",
    summary="transformers cosine_with_restarts: warmup, then num_cycles hard-restart cosines.",
    formula="t/W during warmup; p = (t−W)/max(1, T−W); 0 if p ≥ 1 else "
            "½(1+cos(π·((num_cycles·p) mod 1)))",
    params=(*COMMON, Param("num_cycles", FLOAT, 1.0, "number of cosine cycles (hard "
                                                     "restarts)")),
    length=lambda p: p["num_training_steps"],
    events=_warmup_events,
    notes="Equal-length cycles that jump back to lr; exactly 0 from num_training_steps on.",
    equivalents={"lrplot": "cosine_restarts with t_mul=1 and warmup (but hf ends at 0)"},
)
def cosine_with_restarts(t, p):
    warm, total, cycles = p["num_warmup_steps"], p["num_training_steps"], p["num_cycles"]

    def after(s):
        progress = _progress(s, warm, total)
        wave = np.maximum(0.0, 0.5 * (1.0 + np.cos(math.pi * ((float(cycles) * progress)
                                                             % 1.0))))
        return np.where(progress >= 1.0, 0.0, wave)

    return _lambda_lr(t, p["lr"], warm, after)


def _check_polynomial(values: dict[str, Any]) -> None:
    if not values["lr"] > values["lr_end"]:
        raise LrplotError(f"hf.polynomial: lr_end ({values['lr_end']}) must be smaller than "
                          f"the initial lr ({values['lr']}), as transformers requires")


@dialect(
    "hf.polynomial",
    summary="transformers polynomial: warmup, then polynomial decay to lr_end.",
    formula="t/W during warmup; ((lr−lr_end)·(1−(t−W)/(T−W))^power + lr_end)/lr until T; "
            "lr_end/lr after",
    params=(*COMMON, Param("lr_end", FLOAT, 1e-7, "final lr (absolute)", low=0),
            Param("power", FLOAT, 1.0, "exponent of the decay", low=0)),
    length=lambda p: p["num_training_steps"],
    events=_warmup_events,
    check=_check_polynomial,
    notes="lr_end defaults to 1e-7 and must be below lr. With num_training_steps equal to "
          "num_warmup_steps transformers divides by zero at that step (lrplot refuses it).",
    equivalents={"lrplot": "polynomial with warmup (end_lr = lr_end)"},
)
def polynomial(t, p):
    warm, total, lr, end = (p["num_warmup_steps"], p["num_training_steps"], p["lr"],
                            p["lr_end"])

    def after(s):
        if total == warm and (s == total).any():
            raise LrplotError(f"hf.polynomial: num_training_steps = num_warmup_steps = {total} "
                              f"makes transformers divide by zero at step {total}")
        decaying = s <= total
        factor = np.full(s.shape, end / lr)
        if decaying.any():
            remaining = 1 - (s[decaying] - warm) / (total - warm)
            factor[decaying] = ((lr - end) * remaining ** p["power"] + end) / lr
        return factor

    return _lambda_lr(t, lr, warm, after)


@dialect(
    "hf.constant",
    summary="transformers constant: lr at every step (get_scheduler ignores warmup).",
    formula="lr",
    params=COMMON,
    notes="get_scheduler('constant') ignores num_warmup_steps and num_training_steps; "
          "lrplot accepts and ignores them too. Use hf.constant_with_warmup for a warmup.",
    equivalents={"lrplot": "constant"},
)
def constant(t, p):
    return np.full(t.shape, p["lr"] * 1)


@dialect(
    "hf.constant_with_warmup",
    summary="transformers constant_with_warmup: linear warmup from 0, then lr.",
    formula="t/max(1, W) during warmup, then 1",
    params=COMMON,
    events=_warmup_events,
    notes="num_training_steps is accepted and ignored (get_scheduler drops it).",
    equivalents={"lrplot": "constant with warmup=num_warmup_steps"},
)
def constant_with_warmup(t, p):
    warm = p["num_warmup_steps"]
    factor = np.where(t < warm, t.astype(np.float64) / float(max(1.0, warm)), 1.0)
    return p["lr"] * factor


@dialect(
    "hf.inverse_sqrt",
    summary="transformers inverse_sqrt: linear warmup, then lr/√((t+timescale−W)/timescale).",
    formula="t/W during warmup, then 1/√((t + timescale − W)/timescale); timescale defaults "
            "to W (or 10 000 without warmup)",
    params=(LR, WARMUP, Param("timescale", INT, None, "decay timescale (default "
                                                      "num_warmup_steps or 10000)",
                              low=0, low_open=True, nullable=True)),
    events=_warmup_events,
    notes="No end. Only an unset timescale gets the default: transformers divides by "
          "timescale=0 (from num_warmup_steps on), so lrplot refuses it.",
    equivalents={"lrplot": "inverse_sqrt with warmup=num_warmup_steps (timescale defaults "
                           "to the warmup there too)"},
)
def inverse_sqrt(t, p):
    warm = p["num_warmup_steps"]
    timescale = p["timescale"] if p["timescale"] is not None else (warm or 10_000)
    shift = timescale - warm
    return _lambda_lr(t, p["lr"], warm,
                      lambda s: 1.0 / np.sqrt((s + shift).astype(np.float64) / timescale))


def _min_lr_rate(values: Mapping[str, Any], name: str) -> float:
    if values["min_lr"] is not None and values["min_lr_rate"] is not None:
        raise LrplotError(f"{name}: only one of min_lr or min_lr_rate should be set")
    if values["min_lr"] is not None:
        if values["lr"] == 0:
            raise LrplotError(f"{name}: min_lr needs lr > 0 (transformers divides by it)")
        return values["min_lr"] / values["lr"]
    if values["min_lr_rate"] is None:
        raise LrplotError(f"{name}: one of min_lr or min_lr_rate must be set, as "
                          "transformers requires")
    return values["min_lr_rate"]


def _check_min_lr(values: Mapping[str, Any], name: str) -> None:
    _min_lr_rate(values, name)


MIN_LR_PARAMS = (
    Param("min_lr", FLOAT, None, "floor as an absolute lr (or min_lr_rate)", low=0,
          nullable=True),
    Param("min_lr_rate", FLOAT, None, "floor as a fraction of lr (or min_lr)", low=0,
          nullable=True),
)


@dialect(
    "hf.cosine_with_min_lr",
    summary="transformers cosine_with_min_lr: warmup, then cosine to a floor — not clamped.",
    formula="t/W during warmup, then max(0, f·(1−m)+m), f = ½(1+cos(2π·num_cycles·p)), "
            "m = min_lr_rate (= min_lr/lr)",
    params=(*COMMON, NUM_CYCLES, *MIN_LR_PARAMS),
    length=lambda p: p["num_training_steps"],
    events=_warmup_events,
    check=lambda v: _check_min_lr(v, "hf.cosine_with_min_lr"),
    notes="Exactly one of min_lr / min_lr_rate. Like hf.cosine, rises again past "
          "num_training_steps.",
    equivalents={"lrplot": "cosine with warmup and min_lr (holds after the decay)"},
)
def cosine_with_min_lr(t, p):
    warm, total = p["num_warmup_steps"], p["num_training_steps"]
    rate = _min_lr_rate(p, "hf.cosine_with_min_lr")
    return _lambda_lr(t, p["lr"], warm, lambda s: _cosine_factor(
        _progress(s, warm, total), p["num_cycles"], rate))


@dialect(
    "hf.cosine_warmup_with_min_lr",
    summary="transformers cosine_warmup_with_min_lr: warmup that starts above 0, cosine to "
            "a floor.",
    formula="warmup (t+1)/W (or warmup_lr_rate + (1−rate)·t/(W−1)); then p = (t−W+1)/"
            "max(1, T−W), max(0, f·(1−m)+m)",
    params=(*COMMON, NUM_CYCLES, *MIN_LR_PARAMS,
            Param("warmup_lr_rate", FLOAT, None, "warmup start as a fraction of lr", low=0,
                  nullable=True)),
    length=lambda p: p["num_training_steps"],
    events=_warmup_events,
    check=lambda v: _check_min_lr(v, "hf.cosine_warmup_with_min_lr"),
    notes="Unlike the other hf warmups, step 0 is not 0: the peak is reached at W−1 and "
          "the floor at T−1. Not clamped past the end.",
    equivalents={"lrplot": "cosine with warmup and min_lr, shifted one step earlier"},
)
def cosine_warmup_with_min_lr(t, p):
    lr, warm, total = p["lr"], float(p["num_warmup_steps"]), float(p["num_training_steps"])
    rate = _min_lr_rate(p, "hf.cosine_warmup_with_min_lr")
    s = t.astype(np.float64)
    factor = np.empty(s.shape)
    ramp = s < warm
    if p["warmup_lr_rate"] is None:
        factor[ramp] = (s[ramp] + 1.0) / max(1.0, warm)
    else:
        wr = float(p["warmup_lr_rate"])
        factor[ramp] = wr + (1.0 - wr) * s[ramp] / max(1, warm - 1)
    progress = (s[~ramp] - warm + 1.0) / max(1.0, total - warm)
    factor[~ramp] = _cosine_factor(progress, p["num_cycles"], rate)
    return lr * factor


def _wsd_stable(p: Mapping[str, Any]) -> int:
    if p["num_stable_steps"] is not None:
        return p["num_stable_steps"]
    return p["num_training_steps"] - p["num_warmup_steps"] - p["num_decay_steps"]


SHAPES = ("linear", "cosine", "1-sqrt")


@dialect(
    "hf.warmup_stable_decay",
    summary="transformers warmup_stable_decay: warmup, hold lr, decay to min_lr_ratio·lr.",
    formula="warmup f(t/W) (linear, cosine, 1-sqrt); 1 for S steps; decay g(p) over "
            "num_decay_steps; then min_lr_ratio; ramps mapped to f·(1−r)+r",
    params=(*COMMON,
            Param("num_decay_steps", INT, help="steps of the final decay", low=0),
            Param("num_stable_steps", INT, None, "steps at lr (default T − W − decay)",
                  nullable=True),
            Param("warmup_type", CHOICE, "linear", "warmup shape", choices=SHAPES),
            Param("decay_type", CHOICE, "cosine", "decay shape", choices=SHAPES),
            Param("min_lr_ratio", FLOAT, 0.0, "floor as a fraction of lr", low=0),
            NUM_CYCLES),
    length=lambda p: p["num_warmup_steps"] + _wsd_stable(p) + p["num_decay_steps"],
    events=lambda p, n: [*_warmup_events(p, n),
                         (p["num_warmup_steps"] + _wsd_stable(p), "phase")],
    notes="num_training_steps includes the warmup; num_stable_steps, when given, wins over "
          "it (transformers warns). The warmup starts at min_lr_ratio·lr, not 0.",
    equivalents={"lrplot": "wsd with warmup (total_steps = T − W, decay_steps = "
                           "num_decay_steps, decay_shape = decay_type)"},
)
def warmup_stable_decay(t, p):
    warm, decay = p["num_warmup_steps"], p["num_decay_steps"]
    stable, ratio = _wsd_stable(p), p["min_lr_ratio"]
    s = t.astype(np.float64)
    factor = np.full(s.shape, float(ratio))

    def shape(x: np.ndarray, kind: str, warming: bool) -> np.ndarray:
        if kind == "linear":
            return x if warming else 1.0 - x
        if kind == "cosine":
            if warming:
                return 0.5 * (1.0 - np.cos(math.pi * x))
            return 0.5 * (1.0 + np.cos(math.pi * float(p["num_cycles"]) * 2.0 * x))
        with np.errstate(invalid="ignore"):
            return 1.0 - np.sqrt(1.0 - x) if warming else 1.0 - np.sqrt(x)

    ramp = t < warm
    x = s[ramp] / float(max(1, warm))
    factor[ramp] = np.maximum(0.0, shape(x, p["warmup_type"], True) * (1.0 - ratio) + ratio)
    held = ~ramp & (t < warm + stable)
    factor[held] = 1.0
    falling = ~ramp & ~held & (t < warm + stable + decay)
    x = (t[falling] - warm - stable).astype(np.float64) / float(max(1, decay))
    factor[falling] = np.maximum(0.0, shape(x, p["decay_type"], False) * (1.0 - ratio)
                                 + ratio)
    return p["lr"] * factor


@dialect(
    "hf.reduce_lr_on_plateau",
    summary="transformers reduce_lr_on_plateau: torch ReduceLROnPlateau driven by a metric.",
    formula="after metric[t]: if not better for more than patience observations, "
            "lr ← max(lr·factor, min_lr)",
    params=(LR, *PLATEAU_PARAMS),
    length=plateau_length,
    events=plateau_reductions,
    uses_metric=True,
    notes="get_scheduler builds torch's ReduceLROnPlateau from the kwargs (no warmup); the "
          "Trainer steps it with the eval metric. " + PLATEAU_NOTE,
    equivalents={"lrplot": "plateau"},
)
def reduce_lr_on_plateau(t, p):
    return plateau_lr(t, p)
