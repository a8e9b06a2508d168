"""``torch.`` dialect: ``torch.optim.lr_scheduler`` classes with their own parameter names.

Row t is ``scheduler.get_last_lr()[0]`` after t calls of ``scheduler.step()`` on an optimizer
whose lr is ``lr``. torch steps recursively (each step multiplies the current lr); the closed
forms here agree with that to ~1e-15 relative, except where the recursion itself is the
behaviour (ConstantLR/LinearLR with total_iters=0). SequentialLR and ChainedScheduler, whose
numbers depend on torch's shared mutable state, are replayed step by step
(:func:`sequential_lr`, :func:`chained_scheduler`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrplot.catalogue import Context, get
from lrplot.dialects import (
    EventList,
    dialect,
    optimizer_lr,
    plateau_reductions,
    plateau_trace,
)
from lrplot.dialects import _torch_sim as sim
from lrplot.errors import LrplotError
from lrplot.params import BOOL, CHOICE, FLOAT, INT, INTS, Param
from lrplot.schedule import Event, Schedule

LR = optimizer_lr()
PLATEAU_NOTE = ("Reads --metric FILE[:COLUMN] (metric[t] is observed after step t); without "
                "one it replays a built-in synthetic loss curve.")
MOMENTUM_PARAMS = (
    Param("cycle_momentum", BOOL, True, "torch also cycles momentum (not plotted)"),
    Param("base_momentum", FLOAT, None, "momentum bound (accepted, not plotted)",
          nullable=True),
    Param("max_momentum", FLOAT, None, "momentum bound (accepted, not plotted)",
          nullable=True),
)


def _as_float(steps: np.ndarray) -> np.ndarray:
    return steps.astype(np.float64)


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
    return p["lr"] * p["gamma"] ** _as_float(t)


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
    return eta + (p["lr"] - eta) * (1 + np.cos(_as_float(t) * math.pi / T)) / 2


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


def _check_cyclic(p: Mapping[str, Any]) -> None:
    # torch accepts max_lr < base_lr, but then the wave (and exp_range's gamma^t) runs below 0.
    if p["max_lr"] < p["base_lr"]:
        raise LrplotError(f"torch.CyclicLR: max_lr must be ≥ base_lr, got max_lr={p['max_lr']} "
                          f"and base_lr={p['base_lr']}")


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
    check=_check_cyclic,
    notes="Overrides the optimizer's lr with base_lr (no lr parameter). exp_range uses "
          "gamma^t with the global step. Momentum cycling is accepted but not plotted. "
          "Same numbers as lrplot's cyclic family (step_size=step_size_up). Without --steps "
          "it shows four cycles.",
    equivalents={"lrplot": "cyclic (step_size=step_size_up)"},
)
def cyclic_lr(t, p):
    total = _cyclic_total(p)
    ratio = float(p["step_size_up"]) / total
    tf = _as_float(t)
    cycle = np.floor(1 + tf / total)
    x = 1.0 + tf / total - cycle
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    height = (p["max_lr"] - p["base_lr"]) * scale
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
        raise LrplotError(sim.onecycle_overrun(ctx.steps - 1, total))


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
    events=lambda p, n: [(end, "phase") for end, _, _ in sim.onecycle_phases(
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
        raise LrplotError(sim.onecycle_overrun(int(t[t > total][0]), total))
    initial = p["max_lr"] / p["div_factor"]
    lrs = {"initial_lr": initial, "max_lr": p["max_lr"],
           "min_lr": initial / p["final_div_factor"]}
    phases = sim.onecycle_phases(total, p["pct_start"], p["three_phase"])
    tf = _as_float(t)
    out = np.empty(tf.shape)
    done = np.zeros(tf.shape, dtype=bool)
    start = 0.0
    for index, (end, key_from, key_to) in enumerate(phases):
        here = ~done & ((tf <= end) | (index == len(phases) - 1))
        if here.any() and end == start:
            raise LrplotError(f"torch.OneCycleLR: torch divides by zero at step "
                              f"{int(t[here][0])} (a phase of the cycle is empty)")
        if here.any():
            pct = (tf[here] - start) / (end - start)
            a, b = lrs[key_from], lrs[key_to]
            if p["anneal_strategy"] == "cos":
                out[here] = b + (a - b) / 2.0 * (np.cos(math.pi * pct) + 1)
            else:
                out[here] = (b - a) * pct + a
        done |= here
        start = end
    return out


# ---- ReduceLROnPlateau --------------------------------------------------------------------

PLATEAU_PARAMS = (
    Param("mode", CHOICE, "min", "lower (min) or higher (max) metric is better",
          choices=("min", "max")),
    Param("factor", FLOAT, 0.1, "multiply the lr by this on a plateau", low=0, high=1,
          high_open=True),
    Param("patience", INT, 10, "bad observations tolerated before a cut", low=0),
    Param("threshold", FLOAT, 1e-4, "how much better counts as better"),
    Param("threshold_mode", CHOICE, "rel", "relative or absolute threshold",
          choices=("rel", "abs")),
    Param("cooldown", INT, 0, "observations ignored after a cut", low=0),
    Param("min_lr", FLOAT, 0.0, "floor of the lr", low=0),
    Param("eps", FLOAT, 1e-8, "cuts smaller than this are skipped", low=0),
)
PLATEAU_NAMES = tuple(p.name for p in PLATEAU_PARAMS)


def plateau_settings(p: Mapping[str, Any]) -> dict[str, Any]:
    return {name: p[name] for name in PLATEAU_NAMES}


@dialect(
    "torch.ReduceLROnPlateau",
    summary="torch ReduceLROnPlateau: cut the lr when a metric stops improving.",
    formula="after metric[t]: if not better for more than patience observations, "
            "lr ← max(lr·factor, min_lr) (skipped if the cut < eps)",
    params=(LR, *PLATEAU_PARAMS),
    length=lambda p: len(p["metric"]),
    events=lambda p, n: plateau_reductions(p["lr"], p["metric"], n, **plateau_settings(p)),
    uses_metric=True,
    notes="Row t is the lr after t calls of step(metric). Cuts after patience+1 bad "
          "observations (num_bad_epochs > patience). " + PLATEAU_NOTE + " Same numbers as "
          "lrplot's plateau family without warmup.",
    equivalents={"lrplot": "plateau"},
)
def reduce_lr_on_plateau(t, p):
    return plateau_trace(p["lr"], p["metric"], t, **plateau_settings(p))


# ---- SequentialLR and ChainedScheduler (config-file composites) ---------------------------


def _part_values(index: int, name: str, raw: Mapping[str, Any], ctx: Context,
                 owner: str) -> tuple[str, dict[str, Any], int | None]:
    """A part's torch class name, its constructor arguments, and its natural length."""
    full = name if name.startswith("torch.") else f"torch.{name}"
    defn = get(full)
    short = defn.name.split(".", 1)[1]
    if short == "ReduceLROnPlateau":
        raise LrplotError(f"{owner}: part {index + 1} is ReduceLROnPlateau, which torch does "
                          "not allow inside it (its step needs a metric)")
    if short not in sim.CLASSES:
        raise LrplotError(f"{owner}: part {index + 1} ({name}) is not a torch scheduler")
    if any(key.replace("-", "_") == "lr" for key in raw):
        raise LrplotError(f"{owner}: part {index + 1} ({short}) must not set lr; the "
                          "optimizer's lr belongs to the composite")
    values = defn.validate(raw, ctx)
    length = defn.build(values, Context()).length
    drop = {"lr", "cycle_momentum", "base_momentum", "max_momentum"}
    args = {k: v for k, v in values.items() if k not in drop}
    if short == "OneCycleLR":
        args["total_steps"] = _onecycle_total(values)
        del args["epochs"], args["steps_per_epoch"]
    return short, args, length


