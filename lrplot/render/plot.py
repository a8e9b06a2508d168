"""Figures: PNG, SVG and PDF with matplotlib (imported here, and only when a figure is drawn).

Three figures: :func:`build_figure` (schedules overlaid in one axes), :func:`build_compare_figure`
(an overlay plus one panel per schedule, one colour per schedule throughout) and
:func:`build_simulation_figure` (lr, w and loss of gradient-descent runs). Each returns the
matplotlib Figure, so tests can inspect its artists; ``render*`` draw it into a file.

Curves longer than the plot is wide are drawn as a per-pixel min/max envelope, so the cost
does not grow with the number of steps and staircases, spikes and restarts stay visible.
SVG output is byte-for-byte reproducible (fixed hash salt, no date).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from lrplot.core import EVALUATION_CHUNK, Event, Schedule
from lrplot.errors import LrplotError
from lrplot.view import MAX_AUTO_PANELS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lrplot.simulate import Run

# Past this many steps per horizontal pixel a curve is reduced to its envelope.
POINTS_PER_PIXEL = 2
MAX_MARKED_EVENTS = 60
# One line style per kind of event, each distinct from the others (the legend keys them).
EVENT_STYLE = {
    "warmup end": {"linestyle": "--", "alpha": 0.55},
    "restart": {"linestyle": ":", "alpha": 0.7},
    "cycle": {"linestyle": (0, (10, 3)), "alpha": 0.45},
    "phase": {"linestyle": "-.", "alpha": 0.45},
}
EVENT_LEGEND = {"warmup end": "warmup end", "restart": "restart", "cycle": "cycle boundary",
                "phase": "phase change", "reduction": "lr reduced (plateau)"}
DEFAULT_SIZE = (8.0, 4.5)
# Above this many schedules a compare figure shows the overlay alone unless asked otherwise.
# A legend goes right of the data only while it takes at most this share of the width;
# wider (long labels), it goes below in as many columns as fit.
LEGEND_RIGHT_SHARE = 0.3
LEGEND_LABEL_LINES = 3
PANEL_TITLE_LINES = 2
# Overlaid curves are drawn from thick to thin, so one that coincides with a later one
# still shows as a coloured edge around it (torch vs keras often agree for a stretch).
OVERLAY_WIDTHS = (2.4, 1.3)
SWEEP_LINESTYLES = ("-", "--", ":", "-.")

THEMES: dict[str, dict[str, Any]] = {
    "light": {
        "rc": {"figure.facecolor": "white", "axes.facecolor": "white", "axes.edgecolor": "0.3",
               "axes.labelcolor": "0.15", "text.color": "0.1", "xtick.color": "0.3",
               "ytick.color": "0.3", "grid.color": "0.82"},
        "palette": ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                    "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"],
        "colormap": "viridis", "range": (0.0, 0.88), "muted": "0.45",
    },
    "dark": {
        "rc": {"figure.facecolor": "#15171c", "axes.facecolor": "#15171c",
               "axes.edgecolor": "#9aa0a6", "axes.labelcolor": "#e4e6ea",
               "text.color": "#e4e6ea", "xtick.color": "#b8bcc2", "ytick.color": "#b8bcc2",
               "grid.color": "#3a3f47", "savefig.facecolor": "#15171c"},
        "palette": ["#4cc9f0", "#ff6b8b", "#80ed99", "#ffb703", "#c77dff", "#f4a261",
                    "#90e0ef", "#ff99c8", "#e0e0e0", "#d9ed92"],
        "colormap": "plasma", "range": (0.2, 1.0), "muted": "0.65",
    },
}
BASE_RC = {"svg.hashsalt": "lrplot", "font.size": 10, "axes.titlesize": 11,
           "axes.labelsize": 10, "legend.fontsize": 9, "axes.spines.top": False,
           "axes.spines.right": False, "axes.grid": True, "grid.linewidth": 0.6}


@dataclass(frozen=True)
class FigureOptions:
    title: str | None = None
    log: bool = False
    steps_per_epoch: int | None = None
    dpi: int = 150
    size: tuple[float, float] | None = None  # inches; None: each figure's own default
    theme: str = "light"
    layout: str = "both"  # compare only: overlay, grid or both
    legend_title: str | None = None
    sequential: bool = False  # colours from a colormap: a sweep over ordered values
    # A sweep's values per --vary option, e.g. (3, 2): with two, colour follows the first
    # parameter, line style the second, and the panels form that grid.
    sweep_shape: tuple[int, ...] = ()


def curve_points(schedule: Schedule, n: int, width_px: int, *,
                 finite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """x, y to draw: every step when they fit, else a min/max envelope per pixel column.

    With *finite* (learning rates), an lr that overflows is refused with the same one-line
    error the data outputs give, found while the envelope is built (no second pass).
    """
    bins = max(width_px, 1)
    if n <= POINTS_PER_PIXEL * bins:
        x = np.arange(n, dtype=np.float64)
        y = schedule(np.arange(n, dtype=np.int64))
        if finite:
            _check_finite(schedule, y, 0)
        return x, y
    edges = np.linspace(0, n, bins + 1).round().astype(np.int64)
    lows = np.empty(bins)
    highs = np.empty(bins)
    firsts = np.empty(bins)
    lasts = np.empty(bins)
    # Evaluate a chunk of whole bins at a time, so memory stays flat for any n.
    per_chunk = max(1, EVALUATION_CHUNK // max(1, n // bins))
    for lo in range(0, bins, per_chunk):
        hi = min(bins, lo + per_chunk)
        values = schedule(np.arange(edges[lo], edges[hi], dtype=np.int64))
        starts = edges[lo:hi] - edges[lo]
        lows[lo:hi] = np.minimum.reduceat(values, starts)
        highs[lo:hi] = np.maximum.reduceat(values, starts)
        firsts[lo:hi] = values[starts]
        lasts[lo:hi] = values[np.append(starts[1:], len(values)) - 1]
        if finite and not (np.isfinite(lows[lo:hi]).all() and np.isfinite(highs[lo:hi]).all()):
            _check_finite(schedule, values, int(edges[lo]))
    # Within a pixel, visit min and max in the order the curve does, at the pixel's first
    # and last step: a smooth stretch draws as its true slope (no staircase on a ramp) and a
    # jump or spike as a near-vertical stroke.
    falling = firsts > lasts
    y = np.empty(2 * bins)
    y[0::2] = np.where(falling, highs, lows)
    y[1::2] = np.where(falling, lows, highs)
    x = np.empty(2 * bins)
    x[0::2] = edges[:-1]
    x[1::2] = edges[1:] - 1
    return x, y


def _check_finite(schedule: Schedule, values: np.ndarray, first_step: int) -> None:
    """The same error as for data outputs when an lr overflows (values start at first_step)."""
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise LrplotError(f"{schedule.label}: the lr is not finite at step "
                          f"{first_step + int(bad[0])} (overflow); use smaller parameters or "
                          "fewer steps")


def _lr_formatter():
    from matplotlib.ticker import Formatter

    class LrFormatter(Formatter):
        """Shortest labels that still tell neighbouring ticks apart."""

        def __call__(self, x, pos=None):
            return f"{x:.3g}"

        def format_ticks(self, values):
            for digits in range(2, 12):
                labels = [_tick(v, digits) for v in values]
                if len(set(labels)) == len(labels):
                    return labels
            return [repr(float(v)) for v in values]

    return LrFormatter()


def _tick(value: float, digits: int) -> str:
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def palette(count: int, options: FigureOptions) -> list[Any]:
    """One colour per curve: the theme's palette, or a colormap for sweeps and many curves."""
    theme = THEMES[options.theme]
    if not options.sequential and count <= len(theme["palette"]):
        return list(theme["palette"][:count])
    from matplotlib import colormaps

    cmap = colormaps[theme["colormap"]]
    low, high = theme["range"]
    return [cmap(v) for v in np.linspace(low, high, count)] if count > 1 else [cmap(low)]


