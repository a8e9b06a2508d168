"""``nanogpt.`` dialect: the ``get_lr(it)`` of karpathy/nanoGPT's train.py.

From karpathy/nanoGPT @ 3adf61e154c3fe3fca428ad6bc3818b27a3b8291 : train.py. The lr of
iteration ``it`` (one optimizer step each) is set on every param group right before the
step: ``get_lr(iter_num) if decay_lr else learning_rate``; the loop runs iterations
``0..max_iters`` (it stops once ``iter_num > max_iters``), so a run has ``max_iters + 1``
updates. The warmup changed in commit dc81cb36 (2024-12-09): ``lr·(it+1)/(W+1)`` now,
``lr·it/W`` before (``warmup_formula=original``; litgpt's pretrain still uses it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrplot.definition import Definition, EventList, collector
from lrplot.dialects import as_float
from lrplot.errors import LrplotError
from lrplot.params import BOOL, CHOICE, FLOAT, INT, Param

DEFINITIONS: list[Definition] = []
dialect = collector(DEFINITIONS, kind="dialect")


def warmup_cosine(it: np.ndarray, lr: float, warmup: int, decay: int, floor: float,
                  plus_one: bool) -> np.ndarray:
    """nanoGPT's get_lr on float iterations *it* (litgpt's pretrain get_lr with
    ``plus_one=False`` and ``decay = max_iters``), in its float operations and order."""
    out = np.empty(it.shape)
    ramp = it < warmup
    if plus_one:
        out[ramp] = lr * (it[ramp] + 1) / (warmup + 1)
    else:
        out[ramp] = lr * it[ramp] / warmup
    late = ~ramp & (it > decay)
    out[late] = floor
    middle = ~ramp & ~late
    ratio = (it[middle] - warmup) / (decay - warmup)
    coeff = 0.5 * (1.0 + np.cos(math.pi * ratio))
    out[middle] = floor + coeff * (lr - floor)
    return out


def _check(values: dict[str, Any]) -> None:
    if values["decay_lr"] and values["warmup_iters"] == values["lr_decay_iters"] \
            and values["max_iters"] >= values["warmup_iters"]:
        raise LrplotError(f"warmup_iters = lr_decay_iters = {values['warmup_iters']}: "
                          "nanoGPT's get_lr divides by zero at that iteration")


def _events(p: Mapping[str, Any], n: int) -> EventList:
    if not p["decay_lr"]:
        return []
    return [(p["warmup_iters"], "warmup end"), (p["lr_decay_iters"] + 1, "phase")]


@dialect(
    "nanogpt.get_lr",
    summary="nanoGPT's train.py lr: linear warmup, cosine to min_lr at lr_decay_iters, then "
            "min_lr (or learning_rate throughout with decay_lr=False).",
    formula="it < W: lr·(it+1)/(W+1) (original: lr·it/W); it > D: min_lr; else min_lr + "
            "½(1+cos(π(it−W)/(D−W)))·(lr−min_lr)",
    params=(Param("learning_rate", FLOAT, 6e-4, "the peak lr (train.py's default)", low=0),
            Param("warmup_iters", INT, 2000, "warmup iterations", low=0),
            Param("lr_decay_iters", INT, 600000, "iteration the cosine ends at", low=0),
            Param("min_lr", FLOAT, 6e-5, "the lr after lr_decay_iters", low=0),
            Param("decay_lr", BOOL, True, "false: constant learning_rate"),
            Param("max_iters", INT, 600000, "the last iteration (the run has max_iters + 1 "
                  "updates)", low=0),
            Param("warmup_formula", CHOICE, "current", "current: lr·(it+1)/(W+1) (since "
                  "nanoGPT dc81cb36, 2024-12-09); original: lr·it/W (before; starts at 0)",
                  choices=("current", "original"))),
    length=lambda p: p["max_iters"] + 1,
    check=_check,
    events=_events,
    notes="Row t is iteration t. With the current warmup the ramp ends at lr·W/(W+1) and "
          "jumps to lr at iteration W; the original one starts at 0. lr_decay_iters need not "
          "equal max_iters: past it the lr holds at min_lr.",
    equivalents={"lrplot": "cosine with a linear warmup (the current form is offset by one)"},
)
def get_lr(t, p):
    if not p["decay_lr"]:
        return np.full(t.shape, float(p["learning_rate"]))
    return warmup_cosine(as_float(t), p["learning_rate"], p["warmup_iters"],
                         p["lr_decay_iters"], p["min_lr"], p["warmup_formula"] == "current")
