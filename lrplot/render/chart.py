"""A compact line chart for the terminal, drawn with braille characters (rich + numpy only).

Each character cell holds 2×4 braille dots, so a 60×10-cell chart has 120×40 dots. Every
dot column shows the min–max range of its steps joined to the previous column, so jumps and
restarts stay visible at any length, like the envelope of the figures. Where schedules
overlap in one cell the one drawn last (listed last) gives the colour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from rich.cells import cell_len
from rich.console import Group
from rich.text import Text

from lrplot.core import Column
from lrplot.errors import NO_POSITIVE_LR, LrplotError
from lrplot.limits import EVALUATION_CHUNK

# Bit of each dot in a braille cell, indexed [row 0..3][column 0..1] (Unicode U+2800 block).
BRAILLE_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]])
BRAILLE_BASE = 0x2800
COLORS = ("cyan", "magenta", "green", "yellow", "blue", "red", "bright_cyan",
          "bright_magenta", "bright_green", "bright_yellow")
DEFAULT_HEIGHT = 10


def series_color(index: int) -> str:
    return COLORS[index % len(COLORS)]


def line_chart(series: Sequence[tuple[str, np.ndarray]], *, width: int = 80,
               height: int = DEFAULT_HEIGHT, log: bool = False, title: str | None = None,
               fmt: Callable[[float], str] = lambda v: f"{v:.3g}") -> Group:
    """Chart every (label, values) pair over its steps; at most *width* cells per line."""
    n = max(len(values) for _, values in series)
    # Arrays are scaled whole; a Column (a schedule read a chunk at a time) stays lazy.
    scaled = [values if isinstance(values, Column) else
              _scale(np.asarray(values, dtype=np.float64), log) for _, values in series]
    extent = _extent(scaled, log)
    if extent is None and log:
        raise LrplotError(NO_POSITIVE_LR)
    low, high = extent or (0.0, 1.0)
    if not log:
        low = min(low, 0.0)  # lr charts read best from zero, like the figures
    if high == low:
        high, low = high + 0.5 * (abs(high) or 1.0), low - 0.5 * (abs(low) or 1.0)

    def unscale(v: float) -> float:
        return 10.0**v if log else v

    ticks = [fmt(unscale(v)) for v in (high, (high + low) / 2, low)]
    gutter = max(len(t) for t in ticks)
    cols = max(width - gutter - 2, 8)
    dot_rows, dot_cols = 4 * height, 2 * cols

    codes = np.zeros((len(series), height, cols), dtype=np.int64)
    for index, values in enumerate(scaled):
        top, bottom, valid = _column_ranges(values, n, dot_cols, log)
        span = high - low
        row_top = np.rint((high - top) / span * (dot_rows - 1))
        row_bottom = np.rint((high - bottom) / span * (dot_rows - 1))
        rows = np.arange(dot_rows)[:, None]
        dots = (rows >= row_top[None, :]) & (rows <= row_bottom[None, :]) & valid[None, :]
        cells = dots.reshape(height, 4, cols, 2) * BRAILLE_BITS[None, :, None, :]
        codes[index] = cells.sum(axis=(1, 3))

    text = Text(no_wrap=True, overflow="crop")
    if title:
        text.append(f"{title}\n", style="bold")
    marks = {0: ticks[0], height // 2: ticks[1], height - 1: ticks[2]}
    for r in range(height):
        label = marks.get(r)
        text.append(f"{label or '':>{gutter}} {'┤' if label else '│'}", style="dim")
        for c in range(cols):
            code = int(np.bitwise_or.reduce(codes[:, r, c]))
            if not code:
                text.append(" ")
                continue
            owner = int(np.flatnonzero(codes[:, r, c])[-1])
            text.append(chr(BRAILLE_BASE + code), style=series_color(owner))
        text.append("\n")
    text.append(" " * (gutter + 1) + "└" + "─" * cols + "\n", style="dim")
    text.append(f"{'step':>{gutter}}  " + _x_labels(n, cols), style="dim")
    parts: list[Text] = [text]
    if len(series) > 1:
        parts.append(_legend([label for label, _ in series], width))
    return Group(*parts)


def _legend(labels: Sequence[str], width: int) -> Text:
    """'━━ label' entries filled into lines of *width* cells; an entry is never split
    between lines unless it is wider than a line by itself."""
    legend = Text(overflow="fold")
    used = 0
    for index, label in enumerate(labels):
        entry = 3 + cell_len(label)
        if used and used + 3 + entry > width:
            legend.append("\n")
            used = 0
        elif used:
            legend.append("   ")
            used += 3
        legend.append("━━ ", style=series_color(index))
        legend.append(label)
        used += entry
    return legend


def _scale(values: np.ndarray, log: bool) -> np.ndarray:
    if not log:
        return values
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)


def _extent(scaled: Sequence[np.ndarray | Column], log: bool) -> tuple[float, float] | None:
    """Lowest and highest finite (scaled) value of all series; None when there is none."""
    lows, highs = [], []
    for values in scaled:
        if isinstance(values, Column):  # one pass over its chunks, kept for the tables
            low, high = values.scan.min_positive if log else values.scan.min, values.scan.max
            if log:
                low, high = (np.log10(low) if np.isfinite(low) else np.inf,
                             np.log10(high) if high > 0 else -np.inf)
        else:  # no copy of the finite values, only a mask
            finite = np.isfinite(values)
            low = float(np.min(values, where=finite, initial=np.inf))
            high = float(np.max(values, where=finite, initial=-np.inf))
        lows.append(low)
        highs.append(high)
    low, high = min(lows, default=np.inf), max(highs, default=-np.inf)
    return (float(low), float(high)) if low <= high else None


def _column_ranges(values: np.ndarray | Column, n: int, dot_cols: int,
                   log: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Highest and lowest value drawn in each dot column (joined to the column before)."""
    if len(values) >= dot_cols:
        edges = np.linspace(0, len(values), dot_cols + 1).round().astype(np.int64)
        highs, lows, lasts = (np.empty(dot_cols) for _ in range(3))
        # Whole dot columns a chunk of steps at a time: a Column is never held whole.
        per = max(1, EVALUATION_CHUNK // max(1, len(values) // dot_cols))
        for lo in range(0, dot_cols, per):
            hi = min(dot_cols, lo + per)
            chunk = values[edges[lo]:edges[hi]]
            if isinstance(values, Column):
                chunk = _scale(chunk, log)
            starts = edges[lo:hi] - edges[lo]
            with np.errstate(invalid="ignore"):
                highs[lo:hi] = np.fmax.reduceat(chunk, starts)
                lows[lo:hi] = np.fmin.reduceat(chunk, starts)
            lasts[lo:hi] = chunk[np.append(starts[1:], len(chunk)) - 1]
    else:
        # Fewer steps than dot columns: sample the step shown at each column.
        positions = np.linspace(0, n - 1, dot_cols)
        index = np.minimum(np.rint(positions).astype(np.int64), len(values) - 1)
        shown = np.array(values[index], dtype=np.float64)
        if isinstance(values, Column):
            shown = _scale(shown, log)
        shown[positions > len(values) - 1] = np.nan  # shorter series stop where they end
        highs = lows = lasts = shown
    previous = np.concatenate(([np.nan], lasts[:-1]))
    valid = np.isfinite(highs)
    joined_high = np.where(np.isfinite(previous), np.fmax(highs, previous), highs)
    joined_low = np.where(np.isfinite(previous), np.fmin(lows, previous), lows)
    return joined_high, joined_low, valid


def _x_labels(n: int, cols: int) -> str:
    first, middle, last = "0", str((n - 1) // 2), str(n - 1)
    line = [" "] * cols
    for position, label in ((0, first), ((cols - len(middle)) // 2, middle),
                            (cols - len(last), last)):
        line[position:position + len(label)] = label
    return "".join(line)[:cols]
