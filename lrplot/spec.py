"""Spec strings: ``NAME[:key=value,key=value,...]`` — parsing and formatting, nothing else.

``cosine:lr=0.1,warmup=5``, ``multistep:milestones=[30,60,90],gamma=0.1``,
``torch.OneCycleLR:max_lr=0.1,total_steps=1000``. Values are ints, floats (``1e-3``),
``true``/``false``, ``none``, bare strings or ``[a,b,...]`` lists; keys take ``-`` or ``_``.
Turning a spec into a schedule is :mod:`lrplot.inputs`' job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lrplot.errors import LrplotError, brief

# No parameter takes more than a flat list; a little room is left for a clear type error.
DEEPEST_LIST = 4


def parse_value(text: str, depth: int = 0) -> Any:
    """A spec value as Python: int, float, bool, None, list or (bare) string."""
    raw = text.strip()
    if raw.startswith("["):
        if depth >= DEEPEST_LIST:
            raise LrplotError(f"list value {brief(raw)!r} nests lists more than "
                              f"{DEEPEST_LIST} deep; parameters take flat lists like [30,60]")
        if not raw.endswith("]"):
            raise LrplotError(f"list value {brief(raw)!r} has no closing ']'")
        inner = raw[1:-1].strip()
        owner = f"spec value {brief(repr(raw))}"
        return [parse_value(part, depth + 1) for part in split_top(inner, owner)] if inner else []
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


def split_top(text: str, owner: str) -> list[str]:
    """Split on commas outside brackets; *owner* (``spec '...'``) names the text in errors."""
    parts: list[str] = []
    depth, current = 0, list[str]()
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth < 0:
                raise LrplotError(f"{owner} has an unmatched ']'")
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth:
        raise LrplotError(f"{owner} has an unclosed '['")
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
            f"spec {brief(repr(spec))} must start with a schedule name, as in NAME[:key=value,...]"
        )
    params: dict[str, Any] = {}
    owner = f"spec {brief(repr(spec))}"
    if rest.strip():
        for item in split_top(rest, owner):
            if not item.strip():
                raise LrplotError(f"{owner} has an empty parameter (two commas in a row?)")
            key, eq, value = item.partition("=")
            key = key.strip().replace("-", "_")
            if not eq:
                raise LrplotError(f"{owner}: parameter {key!r} has no value; write key=value")
            if not key.isidentifier():
                raise LrplotError(f"{owner}: {key!r} is not a parameter name")
            if key in params:
                raise LrplotError(f"{owner}: {key} is given twice")
            if not value.strip():
                raise LrplotError(f"{owner}: {key} has an empty value")
            params[key] = parse_value(value)
    return name, params


def spec_text(name: str, params: Mapping[str, Any]) -> str:
    """A spec-like label: ``cosine:lr=0.1,warmup=5`` (the inverse of :func:`split_spec`)."""
    items = ",".join(f"{key}={show_value(value)}" for key, value in params.items())
    return f"{name}:{items}" if items else name


def show_value(value: Any) -> str:
    """A value as a spec string or an error message writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(show_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "a table"
    return str(value)
