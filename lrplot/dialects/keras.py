"""``keras.`` dialect: ``keras.optimizers.schedules`` classes, and their JSON.

Row t is ``schedule(t)`` (the optimizer evaluates its schedule at ``iterations`` before
incrementing). lrplot computes in float64; Keras computes in its floatx (float32 unless
``keras.config.set_floatx("float64")``), which differs by up to ~1e-7 relative (more near the
end of a cosine, where float32 π shows).

:func:`load_serialized` reads what ``keras.optimizers.schedules.serialize`` writes;
:func:`to_serialized` writes it for a keras schedule, or for a canonical family that has an
exact Keras equivalent.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO

import numpy as np

from lrplot.core import Schedule
from lrplot.definition import Context, Definition, collector
from lrplot.dialects import as_float, whole
from lrplot.errors import LrplotError, within
from lrplot.params import BOOL, FLOAT, FLOATS, INTS, Param

DEFINITIONS: list[Definition] = []
dialect = collector(DEFINITIONS, kind="dialect")

MODULE = "keras.optimizers.schedules"
INITIAL = Param("initial_learning_rate", FLOAT, help="lr at step 0", low=0)
DECAY_STEPS = Param("decay_steps", FLOAT, help="steps of decay (Keras requires > 0)", low=0,
                    low_open=True)
FLOAT32_NOTE = ("Keras computes in float32 by default; lrplot in float64 (Keras with "
                "floatx float64 matches to 1e-9).")


@dialect(
    "keras.ExponentialDecay",
    summary="Keras ExponentialDecay: initial_learning_rate·decay_rate^(step/decay_steps).",
    formula="initial_learning_rate·decay_rate^(t/decay_steps), exponent floored if staircase",
    params=(INITIAL, DECAY_STEPS, Param("decay_rate", FLOAT, help="factor per decay_steps", low=0),
            Param("staircase", BOOL, False, "decay in whole periods")),
    notes="No end: it decays forever. " + FLOAT32_NOTE,
    equivalents={"lrplot": "exponential (lr=initial_learning_rate); staircase with "
                           "decay_rate=gamma is lrplot's step"},
)
def exponential_decay(t, p):
    ratio = as_float(t) / p["decay_steps"]
    if p["staircase"]:
        ratio = np.floor(ratio)
    return p["initial_learning_rate"] * np.power(p["decay_rate"], ratio)


def _check_piecewise(values: dict[str, Any]) -> None:
    if len(values["boundaries"]) != len(values["values"]) - 1:
        raise LrplotError(
            "keras.PiecewiseConstantDecay: the length of boundaries should be 1 less than "
            f"the length of values (got {len(values['boundaries'])} boundaries and "
            f"{len(values['values'])} values)")
    if not values["boundaries"]:
        raise LrplotError("keras.PiecewiseConstantDecay: needs at least one boundary")


def _piecewise_length(p: Mapping[str, Any]) -> int:
    last = max(p["boundaries"])
    return last + 1 + max(10, last // 4)


@dialect(
    "keras.PiecewiseConstantDecay",
    summary="Keras PiecewiseConstantDecay: values between boundaries, switching after them.",
    formula="values[0] for t ≤ b[0]; values[i] for b[i−1] < t ≤ b[i]; values[−1] for "
            "t > b[−1]",
    params=(Param("boundaries", INTS, help="steps after which the value changes"),
            Param("values", FLOATS, help="one more value than boundaries", low=0)),
    length=_piecewise_length,
    events=lambda p, n: [(b + 1, "milestone") for b in p["boundaries"]],
    check=_check_piecewise,
    notes="Right-inclusive: values[i+1] first applies at step boundaries[i]+1 (optax and "
          "torch switch at the boundary itself). Same rule as lrplot's piecewise family.",
    equivalents={"lrplot": "piecewise"},
)
def piecewise_constant_decay(t, p):
    bounds, vals = p["boundaries"], p["values"]
    out = np.zeros(t.shape)
    out += (t <= bounds[0]) * vals[0]
    out += (t > bounds[-1]) * vals[-1]
    for low, high, value in zip(bounds[:-1], bounds[1:], vals[1:-1]):
        out += ((t > low) & (t <= high)) * value
    return out


@dialect(
    "keras.PolynomialDecay",
    summary="Keras PolynomialDecay: polynomial decay to end_learning_rate (optionally cycling).",
    formula="(initial−end)·(1−min(t,ds)/ds)^power + end; with cycle, ds·⌈t/ds⌉",
    params=(INITIAL, DECAY_STEPS,
            Param("end_learning_rate", FLOAT, 0.0001, "lr at decay_steps", low=0),
            Param("power", FLOAT, 1.0, "exponent of the decay", low=0),
            Param("cycle", BOOL, False, "restart after decay_steps, each period longer")),
    length=lambda p: math.ceil(p["decay_steps"] * (3 if p["cycle"] else 1)),
    notes="The default end_learning_rate is 1e-4, not 0. With cycle the decay restarts from "
          "a lower point each period. " + FLOAT32_NOTE,
    equivalents={"lrplot": "polynomial (end_lr=end_learning_rate)"},
)
def polynomial_decay(t, p):
    s = as_float(t)
    ds: np.ndarray | float = float(p["decay_steps"])
    if p["cycle"]:
        multiplier = np.where(s == 0, 1.0, np.ceil(s / p["decay_steps"]))
        ds = ds * multiplier
    else:
        s = np.minimum(s, ds)
    ratio = s / ds
    init, end = p["initial_learning_rate"], p["end_learning_rate"]
    # ds·⌈t/ds⌉ can round a hair below t for absurdly small decay_steps: never below 0.
    return (init - end) * np.power(np.maximum(1 - ratio, 0.0), p["power"]) + end


@dialect(
    "keras.InverseTimeDecay",
    summary="Keras InverseTimeDecay: initial_learning_rate / (1 + decay_rate·step/decay_steps).",
    formula="initial_learning_rate/(1+decay_rate·t/decay_steps), t/decay_steps floored if "
            "staircase",
    params=(INITIAL, DECAY_STEPS, Param("decay_rate", FLOAT, help="how fast the lr falls", low=0),
            Param("staircase", BOOL, False, "decay in whole periods")),
    notes="No end. " + FLOAT32_NOTE,
    equivalents={"lrplot": "inverse_time"},
)
def inverse_time_decay(t, p):
    ratio = as_float(t) / p["decay_steps"]
    if p["staircase"]:
        ratio = np.floor(ratio)
    return p["initial_learning_rate"] / (1.0 + p["decay_rate"] * ratio)


def _cosine_length(p: Mapping[str, Any]) -> int:
    warm = p["warmup_steps"] if p["warmup_target"] is not None else 0.0
    return math.ceil(p["decay_steps"] + warm)


def _cosine(s: np.ndarray, decay_steps: float, start: float, alpha: float) -> np.ndarray:
    fraction = s / decay_steps
    decayed = (1 - alpha) * (0.5 * (1.0 + np.cos(math.pi * fraction))) + alpha
    return start * decayed


@dialect(
    "keras.CosineDecay",
    summary="Keras CosineDecay: cosine to alpha·lr over decay_steps, optional linear warmup.",
    formula="warmup_target set: linear initial→warmup_target over warmup_steps, then "
            "target·((1−alpha)·½(1+cos(π·s/decay_steps))+alpha); s clamped at decay_steps",
    params=(INITIAL, DECAY_STEPS,
            Param("alpha", FLOAT, 0.0, "floor as a fraction of the decayed-from lr", low=0),
            Param("warmup_target", FLOAT, None, "lr reached after warmup (enables warmup)", low=0,
                  nullable=True),
            Param("warmup_steps", FLOAT, 0.0, "warmup length (needs warmup_target)", low=0)),
    length=_cosine_length,
    events=lambda p, n: ([(p["warmup_steps"], "warmup end")]
                         if p["warmup_target"] is not None and p["warmup_steps"] > 0 else []),
    notes="Holds alpha·lr after the decay. decay_steps excludes the warmup (the whole "
          "schedule is warmup_steps + decay_steps long). Without warmup_target, "
          "warmup_steps is silently ignored, as in Keras. " + FLOAT32_NOTE,
    equivalents={"lrplot": "cosine (min_lr = alpha·lr; warmup_target → warmup=warmup_steps, "
                           "warmup_start=initial_learning_rate)"},
)
def cosine_decay(t, p):
    s = as_float(t)
    init, ds, alpha = p["initial_learning_rate"], float(p["decay_steps"]), p["alpha"]
    if p["warmup_target"] is None:
        return _cosine(np.minimum(s, ds), ds, init, alpha)
    target, warm = p["warmup_target"], float(p["warmup_steps"])
    s = np.minimum(s, ds + warm)
    out = np.empty(s.shape)
    ramp = s < warm
    out[ramp] = (target - init) * (s[ramp] / warm) + init
    out[~ramp] = _cosine(s[~ramp] - warm, ds, target, alpha)
    return out


def _cycles_before(restart: np.ndarray, t_mul: float) -> np.ndarray:
    """Length of the first *restart* cycles, in units of first_decay_steps."""
    return (1.0 - np.power(t_mul, restart)) / (1.0 - t_mul)


def _restarts_length(p: Mapping[str, Any]) -> int:
    first, mul = p["first_decay_steps"], p["t_mul"]
    return math.ceil(first * (1 + mul + mul * mul))


@dialect(
    "keras.CosineDecayRestarts",
    summary="Keras CosineDecayRestarts (SGDR): cosine cycles t_mul times longer, m_mul lower.",
    formula="i = ⌊log(1−f·(1−t_mul))/log t_mul⌋ (f = t/first_decay_steps); "
            "lr·((1−alpha)·½·m_mul^i·(1+cos(π·f_i))+alpha)",
    params=(INITIAL,
            Param("first_decay_steps", FLOAT, help="length of the first cycle", low=0,
                  low_open=True),
            Param("t_mul", FLOAT, 2.0, "each cycle is t_mul times longer", low=0,
                  low_open=True),
            Param("m_mul", FLOAT, 1.0, "each restart peaks m_mul times lower", low=0),
            Param("alpha", FLOAT, 0.0, "floor as a fraction of initial_learning_rate", low=0,
                  high=1)),
    length=_restarts_length,
    notes="Restarts forever. m_mul scales the cosine but not the alpha floor. The cycle "
          "index comes from a floating-point log, as in Keras. " + FLOAT32_NOTE,
    equivalents={"lrplot": "cosine_restarts (min_lr = alpha·lr)"},
)
def cosine_decay_restarts(t, p):
    fraction = as_float(t) / p["first_decay_steps"]
    t_mul = float(p["t_mul"])
    if t_mul == 1.0:
        restart = np.floor(fraction)
        fraction = fraction - restart
    else:
        with np.errstate(invalid="ignore"):
            restart = np.floor(np.log(1.0 - fraction * (1.0 - t_mul)) / np.log(t_mul))
        # At an exact restart the float log can land a hair below the whole number (numpy's
        # and torch's logs differ there); settle the index on the cycle starts themselves,
        # which is what Keras computes on its float64 torch backend.
        restart = np.where(fraction < _cycles_before(restart, t_mul), restart - 1, restart)
        restart = np.where(fraction >= _cycles_before(restart + 1, t_mul), restart + 1,
                           restart)
        total = _cycles_before(restart, t_mul)
        fraction = (fraction - total) / np.power(t_mul, restart)
    m_fac = np.power(float(p["m_mul"]), restart)
    decayed = 0.5 * m_fac * (1.0 + np.cos(math.pi * fraction))
    alpha = p["alpha"]
    return p["initial_learning_rate"] * ((1 - alpha) * decayed + alpha)


# ---- JSON ---------------------------------------------------------------------------------

CLASSES = ("ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
           "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts")
# Keys Keras writes in get_config() that do not change the numbers.
IGNORED_KEYS = frozenset({"name"})


def _definition(name: str) -> Definition:
    return next(d for d in DEFINITIONS if d.name == name)


def load_serialized(obj: Any, source: str, ctx: Context) -> Schedule:
    """A schedule from the JSON ``keras.optimizers.schedules.serialize`` writes.

    Accepts the full form ``{"module", "class_name", "config", "registered_name"}`` and the
    bare legacy ``{"class_name", "config"}``. Errors name *source* and the offending key.
    """
    if not isinstance(obj, Mapping):
        raise LrplotError(f"{source}: a Keras schedule must be a JSON object with "
                          "class_name and config")
    extra = set(obj) - {"module", "class_name", "config", "registered_name",
                        "build_config", "compile_config"}
    if extra:
        raise LrplotError(f"{source}: unexpected key {sorted(extra)[0]!r} in a Keras "
                          "schedule; expected module, class_name, config, registered_name")
    class_name = obj.get("class_name")
    if not isinstance(class_name, str):
        raise LrplotError(f"{source}: class_name must be one of {', '.join(CLASSES)}")
    module = obj.get("module")
    if module is not None and not (isinstance(module, str) and module.startswith("keras")):
        raise LrplotError(f"{source}: module {module!r} is not a Keras module; lrplot reads "
                          f"the built-in schedules of {MODULE}")
    registered = obj.get("registered_name")
    if registered not in (None, class_name):
        raise LrplotError(f"{source}: registered_name {registered!r} is a custom schedule; "
                          f"lrplot reads the built-in schedules of {MODULE}")
    if class_name not in CLASSES:
        raise LrplotError(f"{source}: class_name {class_name!r} is not a Keras built-in "
                          f"schedule; allowed: {', '.join(CLASSES)}")
    config = obj.get("config")
    if not isinstance(config, Mapping):
        raise LrplotError(f"{source}: config must be an object with the arguments of "
                          f"{class_name}")
    raw: dict[str, Any] = {}
    for key, value in config.items():
        if key in IGNORED_KEYS:
            continue
        if isinstance(value, Mapping):
            raise LrplotError(f"{source}: config.{key} is a nested object; lrplot reads plain "
                              "numbers, booleans and lists")
        raw[key] = value
    name = f"keras.{class_name}"
    with within(f"{source}: config"):
        schedule = _definition(name).resolve(raw, ctx)
    return schedule.with_label(f"{name} ({os.path.basename(source)})")


def to_serialized(schedule: Schedule) -> dict[str, Any]:
    """The ``serialize`` JSON for *schedule*, or an error if Keras has no exact equivalent."""
    name = schedule.name
    if name.startswith("keras."):
        class_name, config = name.split(".", 1)[1], _keras_config(name, schedule.params)
    else:
        class_name, config = _canonical_to_keras(schedule)
        config = _keras_config(f"keras.{class_name}", config)
    return {"module": MODULE, "class_name": class_name, "config": config,
            "registered_name": None}


def _keras_config(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Every argument of the Keras class, in get_config()'s order, with Keras' name."""
    defn = _definition(name)
    values = defn.validate({k: v for k, v in params.items() if defn.param(k)}, Context())
    config: dict[str, Any] = {}
    for p in defn.params:
        value = values[p.name]
        if isinstance(value, tuple):
            value = [whole(v) if p.kind == INTS else float(v) for v in value]
        elif isinstance(value, float) and p.name in ("decay_steps", "first_decay_steps",
                                                     "warmup_steps"):
            value = whole(value)
        config[p.name] = value
    config["name"] = _KERAS_NAMES[name]
    return config


