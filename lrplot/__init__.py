"""lrplot: explore, plot and export learning-rate schedules.

The Python API does everything the CLI does::

    import lrplot
    run = lrplot.load("cosine:warmup=5", "configs/llama_warmup_cosine.toml")
    lrplot.save(run, "lr.png", "lr.csv")           # format from each extension
    fig = lrplot.figure(run)                        # a matplotlib Figure, for notebooks
    lrplot.show(run)                                # the terminal chart and tables
    sched = lrplot.schedule("cosine", lr=0.1, warmup=5, steps=100)
    sched.values(100)                               # float64 array, row t = lr at step t
    sched.plot()                                    # on a new Axes (or pass ax=...)
    lrplot.evaluate("onecycle:max_lr=0.1", steps=1000)
    lrplot.simulation("constant:lr=0.2", steps=40)  # gradient descent, ready to save

Nothing here imports matplotlib or rich; figures and the terminal view load them on demand.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrplot.api import figure, load, save, show
from lrplot.api import simulate as simulation
from lrplot.core import Event, Schedule, natural_steps
from lrplot.definition import Context, Definition
from lrplot.errors import LrplotError
from lrplot.inputs import Loaded
from lrplot.registry import all_definitions, get, resolve
from lrplot.spec import split_spec

__version__ = "0.1.0"

__all__ = [
    "Context",
    "Definition",
    "Event",
    "Loaded",
    "LrplotError",
    "Schedule",
    "all_definitions",
    "evaluate",
    "figure",
    "get",
    "load",
    "parse",
    "resolve",
    "save",
    "schedule",
    "show",
    "simulation",
]


def _context(steps: int | None, metric: Any) -> Context:
    return Context(steps=steps, metric=None if metric is None else np.asarray(metric, float))


def schedule(name: str, *, steps: int | None = None, metric: Any = None,
             **params: Any) -> Schedule:
    """Build a schedule by name with keyword parameters, e.g. ``schedule('cosine', lr=0.1)``."""
    return resolve(name, params, _context(steps, metric))


def parse(spec: str, *, steps: int | None = None, metric: Any = None) -> Schedule:
    """Build a schedule from a spec string such as ``'cosine:lr=0.1,warmup=5'``."""
    name, params = split_spec(spec)
    return resolve(name, params, _context(steps, metric), label=spec)


def evaluate(spec: str, steps: int | None = None, metric: Any = None) -> np.ndarray:
    """The lr at steps 0..steps-1 (default: the schedule's natural length, else 100)."""
    sched = parse(spec, steps=steps, metric=metric)
    return sched.values(natural_steps([sched], steps))
