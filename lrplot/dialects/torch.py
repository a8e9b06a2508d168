"""``torch.`` dialect: ``torch.optim.lr_scheduler`` classes with their own parameter names.

Row t is ``scheduler.get_last_lr()[0]`` after t calls of ``scheduler.step()`` on an optimizer
whose lr is ``lr``. torch steps recursively (each step multiplies the current lr); the closed
forms here agree with that to ~1e-15 relative, except where the recursion itself is the
behaviour (ConstantLR/LinearLR with total_iters=0). SequentialLR and ChainedScheduler, whose
numbers depend on torch's shared mutable state, are config-file composites: this module
builds their tree from the tables (:data:`COMPOSITES`) and :mod:`lrplot.dialects.torch_replay`
steps it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from lrplot.anneal import onecycle_ends, onecycle_phases, phase_values
from lrplot.compose import Composite, PartBuilder, composite_parts
from lrplot.core import Schedule
from lrplot.definition import DEFAULT_LR, Context, Definition, EventList, collector
from lrplot.dialects import as_float, optimizer_lr
from lrplot.dialects import torch_replay as replay
from lrplot.errors import LrplotError, within
from lrplot.families import check_cyclic
from lrplot.params import BOOL, CHOICE, FLOAT, INT, INTS, Param
from lrplot.plateau import (
    PLATEAU_NOTE,
    PLATEAU_PARAMS,
    plateau_length,
    plateau_lr,
    plateau_reductions,
)

DEFINITIONS: list[Definition] = []
dialect = collector(DEFINITIONS, kind="dialect")
LR = optimizer_lr()
MOMENTUM_PARAMS = (
    Param("cycle_momentum", BOOL, True, "torch also cycles momentum (not plotted)"),
    Param("base_momentum", FLOAT, None, "momentum bound (accepted, not plotted)",
          nullable=True),
    Param("max_momentum", FLOAT, None, "momentum bound (accepted, not plotted)",
          nullable=True),
)


def _every(period: float, n: int, kind: str, start: float | None = None) -> EventList:
    first = period if start is None else start
    if period <= 0 or n / period > 10_000:
        return []
    return [(first + k * period, kind) for k in range(int((n - first) // period) + 1)
            if first + k * period < n]


# ---- StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR -----------------


@dialect(
    "torch.StepLR",
    summary="torch StepLR: multiply the lr by gamma every step_size steps.",
    formula="lr·gamma^⌊t/step_size⌋",
    params=(LR, Param("step_size", INT, help="steps between decays", low=1),
            Param("gamma", FLOAT, 0.1, "factor applied at each decay", low=0)),
    length=lambda p: 4 * p["step_size"],
    events=lambda p, n: _every(p["step_size"], n, "milestone"),
    notes="Same numbers as lrplot's step family. Without --steps it shows three decays.",
    equivalents={"lrplot": "step"},
)
def step_lr(t, p):
    return p["lr"] * p["gamma"] ** (t // p["step_size"]).astype(np.float64)


def _milestones_passed(t: np.ndarray, milestones: tuple[int, ...]) -> np.ndarray:
    return np.searchsorted(np.sort(np.asarray(milestones, dtype=np.int64)), t, side="right")


@dialect(
    "torch.MultiStepLR",
    summary="torch MultiStepLR: multiply the lr by gamma at each milestone.",
    formula="lr·gamma^(number of milestones ≤ t)",
    params=(LR, Param("milestones", INTS, help="steps where the lr is multiplied by gamma",
                      low=0),
            Param("gamma", FLOAT, 0.1, "factor applied at each milestone", low=0)),
    length=lambda p: (max(p["milestones"]) + max(10, max(p["milestones"]) // 3)
                      if p["milestones"] else None),
    events=lambda p, n: [(m, "milestone") for m in sorted(set(p["milestones"]))],
    notes="Decays at the milestone itself; a repeated milestone decays twice (torch keeps a "
          "Counter). Same numbers as lrplot's multistep family.",
    equivalents={"lrplot": "multistep"},
)
def multistep_lr(t, p):
    return p["lr"] * p["gamma"] ** _milestones_passed(t, p["milestones"]).astype(np.float64)


def _check_constant(values: dict[str, Any]) -> None:
    if values["factor"] == 0 and values["total_iters"] > 0:
        raise LrplotError("torch.ConstantLR: factor=0 makes torch divide by zero when it "
                          f"restores the lr at total_iters={values['total_iters']}; use a "
                          "factor in (0, 1]")


@dialect(
    "torch.ConstantLR",
    summary="torch ConstantLR: lr·factor for total_iters steps, then lr.",
    formula="lr·factor for t < total_iters, else lr",
    params=(LR, Param("factor", FLOAT, 1.0 / 3, "multiplier before total_iters", low=0, high=1),
            Param("total_iters", INT, 5, "steps at the reduced lr", low=0)),
    length=lambda p: 2 * p["total_iters"] or None,
    check=_check_constant,
    notes="A constant-factor warmup. With total_iters=0 torch never restores the lr (the "
          "restore branch is never reached), so lr·factor holds forever; lrplot reproduces "
          "that. No canonical family: lrplot's warmup options ramp instead.",
    equivalents={"lrplot": "constant with a step-shaped prefix (no direct family)"},
)
def constant_lr(t, p):
    factor = np.where(t < p["total_iters"], p["factor"], 1.0) if p["total_iters"] > 0 \
        else np.full(t.shape, p["factor"])
    return p["lr"] * factor


@dialect(
    "torch.LinearLR",
    summary="torch LinearLR: scale the lr linearly from start_factor to end_factor.",
    formula="lr·(start + (end−start)·min(t,total_iters)/total_iters)",
    params=(LR,
            Param("start_factor", FLOAT, 1.0 / 3, "multiplier at step 0", low=0, high=1,
                  low_open=True),
            Param("end_factor", FLOAT, 1.0, "multiplier from total_iters on", low=0, high=1),
            Param("total_iters", INT, 5, "steps of the ramp", low=0)),
    length=lambda p: 2 * p["total_iters"] or None,
    notes="torch refuses start_factor=0 (it would divide by zero) and factors above 1, so "
          "LinearLR can never exceed lr. As a warmup it starts at lr·start_factor, not 0 "
          "(lrplot's warmup_start); as a decay (start 1, end <1) it equals lrplot's linear "
          "family with end_lr = lr·end_factor. total_iters=0 holds lr·start_factor forever. "
          "torch multiplies step by step, so end_factor=0 ends a few ulps off 0 (it can be "
          "-1e-17); lrplot shows that value too.",
    equivalents={"lrplot": "linear (decay) or the linear warmup prefix (warmup)"},
)
def linear_lr(t, p):
    start, end, total = p["start_factor"], p["end_factor"], p["total_iters"]
    if total == 0:
        return np.full(t.shape, p["lr"] * start)
    # torch multiplies the lr by a ratio each step; a running product in the same order
    # reproduces it exactly. The closed form differs where it matters: with end_factor=0
    # torch ends a few ulps off 0 (even below it) and holds that, not 0.
    last = int(min(total, t.max()))
    epoch = np.arange(1, last + 1, dtype=np.int64)
    ratios = 1.0 + (end - start) / (total * start + (epoch - 1) * (end - start))
    lrs = np.cumprod(np.concatenate(([p["lr"] * start], ratios)))
    return lrs[np.minimum(t, total)]


@dialect(
    "torch.ExponentialLR",
    summary="torch ExponentialLR: multiply the lr by gamma every step.",
    formula="lr·gamma^t",
    params=(LR, Param("gamma", FLOAT, help="factor per step", low=0)),
    notes="Per-step decay; lrplot's exponential family with decay_steps=1.",
    equivalents={"lrplot": "exponential (decay_rate=gamma, decay_steps=1)"},
)
def exponential_lr(t, p):
    return p["lr"] * p["gamma"] ** as_float(t)


@dialect(
    "torch.PolynomialLR",
    summary="torch PolynomialLR: polynomial decay to exactly 0 at total_iters, then 0.",
    formula="lr·(1 − min(t,total_iters)/total_iters)^power",
    params=(LR, Param("total_iters", INT, 5, "steps to reach 0", low=1),
            Param("power", FLOAT, 1.0, "exponent of the decay", low=0)),
    length=lambda p: p["total_iters"],
    notes="No floor: always decays to 0 (lrplot's polynomial with end_lr=0).",
    equivalents={"lrplot": "polynomial (end_lr=0, decay_steps=total_iters)"},
)
def polynomial_lr(t, p):
    total = p["total_iters"]
    return p["lr"] * (1.0 - np.minimum(total, t) / total) ** p["power"]


# ---- cosine ------------------------------------------------------------------------------


@dialect(
    "torch.CosineAnnealingLR",
    summary="torch CosineAnnealingLR: cosine from lr to eta_min over T_max, periodic after.",
    formula="eta_min + (lr−eta_min)·(1+cos(π·t/T_max))/2 for every t (period 2·T_max)",
    params=(LR, Param("T_max", INT, help="steps from lr down to eta_min (half a period)",
                      low=1),
            Param("eta_min", FLOAT, 0.0, "lowest lr", low=0)),
    length=lambda p: p["T_max"],
    events=lambda p, n: _every(2 * p["T_max"], n, "restart", start=2 * p["T_max"]),
    notes="Does NOT hold eta_min after T_max: the lr climbs back to lr at 2·T_max and "
          "keeps oscillating (torch's recursive form; issue #152081). lrplot's cosine "
          "family holds min_lr instead. Without --steps it shows T_max steps; give more "
          "to see it rise.",
    equivalents={"lrplot": "cosine (min_lr=eta_min, decay_steps=T_max) — which holds after "
                           "decay_steps"},
)
def cosine_annealing_lr(t, p):
    eta, T = p["eta_min"], p["T_max"]
    return eta + (p["lr"] - eta) * (1 + np.cos(as_float(t) * math.pi / T)) / 2


def _restart_starts(T_0: int, T_mult: int, last: int) -> list[int]:
    """Start step of every warm-restart cycle up to *last* (exact integer arithmetic)."""
    starts, begin, size = [0], 0, T_0
    while begin + size <= last:
        begin += size
        size *= T_mult
        starts.append(begin)
    return starts


@dialect(
    "torch.CosineAnnealingWarmRestarts",
    summary="torch CosineAnnealingWarmRestarts (SGDR): cosine cycles, T_mult times longer.",
    formula="eta_min + (lr−eta_min)·(1+cos(π·T_cur/T_i))/2, T_i = T_0·T_mult^cycle",
    params=(LR, Param("T_0", INT, help="length of the first cycle", low=1),
            Param("T_mult", INT, 1, "each cycle is T_mult times longer (integer)", low=1),
            Param("eta_min", FLOAT, 0.0, "lowest lr", low=0)),
    length=lambda p: p["T_0"] * (1 + p["T_mult"] + p["T_mult"] ** 2),
    events=lambda p, n: [(s, "restart") for s in _restart_starts(p["T_0"], p["T_mult"],
                                                                  n)[1:10_001]],
    notes="Integer T_0/T_mult only (torch refuses others). Each cycle ends one step before "
          "eta_min (T_cur < T_i), then jumps back to lr. Same as lrplot's cosine_restarts "
          "(t_mul=T_mult, m_mul=1, min_lr=eta_min) up to that last-step convention: both "
          "restart at the same steps.",
    equivalents={"lrplot": "cosine_restarts (first_decay_steps=T_0, t_mul=T_mult)"},
)
def cosine_warm_restarts(t, p):
    starts = np.asarray(_restart_starts(p["T_0"], p["T_mult"], int(t.max())), dtype=np.int64)
    cycle = np.searchsorted(starts, t, side="right") - 1
    t_cur = (t - starts[cycle]).astype(np.float64)
    t_i = (p["T_0"] * np.asarray(p["T_mult"], dtype=np.float64) ** cycle)
    eta = p["eta_min"]
    return eta + (p["lr"] - eta) * (1 + np.cos(math.pi * t_cur / t_i)) / 2


# ---- CyclicLR, OneCycleLR -----------------------------------------------------------------


def _cyclic_total(p: Mapping[str, Any]) -> float:
    up = float(p["step_size_up"])
    return up + (float(p["step_size_down"]) if p["step_size_down"] is not None else up)


@dialect(
    "torch.CyclicLR",
    summary="torch CyclicLR: triangle waves between base_lr and max_lr.",
    formula="cycle=⌊1+t/total⌋, x=1+t/total−cycle; up x/ratio, down (x−1)/(ratio−1); "
            "× 1, 1/2^(cycle−1) or gamma^t",
    params=(
        Param("base_lr", FLOAT, help="lowest lr (replaces the optimizer's lr)", low=0),
        Param("max_lr", FLOAT, help="highest lr of the first cycle", low=0),
        Param("step_size_up", INT, 2000, "steps from base_lr up to max_lr", low=1),
        Param("step_size_down", INT, None, "steps back down (default step_size_up)", low=0,
              nullable=True),
        Param("mode", CHOICE, "triangular", "amplitude rule",
              choices=("triangular", "triangular2", "exp_range")),
        Param("gamma", FLOAT, 1.0, "exp_range: amplitude factor per step", low=0),
        *MOMENTUM_PARAMS,
    ),
    length=lambda p: round(4 * _cyclic_total(p)),
    events=lambda p, n: _every(_cyclic_total(p), n, "cycle"),
    check=check_cyclic,
    notes="Overrides the optimizer's lr with base_lr (no lr parameter). exp_range uses "
          "gamma^t with the global step. Momentum cycling is accepted but not plotted. "
          "Same numbers as lrplot's cyclic family (step_size=step_size_up). Without --steps "
          "it shows four cycles.",
    equivalents={"lrplot": "cyclic (step_size=step_size_up)"},
)
def cyclic_lr(t, p):
    total = _cyclic_total(p)
    ratio = float(p["step_size_up"]) / total
    tf = as_float(t)
    cycle = np.floor(1 + tf / total)
    x = 1.0 + tf / total - cycle
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    height = (p["max_lr"] - p["base_lr"]) * scale
    amplitude: np.ndarray | float
    if p["mode"] == "triangular2":
        amplitude = 1 / (2.0 ** (cycle - 1))
    elif p["mode"] == "exp_range":
        amplitude = p["gamma"] ** tf
    else:
        amplitude = 1.0
    return p["base_lr"] + height * amplitude


def _onecycle_total(p: Mapping[str, Any]) -> int:
    if p["total_steps"] is not None:
        return p["total_steps"]
    return p["epochs"] * p["steps_per_epoch"]


def _check_onecycle(values: dict[str, Any]) -> None:
    if values["total_steps"] is None and (values["epochs"] is None
                                          or values["steps_per_epoch"] is None):
        raise LrplotError("torch.OneCycleLR: you must define either total_steps OR (epochs "
                          "AND steps_per_epoch), as torch requires")
    total = _onecycle_total(values)
    if float(values["pct_start"] * total) - 1 == 0:
        raise LrplotError(
            f"torch.OneCycleLR: pct_start={values['pct_start']} with total_steps={total} "
            "makes the warm-up phase end at step 0, where torch divides by zero")


def _check_onecycle_run(values: Mapping[str, Any], ctx: Context) -> None:
    total = _onecycle_total(values)
    if ctx.steps is not None and ctx.steps > total + 1:
        raise LrplotError(replay.onecycle_overrun(ctx.steps - 1, total))


@dialect(
    "torch.OneCycleLR",
    summary="torch OneCycleLR: the 1cycle policy (up to max_lr, then far below).",
    formula="phase ends pct_start·T−1 (and 2·pct_start·T−2), T−1; cos: "
            "end+(start−end)/2·(cos(π·pct)+1), linear: (end−start)·pct+start",
    params=(
        Param("max_lr", FLOAT, help="peak lr (replaces the optimizer's lr)", low=0),
        Param("total_steps", INT, None, "steps in the cycle", low=1, nullable=True),
        Param("epochs", INT, None, "with steps_per_epoch, instead of total_steps", low=1,
              nullable=True),
        Param("steps_per_epoch", INT, None, "with epochs, instead of total_steps", low=1,
              nullable=True),
        Param("pct_start", FLOAT, 0.3, "fraction of the cycle spent going up", low=0, high=1),
        Param("anneal_strategy", CHOICE, "cos", "shape of each phase",
              choices=("cos", "linear")),
        Param("div_factor", FLOAT, 25.0, "starting lr is max_lr/div_factor", low=0,
              low_open=True),
        Param("final_div_factor", FLOAT, 1e4, "final lr is starting lr/final_div_factor",
              low=0, low_open=True),
        Param("three_phase", BOOL, False, "come back to the starting lr before annealing"),
        *MOMENTUM_PARAMS,
    ),
    length=_onecycle_total,
    events=lambda p, n: [(end, "phase") for end in onecycle_ends(
        _onecycle_total(p), p["pct_start"], p["three_phase"])[:-1] if end >= 0],
    check=_check_onecycle,
    check_run=_check_onecycle_run,
    notes="Needs total_steps (or epochs and steps_per_epoch), like torch. Row total_steps "
          "is allowed and extrapolates past the final lr (torch does); later rows are an "
          "error, because torch raises 'Tried to step ... times'. The optimizer's lr is "
          "ignored. lrplot's onecycle family has the same phase ends but holds the final "
          "lr instead of raising.",
    equivalents={"lrplot": "onecycle (anneal=anneal_strategy)"},
)
def one_cycle_lr(t, p):
    total = _onecycle_total(p)
    if int(t.max()) > total:
        raise LrplotError(replay.onecycle_overrun(int(t[t > total][0]), total))
    initial = p["max_lr"] / p["div_factor"]
    phases = onecycle_phases(total, p["pct_start"], p["three_phase"], initial, p["max_lr"],
                             initial / p["final_div_factor"])

    def empty(steps: np.ndarray) -> None:
        raise LrplotError(f"torch.OneCycleLR: torch divides by zero at step {int(steps[0])} "
                          "(a phase of the cycle is empty)")

    return phase_values(as_float(t), phases, p["anneal_strategy"], on_empty=empty)


# ---- ReduceLROnPlateau --------------------------------------------------------------------

@dialect(
    "torch.ReduceLROnPlateau",
    summary="torch ReduceLROnPlateau: cut the lr when a metric stops improving.",
    formula="after metric[t]: if not better for more than patience observations, "
            "lr ← max(lr·factor, min_lr) (skipped if the cut < eps)",
    params=(LR, *PLATEAU_PARAMS),
    length=plateau_length,
    events=plateau_reductions,
    uses_metric=True,
    notes="Row t is the lr after t calls of step(metric). Cuts after patience+1 bad "
          "observations (num_bad_epochs > patience). " + PLATEAU_NOTE + " Same numbers as "
          "lrplot's plateau family without warmup.",
    equivalents={"lrplot": "plateau"},
)
def reduce_lr_on_plateau(t, p):
    return plateau_lr(t, p)


# ---- SequentialLR and ChainedScheduler (config-file composites) ---------------------------

COMPOSITE_NAMES = {"torch.sequentiallr": "torch.SequentialLR",
                   "torch.chainedscheduler": "torch.ChainedScheduler"}
# torch accepts a milestone of 0: the first part is only constructed, never stepped.
MILESTONES = Param("milestones", INTS, low=0)
_PART_ONLY_KEYS = ("parts", "label", "metric")
# A part's constructor arguments that are not torch's (the optimizer's lr) or not replayed.
_NOT_REPLAYED = frozenset({"lr", "cycle_momentum", "base_momentum", "max_momentum"})


def composite_name(table: Any) -> str | None:
    """'torch.SequentialLR' or 'torch.ChainedScheduler' when *table* is one (torch. optional)."""
    name = table.get("name") if isinstance(table, Mapping) else None
    if not isinstance(name, str):
        return None
    key = name.strip().lower()
    return COMPOSITE_NAMES.get(key) or COMPOSITE_NAMES.get(f"torch.{key}")


def _definition(name: str) -> Definition:
    full = name if name.lower().startswith("torch.") else f"torch.{name}"
    for defn in DEFINITIONS:
        if defn.name.lower() == full.lower():
            return defn
    raise LrplotError(f"unknown torch schedule {name!r}; `lrplot list` shows them all")


def _part_values(index: int, name: str, raw: Mapping[str, Any], ctx: Context,
                 owner: str) -> tuple[str, dict[str, Any], int | None]:
    """A part's torch class name, its constructor arguments, and its natural length."""
    defn = _definition(name)
    short = defn.name.split(".", 1)[1]
    if short == "ReduceLROnPlateau":
        raise LrplotError(f"{owner}: part {index + 1} is ReduceLROnPlateau, which torch does "
                          "not allow inside it (its step needs a metric)")
    if short not in replay.CLASSES:
        raise LrplotError(f"{owner}: part {index + 1} ({name}) is not a torch scheduler")
    if any(key.replace("-", "_") == "lr" for key in raw):
        raise LrplotError(f"{owner}: part {index + 1} ({short}) must not set lr; the "
                          "optimizer's lr belongs to the composite")
    values = defn.validate(raw, ctx)
    length = defn.build(values, Context()).length
    args = {k: v for k, v in values.items() if k not in _NOT_REPLAYED}
    if short == "OneCycleLR":
        args["total_steps"] = _onecycle_total(values)
        del args["epochs"], args["steps_per_epoch"]
    return short, args, length