_KERAS_NAMES = {
    "keras.ExponentialDecay": "ExponentialDecay",
    "keras.PiecewiseConstantDecay": "PiecewiseConstant",
    "keras.PolynomialDecay": "PolynomialDecay",
    "keras.InverseTimeDecay": "InverseTimeDecay",
    "keras.CosineDecay": "CosineDecay",
    "keras.CosineDecayRestarts": "SGDRDecay",
}


def _canonical_to_keras(schedule: Schedule) -> tuple[str, dict[str, Any]]:
    p = dict(schedule.params)
    family = schedule.name
    refuse = LrplotError(f"{schedule.label}: has no exact Keras equivalent (Keras has "
                         f"{', '.join(CLASSES)}), so it cannot be written as .keras.json")
    warmup = p.get("warmup", 0)
    if warmup and family != "cosine":
        raise LrplotError(f"{schedule.label}: Keras has a built-in warmup only in "
                          "CosineDecay, so this warmup cannot be written as .keras.json")
    if family == "step":
        return "ExponentialDecay", {"initial_learning_rate": p["lr"],
                                    "decay_steps": p["step_size"],
                                    "decay_rate": p["gamma"], "staircase": True}
    if family in ("exponential", "inverse_time"):
        return ("ExponentialDecay" if family == "exponential" else "InverseTimeDecay",
                {"initial_learning_rate": p["lr"], "decay_steps": p["decay_steps"],
                 "decay_rate": p["decay_rate"], "staircase": p["staircase"]})
    if family in ("polynomial", "linear"):
        return "PolynomialDecay", {
            "initial_learning_rate": p["lr"], "decay_steps": p["decay_steps"],
            "end_learning_rate": p["end_lr"], "power": p.get("power", 1.0),
            "cycle": p.get("cycle", False)}
    if family == "piecewise":
        if not p["boundaries"]:
            raise refuse
        return "PiecewiseConstantDecay", {"boundaries": p["boundaries"], "values": p["values"]}
    if family == "multistep":
        return _multistep_to_piecewise(p, refuse)
    if family == "cosine":
        return _cosine_to_keras(schedule, p)
    if family == "cosine_restarts":
        return "CosineDecayRestarts", {
            "initial_learning_rate": p["lr"], "first_decay_steps": p["first_decay_steps"],
            "t_mul": p["t_mul"], "m_mul": p["m_mul"], "alpha": _alpha(schedule, p)}
    raise refuse


