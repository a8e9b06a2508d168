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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from lrplot.errors import LrplotError
from lrplot.schedule import Event, Schedule

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lrplot.simulate import Run

# Past this many steps per horizontal pixel a curve is reduced to its envelope.
POINTS_PER_PIXEL = 2
EVALUATION_CHUNK = 1 << 20
MAX_MARKED_EVENTS = 60
EVENT_STYLE = {
    "warmup end": {"linestyle": "--", "alpha": 0.55},
    "restart": {"linestyle": ":", "alpha": 0.6},
    "cycle": {"linestyle": ":", "alpha": 0.35},
    "phase": {"linestyle": "-.", "alpha": 0.4},
}
EVENT_LEGEND = {"warmup end": "warmup end", "restart": "restart", "cycle": "cycle boundary",
                "phase": "phase change", "reduction": "lr reduced (plateau)"}
DEFAULT_SIZE = (8.0, 4.5)
# Above this many schedules a compare figure shows the overlay alone unless asked otherwise.
MAX_AUTO_PANELS = 9

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
        colors = palette(len(schedules), options)
        metric_axis = None
        kinds: set[str] = set()
        for schedule, color in zip(schedules, colors):
            _draw_curve(ax, schedule, n, color, width_px)
            kinds |= _mark_events(ax, schedule, schedule.events(n), color)
            if schedule.metric is not None:
                metric_axis = metric_axis or ax.twinx()
                _draw_metric(metric_axis, schedule, n, options)
        _lr_axes(ax, n, options)
        if options.steps_per_epoch:
            _epoch_axis(ax, options.steps_per_epoch)
        title = options.title or (schedules[0].label if len(schedules) == 1 else
                                  f"{len(schedules)} learning-rate schedules")
        ax.set_title(title, loc="left")
        handles, labels = ax.get_legend_handles_labels() if len(schedules) > 1 else ([], [])
        handles, labels = _with_events(handles, labels, kinds, options)
        if handles:
            fig.legend(handles, labels, loc="outside lower center", frameon=False,
                       ncols=_legend_columns(labels, fig.get_figwidth()),
                       title=options.legend_title)
    return fig


def _legend_columns(labels: Sequence[str], width_in: float, most: int = 3) -> int:
    """As many columns (up to *most*) as fit across the figure: long labels get fewer."""
    room = width_in / 0.075  # characters per line at the 9 pt legend font, roughly
    for columns in range(min(most, len(labels)), 1, -1):
        rows = [labels[i:i + columns] for i in range(0, len(labels), columns)]
        widest = max(sum(len(label) + 6 for label in row) for row in rows)
        if widest <= room:
            return columns
    return 1


