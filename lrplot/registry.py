"""The registry of every schedule name lrplot knows: families, dialects and composites.

It collects the ``DEFINITIONS`` (and ``COMPOSITES``) lists of the modules that define them —
:mod:`lrplot.families` and :mod:`lrplot.compose` always, each :mod:`lrplot.dialects` module on
first use of its prefix, so ``lrplot cosine`` never pays for torch's 60 definitions. Those
modules never import this one. :func:`resolve` is the single entry point that validates user
input and builds a schedule; the CLI, config files and the Python API all go through it.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Mapping
from typing import Any

from lrplot import compose, families
from lrplot.compose import Composite
from lrplot.core import Schedule
from lrplot.definition import Context, Definition
from lrplot.errors import LrplotError

# Framework prefixes and the module that defines their dialect names (loaded on first use).
DIALECT_MODULES = {
    "torch": "lrplot.dialects.torch",
    "keras": "lrplot.dialects.keras",
    "optax": "lrplot.dialects.optax",
    "hf": "lrplot.dialects.hf",
    "timm": "lrplot.dialects.timm",
    "deepspeed": "lrplot.dialects.deepspeed",
    "axolotl": "lrplot.dialects.axolotl",
    "megatron": "lrplot.dialects.megatron",
    "nanogpt": "lrplot.dialects.nanogpt",
}

_DEFINITIONS: dict[str, Definition] = {}
_COMPOSITES: dict[str, Composite] = {}
_LOADED: set[str] = set()


def _add(module: Any) -> None:
    for defn in getattr(module, "DEFINITIONS", ()):
        if defn.name in _DEFINITIONS:
            raise RuntimeError(f"schedule {defn.name!r} is defined twice")
        _DEFINITIONS[defn.name] = defn
    for composite in getattr(module, "COMPOSITES", ()):
        _COMPOSITES[composite.name.lower()] = composite


_add(families)
_add(compose)


def _load(prefix: str) -> None:
    module = DIALECT_MODULES.get(prefix)
    if module is not None and prefix not in _LOADED:
        _LOADED.add(prefix)
        _add(importlib.import_module(module))


def _load_all() -> None:
    for prefix in DIALECT_MODULES:
        _load(prefix)


def all_definitions(kind: str | None = None) -> list[Definition]:
    """Every definition (of one *kind*: ``family`` or ``dialect``), in definition order."""
    if kind != "family":
        _load_all()
    return [d for d in _DEFINITIONS.values() if kind is None or d.kind == kind]


def all_composites() -> list[Composite]:
    """The composites config files can hold: sequence, chain and the torch ones."""
    _load("torch")
    return list(_COMPOSITES.values())


def composite(name: str) -> Composite | None:
    """Composite *name* (case-insensitive), or None for anything else."""
    key = name.strip().lower()
    if "." in key:
        _load(key.split(".", 1)[0])
    return _COMPOSITES.get(key)


def get(name: str) -> Definition:
    """The definition called *name* (case-insensitive), or an error that suggests names."""
    prefix = name.split(".", 1)[0].lower() if "." in name else ""
    if prefix:
        _load(prefix)
    if name in _DEFINITIONS:
        return _DEFINITIONS[name]
    folded = {key.lower().replace("-", "_"): key for key in _DEFINITIONS}
    key = name.lower().replace("-", "_")
    if key in folded:
        return _DEFINITIONS[folded[key]]
    if prefix and prefix not in DIALECT_MODULES:
        raise LrplotError(
            f"unknown framework {prefix!r} in {name!r}; allowed: {', '.join(DIALECT_MODULES)}"
        )
    pool = [k for k in _DEFINITIONS if (k.split(".", 1)[0].lower() == prefix) == bool(prefix)]
    close = difflib.get_close_matches(name, pool, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    what = f"{prefix} schedule" if prefix else "schedule"
    raise LrplotError(f"unknown {what} {name!r}{hint}; `lrplot list` shows them all")


def resolve(
    name: str, raw: Mapping[str, Any] | None = None, ctx: Context | None = None,
    label: str | None = None,
) -> Schedule:
    """Validate *raw* parameters for *name* and build the schedule."""
    return get(name).resolve(raw, ctx, label)