def _rc(options: FigureOptions) -> dict[str, Any]:
    return {**BASE_RC, **THEMES[options.theme]["rc"]}


def _new_figure(options: FigureOptions, default_size: tuple[float, float]) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=options.size or default_size, dpi=options.dpi, layout="constrained")


def save(fig: Figure, handle: BinaryIO, fmt: str, options: FigureOptions) -> None:
    import matplotlib

    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None},
                "png": {"Software": None}}[fmt]
    with matplotlib.rc_context(_rc(options)):
        fig.savefig(handle, format=fmt, metadata=metadata)


def render(handle: BinaryIO, fmt: str, schedules: Sequence[Schedule], n: int,
           options: FigureOptions) -> None:
    """Draw *schedules* over steps 0..n-1 into *handle* as *fmt* (png, svg or pdf)."""
    save(build_figure(schedules, n, options), handle, fmt, options)


def render_compare(handle: BinaryIO, fmt: str, schedules: Sequence[Schedule], n: int,
                   options: FigureOptions) -> None:
    save(build_compare_figure(schedules, n, options), handle, fmt, options)


def render_simulation(handle: BinaryIO, fmt: str, runs: Sequence[Run],
                      options: FigureOptions) -> None:
    save(build_simulation_figure(runs, options), handle, fmt, options)