def _alpha(schedule: Schedule, p: Mapping[str, Any]) -> float:
    if p["min_lr"] == 0:
        return 0.0
    if p["lr"] == 0:
        raise LrplotError(f"{schedule.label}: with lr=0 the floor min_lr cannot be written as "
                          "Keras' alpha (a fraction of the lr)")
    return p["min_lr"] / p["lr"]


def _cosine_to_keras(schedule: Schedule, p: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    config = {"initial_learning_rate": p["lr"], "decay_steps": p["decay_steps"],
              "alpha": _alpha(schedule, p)}
    if p["warmup"]:
        if p["warmup_shape"] != "linear":
            raise LrplotError(f"{schedule.label}: Keras CosineDecay warms up linearly only; "
                              f"warmup_shape={p['warmup_shape']} cannot be written as "
                              ".keras.json")
        config.update(initial_learning_rate=p["warmup_start"], warmup_target=p["lr"],
                      warmup_steps=p["warmup"])
    return "CosineDecay", config


def _multistep_to_piecewise(p: Mapping[str, Any], refuse: LrplotError):
    milestones = sorted(p["milestones"])
    if not milestones:
        raise refuse
    # torch-style milestones decay AT m; Keras switches after a boundary, so b = m − 1.
    boundaries: list[int] = []
    values = [p["lr"]]
    for count, milestone in enumerate(milestones, start=1):
        if boundaries and boundaries[-1] == milestone - 1:
            values[-1] = p["lr"] * p["gamma"] ** count
            continue
        boundaries.append(milestone - 1)
        values.append(p["lr"] * p["gamma"] ** count)
    return "PiecewiseConstantDecay", {"boundaries": tuple(boundaries), "values": tuple(values)}


def write_serialized(path: str, schedules: list[Schedule]) -> Callable[[BinaryIO], None]:
    """A writer for ``PATH.keras.json``; checks everything before any file is opened."""
    if len(schedules) != 1:
        raise LrplotError(f"--out {path}: a .keras.json file holds one schedule, got "
                          f"{len(schedules)}")
    text = json.dumps(to_serialized(schedules[0]), indent=2) + "\n"

    def write(handle: BinaryIO) -> None:
        handle.write(text.encode("utf-8"))

    return write


def check_view(view: Any, path: str) -> None:
    """Refuse, before any file is opened, a view that ``.keras.json`` cannot hold."""
    write_serialized(path, view.schedules)


def write_view(handle: BinaryIO, view: Any) -> None:
    """The output format ``.keras.json``: a view's one schedule as Keras' own JSON."""
    write_serialized("", view.schedules)(handle)


__all__ = ["CLASSES", "check_view", "load_serialized", "to_serialized", "write_serialized",
           "write_view"]
