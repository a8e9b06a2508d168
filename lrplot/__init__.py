"""lrplot: explore, plot and export learning-rate schedules.

The Python API the CLI itself uses::

    import lrplot
    sched = lrplot.schedule("cosine", lr=0.1, warmup=5, steps=100)
    sched.values(100)                      # float64 array, row t = lr at step t
    lrplot.evaluate("onecycle:max_lr=0.1", steps=1000)
    lrplot.parse("cosine:warmup=5")        # Schedule from a spec string

Nothing here imports matplotlib; figures are drawn by :mod:`lrplot.render.plot` on demand.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrplot.catalogue import Context, Definition, all_definitions, get, resolve
from lrplot.errors import LrplotError
from lrplot.schedule import Event, Schedule

__version__ = "0.1.0"

__all__ = [
    "Context",
    "Definition",
    "Event",
    "LrplotError",
    "Schedule",
    "all_definitions",
    "evaluate",
    "get",
    "parse",
    "resolve",
    "schedule",
]


def schedule(name: str, *, steps: int | None = None, metric: Any = None,
             **params: Any) -> Schedule:
    """Build a schedule by name with keyword parameters, e.g. ``schedule('cosine', lr=0.1)``."""
    ctx = Context(steps=steps, metric=None if metric is None else np.asarray(metric, float))
    return resolve(name, params, ctx)


def parse(spec: str, *, steps: int | None = None, metric: Any = None) -> Schedule:
    """Build a schedule from a spec string such as ``'cosine:lr=0.1,warmup=5'``."""
    from lrplot.spec import split_spec

    name, params = split_spec(spec)
    ctx = Context(steps=steps, metric=None if metric is None else np.asarray(metric, float))
    return resolve(name, params, ctx, label=spec)


def evaluate(spec: str, steps: int | None = None, metric: Any = None) -> np.ndarray:
    """The lr at steps 0..steps-1 (default: the schedule's natural length, else 100)."""
    from lrplot.schedule import natural_steps

    sched = parse(spec, steps=steps, metric=metric)
    return sched.values(natural_steps([sched], steps))