# ---- the figures ---------------------------------------------------------------------------


def build_figure(schedules: Sequence[Schedule], n: int, options: FigureOptions) -> Figure:
    """All *schedules* overlaid in one axes, events marked, legend below the axes."""
    import matplotlib

    with matplotlib.rc_context(_rc(options)):
        fig = _new_figure(options, DEFAULT_SIZE)
        ax = fig.add_subplot()
        width_px = _width_px(fig)
        colors, styles = curve_styles(len(schedules), options)
        widths = overlay_widths(len(schedules))
        metric_axis = None
        kinds: set[str] = set()
        for schedule, color, style, width in zip(schedules, colors, styles, widths):
            _draw_curve(ax, schedule, n, color, width_px, linewidth=width, linestyle=style)
            kinds |= _mark_events(ax, schedule, schedule.events(n), color)
            if schedule.metric is not None:
                metric_axis = metric_axis or ax.twinx()
                _draw_metric(metric_axis, schedule, n, options)
        _lr_axes(ax, n, options)
        if options.steps_per_epoch:
            _epoch_axis(ax, options.steps_per_epoch)
        title = options.title or (schedules[0].label if len(schedules) == 1 else
                                  f"{len(schedules)} learning-rate schedules")
        ax.set_title(_fit_text(title, _axes_width_pt(fig), _rc_size("axes.titlesize"), 2),
                     loc="left")
        handles, labels = ax.get_legend_handles_labels() if len(schedules) > 1 else ([], [])
        handles, labels = _with_events(handles, labels, kinds, options)
        if handles:
            _legend(fig, handles, labels, options, right=False)
    return fig


