"""The terminal view: a rich table of well-chosen steps and a summary per schedule."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.console import Console
from rich.table import Table

from lrplot.schedule import Event
from lrplot.stats import sample_steps, summarize


def fmt_lr(value: float) -> str:
    """An lr as a person reads it: 6 significant digits, no float noise."""
    return f"{value:.6g}"


def steps_table(labels: Sequence[str], columns: Sequence[np.ndarray],
                events: Sequence[Sequence[Event]], *, title: str | None = None,
                steps_per_epoch: int | None = None) -> Table:
    n = len(columns[0])
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("step", justify="right")
    if steps_per_epoch:
        table.add_column("epoch", justify="right")
    for label in labels:
        table.add_column("lr" if len(labels) == 1 else label, justify="right")
    table.add_column("", style="dim")
    for step, note in sample_steps(columns, events, n):
        cells = [str(step)]
        if steps_per_epoch:
            cells.append(str(step // steps_per_epoch))
        cells += [fmt_lr(float(col[step])) for col in columns]
        table.add_row(*cells, note)
    return table


def summary_table(labels: Sequence[str], columns: Sequence[np.ndarray]) -> Table:
    table = Table(header_style="bold", title="summary", title_justify="left")
    table.add_column("schedule")
    for name in ("peak", "at step", "final", "min", "mean"):
        table.add_column(name, justify="right")
    for label, col in zip(labels, columns):
        s = summarize(col)
        table.add_row(label, fmt_lr(s.peak), str(s.peak_step), fmt_lr(s.final), fmt_lr(s.min),
                      fmt_lr(s.mean))
    return table


def print_tables(console: Console, labels: Sequence[str], columns: Sequence[np.ndarray],
                 events: Sequence[Sequence[Event]], *, title: str | None = None,
                 steps_per_epoch: int | None = None) -> None:
    console.print(steps_table(labels, columns, events, title=title,
                              steps_per_epoch=steps_per_epoch))
    console.print(summary_table(labels, columns))
