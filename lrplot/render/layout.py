"""Where things go in a figure: legends, wrapped titles and labels, panel grids and ticks.

The text measures use the current rc font, so call these inside the figure's rc context.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lrplot.render.style import FigureOptions

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# A legend goes right of the data only while it takes at most this share of the width;
# wider (long labels), it goes below in as many columns as fit.
LEGEND_RIGHT_SHARE = 0.3
LEGEND_LABEL_LINES = 3
PANEL_TITLE_LINES = 2
@dataclass(frozen=True)
class LegendLayout:
    """Where a legend goes and how: right of the data, or below in *ncols* columns."""

    right: bool
    ncols: int
    labels: list[str]  # wrapped to fit
    extra: float  # height (inches) it takes beyond one line of text


def legend_layout(labels: Sequence[str], width_in: float, *, right: bool,
                  title: str | None = None) -> LegendLayout:
    """Right of the data when narrow enough (and *right*), else below.

    Below, over-long labels are wrapped and the entries take as many columns as fit, in as
    few rows as possible. Call inside the figure's rc context (it measures text).
    """
    width_pt = width_in * 72
    size = rc_size("legend.fontsize")
    handle = (2.0 + 0.8) * size  # handlelength + handletextpad, in font sizes
    spacing = 2.0 * size  # columnspacing
    if right:
        widest = max([handle + text_width(label, size) for label in labels]
                     + [text_width(title, size) if title else 0.0])
        ncols = 1 if len(labels) <= 18 else 2
        if ncols * widest + (ncols - 1) * spacing + size <= LEGEND_RIGHT_SHARE * width_pt:
            return LegendLayout(True, ncols, list(labels), 0.0)
    room = 0.96 * width_pt - 2 * size
    wrapped = [fit_text(label, room - handle, size, LEGEND_LABEL_LINES) for label in labels]
    ncols = legend_columns([handle + text_width(label, size) for label in wrapped], room,
                           spacing)
    # Row r holds entries r, r + rows, ... (column-major), as tall as its tallest label; a
    # line takes about 1.5 font sizes with the spacing.
    rows = math.ceil(len(wrapped) / ncols)
    lines = sum(max(label.count("\n") + 1 for label in wrapped[r::rows]) for r in range(rows))
    return LegendLayout(False, ncols, wrapped, (lines - 1 + bool(title)) * 1.5 * size / 72)


def add_legend(container, handles: list, layout: LegendLayout,
                title: str | None = None) -> None:
    legend = container.legend(handles, layout.labels, ncols=layout.ncols, frameon=False,
                              title=title,
                              loc="outside right upper" if layout.right else "outside lower center")
    # Labels are drawn as typed, as text_width measures them: never as mathtext.
    for text in [*legend.get_texts(), legend.get_title()]:
        text.set_parse_math(False)


def figure_legend(fig: Figure, handles: list, labels: list, options: FigureOptions, *,
            right: bool) -> None:
    """Lay out and add a figure legend; a figure of default size grows to hold it."""
    layout = legend_layout(labels, fig.get_figwidth(), right=right,
                           title=options.legend_title)
    add_legend(fig, handles, layout, options.legend_title)
    if options.size is None:
        fig.set_figheight(fig.get_figheight() + layout.extra)  # the axes keep their height


def legend_columns(widths: Sequence[float], room: float, spacing: float,
                   most: int = 6) -> int:
    """Columns for legend entries *widths* (points) within *room*: the fewest rows that fit,
    then the fewest columns giving those rows (so 4 entries make 2×2 rather than 3 + 1).
    Entries fill columns top to bottom, the first columns one longer, as matplotlib does."""
    def fits(columns: int) -> bool:
        parts = [part for part in np.array_split(np.asarray(widths), columns) if part.size]
        return sum(float(p.max()) for p in parts) + spacing * (len(parts) - 1) <= room

    fitting = [c for c in range(1, min(most, len(widths)) + 1) if fits(c)]
    if not fitting:
        return 1
    fewest_rows = min(math.ceil(len(widths) / c) for c in fitting)
    return min(c for c in fitting if math.ceil(len(widths) / c) == fewest_rows)


def text_width(text: str, size: float) -> float:
    """Width in points of *text* (the widest line) in the current rc font at *size*."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=size)
    return max(text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0]
               for line in text.split("\n"))