def build_compare_figure(schedules: Sequence[Schedule], n: int,
                         options: FigureOptions) -> Figure:
    """An overlay of every schedule and/or one panel each, on the same scales.

    With both, the overlay and its legend sit in a top subfigure and the panels in a bottom
    one, so a wide legend narrows the overlay only, never the panels. Events are marked in
    the panels (the overlay stays readable) and keyed under them; an overlay on its own
    marks them itself for up to four schedules.
    """
    import matplotlib

    k = len(schedules)
    layout = options.layout
    overlay_on = layout in ("overlay", "both")
    panels_on = layout == "grid" or (layout == "both" and k <= MAX_AUTO_PANELS)
    ncols = _panel_columns(k, options)
    rows = math.ceil(k / ncols) if panels_on else 0
    overlay_height = 4.2 if overlay_on else 0.0
    panels_height = (2.2 if overlay_on else 2.6) * rows + (0.5 if panels_on else 0.0)
    width = options.size[0] if options.size else 10.0
    title = options.title or f"{k} schedules over {n:,} steps"
    mark = overlay_on and not panels_on and k <= 4  # events on the overlay itself
    with matplotlib.rc_context(_rc(options)):
        # The overlay's legend is laid out first: below the overlay it may need room, which
        # a figure of default size gets on top of the overlay's own height.
        kinds = set().union(*(_event_kinds(s.events(n)) for s in schedules)) if mark else set()
        legend = legend_layout([s.label for s in schedules]
                               + [EVENT_LEGEND[kind] for kind in EVENT_LEGEND if kind in kinds],
                               width, right=True, title=options.legend_title)
        if overlay_on and options.size is None:
            overlay_height += legend.extra
        height = options.size[1] if options.size else overlay_height + panels_height
        fig = _new_figure(options, (width, height))
        top = bottom = fig
        if overlay_on and panels_on:
            top, bottom = fig.subfigures(2, 1, height_ratios=[overlay_height, panels_height])
        colors, styles = curve_styles(k, options)
        width_px = _width_px(fig)
        overlay = None
        if overlay_on:
            overlay = top.add_subplot()
            for schedule, color, style, line_width in zip(schedules, colors, styles,
                                                          overlay_widths(k)):
                _draw_curve(overlay, schedule, n, color, width_px, linewidth=line_width,
                            linestyle=style)
                if mark:
                    _mark_events(overlay, schedule, schedule.events(n), color)
            _lr_axes(overlay, n, options)
            if panels_on:
                overlay.set_title("all schedules", loc="left", fontsize=10)
            else:
                overlay.set_title(_fit_text(title, _axes_width_pt(fig),
                                            _rc_size("axes.titlesize"), 2), loc="left")
            handles, labels = _with_events(overlay.get_legend_handles_labels()[0],
                                           legend.labels[:k], kinds, options)
            # In a figure of fixed size a tall legend can leave the overlay no room; with
            # panels it can go, since their titles name each colour.
            room = height * overlay_height / (overlay_height + panels_height) - 1.6
            if not (panels_on and options.size and legend.extra > room):
                _add_legend(top, handles, replace(legend, labels=labels), options.legend_title)
        panels = []
        if panels_on:
            kinds = set()
            grid = bottom.add_gridspec(rows, ncols)
            # Rough inner size of one panel (inches): tick labels and gaps taken off.
            panel_w = (width - 0.8) / ncols - 0.2
            panel_h = (height * panels_height / (overlay_height + panels_height) - 0.5) / rows
            for index, (schedule, color, style) in enumerate(zip(schedules, colors, styles)):
                row, col = divmod(index, ncols)
                share = panels[0] if panels else None
                ax = bottom.add_subplot(grid[row, col], sharex=share, sharey=share)
                _draw_curve(ax, schedule, n, color, width_px // ncols, linestyle=style)
                kinds |= _mark_events(ax, schedule, schedule.events(n), color)
                ax.set_title(_fit_text(schedule.label, panel_w * 72, 9, PANEL_TITLE_LINES),
                             loc="left", fontsize=9, color=color)
                _lr_axes(ax, n, options, labels=False)
                if col == 0:
                    ax.set_ylabel("lr")
                if index >= k - ncols:
                    ax.set_xlabel("step")
                else:
                    ax.tick_params(labelbottom=False)
                if col:
                    ax.tick_params(labelleft=False)
                panels.append(ax)
            _panel_ticks(panels[0], panel_w, panel_h - 0.6, options.log)
            if overlay is not None:
                panels[0].set_ylim(overlay.get_ylim())  # every panel on the overlay's scale
            if kinds:
                handles, labels = _with_events([], [], kinds, options)
                bottom.legend(handles, labels, loc="outside lower center", frameon=False,
                              ncols=len(handles))
        top_axes = [overlay] if overlay is not None else panels[:ncols]
        if options.steps_per_epoch:
            for ax in top_axes:
                _epoch_axis(ax, options.steps_per_epoch)
        if panels_on:
            fig.suptitle(_fit_text(title, width * 72 - 20, 12, 2), x=0.01, ha="left",
                         fontsize=12)
    return fig


def build_simulation_figure(runs: Sequence[Run], options: FigureOptions) -> Figure:
    """lr, w and loss (log scale) against step for every run; w panel marks the optimum."""
    import matplotlib

    with matplotlib.rc_context(_rc(options)):
        fig = _new_figure(options, (9.0, 7.5))
        lr_ax, w_ax, loss_ax = fig.subplots(3, 1, sharex=True,
                                            gridspec_kw={"height_ratios": [1, 1.2, 1.4]})
        colors = palette(len(runs), options)
        width_px = _width_px(fig)
        n = len(runs[0].lr)
        muted = THEMES[options.theme]["muted"]
        dims = runs[0].w.shape[1]
        styles = ["-", "--", ":"]
        for run, color, line_width in zip(runs, colors, overlay_widths(len(runs))):
            _draw_array(lr_ax, run.lr, color, width_px, label=run.label, linewidth=line_width)
            for d in range(dims):
                _draw_array(w_ax, run.w[:, d], color, width_px, linestyle=styles[d % 3],
                            linewidth=line_width)
            _draw_array(loss_ax, run.loss, color, width_px, linewidth=line_width)
            if run.diverged_at is not None:
                last = run.diverged_at - 1
                if last >= 0:
                    loss_ax.plot([last], [run.loss[last]], marker="x", color=color,
                                 markersize=8, linestyle="none", label="_diverged")
        w_ax.axhline(-1.0, color=muted, linewidth=0.9, linestyle=(0, (4, 3)),
                     label="_optimum")
        _lr_axes(lr_ax, n, options, labels=False)
        lr_ax.set_ylabel("learning rate")
        w_ax.set_ylabel("w" if dims == 1 else "w (x solid, y dashed)")
        largest = max(np.nanmax(np.abs(r.w), initial=0.0) for r in runs)
        if largest > 1e3:
            _symlog_axis(w_ax, largest)  # a diverging run would flatten the rest
        loss_ax.set_ylabel("loss")
        if any(np.nanmax(r.loss, initial=0.0) > 0 for r in runs):
            loss_ax.set_yscale("log")
        loss_ax.set_xlabel("step")
        loss_ax.xaxis.set_major_formatter(_step_formatter())
        if options.steps_per_epoch:
            _epoch_axis(lr_ax, options.steps_per_epoch)
        lr_ax.set_title(_fit_text(options.title or "gradient descent", _axes_width_pt(fig),
                                  _rc_size("axes.titlesize"), 2), loc="left")
        handles, labels = lr_ax.get_legend_handles_labels()
        proxy_w = matplotlib.lines.Line2D([], [], color=muted, linestyle=(0, (4, 3)))
        handles, labels = [*handles, proxy_w], [*labels, "optimum w = −1"]
        if any(r.diverged_at is not None for r in runs):
            handles.append(matplotlib.lines.Line2D([], [], color=muted, marker="x",
                                                   linestyle="none"))
            labels.append("diverged")
        _legend(fig, handles, labels, options, right=True)
    return fig


# ---- layout ---------------------------------------------------------------------------------


def curve_styles(count: int, options: FigureOptions) -> tuple[list[Any], list[Any]]:
    """Colour and line style per curve. A two-parameter sweep (a × b values) gets one
    colour per value of the first parameter and one line style per value of the second."""
    shape = options.sweep_shape
    if len(shape) == 2 and shape[0] * shape[1] == count and shape[1] <= len(SWEEP_LINESTYLES):
        a, b = shape
        hues = palette(a, FigureOptions(theme=options.theme, sequential=True))
        return ([hues[i // b] for i in range(count)],
                [SWEEP_LINESTYLES[i % b] for i in range(count)])
    return palette(count, options), ["-"] * count


def overlay_widths(count: int) -> list[float]:
    """Line widths for *count* curves in one axes: thick to thin (see OVERLAY_WIDTHS)."""
    if count == 1:
        return [1.6]
    return np.linspace(*OVERLAY_WIDTHS, count).tolist()


def _panel_columns(k: int, options: FigureOptions) -> int:
    shape = options.sweep_shape
    if len(shape) == 2 and shape[0] * shape[1] == k and shape[1] <= 5:
        return shape[1]  # one row per value of the first parameter: the sweep's own grid
    return 2 if k == 4 else min(k, 3 if k <= 9 else 4)  # 2×2 beats 3 + 1 lonely panel


def _panel_ticks(ax, width_in: float, height_in: float, log: bool) -> None:
    """Fewer ticks on small panels (the locators are shared by every panel)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=max(2, round(width_in * 1.5)), integer=True,
                                           steps=[1, 2, 2.5, 5, 10]))
    if not log:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=max(2, round(height_in * 2.2)),
                                               steps=[1, 2, 5, 10]))


def _symlog_axis(ax, largest: float) -> None:
    """Symmetric log scale with a few decades labelled on each side, none crowding 0."""
    from matplotlib.ticker import FixedLocator, NullLocator

    ax.set_yscale("symlog", linthresh=10.0)
    top = math.ceil(math.log10(largest))
    decades = list(range(top, 0, -math.ceil(top / 3)))
    ticks = sorted([-(10.0**e) for e in decades] + [0.0] + [10.0**e for e in decades])
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())


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
    size = _rc_size("legend.fontsize")
    handle = (2.0 + 0.8) * size  # handlelength + handletextpad, in font sizes
    spacing = 2.0 * size  # columnspacing
    if right:
        widest = max([handle + _text_width(label, size) for label in labels]
                     + [_text_width(title, size) if title else 0.0])
        ncols = 1 if len(labels) <= 18 else 2
        if ncols * widest + (ncols - 1) * spacing + size <= LEGEND_RIGHT_SHARE * width_pt:
            return LegendLayout(True, ncols, list(labels), 0.0)
    room = 0.96 * width_pt - 2 * size
    wrapped = [_fit_text(label, room - handle, size, LEGEND_LABEL_LINES) for label in labels]
    ncols = legend_columns([handle + _text_width(label, size) for label in wrapped], room,
                           spacing)
    # Row r holds entries r, r + rows, ... (column-major), as tall as its tallest label; a
    # line takes about 1.5 font sizes with the spacing.
    rows = math.ceil(len(wrapped) / ncols)
    lines = sum(max(label.count("\n") + 1 for label in wrapped[r::rows]) for r in range(rows))
    return LegendLayout(False, ncols, wrapped, (lines - 1 + bool(title)) * 1.5 * size / 72)


def _add_legend(container, handles: list, layout: LegendLayout,
                title: str | None = None) -> None:
    container.legend(handles, layout.labels, ncols=layout.ncols, frameon=False, title=title,
                     loc="outside right upper" if layout.right else "outside lower center")


def _legend(fig: Figure, handles: list, labels: list, options: FigureOptions, *,
            right: bool) -> None:
    """Lay out and add a figure legend; a figure of default size grows to hold it."""
    layout = legend_layout(labels, fig.get_figwidth(), right=right,
                           title=options.legend_title)
    _add_legend(fig, handles, layout, options.legend_title)
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


def _text_width(text: str, size: float) -> float:
    """Width in points of *text* (the widest line) in the current rc font at *size*."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=size)
    return max(text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0]
               for line in text.split("\n"))


def _fit_text(text: str, width: float, size: float, max_lines: int) -> str:
    """*text* broken after ':', ',' or a space (else '.', '_', '=') into lines of at most
    *width* points; past *max_lines* lines the rest is cut and marked with '…'."""
    if _text_width(text, size) <= width:
        return text
    pieces: list[str] = []
    for token in filter(None, re.split(r"(?<=[:, ])", text)):
        # A part too wide for a line breaks after '.', '_' or '=' before being cut anywhere.
        parts = re.split(r"(?<=[._=])", token) if _text_width(token, size) > width else [token]
        for part in filter(None, parts):
            pieces += _split_wide(part, width, size)
    lines = [""]
    for piece in pieces:
        if lines[-1] and _text_width(lines[-1] + piece, size) > width:
            lines.append(piece)
        else:
            lines[-1] += piece
    lines = [line.rstrip() for line in lines]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while len(last) > 1 and _text_width(last + "…", size) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return "\n".join(lines)


def _split_wide(token: str, width: float, size: float) -> list[str]:
    """A token wider than *width* cut into pieces that fit (no separator to break at)."""
    out = []
    while len(token) > 1 and _text_width(token, size) > width:
        cut = len(token) - 1
        while cut > 1 and _text_width(token[:cut], size) > width:
            cut -= 1
        out.append(token[:cut])
        token = token[cut:]
    return [*out, token]


def _rc_size(key: str) -> float:
    """A font size from the current rc (sizes may be names such as 'medium')."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=matplotlib.rcParams[key]).get_size_in_points()


def _axes_width_pt(fig: Figure) -> float:
    """Roughly the width of a full-width axes: the figure less its tick-label margins."""
    return fig.get_figwidth() * 72 - 70


# ---- pieces ---------------------------------------------------------------------------------


def _width_px(fig: Figure) -> int:
    return int(fig.get_figwidth() * fig.get_dpi())


def _draw_curve(ax, schedule: Schedule, n: int, color: Any, width_px: int,
                linewidth: float = 1.6, linestyle: Any = "-") -> None:
    x, y = curve_points(schedule, n, width_px, finite=True)
    ax.plot(x, y, color=color, linewidth=linewidth, linestyle=linestyle, label=schedule.label)


def _draw_array(ax, values: np.ndarray, color: Any, width_px: int, label: str = "_",
                linestyle: str = "-", linewidth: float = 1.5) -> None:
    # Reuse the schedule envelope for plain arrays (NaN after a divergence leaves a gap).
    as_schedule = Schedule("", lambda steps: values[steps])
    x, y = curve_points(as_schedule, len(values), width_px)
    ax.plot(x, y, color=color, linewidth=linewidth, label=label, linestyle=linestyle)


def _lr_axes(ax, n: int, options: FigureOptions, labels: bool = True) -> None:
    if labels:
        ax.set_xlabel("step")
        ax.set_ylabel("learning rate")
    ax.set_xlim(0, max(n - 1, 1))
    ax.xaxis.set_major_formatter(_step_formatter())
    if options.log:
        ax.set_yscale("log")
    else:
        ax.yaxis.set_major_formatter(_lr_formatter())
        ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))


def _epoch_axis(ax, steps_per_epoch: int) -> None:
    """Epochs along the top, steps along the bottom."""
    from matplotlib.ticker import MaxNLocator

    k = float(steps_per_epoch)
    top = ax.secondary_xaxis("top", functions=(lambda s: s / k, lambda e: e * k))
    top.xaxis.set_major_locator(MaxNLocator(integer=True))
    top.set_xlabel("epoch")


def _step_formatter():
    from matplotlib.ticker import FuncFormatter

    def label(x: float, pos: Any = None) -> str:
        if abs(x) >= 1e6:
            return f"{x / 1e6:g}M"
        if abs(x) >= 1e4:
            return f"{x / 1e3:g}k"
        return f"{x:g}"

    return FuncFormatter(label)


def _with_events(handles: list, labels: list, kinds: set[str],
                 options: FigureOptions) -> tuple[list, list]:
    """Add one grey legend entry per kind of marked event, so line styles can be read."""
    from matplotlib.lines import Line2D

    muted = THEMES[options.theme]["muted"]
    handles, labels = list(handles), list(labels)
    for kind in EVENT_LEGEND:
        if kind not in kinds:
            continue
        if kind == "reduction":
            handles.append(Line2D([], [], color=muted, marker="v", linestyle="none"))
        else:
            style = EVENT_STYLE[kind]
            handles.append(Line2D([], [], color=muted, linewidth=0.9,
                                  linestyle=style["linestyle"]))
        labels.append(EVENT_LEGEND[kind])
    return handles, labels


def _event_kinds(events: list[Event]) -> set[str]:
    """The kinds of event :func:`_mark_events` draws for *events* (for the legend)."""
    lines = [e for e in events if e.kind != "reduction"][:MAX_MARKED_EVENTS]
    reduced = any(e.kind == "reduction" for e in events)
    return {e.kind for e in lines} | ({"reduction"} if reduced else set())


def _mark_events(ax, schedule: Schedule, events: list[Event], color: Any) -> set[str]:
    """Draw the events; return the kinds drawn (for the legend)."""
    reductions = [e for e in events if e.kind == "reduction"]
    lines = [e for e in events if e.kind != "reduction"][:MAX_MARKED_EVENTS]
    for event in lines:
        style = EVENT_STYLE.get(event.kind, {"linestyle": ":", "alpha": 0.4})
        ax.axvline(event.step, color=color, linewidth=0.9, label=f"_event {event.kind}",
                   **style)
    if reductions:
        steps = np.array([e.step for e in reductions], dtype=np.int64)
        ax.plot(steps, schedule(steps), linestyle="none", marker="v", color=color,
                markersize=6, label="_reductions")
    return _event_kinds(events)


def _draw_metric(ax, schedule: Schedule, n: int, options: FigureOptions) -> None:
    muted = THEMES[options.theme]["muted"]
    metric = np.asarray(schedule.metric)[:n]
    ax.plot(np.arange(len(metric)), metric, color=muted, linewidth=1.0, alpha=0.8,
            label=f"_{schedule.metric_label}")
    ax.set_ylabel(schedule.metric_label, color=muted)
    ax.tick_params(axis="y", colors=muted)
    ax.grid(False)
    ax.spines["right"].set_visible(True)


# ---- the library's entry points: a result (View or Simulation) as a figure ----------------


def options_of(result: Any) -> FigureOptions:
    """The figure options a :class:`~lrplot.view.View` or Simulation asks for."""
    look = result.look
    common = {"title": result.title, "log": result.log,
              "steps_per_epoch": result.steps_per_epoch, "dpi": look.dpi, "size": look.size,
              "theme": look.theme}
    if result.kind == "simulation":
        return FigureOptions(**common)
    return FigureOptions(**common, layout=result.layout or "both",
                         legend_title=result.legend_title, sequential=result.sequential,
                         sweep_shape=result.sweep_shape)


def build(result: Any) -> Figure:
    """The matplotlib Figure of *result*: a plot, a comparison or a simulation."""
    options = options_of(result)
    if result.kind == "simulation":
        return build_simulation_figure(result.runs, options)
    if result.is_comparison:
        return build_compare_figure(result.schedules, result.n, options)
    return build_figure(result.schedules, result.n, options)


def write(handle: BinaryIO, result: Any, fmt: str) -> None:
    """*result* drawn into *handle* as *fmt* (png, svg or pdf)."""
    save(build(result), handle, fmt, options_of(result))


def draw_on_axes(ax: Any, schedules: Sequence[Schedule], n: int, **options: Any) -> Any:
    """Draw *schedules* over steps 0..n-1 on matplotlib Axes *ax* (a new figure's if None),
    with their events, and return the Axes."""
    figure_options = FigureOptions(**options)
    if ax is None:
        return build_figure(schedules, n, figure_options).axes[0]
    colors = palette(len(schedules), figure_options)
    width_px = int(ax.figure.get_figwidth() * ax.figure.get_dpi())
    for schedule, color in zip(schedules, colors):
        _draw_curve(ax, schedule, n, color, width_px)
        _mark_events(ax, schedule, schedule.events(n), color)
    _lr_axes(ax, n, figure_options)
    return ax