# A node of the composite tree: (make(group, on_switch), natural length, label text).
Node = tuple[replay.Maker, "int | None", str]


def _node(table: Any, owner: str, where: str, ctx: Context, index: int = 0) -> Node:
    """One node of a torch composite tree; *owner* is the composite it is part *index* of."""
    if not isinstance(table, Mapping):
        raise LrplotError(f"{where}: must be a table with a name, got {table}")
    name = composite_name(table)
    if name is None:
        return _leaf(table, owner, where, ctx, index)
    if "lr" in table:
        raise LrplotError(f"{where}: {name}: lr belongs to the outermost composite (one "
                          "optimizer, one lr)")
    keys = ("name", "parts", "milestones") if name == "torch.SequentialLR" else ("name", "parts")
    parts = composite_parts(table, where, name, keys, "torch scheduler")
    return _inner(table, name, parts, where, ctx)


def _inner(table: Mapping[str, Any], name: str, parts: list[Any], where: str,
           ctx: Context) -> Node:
    children = [_node(part, name, f"{where}.parts[{i}]", ctx, i) for i, part in enumerate(parts)]
    text = f"{name}({', '.join(child[2] for child in children)})"
    makers = [child[0] for child in children]
    lengths = [child[1] for child in children]
    if name == "torch.ChainedScheduler":
        known = [n for n in lengths if n]

        def chained(group: replay.Group, on_switch: Callable[[], None]) -> replay.Chained:
            return replay.Chained([make(group, on_switch) for make in makers])

        return chained, max(known) if known else None, text
    with within(where):
        milestones = _milestones(table, name, len(parts))
    for i in range(1, len(parts)):
        if composite_name(parts[i]):
            raise LrplotError(f"{where}.parts[{i}]: {replay.RESTART_COMPOSITE}")

    def sequential(group: replay.Group, on_switch: Callable[[], None]) -> replay.Sequential:
        return replay.Sequential(group, [make(group, on_switch) for make in makers],
                                 list(milestones), on_switch)

    last = lengths[-1]
    return sequential, (max(milestones) + last if last else None), text


