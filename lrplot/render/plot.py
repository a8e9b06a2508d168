"""Figures: PNG, SVG and PDF with matplotlib (imported here, and only when a figure is drawn).

Curves longer than the plot is wide are drawn as a per-pixel min/max envelope, so the cost
does not grow with the number of steps and staircases, spikes and restarts stay visible.
SVG output is byte-for-byte reproducible (fixed hash salt, no date).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from lrplot.errors import LrplotError
from lrplot.schedule import Event, Schedule

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


@dataclass(frozen=True)
class FigureOptions:
    title: str | None = None
    log: bool = False
    steps_per_epoch: int | None = None
    dpi: int = 150
    size: tuple[float, float] = (8.0, 4.5)


def curve_points(schedule: Schedule, n: int, width_px: int) -> tuple[np.ndarray, np.ndarray]:
    """x, y to draw: every step when they fit, else a min/max envelope per pixel column."""
    bins = max(width_px, 1)
    if n <= POINTS_PER_PIXEL * bins:
        x = np.arange(n, dtype=np.float64)
        y = schedule(np.arange(n, dtype=np.int64))
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
        if not (np.isfinite(lows[lo:hi]).all() and np.isfinite(highs[lo:hi]).all()):
            _check_finite(schedule, values, int(edges[lo]))
    # Within a pixel, visit min and max in the order the curve does, so a smooth curve
    # draws as a line and a jump as a vertical stroke.
    falling = firsts > lasts
    y = np.empty(2 * bins)
    y[0::2] = np.where(falling, highs, lows)
    y[1::2] = np.where(falling, lows, highs)
    centres = (edges[:-1] + edges[1:] - 1) / 2.0
    x = np.repeat(centres, 2)
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


def render(handle: BinaryIO, fmt: str, schedules: Sequence[Schedule], n: int,
           options: FigureOptions) -> None:
    """Draw *schedules* over steps 0..n-1 into *handle* as *fmt* (png, svg or pdf)."""
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "lrplot"
    from matplotlib.figure import Figure

    fig = Figure(figsize=options.size, dpi=options.dpi, layout="constrained")
    ax = fig.add_subplot()
    width_px = int(options.size[0] * options.dpi)
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    metric_axis = None
    for index, schedule in enumerate(schedules):
        color = colors[index % len(colors)]
        x, y = curve_points(schedule, n, width_px)
        ax.plot(x, y, color=color, linewidth=1.6, label=schedule.label)
        _mark_events(ax, schedule, schedule.events(n), color)
        if schedule.metric is not None:
            metric_axis = metric_axis or ax.twinx()
            _draw_metric(metric_axis, schedule, n, color)

    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.set_xlim(0, max(n - 1, 1))
    if options.log:
        ax.set_yscale("log")
    else:
        ax.yaxis.set_major_formatter(_lr_formatter())
        low = min(0.0, ax.get_ylim()[0])
        ax.set_ylim(bottom=low)
    ax.grid(True, alpha=0.25)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if options.steps_per_epoch:
        k = float(options.steps_per_epoch)
        top = ax.secondary_xaxis("top", functions=(lambda s: s / k, lambda e: e * k))
        top.set_xlabel("epoch")
    title = options.title or (schedules[0].label if len(schedules) == 1 else None)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    if len(schedules) > 1:
        fig.legend(loc="outside lower center", ncols=min(len(schedules), 3), frameon=False,
                   fontsize=9)
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None},
                "png": {"Software": None}}[fmt]
    fig.savefig(handle, format=fmt, metadata=metadata)


def _mark_events(ax, schedule: Schedule, events: list[Event], color: str) -> None:
    reductions = [e for e in events if e.kind == "reduction"]
    lines = [e for e in events if e.kind != "reduction"]
    for event in lines[:MAX_MARKED_EVENTS]:
        style = EVENT_STYLE.get(event.kind, {"linestyle": ":", "alpha": 0.4})
        ax.axvline(event.step, color=color, linewidth=0.9, **style)
    if reductions:
        steps = np.array([e.step for e in reductions], dtype=np.int64)
        ax.plot(steps, schedule(steps), linestyle="none", marker="v", color=color,
                markersize=6, label="_reductions")


def _draw_metric(ax, schedule: Schedule, n: int, color: str) -> None:
    metric = np.asarray(schedule.metric)[:n]
    ax.plot(np.arange(len(metric)), metric, color="0.45", linewidth=1.0, alpha=0.8,
            label=f"_{schedule.metric_label}")
    ax.set_ylabel(schedule.metric_label, color="0.35")
    ax.tick_params(axis="y", colors="0.35")
    for side in ("top",):
        ax.spines[side].set_visible(False)
