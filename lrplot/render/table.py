"""The terminal view: a rich table of well-chosen steps and a summary per schedule."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.console import Console
from rich.table import Table

from lrplot.render.chart import line_chart
from lrplot.schedule import Event
from lrplot.stats import COMPARE_FRACTIONS, at_fractions, sample_steps, summarize

# Past this many schedules a comparison lists schedules as rows instead of columns.
MAX_SCHEDULE_COLUMNS = 5
CHART_MAX_WIDTH = 100


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


def chart(console: Console, labels: Sequence[str], columns: Sequence[np.ndarray], *,
          log: bool = False, title: str = "lr") -> None:
    """The braille line chart, as wide as the terminal allows (at most 100 columns)."""
    console.print(line_chart(list(zip(labels, columns)), log=log, title=title, fmt=_short_lr,
                             width=min(console.width, CHART_MAX_WIDTH)))


def _short_lr(value: float) -> str:
    return f"{value:.3g}"


def _short(value: float) -> str:
    """Four significant digits: enough to compare, narrow enough for 80 columns."""
    return f"{value:.4g}"


def comparison_rows(columns: Sequence[np.ndarray]) -> list[tuple[str, list[str]]]:
    """(measure, one cell per schedule) for the comparison table."""
    summaries = [summarize(col) for col in columns]

    def step(value: int | None) -> str:
        return "never" if value is None else str(value)

    rows = [
        ("peak", [_short(s.peak) for s in summaries]),
        ("peak at step", [str(s.peak_step) for s in summaries]),
        ("final", [_short(s.final) for s in summaries]),
        ("min", [_short(s.min) for s in summaries]),
        ("mean", [_short(s.mean) for s in summaries]),
        ("total lr (Σ)", [_short(s.total) for s in summaries]),
        ("< 50% of peak at", [step(s.below_half) for s in summaries]),
        ("< 10% of peak at", [step(s.below_tenth) for s in summaries]),
        ("steps ≥ 50% peak", [str(s.above_half) for s in summaries]),
    ]
    points = [at_fractions(col) for col in columns]
    for i, fraction in enumerate(COMPARE_FRACTIONS):
        rows.append((f"lr @ {points[0][i][0]} ({fraction:.0%})",
                     [_short(p[i][1]) for p in points]))
    return rows


def comparison_table(labels: Sequence[str], columns: Sequence[np.ndarray], *,
                     title: str | None = None) -> Table:
    """Side-by-side numbers: measures as rows (schedules as rows when there are many)."""
    rows = comparison_rows(columns)
    table = Table(title=title, title_justify="left", header_style="bold",
                  caption="< x% of peak at: the first step after the peak below x% of it",
                  caption_justify="left")
    if len(labels) <= MAX_SCHEDULE_COLUMNS:
        table.add_column("")
        for label in labels:
            table.add_column(label, justify="right", overflow="fold")
        for measure, cells in rows:
            table.add_row(measure, *cells)
        return table
    table.add_column("schedule", overflow="fold")
    for measure, _ in rows:
        table.add_column(measure, justify="right", overflow="fold")
    for i, label in enumerate(labels):
        table.add_row(label, *(cells[i] for _, cells in rows))
    return table


def simulation_table(runs: Sequence, *, threshold: float = 1e-3) -> Table:
    """Where each gradient-descent run ends up, and how fast it gets there."""
    table = Table(title="gradient descent", title_justify="left", header_style="bold")
    table.add_column("schedule", overflow="fold")
    for name in ("final w", "final loss", "best loss", f"loss < {threshold:g} at",
                 "diverged at"):
        table.add_column(name, justify="right")
    for run in runs:
        below = np.flatnonzero(run.loss < threshold)
        table.add_row(
            run.label,
            ", ".join(_short(float(v)) for v in run.w[-1]),
            _short(run.final_loss),
            _short(float(np.nanmin(run.loss))),
            str(int(below[0])) if below.size else "never",
            "" if run.diverged_at is None else str(run.diverged_at),
        )
    return table


def print_tables(console: Console, labels: Sequence[str], columns: Sequence[np.ndarray],
                 events: Sequence[Sequence[Event]], *, title: str | None = None,
                 steps_per_epoch: int | None = None, log: bool = False) -> None:
    chart(console, labels, columns, log=log, title=title or "lr")
    console.print(steps_table(labels, columns, events, title=title,
                              steps_per_epoch=steps_per_epoch))
    console.print(summary_table(labels, columns))
