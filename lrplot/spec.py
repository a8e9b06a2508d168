"""Spec strings: ``NAME[:key=value,key=value,...]``, and config-file paths in their place.

``cosine:lr=0.1,warmup=5``, ``multistep:milestones=[30,60,90],gamma=0.1``,
``torch.OneCycleLR:max_lr=0.1,total_steps=1000``. Values are ints, floats (``1e-3``),
``true``/``false``, ``none``, bare strings or ``[a,b,...]`` lists; keys take ``-`` or ``_``.
A path ending in ``.toml``, ``.json``, ``.yaml`` or ``.yml`` is a config file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lrplot.catalogue import Context, resolve
from lrplot.errors import LrplotError
from lrplot.schedule import Schedule

CONFIG_SUFFIXES = (".toml", ".json", ".yaml", ".yml")
CONFIG_ONLY = ("sequence", "chain", "torch.sequentiallr", "torch.chainedscheduler")


@dataclass
class Loaded:
    """Schedules read from the command line, with any settings a config file carried."""

    schedules: list[Schedule] = field(default_factory=list)
    title: str | None = None
    steps: int | None = None
    steps_per_epoch: int | None = None
    log: bool = False


def is_config_path(text: str) -> bool:
    return text.lower().endswith(CONFIG_SUFFIXES)


def parse_value(text: str) -> Any:
    """A spec value as Python: int, float, bool, None, list or (bare) string."""
    raw = text.strip()
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise LrplotError(f"list value {raw!r} has no closing ']'")
        inner = raw[1:-1].strip()
        return [parse_value(part) for part in _split_top(inner, raw)] if inner else []
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for convert in (int, float):
        try:
            return convert(raw)
        except ValueError:
            pass
    return raw


def _split_top(text: str, whole: str) -> list[str]:
    """Split on commas outside brackets."""
    parts, depth, current = [], 0, []
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth < 0:
                raise LrplotError(f"spec {whole!r} has an unmatched ']'")
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth:
        raise LrplotError(f"spec {whole!r} has an unclosed '['")
    parts.append("".join(current))
    return parts


def split_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """``'cosine:lr=0.1,warmup=5'`` → ``('cosine', {'lr': 0.1, 'warmup': 5})``."""
    text = spec.strip()
    if not text:
        raise LrplotError("empty schedule spec; write NAME[:key=value,...], e.g. cosine:lr=0.1")
    name, _, rest = text.partition(":")
    name = name.strip()
    if not name or any(c.isspace() or c in "=,[]" for c in name):
        raise LrplotError(
            f"spec {spec!r} must start with a schedule name, as in NAME[:key=value,...]"
        )
    params: dict[str, Any] = {}
    if rest.strip():
        for item in _split_top(rest, spec):
            if not item.strip():
                raise LrplotError(f"spec {spec!r} has an empty parameter (two commas in a row?)")
            key, eq, value = item.partition("=")
            key = key.strip().replace("-", "_")
            if not eq:
                raise LrplotError(f"spec {spec!r}: parameter {key!r} has no value; write key=value")
            if not key.isidentifier():
                raise LrplotError(f"spec {spec!r}: {key!r} is not a parameter name")
            if key in params:
                raise LrplotError(f"spec {spec!r}: {key} is given twice")
            if not value.strip():
                raise LrplotError(f"spec {spec!r}: {key} has an empty value")
            params[key] = parse_value(value)
    return name, params


def load_specs(specs: list[str], ctx: Context) -> Loaded:
    """Every spec string or config file on a command line, as schedules labelled by spec."""
    loaded = Loaded()
    for spec in specs:
        if is_config_path(spec):
            _merge(loaded, _load_config(spec, ctx))
        else:
            name, params = split_spec(spec)
            if name.lower() in CONFIG_ONLY:  # their parts are tables: no spec-string syntax
                raise LrplotError(f"spec {spec!r}: {name} takes parts, which only a config "
                                  "file can hold; write it in a .toml file (see "
                                  "configs/warmup_hold_cosine.toml)")
            loaded.schedules.append(resolve(name, params, ctx, label=spec.strip()))
    return loaded


def _merge(into: Loaded, other: Loaded) -> None:
    into.schedules += other.schedules
    into.title = into.title or other.title
    into.steps = into.steps or other.steps
    into.steps_per_epoch = into.steps_per_epoch or other.steps_per_epoch
    into.log = into.log or other.log


def config_steps_per_epoch(specs: list[str]) -> int | None:
    """The first steps_per_epoch that a config file among *specs* sets, if any."""
    for spec in specs:
        if is_config_path(spec):
            from lrplot.config import steps_per_epoch_of  # config imports this module

            found = steps_per_epoch_of(spec)
            if found is not None:
                return found
    return None


def _load_config(path: str, ctx: Context) -> Loaded:
    from lrplot.config import load_config  # config imports this module

    return load_config(path, ctx)