def fit_text(text: str, width: float, size: float, max_lines: int) -> str:
    """*text* broken after ':', ',' or a space (else '.', '_', '=') into lines of at most
    *width* points; past *max_lines* lines the rest is cut and marked with '…'.

    Pieces are made only until the lines run out, so a long title costs about as many text
    measures as the lines shown, not one per character.
    """
    if text_width(text, size) <= width:
        return text
    lines = [""]
    for piece in _pieces(text, width, size):
        if lines[-1] and text_width(lines[-1] + piece, size) > width:
            lines.append(piece)
            if len(lines) > max_lines:
                break  # one line too many: the rest is cut anyway
        else:
            lines[-1] += piece
    lines = [line.rstrip() for line in lines]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while len(last) > 1 and text_width(last + "…", size) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return "\n".join(lines)


def _pieces(text: str, width: float, size: float) -> Iterator[str]:
    """The pieces :func:`fit_text` lays into lines, in order, made as they are asked for."""
    for token in filter(None, re.split(r"(?<=[:, ])", text)):
        if text_width(token, size) <= width:
            yield token
            continue
        # A part too wide for a line breaks after '.', '_' or '=' before being cut anywhere.
        for part in filter(None, re.split(r"(?<=[._=])", token)):
            yield from split_wide(part, width, size)


def split_wide(token: str, width: float, size: float) -> Iterator[str]:
    """A token wider than *width* cut into pieces that fit (no separator to break at), each
    the longest prefix that fits (at least one character)."""
    if text_width(token, size) <= width:
        yield token
        return
    while len(token) > 1:
        cut = longest_fitting(token, width, size)
        if cut == len(token):  # the rest fits
            break
        yield token[:cut]
        token = token[cut:]
    yield token


def longest_fitting(token: str, width: float, size: float) -> int:
    """How many leading characters of *token* fit *width*: at least 1, all if all fit.

    A prefix is never narrower than a shorter one, so the count is found by doubling it
    until it no longer fits, then bisecting: about 2·log2(count) measures of prefixes at
    most twice that long. (Trying every length from the end was quadratic in the length.)
    """
    def fits(count: int) -> bool:
        return text_width(token[:count], size) <= width

    low, high = 0, 1  # token[:low] fits; token[:high] is the next to try
    while high <= len(token) and fits(high):
        low, high = high, 2 * high
    high = min(high, len(token) + 1)  # token[:high] does not fit, or is past the end
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return max(low, 1)


def rc_size(key: str) -> float:
    """A font size from the current rc (sizes may be names such as 'medium')."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    rc_params: Any = matplotlib.rcParams  # typed for literal keys only
    return FontProperties(size=rc_params[key]).get_size_in_points()


def axes_width_pt(fig: Figure) -> float:
    """Roughly the width of a full-width axes: the figure less its tick-label margins."""
    return fig.get_figwidth() * 72 - 70


def panel_columns(k: int, options: FigureOptions) -> int:
    shape = options.sweep_shape
    if len(shape) == 2 and shape[0] * shape[1] == k and shape[1] <= 5:
        return shape[1]  # one row per value of the first parameter: the sweep's own grid
    return 2 if k == 4 else min(k, 3 if k <= 9 else 4)  # 2×2 beats 3 + 1 lonely panel


def panel_ticks(ax, width_in: float, height_in: float, log: bool) -> None:
    """Fewer ticks on small panels (the locators are shared by every panel)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=max(2, round(width_in * 1.5)), integer=True,
                                           steps=[1, 2, 2.5, 5, 10]))
    if not log:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=max(2, round(height_in * 2.2)),
                                               steps=[1, 2, 5, 10]))


def symlog_axis(ax, largest: float) -> None:
    """Symmetric log scale with a few decades labelled on each side, none crowding 0."""
    from matplotlib.ticker import FixedLocator, NullLocator

    ax.set_yscale("symlog", linthresh=10.0)
    top = math.ceil(math.log10(largest))
    decades = list(range(top, 0, -math.ceil(top / 3)))
    ticks = sorted([-(10.0**e) for e in decades] + [0.0] + [10.0**e for e in decades])
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())
