"""Gradient descent on a toy objective under a schedule: why schedules matter, in numbers.

Plain GD, ``w ← w − lr_t·∇loss(w)``, from ``w0`` in every coordinate. Row ``t`` holds the lr of
step t and ``w``, ``loss`` *before* that step's update, so row 0 is the starting point.

Every objective is a diagonal quadratic ``Σ c_i·(w_i + 1)²`` (minimum at ``w = −1``), so the
noise-free recursion has a closed form per coordinate,
``(w_{t+1} + 1) = (1 − 2·c_i·lr_t)(w_t + 1)``, evaluated with one cumulative product.
A step with ``2·c_i·lr_t > 2`` overshoots further than it started: the run diverges, and
is cut off (NaN from there on) once ``|w|`` passes :data:`DIVERGED`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lrplot.core import Schedule
from lrplot.errors import LrplotError
from lrplot.text import plain_text
from lrplot.view import Look

OPTIMUM = -1.0
DIVERGED = 1e100
MAX_SIMULATE_STEPS = 1_000_000


@dataclass(frozen=True)
class Objective:
    name: str
    summary: str
    curvature: tuple[float, ...]  # c_i in loss = Σ c_i·(w_i + 1)²
    noise: float = 0.0  # standard deviation of the noise added to each gradient coordinate

    @property
    def dims(self) -> int:
        return len(self.curvature)

    def loss(self, w: np.ndarray) -> np.ndarray:
        """Loss for positions *w* of shape (steps, dims)."""
        return ((w - OPTIMUM) ** 2 * np.asarray(self.curvature)).sum(axis=1)


OBJECTIVES = {
    o.name: o
    for o in (
        Objective("quadratic", "(w+1)²: stable for lr < 1, oscillates at lr = 1, "
                  "diverges above", (1.0,)),
        Objective("valley", "(x+1)² + 25·(y+1)²: a narrow valley; y diverges for lr > 0.04 "
                  "while x crawls at small lr", (1.0, 25.0)),
        Objective("noisy", "(w+1)² with N(0, 2²) noise on every gradient (seeded, the same "
                  "noise for every schedule): a constant lr stalls at a noise floor, a "
                  "decaying one keeps improving", (1.0,), noise=2.0),
    )
}


@dataclass(frozen=True)
class Run:
    """One schedule's simulation: lr[t], w[t] (before the update of step t), loss[t]."""

    label: str
    lr: np.ndarray
    w: np.ndarray  # shape (steps, dims)
    loss: np.ndarray
    diverged_at: int | None  # first step whose w is cut off, or None

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])


def objective(name: str) -> Objective:
    try:
        return OBJECTIVES[name]
    except KeyError:
        raise LrplotError(f"--objective must be one of {', '.join(OBJECTIVES)}, "
                          f"got {name!r}") from None


def simulate(label: str, lr: np.ndarray, obj: Objective, w0: float = 5.0,
             seed: int = 0) -> Run:
    """Run GD with learning rates *lr* (one per step) on *obj* from *w0*."""
    n = len(lr)
    if obj.noise:
        # One noise draw per run length and seed, so every schedule sees the same noise.
        noise = np.random.default_rng(seed).standard_normal((n, obj.dims)) * obj.noise
        offset = np.column_stack([_noisy(lr, c, w0 - OPTIMUM, noise[:, i])
                                  for i, c in enumerate(obj.curvature)])
    else:
        offset = np.column_stack([_closed_form(lr, c, w0 - OPTIMUM) for c in obj.curvature])
    with np.errstate(over="ignore", invalid="ignore"):
        bad = ~np.isfinite(offset) | (np.abs(offset) > DIVERGED)
    rows = np.flatnonzero(bad.any(axis=1))
    diverged_at = int(rows[0]) if rows.size else None
    if diverged_at is not None:
        offset[diverged_at:] = np.nan
    w = offset + OPTIMUM
    return Run(label, lr, w, obj.loss(w), diverged_at)


