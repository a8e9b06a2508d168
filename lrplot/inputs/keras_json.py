"""Input format: the JSON ``keras.optimizers.schedules.serialize`` writes (``class_name`` at
the top), read as that Keras schedule by :func:`lrplot.dialects.keras.load_serialized`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lrplot.core import Schedule
from lrplot.definition import Context
from lrplot.dialects.keras import load_serialized
from lrplot.run import Hints, Settings


def claims(path: str, document: Any) -> bool:
    return isinstance(document, Mapping) and "class_name" in document


@dataclass
class KerasSource:
    path: str
    document: Any
    settings: Settings = field(default_factory=Settings)

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,)

    def build(self, ctx: Context) -> list[Schedule]:
        return [load_serialized(self.document, self.path, ctx)]


def read(path: str, document: Any, hints: Hints) -> KerasSource:
    return KerasSource(path, document)