def build_compare_figure(schedules: Sequence[Schedule], n: int,
                         options: FigureOptions) -> Figure:
    """An overlay of every schedule and/or one panel each, sharing both axes."""
    import matplotlib

    k = len(schedules)
    layout = options.layout
    overlay_on = layout in ("overlay", "both")
    panels_on = layout == "grid" or (layout == "both" and k <= MAX_AUTO_PANELS)
    ncols = 2 if k == 4 else min(k, 3 if k <= 9 else 4)  # 2×2 beats 3 + 1 lonely panel
    rows = math.ceil(k / ncols) if panels_on else 0
    width, height = options.size or (10.0, (4.2 if overlay_on else 0) + 2.0 * rows)
    with matplotlib.rc_context(_rc(options)):
        fig = _new_figure(options, (width, height))
        # The overlay spans two grid rows: twice the height of a panel.
        grid = fig.add_gridspec((2 if overlay_on else 0) + rows, ncols)
        colors = palette(k, options)
        width_px = _width_px(fig)
        kinds: set[str] = set()
        overlay = None
        first_row = 0
        if overlay_on:
            overlay = fig.add_subplot(grid[0:2, :])
            first_row = 2
            mark = not panels_on and k <= 4
            for schedule, color in zip(schedules, colors):
                _draw_curve(overlay, schedule, n, color, width_px)
                if mark:
                    kinds |= _mark_events(overlay, schedule, schedule.events(n), color)
            _lr_axes(overlay, n, options)
            overlay.set_title("all schedules" if panels_on else (options.title or ""),
                              loc="left", fontsize=10)
        panels = []
        for index, (schedule, color) in enumerate(zip(schedules, colors) if panels_on else []):
            row, col = divmod(index, ncols)
            ax = fig.add_subplot(grid[first_row + row, col], sharex=overlay or
                                 (panels[0] if panels else None),
                                 sharey=overlay or (panels[0] if panels else None))
            _draw_curve(ax, schedule, n, color, _width_px(fig) // ncols)
            kinds |= _mark_events(ax, schedule, schedule.events(n), color)
            ax.set_title(schedule.label, loc="left", fontsize=9, color=color)
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
        top = [overlay] if overlay is not None else panels[:ncols]
        if options.steps_per_epoch:
            for ax in top:
                _epoch_axis(ax, options.steps_per_epoch)
        if overlay is not None:
            handles, labels = overlay.get_legend_handles_labels()
            handles, labels = _with_events(handles, labels, kinds, options)
            fig.legend(handles, labels, loc="outside right upper", frameon=False,
                       title=options.legend_title, ncols=1 if len(handles) <= 18 else 2)
        elif kinds:
            handles, labels = _with_events([], [], kinds, options)
            fig.legend(handles, labels, loc="outside lower center", frameon=False,
                       ncols=len(handles))
        if panels_on or options.title:
            fig.suptitle(options.title or f"{k} schedules over {n:,} steps", x=0.01,
                         ha="left", fontsize=12)
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
        for run, color in zip(runs, colors):
            _draw_array(lr_ax, run.lr, color, width_px, label=run.label)
            for d in range(dims):
                _draw_array(w_ax, run.w[:, d], color, width_px, linestyle=styles[d % 3])
            _draw_array(loss_ax, run.loss, color, width_px)
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
        if max(np.nanmax(np.abs(r.w), initial=0.0) for r in runs) > 1e3:
            from matplotlib.ticker import SymmetricalLogLocator

            w_ax.set_yscale("symlog", linthresh=10.0)  # a diverging run would flatten the rest
            locator = SymmetricalLogLocator(linthresh=10.0, base=10.0)
            locator.set_params(numticks=7)
            w_ax.yaxis.set_major_locator(locator)
        loss_ax.set_ylabel("loss")
        if any(np.nanmax(r.loss, initial=0.0) > 0 for r in runs):
            loss_ax.set_yscale("log")
        loss_ax.set_xlabel("step")
        loss_ax.xaxis.set_major_formatter(_step_formatter())
        if options.steps_per_epoch:
            _epoch_axis(lr_ax, options.steps_per_epoch)
        lr_ax.set_title(options.title or "gradient descent", loc="left")
        handles, labels = lr_ax.get_legend_handles_labels()
        proxy_w = matplotlib.lines.Line2D([], [], color=muted, linestyle=(0, (4, 3)))
        handles, labels = [*handles, proxy_w], [*labels, "optimum w = −1"]
        if any(r.diverged_at is not None for r in runs):
            handles.append(matplotlib.lines.Line2D([], [], color=muted, marker="x",
                                                   linestyle="none"))
            labels.append("diverged")
        fig.legend(handles, labels, loc="outside right upper", frameon=False,
                   title=options.legend_title)
    return fig


# ---- pieces ---------------------------------------------------------------------------------


def _width_px(fig: Figure) -> int:
    return int(fig.get_figwidth() * fig.get_dpi())


def _draw_curve(ax, schedule: Schedule, n: int, color: Any, width_px: int) -> None:
    x, y = curve_points(schedule, n, width_px, finite=True)
    ax.plot(x, y, color=color, linewidth=1.6, label=schedule.label)


def _draw_array(ax, values: np.ndarray, color: Any, width_px: int, label: str = "_",
                linestyle: str = "-") -> None:
    # Reuse the schedule envelope for plain arrays (NaN after a divergence leaves a gap).
    as_schedule = Schedule("", lambda steps: values[steps])
    x, y = curve_points(as_schedule, len(values), width_px)
    ax.plot(x, y, color=color, linewidth=1.5, label=label, linestyle=linestyle)


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
    return {e.kind for e in lines} | ({"reduction"} if reductions else set())


def _draw_metric(ax, schedule: Schedule, n: int, options: FigureOptions) -> None:
    muted = THEMES[options.theme]["muted"]
    metric = np.asarray(schedule.metric)[:n]
    ax.plot(np.arange(len(metric)), metric, color=muted, linewidth=1.0, alpha=0.8,
            label=f"_{schedule.metric_label}")
    ax.set_ylabel(schedule.metric_label, color=muted)
    ax.tick_params(axis="y", colors=muted)
    ax.grid(False)
    ax.spines["right"].set_visible(True)
