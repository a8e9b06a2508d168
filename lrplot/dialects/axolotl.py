"""``axolotl.`` dialect: the schedules axolotl adds to the Hugging Face Trainer.

From axolotl-ai-cloud/axolotl @ 067b021c : src/axolotl/utils/schedulers.py, chosen in
src/axolotl/core/trainers/mixins/scheduler.py when ``lr_scheduler`` is cosine (its default)
and the config sets ``lr_quadratic_warmup``, ``cosine_min_lr_ratio`` or
``cosine_constant_lr_ratio``. Each is a ``LambdaLR`` on the optimizer's lr: row t is
``lr·lambda(t)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrplot.definition import Definition, EventList, collector
from lrplot.dialects import as_float, optimizer_lr
from lrplot.params import FLOAT, INT, Param

DEFINITIONS: list[Definition] = []
dialect = collector(DEFINITIONS, kind="dialect")

LR = optimizer_lr("the optimizer's lr (learning_rate)")
WARMUP = Param("num_warmup_steps", INT, 0, "warmup steps", low=0)
TRAINING = Param("num_training_steps", INT, help="the run's optimizer steps", low=1)
MIN_RATIO = Param("min_lr_ratio", FLOAT, 0.0, "floor as a fraction of lr (cosine_min_lr_ratio)",
                  low=0, high=1)


def _warmup_end(p: Mapping[str, Any], n: int) -> EventList:
    return [(p["num_warmup_steps"], "warmup end")] if p["num_warmup_steps"] else []


def _progress(t: np.ndarray, warmup: int, total: int) -> np.ndarray:
    return (as_float(t) - warmup) / float(max(1, total - warmup))


def _lambda(t: np.ndarray, warmup: int, ramp, after) -> np.ndarray:
    factor = np.empty(t.shape)
    warming = t < warmup
    factor[warming] = ramp(as_float(t[warming]) / float(max(1, warmup)))
    factor[~warming] = after(t[~warming])
    return factor


@dialect(
    "axolotl.cosine_with_quadratic_warmup",
    summary="axolotl lr_quadratic_warmup: warmup (t/W)², then the transformers cosine.",
    formula="(t/W)² during warmup, then max(0, ½(1+cos(2π·num_cycles·p))), "
            "p = (t−W)/max(1, T−W)",
    params=(LR, WARMUP, TRAINING, Param("num_cycles", FLOAT, 0.5, "cosine waves")),
    length=lambda p: p["num_training_steps"],
    events=_warmup_end,
    notes="Like hf.cosine past the end: not clamped, the lr rises again.",
    equivalents={"hf": "cosine with a quadratic warmup"},
)
def cosine_with_quadratic_warmup(t, p):
    warm, total = p["num_warmup_steps"], p["num_training_steps"]
    return p["lr"] * _lambda(t, warm, lambda x: x ** 2, lambda s: np.maximum(
        0.0, 0.5 * (1.0 + np.cos(math.pi * float(p["num_cycles"]) * 2.0
                                 * _progress(s, warm, total)))))


@dialect(
    "axolotl.cosine_with_min_lr",
    summary="axolotl cosine_min_lr_ratio: linear warmup, then cosine down to "
            "min_lr_ratio·lr.",
    formula="t/W during warmup, then (1−r)·½(1+cos(π·p)) + r, p = (t−W)/max(1, T−W)",
    params=(LR, WARMUP, TRAINING, MIN_RATIO),
    length=lambda p: p["num_training_steps"],
    events=_warmup_end,
    notes="Past num_training_steps the cosine is not clamped (as in axolotl).",
    equivalents={"hf": "cosine_with_min_lr (min_lr_rate)"},
)
def cosine_with_min_lr(t, p):
    warm, total, ratio = p["num_warmup_steps"], p["num_training_steps"], p["min_lr_ratio"]
    return p["lr"] * _lambda(t, warm, lambda x: x, lambda s: (1 - ratio) * (
        0.5 * (1.0 + np.cos(math.pi * _progress(s, warm, total)))) + ratio)


@dialect(
    "axolotl.cosine_with_warmup_decay_constant",
    summary="axolotl cosine_constant_lr_ratio: warmup, cosine to min_lr_ratio·lr by "
            "constant_lr_ratio·T, then constant.",
    formula="t/W during warmup; s = min(t, C), C = int(T·constant_lr_ratio); "
            "max(0, (1−r)·½(1+cos(2π·num_cycles·(s−W)/max(1, C−W)))) + r",
    params=(LR, WARMUP, TRAINING, MIN_RATIO,
            Param("constant_lr_ratio", FLOAT, help="fraction of the run where the decay ends",
                  low=0, high=1),
            Param("num_cycles", FLOAT, 0.5, "cosine waves")),
    length=lambda p: p["num_training_steps"],
    events=lambda p, n: [*_warmup_end(p, n),
                         (int(p["num_training_steps"] * p["constant_lr_ratio"]), "phase")],
    notes="min_lr_ratio 1 gives a warmup then a constant lr.",
    equivalents={},
)
def cosine_with_warmup_decay_constant(t, p):
    warm, ratio = p["num_warmup_steps"], p["min_lr_ratio"]
    constant = int(p["num_training_steps"] * p["constant_lr_ratio"])

    def after(s: np.ndarray) -> np.ndarray:
        progress = (as_float(np.minimum(s, constant)) - warm) / float(max(1, constant - warm))
        return np.maximum(0.0, (1 - ratio) * 0.5 * (1.0 + np.cos(
            math.pi * float(p["num_cycles"]) * 2.0 * progress))) + ratio

    return p["lr"] * _lambda(t, warm, lambda x: x, after)
