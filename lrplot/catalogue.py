"""The registry of every schedule name lrplot knows: canonical families and framework dialects.

A :class:`Definition` is a name, its typed parameters, a one-line summary, the formula, and a
``build`` function that turns validated parameter values into a :class:`Schedule`.
:func:`resolve` is the single entry point that validates user input and builds schedules;
the CLI, config files and the Python API all go through it.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrplot.errors import LrplotError
from lrplot.params import REQUIRED, Derived, Param
from lrplot.schedule import Schedule

# Framework prefixes and the module that defines their dialect names (loaded on first use,
# so `lrplot cosine` never pays for them).
DIALECT_MODULES = {
    "torch": "lrplot.dialects.torch",
    "keras": "lrplot.dialects.keras",
    "optax": "lrplot.dialects.optax",
    "hf": "lrplot.dialects.hf",
    "timm": "lrplot.dialects.timm",
}


@dataclass
class Context:
    """What a definition may need besides its parameters: the run length and a metric."""

    steps: int | None = None
    metric: np.ndarray | None = None
    metric_label: str = "metric"


@dataclass(frozen=True)
class Definition:
    name: str
    summary: str
    formula: str
    params: tuple[Param, ...]
    build: Callable[[dict[str, Any], Context], Schedule]
    kind: str = "family"  # or "dialect"
    notes: str = ""
    equivalents: Mapping[str, str] = field(default_factory=dict)
    uses_metric: bool = False
    check: Callable[[dict[str, Any]], None] | None = None

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name or name in p.aliases:
                return p
        return None

    def validate(self, raw: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        """Coerce *raw* (user-typed values, keys with - or _) into checked parameter values."""
        values: dict[str, Any] = {}
        for key, value in raw.items():
            norm = key.strip().replace("-", "_")
            p = self.param(norm)
            if p is None:
                raise LrplotError(self._unknown(norm))
            if p.name in values:
                raise LrplotError(f"{self.name}: {p.name} is given twice")
            values[p.name] = p.coerce(value, self.name)
        for p in self.params:
            if p.name in values:
                continue
            if p.required:
                raise LrplotError(
                    f"{self.name}: missing required parameter {p.name} ({p.allowed()})"
                )
            if not isinstance(p.default, Derived):
                values[p.name] = p.default
        for p in self.params:  # derived defaults may read the others, so they come last
            if p.name not in values and isinstance(p.default, Derived):
                try:
                    computed = p.default.compute(values, ctx)
                except LrplotError as err:  # name the schedule, as every other error does
                    if err.message.startswith(f"{self.name}:"):
                        raise
                    raise LrplotError(f"{self.name}: {err.message}") from None
                values[p.name] = p.coerce(computed, self.name)
        if self.check is not None:
            self.check(values)
        return values

    def _unknown(self, key: str) -> str:
        names = [p.name for p in self.params]
        close = difflib.get_close_matches(key, names, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        return f"{self.name}: unknown parameter {key!r}; {hint}allowed: {', '.join(names)}"


_REGISTRY: dict[str, Definition] = {}


def register(defn: Definition) -> Definition:
    if defn.name in _REGISTRY:
        raise RuntimeError(f"schedule {defn.name!r} is defined twice")
    _REGISTRY[defn.name] = defn
    return defn


def _load(prefix: str) -> None:
    module = DIALECT_MODULES.get(prefix)
    if module is None:
        return
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as err:  # a dialect module not written yet is simply absent
        if err.name is None or not module.startswith(err.name):
            raise


def _ensure_families() -> None:
    importlib.import_module("lrplot.families")


def all_definitions(kind: str | None = None) -> list[Definition]:
    _ensure_families()
    if kind != "family":
        for prefix in DIALECT_MODULES:
            _load(prefix)
    return [d for d in _REGISTRY.values() if kind is None or d.kind == kind]


def get(name: str) -> Definition:
    """The definition called *name* (case-insensitive), or an error that suggests names."""
    _ensure_families()
    prefix = name.split(".", 1)[0].lower() if "." in name else ""
    if prefix:
        _load(prefix)
    if name in _REGISTRY:
        return _REGISTRY[name]
    folded = {key.lower().replace("-", "_"): key for key in _REGISTRY}
    key = name.lower().replace("-", "_")
    if key in folded:
        return _REGISTRY[folded[key]]
    if prefix and prefix not in DIALECT_MODULES:
        raise LrplotError(
            f"unknown framework {prefix!r} in {name!r}; allowed: {', '.join(DIALECT_MODULES)}"
        )
    pool = [k for k in _REGISTRY if (k.split(".", 1)[0].lower() == prefix) == bool(prefix)]
    close = difflib.get_close_matches(name, pool, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    what = f"{prefix} schedule" if prefix else "schedule"
    raise LrplotError(f"unknown {what} {name!r}{hint}; `lrplot list` shows them all")


def resolve(
    name: str, raw: Mapping[str, Any] | None = None, ctx: Context | None = None,
    label: str | None = None,
) -> Schedule:
    """Validate *raw* parameters for *name* and build the schedule."""
    defn = get(name)
    ctx = ctx or Context()
    values = defn.validate(raw or {}, ctx)
    sched = defn.build(values, ctx)
    return sched.with_label(label) if label else sched


def default_text(p: Param) -> str:
    if p.default is REQUIRED:
        return "required"
    if isinstance(p.default, Derived):
        return p.default.text
    if isinstance(p.default, bool):
        return "true" if p.default else "false"
    if isinstance(p.default, tuple):
        return "[" + ",".join(str(v) for v in p.default) + "]"
    if p.default is None:
        return "none"
    return str(p.default)
