"""The Source a training config becomes: one named schedule with its parameters.

A DeepSpeed, Trainer or axolotl file is read into a dialect name and parameters (with notes
on how they were derived, for ``lrplot describe FILE``); building it is resolving that spec.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from lrplot import registry
from lrplot.core import Schedule
from lrplot.definition import Context
from lrplot.errors import within
from lrplot.run import Settings
from lrplot.spec import spec_text


@dataclass
class NamedSource:
    path: str
    name: str
    params: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    also_reads: tuple[str, ...] = ()  # other files it read (a DeepSpeed config it names)

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path, *self.also_reads)

    @property
    def spec(self) -> str:
        return spec_text(self.name, self.params)

    def build(self, ctx: Context) -> list[Schedule]:
        with within(self.path):
            schedule = registry.resolve(self.name, self.params, ctx)
        return [schedule.with_label(f"{self.name} ({os.path.basename(self.path)})")]
