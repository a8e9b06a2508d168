"""``megatron.`` dialect: Megatron-LM's ``OptimizerParamScheduler``, counted in samples.

From NVIDIA/Megatron-LM @ d98e8a64ddf34856e74b24714e3bedb2f5a39553 :
megatron/core/optimizer_param_scheduler.py (``get_lr``) and megatron/training/training.py
(``get_optimizer_param_scheduler``). The scheduler counts *samples*: the constructor calls
``step(0)`` and training calls ``step(increment=global batch size)`` after every iteration,
so iteration t (row t) uses ``n = t · increment``. The warmup test is inclusive
(``n <= warmup``): the row that ends the warmup is exactly ``max_lr``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrplot.definition import Definition, EventList, collector
from lrplot.dialects import as_float
from lrplot.errors import LrplotError
from lrplot.params import CHOICE, FLOAT, INT, Param

DEFINITIONS: list[Definition] = []
dialect = collector(DEFINITIONS, kind="dialect")

DECAY_STYLES = ("constant", "linear", "cosine", "inverse-square-root", "WSD")
WSD_STYLES = ("exponential", "linear", "cosine", "minus_sqrt")


def _check(values: dict[str, Any]) -> None:
    # OptimizerParamScheduler's own assertions, as one-line errors.
    if values["max_lr"] < values["min_lr"]:
        raise LrplotError(f"max_lr ({values['max_lr']}) must be ≥ min_lr ({values['min_lr']})")
    if values["init_lr"] > values["max_lr"]:
        raise LrplotError(f"init_lr ({values['init_lr']}) must be ≤ max_lr "
                          f"({values['max_lr']})")
    if values["lr_warmup_steps"] >= values["lr_decay_steps"]:
        raise LrplotError(f"lr_warmup_steps ({values['lr_warmup_steps']:g}) must be below "
                          f"lr_decay_steps ({values['lr_decay_steps']}): Megatron asserts it")
    if values["lr_decay_style"] == "WSD":
        wsd = values["wsd_decay_steps"]
        if wsd is None:
            raise LrplotError("lr_decay_style WSD needs wsd_decay_steps (--lr-wsd-decay-iters "
                              "or --lr-wsd-decay-samples)")
        if not 0 < wsd <= values["lr_decay_steps"] - values["lr_warmup_steps"]:
            raise LrplotError(f"wsd_decay_steps ({wsd}) must be in (0, lr_decay_steps − "
                              "lr_warmup_steps]: Megatron's decay ratio leaves [0, 1] otherwise")


def _events(p: Mapping[str, Any], n: int) -> EventList:
    increment = p["increment"]
    found: EventList = []
    if p["lr_warmup_steps"] > 0:
        found.append((math.floor(p["lr_warmup_steps"] / increment), "warmup end"))
    if p["lr_decay_style"] == "WSD":
        found.append(((p["lr_decay_steps"] - p["wsd_decay_steps"]) / increment, "phase"))
    if p["lr_decay_style"] != "constant":
        found.append((p["lr_decay_steps"] / increment, "phase"))
    return found


def _wsd(n: np.ndarray, p: Mapping[str, Any]) -> np.ndarray:
    start = p["lr_decay_steps"] - p["wsd_decay_steps"]
    ratio = (n - start) / float(p["wsd_decay_steps"])
    style = p["lr_wsd_decay_style"]
    if style == "linear":
        coeff = 1.0 - ratio
    elif style == "cosine":
        coeff = 0.5 * (np.cos(math.pi * ratio) + 1.0)
    elif style == "exponential":
        coeff = 2.0 * np.power(0.5, ratio) - 1.0
    else:
        coeff = 1.0 - np.sqrt(np.maximum(ratio, 0.0))
    return np.where(n <= start, 1.0, coeff)


def _decay(n: np.ndarray, p: Mapping[str, Any]) -> np.ndarray:
    """The lr between the warmup and lr_decay_steps, by decay style."""
    high, low, warm = p["max_lr"], p["min_lr"], p["lr_warmup_steps"]
    style = p["lr_decay_style"]
    if style == "inverse-square-root":
        lr = high * max(warm, 1) ** 0.5 / np.maximum(n, 1.0) ** 0.5
        return np.maximum(low, lr)
    ratio = (n - warm) / float(p["lr_decay_steps"] - warm)
    if style == "linear":
        coeff = 1.0 - ratio
    elif style == "cosine":
        coeff = 0.5 * (np.cos(math.pi * ratio) + 1.0)
    else:
        coeff = _wsd(n, p)
    return low + coeff * (high - low)


@dialect(
    "megatron.OptimizerParamScheduler",
    summary="Megatron-LM's lr: linear warmup from init_lr (inclusive), then constant, linear, "
            "cosine, inverse-square-root or WSD decay to min_lr, counted in samples.",
    formula="n = t·increment; n ≤ W: init + (max−init)·n/W; n > D: min; else min + "
            "coeff·(max−min), coeff by style of (n−W)/(D−W)",
    params=(Param("max_lr", FLOAT, 0.1, "--lr: the peak lr", low=0),
            Param("min_lr", FLOAT, 0.0, "--min-lr: the floor after the decay", low=0),
            Param("init_lr", FLOAT, 0.0, "--lr-warmup-init: the lr the warmup starts at",
                  low=0),
            Param("lr_warmup_steps", FLOAT, 0.0, "warmup length in samples (iterations × "
                  "global batch, or a fraction of lr_decay_steps)", low=0),
            Param("lr_decay_steps", INT, help="decay length in samples", low=1),
            Param("lr_decay_style", CHOICE, "linear", "--lr-decay-style",
                  choices=DECAY_STYLES),
            Param("wsd_decay_steps", INT, None, "WSD's annealing length in samples", low=1,
                  nullable=True),
            Param("lr_wsd_decay_style", CHOICE, "exponential", "--lr-wsd-decay-style",
                  choices=WSD_STYLES),
            Param("increment", INT, 1, "samples per iteration (--global-batch-size); 1 "
                  "counts in iterations", low=1)),
    length=lambda p: p["lr_decay_steps"] // p["increment"] + 1,
    check=_check,
    events=_events,
    notes="Row t is iteration t (the lr after t calls of step(increment)); with a constant "
          "global batch the lr per iteration does not depend on the batch size, so "
          "iteration-based arguments can be given with increment = 1. The warmup includes "
          "its end (n ≤ W), so the peak is reached at row W, not W − 1. Counts are floats "
          "where Megatron's are (--lr-warmup-fraction).",
    equivalents={"lrplot": "cosine / linear / wsd / inverse_sqrt with a linear warmup"},
)
def optimizer_param_scheduler(t, p):
    n = as_float(t) * p["increment"]
    high, low, init, warm = p["max_lr"], p["min_lr"], p["init_lr"], p["lr_warmup_steps"]
    out = np.empty(n.shape)
    ramp = (n <= warm) if warm > 0 else np.zeros(n.shape, dtype=bool)
    if warm > 0:
        out[ramp] = init + (high - init) * n[ramp] / float(warm)
    rest = ~ramp
    if p["lr_decay_style"] == "constant":
        out[rest] = high
        return out
    late = rest & (n > p["lr_decay_steps"])
    out[late] = low
    middle = rest & ~late
    out[middle] = _decay(n[middle], p)
    return out