def _milestones(table: Mapping[str, Any], owner: str, parts: int) -> list[int]:
    if "milestones" not in table:
        raise LrplotError(f"{owner}: missing required parameter milestones "
                          f"({MILESTONES.allowed()})")
    milestones = list(MILESTONES.coerce(table["milestones"], owner))
    if len(milestones) != parts - 1:
        raise LrplotError(f"{owner}: needs exactly one milestone fewer than parts (got "
                          f"{parts} parts and {len(milestones)} milestones)")
    return milestones


def _leaf(table: Mapping[str, Any], owner: str, where: str, ctx: Context, index: int) -> Node:
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise LrplotError(f"{where}: needs a name, a torch scheduler such as torch.LinearLR")
    for key in _PART_ONLY_KEYS:
        if key in table:
            raise LrplotError(f"{where}: {key} is not allowed inside a torch composite part")
    raw = {k: v for k, v in table.items() if k != "name"}
    with within(where):
        short, args, length = _part_values(index, name.strip(), raw, ctx, owner)

    def leaf(group: replay.Group, on_switch: Callable[[], None]) -> replay.Scheduler:
        return replay.construct(short, group, args)

    return leaf, length, f"torch.{short}"


def composite_schedule(table: Mapping[str, Any], where: str, ctx: Context,
                       label: str | None = None) -> Schedule:
    """The outermost torch composite of a config table, replayed as torch steps the tree."""
    name = composite_name(table)
    if name is None:
        raise LrplotError(f"{where}: not a torch composite")
    with within(where):
        lr = LR.coerce(table.get("lr", DEFAULT_LR), name)
    keys = tuple(key for key in table if key not in ("label", "metric"))
    allowed = ("name", "parts", "lr", "milestones") if name == "torch.SequentialLR" \
        else ("name", "parts", "lr")
    parts = composite_parts({k: table[k] for k in keys}, where, name, allowed,
                            "torch scheduler")
    make, length, text = _inner(table, name, parts, where, ctx)
    params: dict[str, Any] = {"lr": lr, "parts": text}
    if "milestones" in table:
        params["milestones"] = tuple(table["milestones"])
    return replay.replay(name, label or text, lr, make, length, params)