def _replay(name: str, params: dict[str, Any], build, length: int | None,
            events: list[tuple[int, str]]) -> Schedule:
    """A schedule whose values come from replaying torch step by step (cached, grown)."""
    cache: list[float] = []
    state: dict[str, Any] = {}

    def extend(upto: int) -> None:
        if not state:
            group = sim.Group(lr=params["lr"])
            state["group"], state["driver"] = group, build(group)
            cache.append(group["lr"])
        group, driver = state["group"], state["driver"]
        while len(cache) <= upto:
            driver.step()
            cache.append(group["lr"])

    def fn(steps: np.ndarray) -> np.ndarray:
        steps = np.asarray(steps, dtype=np.int64)
        if steps.size == 0:
            return np.zeros(steps.shape)
        extend(int(steps.max()))
        return np.asarray(cache, dtype=np.float64)[steps]

    return Schedule(label=name, fn=fn, length=length, name=name, params=params,
                    events=lambda n: [Event(s, k) for s, k in events if 0 <= s < n])


def _check_lr(lr: float, owner: str) -> float:
    return LR.coerce(lr, owner)


def sequential_lr(parts: list[tuple[str, dict]], milestones: list[int], lr: float,
                  ctx: Context) -> Schedule:
    """torch ``SequentialLR(optimizer(lr), [parts...], milestones)`` replayed exactly.

    Each part restarts at its own epoch 0 from the optimizer's ``initial_lr`` (not from
    where the previous part ended), and every part's constructor runs first, as in torch.
    """
    owner = "torch.SequentialLR"
    lr = _check_lr(lr, owner)
    if not parts:
        raise LrplotError(f"{owner}: needs at least one scheduler in parts")
    milestones = [Param("milestones", INT).coerce(m, owner) for m in milestones]
    if len(milestones) != len(parts) - 1:
        raise LrplotError(f"{owner}: needs exactly one milestone fewer than parts (got "
                          f"{len(parts)} parts and {len(milestones)} milestones)")
    resolved = [_part_values(i, name, raw, ctx, owner) for i, (name, raw) in enumerate(parts)]

    def build(group: sim.Group) -> sim.Sequential:
        schedulers = [sim.construct(name, group, args) for name, args, _ in resolved]
        return sim.Sequential(group, schedulers, list(milestones))

    last_length = resolved[-1][2]
    start = max(milestones) if milestones else 0
    return _replay(owner, {"lr": lr, "milestones": tuple(milestones),
                           "parts": tuple(name for name, _, _ in resolved)},
                   build, start + last_length if last_length else None,
                   [(m, "phase") for m in milestones])


def chained_scheduler(parts: list[tuple[str, dict]], lr: float, ctx: Context) -> Schedule:
    """torch ``ChainedScheduler([parts...])`` on an optimizer with *lr*, replayed exactly.

    Every part steps the same lr in turn, so chainable schedulers multiply; constructor side
    effects compound (e.g. ConstantLR's factor applies once per construction).
    """
    owner = "torch.ChainedScheduler"
    lr = _check_lr(lr, owner)
    if not parts:
        raise LrplotError(f"{owner}: needs at least one scheduler in parts")
    resolved = [_part_values(i, name, raw, ctx, owner) for i, (name, raw) in enumerate(parts)]

    def build(group: sim.Group) -> sim.Chained:
        return sim.Chained(group, [sim.construct(name, group, args)
                                   for name, args, _ in resolved])

    known = [length for _, _, length in resolved if length]
    return _replay(owner, {"lr": lr, "parts": tuple(name for name, _, _ in resolved)},
                   build, max(known) if known else None, [])


__all__ = ["chained_scheduler", "sequential_lr"]
