"""The terminal view: a rich table of well-chosen steps and a summary per schedule."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.table import Table
from rich.text import Text

from lrplot.core import Event, stepwise_changes
from lrplot.render.chart import line_chart
from lrplot.stats import COMPARE_FRACTIONS, at_fractions, isolated, sample_steps, summarize

CHART_MAX_WIDTH = 100


def plain(text: str) -> Text:
    """A label or title as rich shows it: as typed, never read as markup or :emoji: codes.

    Rich reads a plain string cell, header or title as markup, so ``[b]`` would vanish and
    ``[/]`` raise; user text enters every table through here (the chart draws Text already).
    """
    return Text(text)


def plain_title(title: str | None) -> Text | None:
    """A table title as :func:`plain` text, in rich's own style for titles."""
    return Text(title, style="table.title") if title else None


def fmt_lr(value: float) -> str:
    """An lr as a person reads it: 6 significant digits, no float noise."""
    return f"{value:.6g}"


def steps_table(labels: Sequence[str], columns: Sequence[np.ndarray],
                events: Sequence[Sequence[Event]], *, title: str | None = None,
                steps_per_epoch: int | None = None) -> Table:
    n = len(columns[0])
    table = Table(title=plain_title(title), title_justify="left", header_style="bold")
    table.add_column("step", justify="right")
    if steps_per_epoch:
        table.add_column("epoch", justify="right")
    for label in labels:
        table.add_column("lr" if len(labels) == 1 else plain(label), justify="right")
    table.add_column("", style="dim")
    for step, note in table_steps(columns, events, n):
        cells = [str(step)]
        if steps_per_epoch:
            cells.append(str(step // steps_per_epoch))
        cells += [fmt_lr(float(col[step])) for col in columns]
        table.add_row(*cells, note)
    return table


def table_steps(columns: Sequence[np.ndarray], events: Sequence[Sequence[Event]],
                n: int) -> list[tuple[int, str]]:
    """The sampled steps of the table, each with every note that applies to it.

    The first and last steps and each peak are always rows (sampling caps the row count and
    could drop the last step), and a step that is several things at once says so: a warmup
    that ends at the peak reads "warmup end, peak", not just one of them.
    """
    peaks = [int(np.argmax(col)) for col in columns]
    steps = {step for step, _ in sample_steps(columns, events, n)} | {0, n - 1, *peaks}
    notes: dict[int, list[str]] = {step: [] for step in steps}

    def note(step: int, text: str) -> None:
        if step in notes and text not in notes[step]:
            notes[step].append(text)

    note(0, "start")
    for found in events:
        for event in found:
            note(int(np.ceil(event.step)), event.kind)
    for step in peaks:
        note(step, "peak")
    for col in columns:
        changes = stepwise_changes(col)
        for step in [] if changes is None else isolated(changes).tolist():
            if not notes.get(step):  # an event already explains this change
                note(step, "change")
    note(n - 1, "end")
    return [(step, ", ".join(notes[step])) for step in sorted(steps)]


def summary_table(labels: Sequence[str], columns: Sequence[np.ndarray]) -> Table:
    table = Table(header_style="bold", title="summary", title_justify="left")
    table.add_column("schedule")
    for name in ("peak", "at step", "final", "min", "mean"):
        table.add_column(name, justify="right")
    for label, col in zip(labels, columns):
        s = summarize(col)
        table.add_row(plain(label), fmt_lr(s.peak), str(s.peak_step), fmt_lr(s.final),
                      fmt_lr(s.min), fmt_lr(s.mean))
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
                     title: str | None = None) -> ComparisonTables:
    """Side-by-side numbers: measures as rows, one column per schedule (see
    :class:`ComparisonTables` for how it fits the terminal)."""
    return ComparisonTables(list(labels), comparison_rows(columns), title)


class ComparisonTables:
    """The comparison table as wide as the terminal allows.

    When the schedules do not fit side by side, their labels wrap (after ':' and ',') and
    the schedules are split over several tables of the same rows, one below the other.
    """

    note = "< x% of peak at: the first step after the peak below x% of it"

    def __init__(self, labels: list[str], rows: list[tuple[str, list[str]]],
                 title: str | None) -> None:
        self.labels, self.rows, self.title = labels, rows, title

    def __rich_console__(self, console: Console, options: ConsoleOptions):
        groups, headers = self.layout(options.max_width)
        for number, group in enumerate(groups):
            table = Table(title=plain_title(self.title) if number == 0 else None,
                          title_justify="left", header_style="bold")
            table.add_column("")
            for i in group:
                table.add_column(plain(headers[i]), justify="right", overflow="fold")
            for measure, cells in self.rows:
                table.add_row(measure, *(cells[i] for i in group))
            yield table
        yield Text(self.note, style="dim")  # under all the tables, never squeezed into one

    def layout(self, width: int) -> tuple[list[list[int]], list[str]]:
        """Schedule indices per table, and each schedule's header, for *width* cells."""
        first = max(len(measure) for measure, _ in self.rows) + 4  # borders and padding
        cells = [max(len(row[1][i]) for row in self.rows) for i in range(len(self.labels))]
        natural = [max(c, cell_len(label)) + 3 for c, label in zip(cells, self.labels)]
        if first + sum(natural) <= width:
            return [list(range(len(self.labels)))], list(self.labels)
        headers = [wrap_label(label, max(c, HEADER_WIDTH, _longest_part(label)))
                   for c, label in zip(cells, self.labels)]
        widths = [max(cell_len(line) for line in h.split("\n")) + 3 for h in headers]
        count = 1  # tables needed, filling each in turn
        used = first
        for w in widths:
            if used > first and used + w > width:
                count += 1
                used = first
            used += w
        # The same number of tables with the schedules spread evenly, when that fits too.
        even = [part.tolist() for part in np.array_split(np.arange(len(widths)), count)]
        if all(first + sum(widths[i] for i in part) <= width for part in even):
            return even, headers
        groups: list[list[int]] = [[]]
        used = first
        for i, w in enumerate(widths):
            if groups[-1] and used + w > width:
                groups.append([])
                used = first
            groups[-1].append(i)
            used += w
        return groups, headers


# Header lines of a comparison that does not fit the terminal are wrapped to this many cells,
# or to the longest part of the label between separators, up to HEADER_MAX_WIDTH.
HEADER_WIDTH = 14
HEADER_MAX_WIDTH = 24


def _longest_part(label: str) -> int:
    parts = re.split(r"(?<=[:, ])", label)
    return min(max(cell_len(part.rstrip()) for part in parts), HEADER_MAX_WIDTH)


def wrap_label(label: str, width: int) -> str:
    """*label* broken after ':', ',' or a space (else '=') into lines of at most *width*
    cells; a part longer than that is cut."""
    lines = [""]
    tokens: list[str] = []
    for token in filter(None, re.split(r"(?<=[:, ])", label)):
        # A part too long for a line breaks after '=' (key and value) before being cut.
        tokens += re.split(r"(?<==)", token) if cell_len(token) > width else [token]
    for token in filter(None, tokens):
        while cell_len(token) > width:
            if lines[-1]:
                lines.append("")
            lines[-1] = token[:width]
            lines.append("")
            token = token[width:]
        if lines[-1] and cell_len(lines[-1] + token.rstrip()) > width:
            lines.append("")
        lines[-1] += token
    return "\n".join(line.rstrip() for line in lines if line.strip())


def simulation_table(runs: Sequence, *, threshold: float = 1e-3) -> Table:
    """Where each gradient-descent run ends up, and how fast it gets there."""
    table = Table(title="gradient descent", title_justify="left", header_style="bold")
    # Labels wrap at their separators, and the label column gets room before the numbers.
    labels = [wrap_label(run.label, HEADER_MAX_WIDTH) for run in runs]
    table.add_column("schedule", overflow="fold",
                     min_width=max(cell_len(line) for label in labels
                                   for line in label.split("\n")))
    diverged = any(run.diverged_at is not None for run in runs)
    # Two-line headers: the numbers, not the words, set the widths (80 columns fit).
    names = ["final w", "final\nloss", "best\nloss", f"loss <\n{threshold:g} at"]
    for name in names + (["diverged\nat"] if diverged else []):
        table.add_column(name, justify="right")
    for run, label in zip(runs, labels):
        below = np.flatnonzero(run.loss < threshold)
        cells: list[str | Text] = [
            plain(label),
            ", ".join(_short(float(v)) for v in run.w[-1]),
            _short(run.final_loss),
            _short(float(np.nanmin(run.loss))),
            str(int(below[0])) if below.size else "never",
        ]
        if diverged:
            cells.append("" if run.diverged_at is None else str(run.diverged_at))
        table.add_row(*cells)
    return table


def print_tables(console: Console, labels: Sequence[str], columns: Sequence[np.ndarray],
                 events: Sequence[Sequence[Event]], *, title: str | None = None,
                 steps_per_epoch: int | None = None, log: bool = False) -> None:
    chart(console, labels, columns, log=log, title=title or "lr")
    console.print(steps_table(labels, columns, events, title=title,
                              steps_per_epoch=steps_per_epoch))
    console.print(summary_table(labels, columns))
