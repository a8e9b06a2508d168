"""The look of a figure: themes, colours, line styles, tick formatters and the options.

matplotlib is imported inside the functions that need it, so importing this module is cheap.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_SIZE = (8.0, 4.5)
# compare's default layout draws one panel per schedule up to this many, then only the overlay.
MAX_AUTO_PANELS = 9
# One line style per kind of event, each distinct from the others (the legend keys them).
EVENT_STYLE: dict[str, dict[str, Any]] = {
    "warmup end": {"linestyle": "--", "alpha": 0.55},
    "restart": {"linestyle": ":", "alpha": 0.7},
    "cycle": {"linestyle": (0, (10, 3)), "alpha": 0.45},
    "phase": {"linestyle": "-.", "alpha": 0.45},
}
EVENT_LEGEND = {"warmup end": "warmup end", "restart": "restart", "cycle": "cycle boundary",
                "phase": "phase change", "reduction": "lr reduced (plateau)"}
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


def palette(count: int, options: FigureOptions) -> list[Any]:
    """One colour per curve: the theme's palette, or a colormap for sweeps and many curves."""
    theme = THEMES[options.theme]
    if not options.sequential and count <= len(theme["palette"]):
        return list(theme["palette"][:count])
    from matplotlib import colormaps

    cmap = colormaps[theme["colormap"]]
    low, high = theme["range"]
    return [cmap(v) for v in np.linspace(low, high, count)] if count > 1 else [cmap(low)]


def rc(options: FigureOptions) -> dict[Any, Any]:
    """The matplotlib rc settings of *options*' theme."""
    return {**BASE_RC, **THEMES[options.theme]["rc"]}


@contextmanager
def drawing(options: FigureOptions) -> Iterator[None]:
    """Inside: *options*' rc settings, and a title or label with characters the font lacks
    (🔥, 中文, a tab) drawn with a box each, without matplotlib's warning per character."""
    import matplotlib

    with matplotlib.rc_context(rc(options)), warnings.catch_warnings():
        # "Glyph 128293 (...) missing from font(s) DejaVu Sans." (3.7: "from current font.")
        warnings.filterwarnings("ignore", r"Glyph \d+ .*missing from", UserWarning)
        # A figure too small for its panels (--size 1x1) is still drawn, without the
        # constrained layout that has no room to work in.
        warnings.filterwarnings("ignore", "constrained_layout not applied", UserWarning)
        # One all-zero panel among positive ones on --log: it shows no curve, as log 0 has
        # none (a figure with no positive lr at all is refused: artists.require_positive).
        warnings.filterwarnings("ignore", "Data has no positive values", UserWarning)
        yield


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


def lr_formatter():
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


def step_formatter():
    from matplotlib.ticker import FuncFormatter

    def label(x: float, pos: Any = None) -> str:
        if abs(x) >= 1e6:
            return f"{x / 1e6:g}M"
        if abs(x) >= 1e4:
            return f"{x / 1e3:g}k"
        return f"{x:g}"

    return FuncFormatter(label)