def _composite_table(table: Mapping[str, Any], parts: list[Any], where: str, ctx: Context,
                     label: str | None, build_part: PartBuilder) -> Schedule:
    # Parts are torch schedulers only, resolved here: build_part is not needed.
    return composite_schedule(table, where, ctx, label)


def sequential_lr(parts: list[tuple[str, dict[str, Any]]], milestones: list[int], lr: float,
                  ctx: Context) -> Schedule:
    """torch ``SequentialLR(optimizer(lr), [parts...], milestones)`` replayed exactly.

    Each part restarts at its own epoch 0 from the optimizer's ``initial_lr`` (not from
    where the previous part ended), and every part's constructor runs first, as in torch.
    """
    table = {"name": "torch.SequentialLR", "lr": lr, "milestones": list(milestones),
             "parts": [{"name": name, **raw} for name, raw in parts]}
    return composite_schedule(table, "torch.SequentialLR", ctx)


def chained_scheduler(parts: list[tuple[str, dict[str, Any]]], lr: float,
                      ctx: Context) -> Schedule:
    """torch ``ChainedScheduler([parts...])`` on an optimizer with *lr*, replayed exactly.

    Every part steps the same lr in turn, so chainable schedulers multiply; constructor side
    effects compound (e.g. ConstantLR's factor applies once per construction).
    """
    table = {"name": "torch.ChainedScheduler", "lr": lr,
             "parts": [{"name": name, **raw} for name, raw in parts]}
    return composite_schedule(table, "torch.ChainedScheduler", ctx)


