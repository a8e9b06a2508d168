"""lrplot compare: statistics, the comparison table, CSV and the figure's panels."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from lrplot.catalogue import Context, resolve
from lrplot.stats import at_fractions, fraction_step, summarize

SPECS = ["cosine:warmup=10", "onecycle:max_lr=0.1", "wsd:decay_steps=30"]


def warmup_cosine(n: int, lr: float = 0.1, warmup: int = 10) -> np.ndarray:
    """Linear warmup to lr, then cosine to 0 over the remaining n - warmup steps."""
    out = []
    for t in range(n):
        if t < warmup:
            out.append(lr * t / warmup)
        else:
            out.append(0.5 * lr * (1 + math.cos(math.pi * (t - warmup) / (n - warmup))))
    return np.array(out)


def test_summary_matches_a_plain_loop():
    values = np.array([0.0, 0.5, 1.0, 0.8, 0.6, 0.45, 0.3, 0.09, 0.2])
    s = summarize(values)
    assert (s.peak, s.peak_step) == (1.0, 2)
    assert s.final == 0.2 and s.min == 0.0
    assert s.mean == pytest.approx(sum(values) / len(values))
    assert s.total == pytest.approx(sum(values))
    # first step after the peak below 50% (0.45 at step 5) and 10% (0.09 at step 7)
    assert (s.below_half, s.below_tenth) == (5, 7)
    assert s.above_half == sum(1 for v in values if v >= 0.5)


def test_summary_never_below():
    s = summarize(np.full(10, 0.3))
    assert s.below_half is None and s.below_tenth is None and s.above_half == 10


def test_summary_of_warmup_cosine_against_its_formula():
    n = 100
    expected = warmup_cosine(n)
    values = resolve("cosine", {"warmup": 10}, Context(steps=n)).values(n)
    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-15)
    s = summarize(values)
    assert s.peak_step == 10 and s.peak == pytest.approx(0.1)
    # cosine part: 0.5·(1+cos(π·k/90)) < 0.5  ⇔  k > 45  → global step 56
    shape = [0.5 * (1 + math.cos(math.pi * k / 90)) for k in range(90)]
    assert s.below_half == 10 + next(k for k, v in enumerate(shape) if v < 0.5) == 56
    assert s.below_tenth == 10 + next(k for k, v in enumerate(shape) if v < 0.1)
    assert s.total == pytest.approx(expected.sum())


def test_fraction_steps():
    # fraction·(n−1), rounded: 9.9 → 10, 24.75 → 25, 49.5 → 50 (half to even), 74.25 → 74
    assert [fraction_step(f, 100) for f in (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)] == [
        0, 10, 25, 50, 74, 99]
    values = np.arange(100) / 100
    assert at_fractions(values, (0.5, 1.0)) == [(50, 0.5), (99, 0.99)]


def test_compare_terminal_table(cli):
    result = cli("compare", *SPECS, "--steps", "100")
    assert result.code == 0, result.err
    for label in SPECS:
        assert label in result.out
    for measure in ("peak", "final", "min", "mean", "total lr", "< 50% of peak at",
                    "< 10% of peak at", "lr @ 99 (100%)", "lr @ 50 (50%)"):
        assert measure in result.out
    # the chart comes first, with braille dots
    assert any(0x2800 < ord(c) <= 0x28FF for c in result.out.split("peak")[0])
    row = next(line for line in result.out.splitlines() if "peak at step" in line)
    assert [cell.strip() for cell in row.split("│")[2:5]] == ["10", "29", "0"]


def test_compare_csv(cli, tmp_path):
    path = tmp_path / "cmp.csv"
    assert cli("compare", *SPECS, "--steps", "100", "--out", path).code == 0
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["step", *SPECS]
    assert len(rows) == 101
    expected = warmup_cosine(100)
    got = np.array([float(r[1]) for r in rows[1:]])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_compare_needs_two(cli):
    result = cli("compare", "cosine")
    assert result.code == 2 and "at least two" in result.err
    assert cli("compare", "cosine", "nosuch").code == 2
    assert cli("compare", "cosine", "constant", "--layout", "diagonal").code == 2


def _figure(layout: str, specs=SPECS, **kw):
    from lrplot.render.plot import FigureOptions, build_compare_figure

    schedules = [resolve(*_split(s), Context(steps=100), label=s) for s in specs]
    return build_compare_figure(schedules, 100, FigureOptions(layout=layout, **kw))


def _split(spec):
    from lrplot.spec import split_spec

    return split_spec(spec)


def _curves(ax):
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def test_compare_figure_both_has_overlay_and_one_panel_each():
    fig = _figure("both")
    axes = [ax for ax in fig.axes if ax.get_label() != "secondary"]
    assert len(axes) == 1 + len(SPECS)
    overlay, *panels = axes
    assert [line.get_label() for line in _curves(overlay)] == SPECS
    colors = [line.get_color() for line in _curves(overlay)]
    assert len(set(colors)) == len(SPECS)
    for panel, label, color in zip(panels, SPECS, colors):
        (line,) = _curves(panel)
        assert line.get_label() == label and line.get_color() == color  # colour kept
        assert panel.get_title(loc="left") == label
        assert panel.get_shared_y_axes().joined(panel, overlay)
    # warmup end (cosine) and phase (onecycle, wsd) marked in the panels, named in the legend
    warm = [ln for ln in panels[0].get_lines() if ln.get_label() == "_event warmup end"]
    assert len(warm) == 1 and warm[0].get_xdata()[0] == 10
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:3] == SPECS and "warmup end" in legend
    assert overlay.get_ylabel() == "learning rate" and overlay.get_xlabel() == "step"


def test_compare_figure_layouts():
    overlay_only = _figure("overlay")
    assert len(overlay_only.axes) == 1 and len(_curves(overlay_only.axes[0])) == 3
    grid = _figure("grid")
    assert len(grid.axes) == 3 and all(len(_curves(ax)) == 1 for ax in grid.axes)


def test_compare_png(cli, tmp_path):
    path = tmp_path / "cmp.png"
    assert cli("compare", *SPECS, "--steps", "100", "--out", path).code == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
