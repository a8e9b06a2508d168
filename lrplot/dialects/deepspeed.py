"""``deepspeed.`` dialect: the schedulers of a DeepSpeed config's ``scheduler`` block.

From deepspeed/runtime/lr_schedules.py (DeepSpeed 0.19.8): WarmupLR, WarmupDecayLR,
WarmupCosineLR, OneCycle and LRRangeTest, with their own parameter names and defaults.
DeepSpeed steps the scheduler once per optimizer step (never on an fp16-overflow step), and
each constructor sets the lr for ``last_batch_iteration = -1``; so row t (the lr of update t)
is the scheduler at iteration ``it = t − 1``. With the default **log** warmup the first two
updates both use ``warmup_min_lr`` (log(0 + 1) = 0).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrplot.definition import Definition, EventList, collector
from lrplot.dialects import as_float, optimizer_lr
from lrplot.errors import LrplotError
from lrplot.params import BOOL, CHOICE, FLOAT, INT, Param

DEFINITIONS: list[Definition] = []
dialect = collector(DEFINITIONS, kind="dialect")

WARMUP_TYPE = Param("warmup_type", CHOICE, "log", "how the warmup rises: log(it+1)/log(W) or "
                    "it/W", choices=("log", "linear"))
WARMUP_STEPS = Param("warmup_num_steps", INT, 1000, "warmup updates (DeepSpeed uses at least "
                     "2)", low=1)
TOTAL = Param("total_num_steps", INT, help="optimizer steps of the run (not micro-batches)",
              low=1)
WARMUP_NOTE = ("DeepSpeed's default warmup_type is log, not linear: gamma = log(it+1)/log(W) "
               "with W = max(2, warmup_num_steps), so updates 0 and 1 both use the minimum.")


def _iteration(t: np.ndarray) -> np.ndarray:
    """DeepSpeed's last_batch_iteration for update t: the constructor's −1 first."""
    return as_float(t) - 1.0


def _gamma(it: np.ndarray, p: Mapping[str, Any]) -> np.ndarray:
    """The warmup fraction at iteration *it* ≥ 0 (callers mask it ≥ W)."""
    warm = max(2, p["warmup_num_steps"])
    if p["warmup_type"] == "log":
        return np.log(it + 1.0) * (1.0 / math.log(warm))
    return it / warm


def _warmup_end(p: Mapping[str, Any], n: int) -> EventList:
    # Update t uses it = t − 1, so the warmup's last value is at row W.
    return [(max(2, p["warmup_num_steps"]) + 1, "warmup end")]


def _warmup_then(t: np.ndarray, p: Mapping[str, Any], start: float, height: float,
                 after) -> np.ndarray:
    """start + height·gamma while it < W, *after(it)* from there; row 0 (it = −1) is start."""
    it = _iteration(t)
    warm = max(2, p["warmup_num_steps"])
    out = np.empty(t.shape)
    ramp = (it >= 0) & (it < warm)
    out[it < 0] = start
    out[ramp] = start + height * _gamma(it[ramp], p)
    late = it >= warm
    out[late] = after(it[late])
    return out


@dialect(
    "deepspeed.WarmupLR",
    summary="DeepSpeed WarmupLR: warmup_min_lr → warmup_max_lr over warmup_num_steps, then "
            "hold.",
    formula="min + (max−min)·gamma(it), gamma = log(it+1)/log(W) (log) or it/W (linear), 1 "
            "after; it = t−1",
    params=(optimizer_lr("the optimizer's lr: the warmup's target when warmup_max_lr is "
                         "not given"),
            Param("warmup_min_lr", FLOAT, 0.0, "lr at the start", low=0),
            Param("warmup_max_lr", FLOAT, None, "lr after the warmup (default: lr)", low=0,
                  nullable=True),
            WARMUP_STEPS, WARMUP_TYPE),
    length=lambda p: max(2, p["warmup_num_steps"]) + max(10, p["warmup_num_steps"] // 4),
    events=_warmup_end,
    notes=WARMUP_NOTE + " Without warmup_max_lr the warmup rises to the optimizer's lr.",
    equivalents={"lrplot": "constant with a warmup (linear type, shifted by one row)"},
)
def warmup_lr(t, p):
    low = p["warmup_min_lr"]
    high = p["lr"] if p["warmup_max_lr"] is None else p["warmup_max_lr"]
    # min + delta·1.0, as DeepSpeed computes it (not max itself: they can differ by an ulp).
    return _warmup_then(t, p, low, high - low, lambda it: np.full(it.shape, low + (high - low)))


@dialect(
    "deepspeed.WarmupDecayLR",
    summary="DeepSpeed WarmupDecayLR: WarmupLR's warmup, then linear decay to 0 at "
            "total_num_steps.",
    formula="warmup as WarmupLR; then min + (max−min)·max(0, (T−it)/max(1, T−W)); it = t−1",
    params=(TOTAL, Param("warmup_min_lr", FLOAT, 0.0, "lr at the start", low=0),
            Param("warmup_max_lr", FLOAT, 0.001, "lr after the warmup", low=0),
            WARMUP_STEPS, WARMUP_TYPE),
    length=lambda p: p["total_num_steps"] + 1,
    events=_warmup_end,
    notes=WARMUP_NOTE + " The decay reaches warmup_min_lr at update T + 1.",
    equivalents={"hf": "linear (but log warmup and a one-row shift)"},
)
def warmup_decay_lr(t, p):
    low, high, total = p["warmup_min_lr"], p["warmup_max_lr"], p["total_num_steps"]
    span = float(max(1, total - max(2, p["warmup_num_steps"])))
    return _warmup_then(t, p, low, high - low, lambda it: low + (high - low) * np.maximum(
        0.0, (total - it) / span))


@dialect(
    "deepspeed.WarmupCosineLR",
    summary="DeepSpeed WarmupCosineLR: ratios of the optimizer's lr — warmup from "
            "warmup_min_ratio, cosine down to cos_min_ratio.",
    formula="lr·r: r = 0 at update 0; warmup min_ratio + (1−min_ratio)·gamma(it); then "
            "cos_min + (1−cos_min)·½(1+cos(π·min(1, (it−W+1)/max(1, T−W))))",
    params=(optimizer_lr("the optimizer's lr (the config's optimizer.params.lr)"), TOTAL,
            Param("warmup_min_ratio", FLOAT, 0.0, "start of the warmup, as a ratio of lr",
                  low=0),
            WARMUP_STEPS,
            Param("cos_min_ratio", FLOAT, 0.0001, "end of the cosine, as a ratio of lr", low=0),
            WARMUP_TYPE),
    length=lambda p: p["total_num_steps"] + 1,
    events=_warmup_end,
    notes=WARMUP_NOTE + " Update 0 uses lr 0 (not warmup_min_ratio): DeepSpeed's "
          "constructor sets ratio 0 before the first step. It takes no warmup_min_lr or "
          "warmup_max_lr (DeepSpeed raises TypeError on them).",
    equivalents={"lrplot": "cosine with warmup, min_lr = cos_min_ratio·lr"},
)
def warmup_cosine_lr(t, p):
    warm = max(2, p["warmup_num_steps"])
    low, floor = p["warmup_min_ratio"], p["cos_min_ratio"]
    span = float(max(1, p["total_num_steps"] - warm))

    def cosine(it: np.ndarray) -> np.ndarray:
        progress = np.minimum(1.0, (it - warm + 1.0) / span)
        return np.maximum(0.0, floor + (1.0 - floor) * (1.0 + np.cos(math.pi * progress)) / 2)

    ratio = _warmup_then(t, p, low, 1.0 - low, cosine)
    ratio[_iteration(t) < 0] = 0.0
    return p["lr"] * ratio


def _check_one_cycle(values: Mapping[str, Any]) -> None:
    if values["cycle_max_lr"] < values["cycle_min_lr"]:
        raise LrplotError(f"cycle_max_lr ({values['cycle_max_lr']}) must be ≥ cycle_min_lr "
                          f"({values['cycle_min_lr']})")


def _cycle_sizes(p: Mapping[str, Any]) -> tuple[float, float]:
    first = float(p["cycle_first_step_size"])
    second = first if p["cycle_second_step_size"] is None else float(p["cycle_second_step_size"])
    return first, second


def _stairs(p: Mapping[str, Any]) -> tuple[int, int]:
    first = p["cycle_first_stair_count"]
    second = p["cycle_second_stair_count"]
    return first, first if second is None else second


def _scale(batch: np.ndarray, p: Mapping[str, Any]) -> np.ndarray:
    """OneCycle._get_scale_factor at batch_iteration = it + 1, stair counts included."""
    first, second = _cycle_sizes(p)
    total = first + second
    ratio = first / total
    x = 1.0 + batch / total - np.floor(1.0 + batch / total)
    rising = x <= ratio
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(rising, x / ratio, (x - 1.0) / (ratio - 1.0))
    up_stairs, down_stairs = _stairs(p)
    stairs = np.where(rising, up_stairs, down_stairs)
    if up_stairs > 0 or down_stairs > 0:
        position = np.mod(batch, total)
        with np.errstate(divide="ignore", invalid="ignore"):
            place = np.where(position <= first, position * stairs / first,
                             (total - position) * stairs / second)
            stepped = np.floor(place) / stairs
        scale = np.where(stairs > 0, stepped, scale)
    return scale


@dialect(
    "deepspeed.OneCycle",
    summary="DeepSpeed OneCycle (lr part): a triangle cycle_min_lr → cycle_max_lr → "
            "cycle_min_lr, then an optional 1/(1+rate·x) decay.",
    formula="it < F+S: min + (max−min)·scale(it+1) (triangle, optional stairs); then "
            "min/(1 + decay_lr_rate·(it−F−S+1)/decay_step_size); it = t−1",
    params=(Param("cycle_min_lr", FLOAT, help="lr at the start and end of the cycle", low=0),
            Param("cycle_max_lr", FLOAT, help="lr at the peak", low=0),
            Param("decay_lr_rate", FLOAT, 0.0, "post-cycle decay rate (0: hold)", low=0),
            Param("cycle_first_step_size", FLOAT, 2000, "updates rising", low=0,
                  low_open=True),
            Param("cycle_second_step_size", FLOAT, None, "updates falling (default: as "
                  "rising)", low=0, nullable=True),
            Param("cycle_first_stair_count", INT, 0, "stairs while rising (0: smooth)", low=0),
            Param("cycle_second_stair_count", INT, None, "stairs while falling (default: as "
                  "rising)", low=0, nullable=True),
            Param("decay_step_size", FLOAT, 0, "updates per decay interval (0: no decay)",
                  low=0),
            Param("cycle_momentum", BOOL, True, "momentum cycling (no effect on the lr)")),
    length=lambda p: int(sum(_cycle_sizes(p)) * 1.25) + 1,
    check=_check_one_cycle,
    events=lambda p, n: [(sum(_cycle_sizes(p)) + 1, "phase")],
    notes="The momentum half (cycle_min_mom, cycle_max_mom, decay_mom_rate) does not change "
          "the lr and is not taken. Update 0 uses cycle_min_lr (the constructor's).",
    equivalents={"lrplot": "cyclic (one triangle) then inverse_time on the floor"},
)
def one_cycle(t, p):
    it = _iteration(t)
    low, high = p["cycle_min_lr"], p["cycle_max_lr"]
    total = sum(_cycle_sizes(p))
    out = low + (high - low) * _scale(it + 1.0, p)
    out[it < 0] = low
    after = it >= total
    skip_decay = math.isclose(p["decay_step_size"], 0) or math.isclose(p["decay_lr_rate"], 0)
    if skip_decay:
        out[after] = low
    else:
        interval = (it[after] - total + 1.0) / p["decay_step_size"]
        out[after] = low / (1.0 + p["decay_lr_rate"] * interval)
    return out


@dialect(
    "deepspeed.LRRangeTest",
    summary="DeepSpeed LRRangeTest: lr grows linearly (or in stairs) from "
            "lr_range_test_min_lr.",
    formula="min_lr·(1 + step_rate·(it+1)/step_size) (floor of the ratio with staircase); "
            "update 0 uses min_lr",
    params=(Param("lr_range_test_min_lr", FLOAT, 1e-3, "lr at the start", low=0),
            Param("lr_range_test_step_size", INT, 2000, "updates per interval", low=1),
            Param("lr_range_test_step_rate", FLOAT, 1.0, "growth per interval", low=0),
            Param("lr_range_test_staircase", BOOL, False, "grow in whole intervals")),
    length=lambda p: 10 * p["lr_range_test_step_size"],
    notes="An lr range test: run it for a few thousand updates and watch the loss.",
    equivalents={},
)
def lr_range_test(t, p):
    it = _iteration(t)
    interval = (it + 1.0) / p["lr_range_test_step_size"]
    if p["lr_range_test_staircase"]:
        interval = np.floor(interval)
    out = p["lr_range_test_min_lr"] * (1.0 + p["lr_range_test_step_rate"] * interval)
    out[it < 0] = p["lr_range_test_min_lr"]
    return out
