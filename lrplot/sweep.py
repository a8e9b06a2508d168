"""Sweeps: one schedule spec and ``--vary key=v1,v2,...`` options → a family of variants.

``expand("cosine:warmup=10", ["min_lr=0,0.01"])`` gives two variants labelled ``min_lr=0``
and ``min_lr=0.01``; several ``--vary`` options give every combination, labelled
``min_lr=0.01, warmup=5`` in the order the options were given. Pure: no I/O, no numbers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from lrplot import registry
from lrplot.documents import DOCUMENT_SUFFIXES
from lrplot.errors import LrplotError
from lrplot.spec import parse_value, split_spec, split_top

MAX_VARIANTS = 64


@dataclass(frozen=True)
class Variant:
    label: str
    name: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Axis:
    """One ``--vary`` option: a parameter and the values (as typed) it takes."""

    key: str
    texts: tuple[str, ...]


def parse_vary(text: str) -> Axis:
    """``'min_lr=0,0.01'`` → ``Axis('min_lr', ('0', '0.01'))``; lists may be bracketed."""
    key, eq, rest = text.partition("=")
    key = key.strip().replace("-", "_")
    if not eq or not key.isidentifier():
        raise LrplotError(f"--vary {text!r}: write KEY=V1,V2,... (e.g. --vary min_lr=0,0.01)")
    texts = tuple(part.strip() for part in split_top(rest, f"--vary {text!r}"))
    if not texts or any(not t for t in texts):
        raise LrplotError(f"--vary {text!r}: every value must be non-empty; write KEY=V1,V2,...")
    if len(set(texts)) != len(texts):
        raise LrplotError(f"--vary {text!r}: a value is repeated")
    return Axis(key, texts)


def refuse_files(spec: str) -> None:
    """A sweep varies one spec string: a config file names its own parameters."""
    if spec.strip().lower().endswith(DOCUMENT_SUFFIXES):
        raise LrplotError(f"--vary needs a schedule spec such as cosine:warmup=10, not the "
                          f"config file {spec!r}")


def expand(spec: str, varies: list[str]) -> list[Variant]:
    """Every combination of the ``--vary`` values applied to *spec*, in row-major order."""
    refuse_files(spec)
    name, base = split_spec(spec)
    definition = registry.get(name)
    axes = [parse_vary(text) for text in varies]
    seen: set[str] = set()
    for axis in axes:
        param = definition.param(axis.key)
        if param is None:
            allowed = ", ".join(p.name for p in definition.params)
            raise LrplotError(f"--vary {axis.key}: {definition.name} has no parameter "
                              f"{axis.key!r}; allowed: {allowed}")
        if param.name in seen:
            raise LrplotError(f"--vary {axis.key}: the parameter is varied twice")
        seen.add(param.name)
        if any(definition.param(k) is param for k in base):
            raise LrplotError(f"--vary {axis.key}: the parameter is also set in {spec!r}; "
                              "set it in one place")
    count = 1
    for axis in axes:
        count *= len(axis.texts)
    if count > MAX_VARIANTS:
        sizes = "×".join(str(len(a.texts)) for a in axes)
        raise LrplotError(f"--vary gives {sizes} = {count} schedules; at most {MAX_VARIANTS} "
                          "are allowed")
    variants = []
    for combo in itertools.product(*(axis.texts for axis in axes)):
        params = dict(base)
        params.update({axis.key: parse_value(text) for axis, text in zip(axes, combo)})
        label = ", ".join(f"{axis.key}={text}" for axis, text in zip(axes, combo))
        variants.append(Variant(label or spec.strip(), name, params))
    return variants


def sweep_title(spec: str, varies: list[str]) -> str:
    """``cosine:warmup=10, varying min_lr and warmup``."""
    keys = " and ".join(parse_vary(text).key for text in varies)
    return f"{spec.strip()}, varying {keys}"


def sweep_shape(varies: list[str]) -> tuple[int, ...]:
    """How many values each ``--vary`` option takes, in order: ``(3, 2)`` for a 3×2 grid."""
    return tuple(len(parse_vary(text).texts) for text in varies)