def _closed_form(lr: np.ndarray, c: float, start: float) -> np.ndarray:
    """(w_t + 1) for t = 0..n-1 on c·(w+1)²: a cumulative product of (1 − 2c·lr)."""
    factors = 1.0 - 2.0 * c * lr[:-1]
    with np.errstate(over="ignore", invalid="ignore"):
        return start * np.concatenate(([1.0], np.cumprod(factors)))


def _noisy(lr: np.ndarray, c: float, start: float, noise: np.ndarray) -> np.ndarray:
    # Noise makes the recursion inhomogeneous; a plain loop is the clearest exact form.
    out = np.empty(len(lr))
    u = start
    for t, (rate, eps) in enumerate(zip(lr.tolist(), noise.tolist())):
        out[t] = u
        if abs(u) <= DIVERGED:
            u = u - rate * (2.0 * c * u + eps)
    return out


def csv_columns(runs: list[Run]) -> tuple[list[str], list[np.ndarray]]:
    """Column names and values after ``step``: ``lr,w,loss`` for one run (``w1,w2`` in 2-D),
    ``<label> lr,<label> w,<label> loss`` per run for several."""
    names: list[str] = []
    columns: list[np.ndarray] = []
    for run in runs:
        prefix = f"{run.label} " if len(runs) > 1 else ""
        dims = run.w.shape[1]
        w_names = ["w"] if dims == 1 else [f"w{i + 1}" for i in range(dims)]
        names += [f"{prefix}{name}" for name in ("lr", *w_names, "loss")]
        columns += [run.lr, *run.w.T, run.loss]
    return names, columns


def to_json(runs: list[Run], obj: Objective, w0: float, seed: int) -> dict:
    """A JSON-ready document (NaN after a divergence becomes null)."""

    def listed(values: np.ndarray) -> list:
        return [None if not np.isfinite(v) else v for v in values.tolist()]

    doc: dict = {"objective": obj.name, "w0": w0, "steps": len(runs[0].lr)}
    if obj.noise:
        doc["seed"] = seed
    doc["runs"] = [{"label": run.label, "lr": run.lr.tolist(),
                    "w": [listed(col) for col in run.w.T] if run.w.shape[1] > 1
                    else listed(run.w[:, 0]),
                    "loss": listed(run.loss), "diverged_at": run.diverged_at} for run in runs]
    return doc


def check_steps(n: int) -> None:
    if n > MAX_SIMULATE_STEPS:
        raise LrplotError(f"simulate runs at most {MAX_SIMULATE_STEPS:_} steps, got {n:_}; "
                          "use fewer --steps")


@dataclass
class Simulation:
    """Every schedule's run on one objective, and how to show them (an output's result)."""

    runs: list[Run]
    objective: Objective
    w0: float = 5.0
    seed: int = 0
    title: str | None = None
    log: bool = False
    steps_per_epoch: int | None = None
    look: Look = field(default_factory=Look)
    inputs: tuple[str, ...] = ()
    kind = "simulation"

    def __post_init__(self) -> None:
        self.title = self.title and plain_text(self.title)  # as a View's (see lrplot.text)


def run_all(schedules: Sequence[Schedule], n: int, obj: Objective, w0: float = 5.0,
            seed: int = 0, **options: object) -> Simulation:
    """Gradient descent under each schedule for *n* steps (lrs checked finite)."""
    if not np.isfinite(w0) or abs(w0) > 1e6:
        raise LrplotError(f"--w0 must be a finite number in [-1e6, 1e6], got {w0}")
    check_steps(n)
    if not 0 <= seed < 2**63:
        raise LrplotError(f"--seed must be an integer in [0, 2⁶³), got {seed}")
    runs = [simulate(s.label, s.checked_values(n), obj, w0, seed) for s in schedules]
    title = options.pop("title", None) or f"gradient descent on {obj.name}, w0 = {w0:g}"
    return Simulation(runs, obj, w0, seed, title=title, **options)  # type: ignore[arg-type]
