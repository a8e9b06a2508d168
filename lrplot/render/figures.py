"""Temporary: the figure entry points while render/plot.py is being split (merge target)."""

from lrplot.render.plot import build, draw_on_axes, write

__all__ = ["build", "draw_on_axes", "write"]