COMPOSITES = [
    Composite(
        "torch.SequentialLR", "PyTorch SequentialLR over torch schedulers, replayed as torch "
        "steps it.",
        "part k from the optimizer's initial lr at its own epoch 0, switched at milestones",
        (("parts", "torch.* scheduler tables (a torch composite only as the first part)"),
         ("milestones", "steps where the next scheduler takes over: integers ≥ 0"),
         ("lr", "the optimizer's lr (default 0.1)")),
        """[[schedule]]
name = "torch.SequentialLR"
lr = 0.5
milestones = [5]
parts = [
  { name = "torch.LinearLR", start_factor = 0.01, total_iters = 5 },
  { name = "torch.CosineAnnealingLR", T_max = 595 },
]""",
        "Every part's constructor runs first and the chainable form is replayed step by step, "
        "so torch's quirks come through (e.g. a nested SequentialLR switches one step early).",
        _composite_table,
    ),
    Composite(
        "torch.ChainedScheduler", "PyTorch ChainedScheduler: every torch scheduler steps the "
        "same lr in turn.",
        "chainable schedulers multiply; constructor side effects compound",
        (("parts", "torch.* scheduler tables, torch composites included"),
         ("lr", "the optimizer's lr (default 0.1)")),
        """[[schedule]]
name = "torch.ChainedScheduler"
lr = 0.1
parts = [
  { name = "torch.ConstantLR", factor = 0.1, total_iters = 2 },
  { name = "torch.ExponentialLR", gamma = 0.9 },
]""",
        "Replayed step by step as torch computes it, recursive form included.",
        _composite_table,
    ),
]
