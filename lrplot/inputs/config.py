"""Input format: lrplot's own config files, schedules written down in TOML, JSON or YAML.

```toml
title = "warmup, hold, cosine"       # optional
steps = 1000                         # optional: run length (--steps wins)
steps_per_epoch = 100                # optional: epoch axis / column
log = true                           # optional: log-scale lr axis (as --log)
metric = "val_log.csv:val_loss"      # optional: metric for plateau schedules,
                                     # relative to this file (--metric wins)
[[schedule]]
name = "cosine"                      # a family or a dialect name
lr = 0.1                             # its parameters
warmup = 50
label = "cosine + warmup"            # optional legend / column label

[[schedule]]
name = "sequence"                    # composition: parts joined at boundaries
boundaries = [100, 600]
parts = [
  { name = "linear", lr = 0, end_lr = 3e-4, decay_steps = 100 },
  { name = "constant", lr = 3e-4 },
  { name = "cosine", lr = 3e-4 },
]
```

Several ``[[schedule]]`` tables make a comparison. Composites (``sequence``, ``chain``,
``torch.SequentialLR``, ``torch.ChainedScheduler``; see :func:`lrplot.registry.composite`)
take ``parts`` and nest. A schedule table may carry its own ``metric``. Every problem is one
:class:`LrplotError` naming the file, the table (``schedule[0]``, ``schedule[1].parts[2]``:
counted from 0 in file order) and the key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from lrplot import registry
from lrplot.compose import composite_parts
from lrplot.core import Schedule
from lrplot.definition import Context
from lrplot.errors import LrplotError, within
from lrplot.limits import MAX_STEPS
from lrplot.params import INT, Param
from lrplot.run import Hints, Settings
from lrplot.spec import show_value, spec_text

TOP_KEYS = ("title", "steps", "steps_per_epoch", "log", "metric", "schedule")
TABLE_KEYS = ("name", "label", "metric")  # every other key of a plain table is a parameter
STEPS = Param("steps", INT, None, low=1, high=MAX_STEPS)
STEPS_PER_EPOCH = Param("steps_per_epoch", INT, None, low=1, high=MAX_STEPS)


def claims(path: str, document: Any) -> bool:
    return True  # the fallback: every other format is asked first


@dataclass
class ConfigSource:
    """A config file read and its top level checked; schedules are built on demand."""

    path: str
    document: Mapping[str, Any]
    tables: list[Any]
    settings: Settings

    @property
    def paths(self) -> tuple[str, ...]:
        """This file and the metric logs it names (whether or not --metric overrides them)."""
        from lrplot.metric import split_metric_arg

        folder = os.path.dirname(self.path)
        named = [self.document.get("metric")] + [table.get("metric") for table in self.tables
                                                 if isinstance(table, Mapping)]
        logs = [split_metric_arg(os.path.join(folder, m.strip()))[0]
                for m in named if isinstance(m, str) and m.strip()]
        return (self.path, *logs)

    def build(self, ctx: Context) -> list[Schedule]:
        base = ctx if ctx.steps is not None else replace(ctx, steps=self.settings.steps)
        folder = os.path.dirname(self.path)
        with within(self.path):
            if ctx.metric is None and "metric" in self.document:
                base = _with_metric(base, self.document["metric"], folder, "metric")
            schedules = []
            for index, table in enumerate(self.tables):
                where = f"schedule[{index}]"
                table_ctx = base
                if ctx.metric is None and isinstance(table, Mapping) and "metric" in table:
                    table_ctx = _with_metric(base, table["metric"], folder, f"{where}: metric")
                schedules.append(build_table(table, where, table_ctx, top=True))
        return schedules


def read(path: str, document: Any, hints: Hints) -> ConfigSource:
    with within(path):
        tables, settings = _top_level(document)
    return ConfigSource(path, document, tables, settings)


def _top_level(doc: Any) -> tuple[list[Any], Settings]:
    if not isinstance(doc, Mapping):
        shown = "a list" if isinstance(doc, list) else show_value(doc)
        raise LrplotError(f"the top level must be a table with [[schedule]] entries, got "
                          f"{shown}")
    for key in doc:
        if key not in TOP_KEYS:
            raise LrplotError(f"unknown top-level key {key!r}; allowed: {', '.join(TOP_KEYS)}")
    title = doc.get("title")
    if title is not None and not isinstance(title, str):
        raise LrplotError(f"title must be a string, got {show_value(title)}")
    steps = STEPS.coerce(doc.get("steps"), "top level") if "steps" in doc else None
    per_epoch = (STEPS_PER_EPOCH.coerce(doc.get("steps_per_epoch"), "top level")
                 if "steps_per_epoch" in doc else None)
    log = doc.get("log", False)
    if not isinstance(log, bool):
        raise LrplotError(f"log must be true or false, got {show_value(log)}")
    return _tables(doc.get("schedule")), Settings(steps=steps, steps_per_epoch=per_epoch,
                                                 title=title, log=log)


def _tables(tables: Any) -> list[Any]:
    if tables is None:
        raise LrplotError("has no schedules; add one or more [[schedule]] tables with a name")
    if isinstance(tables, Mapping):
        raise LrplotError("schedule must be an array of tables: write [[schedule]] "
                          "(two brackets), or a list in JSON/YAML")
    if not isinstance(tables, list) or not tables:
        raise LrplotError("schedule must be a non-empty array of tables, got "
                          f"{show_value(tables)}")
    return tables


def _with_metric(ctx: Context, value: Any, folder: str, where: str) -> Context:
    if not isinstance(value, str) or not value.strip():
        raise LrplotError(f"{where} must be a string FILE[:COLUMN], got {show_value(value)}")
    from lrplot.metric import load_metric

    with within(where):
        metric, label = load_metric(os.path.join(folder, value.strip()))
    return replace(ctx, metric=metric, metric_label=label)


# ---- one [[schedule]] table (or one part) ------------------------------------------------


def build_table(table: Any, where: str, ctx: Context, top: bool = False) -> Schedule:
    """The schedule of one table: a family or dialect with its parameters, or a composite."""
    name, label = _name_and_label(table, where, top)
    composite = registry.composite(name)
    if composite is None:
        if "parts" in table:
            raise LrplotError(f"{where}: {name} does not take parts; only "
                              "sequence, chain, torch.SequentialLR and torch.ChainedScheduler do")
        params = {k: v for k, v in table.items() if k not in TABLE_KEYS}
        with within(where):
            schedule = registry.resolve(name, params, ctx)
        return schedule.with_label(label or spec_text(schedule.name or name, params))
    allowed = (("name", "label", "metric") if top else ("name",)) + composite.key_names
    parts = composite_parts(table, where, name, allowed, "schedule table")
    return composite.build(table, parts, where, ctx, label, build_table)


def _name_and_label(table: Any, where: str, top: bool) -> tuple[str, str | None]:
    if not isinstance(table, Mapping):
        raise LrplotError(f"{where}: must be a table with a name, got {show_value(table)}")
    name = table.get("name")
    if name is None:
        raise LrplotError(f"{where}: missing name (a family like cosine, a dialect name like "
                          "torch.StepLR, or sequence/chain); `lrplot list` shows them all")
    if not isinstance(name, str) or not name.strip():
        raise LrplotError(f"{where}: name must be a schedule name, got {show_value(name)}")
    label = table.get("label")
    if label is not None and not (isinstance(label, str) and label.strip()):
        raise LrplotError(f"{where}: label must be a non-empty string, got {show_value(label)}")
    if not top:
        for key in ("label", "metric"):
            if key in table:
                raise LrplotError(f"{where}: {key} belongs on the whole [[schedule]] table, "
                                  "not on one of its parts")
    return name.strip(), label
