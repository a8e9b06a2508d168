"""Figures: PNG, SVG and PDF with matplotlib (imported here, and only when a figure is drawn).

Three figures: :func:`build_figure` (schedules overlaid in one axes), :func:`build_compare_figure`
(an overlay plus one panel per schedule, one colour per schedule throughout) and
:func:`build_simulation_figure` (lr, w and loss of gradient-descent runs). Each returns the
matplotlib Figure, so tests and notebooks can inspect it; :func:`write` draws a result into a
file. SVG output is byte-for-byte reproducible (fixed hash salt, no date).

Titles, legend entries and panel titles are drawn as typed: ``$5 and $6`` is never read as
matplotlib mathtext, so a label cannot turn italic or fail to draw (``$\frac{$``). There is
no option to opt in; a Python caller can ``set_parse_math(True)`` on a Text of the Figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import numpy as np

from lrplot.render.artists import (
    draw_array,
    draw_curve,
    draw_metric,
    epoch_axis,
    event_kinds,
    lr_axes,
    mark_events,
    pixel_width,
    require_positive,
    with_events,
)
from lrplot.render.layout import (
    PANEL_TITLE_LINES,
    LegendLayout,
    add_legend,
    axes_width_pt,
    figure_legend,
    fit_text,
    legend_layout,
    panel_columns,
    panel_ticks,
    rc_size,
    symlog_axis,
)
from lrplot.render.style import (
    DEFAULT_SIZE,
    EVENT_LEGEND,
    MAX_AUTO_PANELS,
    THEMES,
    FigureOptions,
    curve_styles,
    drawing,
    overlay_widths,
    palette,
    step_formatter,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure

    from lrplot.core import Schedule
    from lrplot.simulate import Run


def matplotlib_version() -> str:
    """The matplotlib that draws: PNG bytes are compared only between equal versions."""
    import matplotlib

    return str(matplotlib.__version__)


def new_figure(options: FigureOptions, default_size: tuple[float, float]) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=options.size or default_size, dpi=options.dpi, layout="constrained")


def save(fig: Figure, handle: BinaryIO, fmt: str, options: FigureOptions) -> None:
    """*fig* into *handle* as *fmt*, without the dates and versions that make files differ."""
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None},
                "png": {"Software": None}}[fmt]
    with drawing(options):
        fig.savefig(handle, format=fmt, metadata=metadata)


def title_fitting(fig: Figure, title: str) -> str:
    """*title* wrapped to the width of a full-width axes, in two lines at most."""
    return fit_text(title, axes_width_pt(fig), rc_size("axes.titlesize"), 2)


# ---- one axes -------------------------------------------------------------------------------


def build_figure(schedules: Sequence[Schedule], n: int, options: FigureOptions) -> Figure:
    """All *schedules* overlaid in one axes, events marked, legend below the axes."""
    with drawing(options):
        fig = new_figure(options, DEFAULT_SIZE)
        ax = fig.add_subplot()
        width_px = pixel_width(fig)
        colors, styles = curve_styles(len(schedules), options)
        widths = overlay_widths(len(schedules))
        metric_axis = None
        kinds: set[str] = set()
        lines = []
        for schedule, color, style, width in zip(schedules, colors, styles, widths):
            lines.append(draw_curve(ax, schedule, n, color, width_px, linewidth=width,
                                    linestyle=style))
            kinds |= mark_events(ax, schedule, schedule.events(n), color)
            if schedule.metric is not None:
                metric_axis = metric_axis or ax.twinx()
                draw_metric(metric_axis, schedule, n, options)
        lr_axes(ax, n, options)
        if options.steps_per_epoch:
            epoch_axis(ax, options.steps_per_epoch)
        title = options.title or (schedules[0].label if len(schedules) == 1 else
                                  f"{len(schedules)} learning-rate schedules")
        ax.set_title(title_fitting(fig, title), loc="left", parse_math=False)
        # The curves themselves: get_legend_handles_labels would drop a label "_like_this".
        handles, labels = ((lines, [s.label for s in schedules]) if len(schedules) > 1
                           else ([], []))
        handles, labels = with_events(handles, labels, kinds, options)
        if handles:
            figure_legend(fig, handles, labels, options, right=False)
    return fig


# ---- a comparison: overlay and/or panels ----------------------------------------------------


@dataclass(frozen=True)
class ComparePlan:
    """What a compare figure shows and how big its parts are (inches)."""

    count: int
    overlay: bool
    panels: bool
    ncols: int
    rows: int
    overlay_height: float
    panels_height: float
    width: float
    title: str
    mark_overlay: bool  # events on the overlay itself (no panels to carry them)

    @classmethod
    def of(cls, k: int, n: int, options: FigureOptions) -> ComparePlan:
        layout = options.layout
        overlay = layout in ("overlay", "both")
        panels = layout == "grid" or (layout == "both" and k <= MAX_AUTO_PANELS)
        ncols = panel_columns(k, options)
        rows = math.ceil(k / ncols) if panels else 0
        return cls(count=k, overlay=overlay, panels=panels, ncols=ncols, rows=rows,
                   overlay_height=4.2 if overlay else 0.0,
                   panels_height=(2.2 if overlay else 2.6) * rows + (0.5 if panels else 0.0),
                   width=options.size[0] if options.size else 10.0,
                   title=options.title or f"{k} schedules over {n:,} steps",
                   mark_overlay=overlay and not panels and k <= 4)

    def panels_share(self) -> float:
        return self.panels_height / (self.overlay_height + self.panels_height)


def build_compare_figure(schedules: Sequence[Schedule], n: int,
                         options: FigureOptions) -> Figure:
    """An overlay of every schedule and/or one panel each, on the same scales.

    With both, the overlay and its legend sit in a top subfigure and the panels in a bottom
    one, so a wide legend narrows the overlay only, never the panels. Events are marked in
    the panels (the overlay stays readable) and keyed under them; an overlay on its own
    marks them itself for up to four schedules.
    """
    plan = ComparePlan.of(len(schedules), n, options)
    with drawing(options):
        # The overlay's legend is laid out first: below the overlay it may need room, which
        # a figure of default size gets on top of the overlay's own height.
        kinds = (set().union(*(event_kinds(s.events(n)) for s in schedules))
                 if plan.mark_overlay else set())
        legend = legend_layout([s.label for s in schedules]
                               + [EVENT_LEGEND[kind] for kind in EVENT_LEGEND if kind in kinds],
                               plan.width, right=True, title=options.legend_title)
        if plan.overlay and options.size is None:
            plan = replace(plan, overlay_height=plan.overlay_height + legend.extra)
        height = options.size[1] if options.size else plan.overlay_height + plan.panels_height
        fig = new_figure(options, (plan.width, height))
        top: Figure | SubFigure = fig
        bottom: Figure | SubFigure = fig
        if plan.overlay and plan.panels:
            top, bottom = cast("Sequence[SubFigure]", fig.subfigures(
                2, 1, height_ratios=[plan.overlay_height, plan.panels_height]))
        overlay = (_draw_overlay(top, fig, schedules, n, plan, legend, kinds, height, options)
                   if plan.overlay else None)
        panels = _draw_panels(bottom, fig, schedules, n, plan, height, options, overlay)
        if options.steps_per_epoch:
            for ax in [overlay] if overlay is not None else panels[:plan.ncols]:
                epoch_axis(ax, options.steps_per_epoch)
        if plan.panels:
            fig.suptitle(fit_text(plan.title, plan.width * 72 - 20, 12, 2), x=0.01, ha="left",
                         fontsize=12, parse_math=False)
    return fig


def _draw_overlay(top: Any, fig: Figure, schedules: Sequence[Schedule], n: int,
                  plan: ComparePlan, legend: LegendLayout, kinds: set[str], height: float,
                  options: FigureOptions) -> Any:
    """The overlay axes of a compare figure, with its legend; returns the axes."""
    colors, styles = curve_styles(plan.count, options)
    overlay = top.add_subplot()
    lines = []
    for schedule, color, style, line_width in zip(schedules, colors, styles,
                                                  overlay_widths(plan.count)):
        lines.append(draw_curve(overlay, schedule, n, color, pixel_width(fig),
                                linewidth=line_width, linestyle=style))
        if plan.mark_overlay:
            mark_events(overlay, schedule, schedule.events(n), color)
    lr_axes(overlay, n, options)
    if plan.panels:
        overlay.set_title("all schedules", loc="left", fontsize=10)
    else:
        overlay.set_title(title_fitting(fig, plan.title), loc="left", parse_math=False)
    # One handle per curve, whatever its label (see build_figure).
    handles, labels = with_events(lines, legend.labels[:plan.count], kinds, options)
    # In a figure of fixed size a tall legend can leave the overlay no room; with panels it
    # can go, since their titles name each colour.
    room = height * (1 - plan.panels_share()) - 1.6
    if not (plan.panels and options.size and legend.extra > room):
        add_legend(top, handles, replace(legend, labels=labels), options.legend_title)
    return overlay


def _draw_panels(bottom: Any, fig: Figure, schedules: Sequence[Schedule], n: int,
                 plan: ComparePlan, height: float, options: FigureOptions,
                 overlay: Any) -> list[Any]:
    """One panel per schedule on shared scales, events keyed under them; the panels' axes."""
    if not plan.panels:
        return []
    colors, styles = curve_styles(plan.count, options)
    ncols = plan.ncols
    grid = bottom.add_gridspec(plan.rows, ncols)
    # Rough inner size of one panel (inches): tick labels and gaps taken off.
    panel_w = (plan.width - 0.8) / ncols - 0.2
    panel_h = (height * plan.panels_share() - 0.5) / plan.rows
    panels: list[Any] = []
    kinds: set[str] = set()
    for index, (schedule, color, style) in enumerate(zip(schedules, colors, styles)):
        row, col = divmod(index, ncols)
        share = panels[0] if panels else None
        ax = bottom.add_subplot(grid[row, col], sharex=share, sharey=share)
        draw_curve(ax, schedule, n, color, pixel_width(fig) // ncols, linestyle=style)
        kinds |= mark_events(ax, schedule, schedule.events(n), color)
        ax.set_title(fit_text(schedule.label, panel_w * 72, 9, PANEL_TITLE_LINES),
                     loc="left", fontsize=9, color=color, parse_math=False)
        lr_axes(ax, n, options, labels=False, alone=False)
        _label_panel(ax, col, last_row=index >= plan.count - ncols)
        panels.append(ax)
    if options.log:
        require_positive(panels)
    panel_ticks(panels[0], panel_w, panel_h - 0.6, options.log)
    if overlay is not None:
        panels[0].set_ylim(overlay.get_ylim())  # every panel on the overlay's scale
    if kinds:
        handles, labels = with_events([], [], kinds, options)
        bottom.legend(handles, labels, loc="outside lower center", frameon=False,
                      ncols=len(handles))
    return panels


def _label_panel(ax: Any, col: int, *, last_row: bool) -> None:
    """Axis labels on the outer panels only: lr on the left column, step on the last row."""
    if col == 0:
        ax.set_ylabel("lr")
    else:
        ax.tick_params(labelleft=False)
    if last_row:
        ax.set_xlabel("step")
    else:
        ax.tick_params(labelbottom=False)


# ---- a simulation ---------------------------------------------------------------------------


def build_simulation_figure(runs: Sequence[Run], options: FigureOptions) -> Figure:
    """lr, w and loss (log scale) against step for every run; w panel marks the optimum."""
    import matplotlib

    with drawing(options):
        fig = new_figure(options, (9.0, 7.5))
        lr_ax, w_ax, loss_ax = fig.subplots(3, 1, sharex=True,
                                            gridspec_kw={"height_ratios": [1, 1.2, 1.4]})
        lines = _draw_runs(fig, (lr_ax, w_ax, loss_ax), runs, options)
        muted = THEMES[options.theme]["muted"]
        w_ax.axhline(-1.0, color=muted, linewidth=0.9, linestyle=(0, (4, 3)),
                     label="_optimum")
        lr_axes(lr_ax, len(runs[0].lr), options, labels=False)
        lr_ax.set_ylabel("learning rate")
        w_ax.set_ylabel("w" if runs[0].w.shape[1] == 1 else "w (x solid, y dashed)")
        largest = max(np.nanmax(np.abs(r.w), initial=0.0) for r in runs)
        if largest > 1e3:
            symlog_axis(w_ax, largest)  # a diverging run would flatten the rest
        loss_ax.set_ylabel("loss")
        if any(np.nanmax(r.loss, initial=0.0) > 0 for r in runs):
            loss_ax.set_yscale("log")
        loss_ax.set_xlabel("step")
        loss_ax.xaxis.set_major_formatter(step_formatter())
        if options.steps_per_epoch:
            epoch_axis(lr_ax, options.steps_per_epoch)
        lr_ax.set_title(title_fitting(fig, options.title or "gradient descent"), loc="left",
                        parse_math=False)
        handles, labels = lines, [run.label for run in runs]  # see build_figure
        proxy_w = matplotlib.lines.Line2D([], [], color=muted, linestyle=(0, (4, 3)))
        handles, labels = [*handles, proxy_w], [*labels, "optimum w = −1"]
        if any(r.diverged_at is not None for r in runs):
            handles.append(matplotlib.lines.Line2D([], [], color=muted, marker="x",
                                                   linestyle="none"))
            labels.append("diverged")
        figure_legend(fig, handles, labels, options, right=True)
    return fig


def _draw_runs(fig: Figure, axes: tuple[Any, Any, Any], runs: Sequence[Run],
               options: FigureOptions) -> list[Any]:
    """Each run's lr, w (one line style per dimension) and loss, a cross where it diverged;
    returns the lr lines (the legend's handles)."""
    lr_ax, w_ax, loss_ax = axes
    width_px = pixel_width(fig)
    styles = ["-", "--", ":"]
    lines = []
    for run, color, line_width in zip(runs, palette(len(runs), options),
                                      overlay_widths(len(runs))):
        lines.append(draw_array(lr_ax, run.lr, color, width_px, label=run.label,
                                linewidth=line_width))
        for d in range(run.w.shape[1]):
            draw_array(w_ax, run.w[:, d], color, width_px, linestyle=styles[d % 3],
                       linewidth=line_width)
        draw_array(loss_ax, run.loss, color, width_px, linewidth=line_width)
        if run.diverged_at is not None and run.diverged_at >= 1:
            last = run.diverged_at - 1
            loss_ax.plot([last], [run.loss[last]], marker="x", color=color, markersize=8,
                         linestyle="none", label="_diverged")
    return lines


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
    for schedule, color in zip(schedules, colors):
        draw_curve(ax, schedule, n, color, pixel_width(ax.figure))
        mark_events(ax, schedule, schedule.events(n), color)
    lr_axes(ax, n, figure_options)
    return ax
