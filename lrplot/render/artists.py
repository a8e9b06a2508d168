"""The artists every figure is made of: curves, lr axes, epoch axes, events and their keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lrplot.errors import NO_POSITIVE_LR, LrplotError
from lrplot.render.envelope import curve_points
from lrplot.render.style import (
    EVENT_LEGEND,
    EVENT_STYLE,
    THEMES,
    FigureOptions,
    lr_formatter,
    step_formatter,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lrplot.core import Event, Schedule

MAX_MARKED_EVENTS = 60


def pixel_width(fig: Figure) -> int:
    """The width of *fig* in pixels: how many envelope columns a full-width curve needs."""
    return int(fig.get_figwidth() * fig.get_dpi())


# The points last drawn of a few schedules: a comparison draws each schedule in the overlay
# and again in its (narrower) panel, and the overlay's points serve the panel as well, so a
# schedule is evaluated once per figure.
_DRAWN: list[tuple[Any, int, int, np.ndarray, np.ndarray]] = []


def drawn_points(schedule: Schedule, n: int, width_px: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`curve_points` of *schedule*, reusing points drawn at least as wide."""
    for seen, seen_n, seen_width, x, y in _DRAWN:
        if seen is schedule and seen_n == n and seen_width >= width_px:
            return x, y
    x, y = curve_points(schedule, n, width_px, finite=True)
    _DRAWN[:] = [*_DRAWN[-31:], (schedule, n, width_px, x, y)]
    return x, y


def draw_curve(ax, schedule: Schedule, n: int, color: Any, width_px: int,
               linewidth: float = 1.6, linestyle: Any = "-") -> Any:
    """The curve of *schedule*; returns its line, the legend handle."""
    x, y = drawn_points(schedule, n, width_px)
    return ax.plot(x, y, color=color, linewidth=linewidth, linestyle=linestyle,
                   label=schedule.label)[0]


def draw_array(ax, values: np.ndarray, color: Any, width_px: int, label: str = "_",
                linestyle: str = "-", linewidth: float = 1.5) -> Any:
    # The schedules' envelope for plain arrays too (NaN after a divergence leaves a gap).
    x, y = curve_points(lambda steps: values[steps], len(values), width_px)
    return ax.plot(x, y, color=color, linewidth=linewidth, label=label, linestyle=linestyle)[0]


def lr_axes(ax, n: int, options: FigureOptions, labels: bool = True,
            alone: bool = True) -> None:
    """Label and scale an lr axes. A log axis needs a positive lr somewhere: in this axes,
    or (*alone* False: one panel of several) in the figure, which its caller checks."""
    if labels:
        ax.set_xlabel("step")
        ax.set_ylabel("learning rate")
    ax.set_xlim(0, max(n - 1, 1))
    ax.xaxis.set_major_formatter(step_formatter())
    if options.log:
        if alone:
            require_positive([ax])
        ax.set_yscale("log")
    else:
        ax.yaxis.set_major_formatter(lr_formatter())
        ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))


def require_positive(axes: list[Any]) -> None:
    """Refuse a log scale when no curve in *axes* has a positive lr (one line, not a warning)."""
    if not any((np.asarray(line.get_ydata(), dtype=float) > 0).any()
               for ax in axes for line in ax.get_lines()):
        raise LrplotError(NO_POSITIVE_LR)


def epoch_axis(ax, steps_per_epoch: int) -> None:
    """Epochs along the top, steps along the bottom."""
    from matplotlib.ticker import MaxNLocator

    k = float(steps_per_epoch)
    top = ax.secondary_xaxis("top", functions=(lambda s: s / k, lambda e: e * k))
    top.xaxis.set_major_locator(MaxNLocator(integer=True))
    top.set_xlabel("epoch")


def with_events(handles: list, labels: list, kinds: set[str],
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


def event_kinds(events: list[Event]) -> set[str]:
    """The kinds of event :func:`mark_events` draws for *events* (for the legend)."""
    lines = [e for e in events if e.kind != "reduction"][:MAX_MARKED_EVENTS]
    reduced = any(e.kind == "reduction" for e in events)
    return {e.kind for e in lines} | ({"reduction"} if reduced else set())


def mark_events(ax, schedule: Schedule, events: list[Event], color: Any) -> set[str]:
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
    return event_kinds(events)


def draw_metric(ax, schedule: Schedule, n: int, options: FigureOptions) -> None:
    muted = THEMES[options.theme]["muted"]
    metric = schedule.metric
    shown = min(n, len(metric)) if metric is not None else 0
    # The same per-pixel envelope as the lr: a long metric costs no more to draw.
    at = getattr(metric, "at", None)  # a computed Series, or an array (core.series_at)

    def values(steps: np.ndarray) -> np.ndarray:
        return np.asarray(at(steps) if at is not None else np.asarray(metric)[steps], float)

    x, y = curve_points(values, shown, pixel_width(ax.figure))
    ax.plot(x, y, color=muted, linewidth=1.0, alpha=0.8, label=f"_{schedule.metric_label}")
    ax.set_ylabel(schedule.metric_label, color=muted, parse_math=False)  # a column name
    ax.tick_params(axis="y", colors=muted)
    ax.grid(False)
    ax.spines["right"].set_visible(True)
