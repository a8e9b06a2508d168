"""Framework dialects: ``torch.``, ``keras.``, ``optax.``, ``hf.`` and ``timm.`` schedule names.

Each dialect name takes the framework's own parameter names and defaults and reproduces that
framework's numbers (float64, quirks included) with vectorised numpy. Row ``t`` is the lr the
optimizer uses at its t-th step: ``schedule(t)`` in Keras/optax, ``get_last_lr()[0]`` after
``t`` calls of ``scheduler.step()`` in PyTorch/transformers, ``_get_lr(t)`` in timm.

A framework is one module here, ``lrplot/dialects/<prefix>.py``, that collects its
definitions in ``DEFINITIONS`` with ``dialect = collector(DEFINITIONS, kind="dialect")``
(:mod:`lrplot.definition`), and one line in :data:`lrplot.registry.DIALECT_MODULES`. This
module holds the small helpers for numeric quirks several frameworks share.
"""

from __future__ import annotations

import math

import numpy as np

from lrplot.definition import DEFAULT_LR
from lrplot.params import FLOAT, Param


def optimizer_lr(help_text: str = "the optimizer's lr (lrplot's default 0.1, as for its "
                 "families)") -> Param:
    """The ``lr`` a scheduler starts from: the optimizer's lr in torch, hf and timm."""
    return Param("lr", FLOAT, DEFAULT_LR, help_text, low=0)


def as_float(steps: np.ndarray) -> np.ndarray:
    """Integer steps as float64, the type every framework formula computes in."""
    return steps.astype(np.float64)


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
