"""lrplot compare: statistics, the comparison table, CSV and the figure's panels."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from lrplot.definition import Context
from lrplot.registry import resolve
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
    rows = list(csv.reader(path.read_text().splitlines()))
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
    from lrplot.render.figures import build_compare_figure
    from lrplot.render.style import FigureOptions

    schedules = [resolve(*_split(s), Context(steps=100), label=s) for s in specs]
    return build_compare_figure(schedules, 100, FigureOptions(layout=layout, **kw))


def _split(spec):
    from lrplot.spec import split_spec

    return split_spec(spec)


def _curves(ax):
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def _legend_texts(fig):
    """Texts of every legend, the figure's and its subfigures'."""
    figures = [fig, *fig.subfigs]
    return [t.get_text() for f in figures for legend in f.legends for t in legend.get_texts()]


def _drawn(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _events(ax, kind):
    return [line.get_xdata()[0] for line in ax.get_lines()
            if line.get_label() == f"_event {kind}"]


def test_compare_figure_both_has_overlay_and_one_panel_each():
    fig = _figure("both")
    axes = [ax for ax in fig.axes if ax.get_label() != "secondary"]
    assert len(axes) == 1 + len(SPECS)
    overlay, *panels = axes
    assert [line.get_label() for line in _curves(overlay)] == SPECS
    colors = [line.get_color() for line in _curves(overlay)]
    assert len(set(colors)) == len(SPECS)
    _drawn(fig)
    for panel, label, color in zip(panels, SPECS, colors):
        (line,) = _curves(panel)
        assert line.get_label() == label and line.get_color() == color  # colour kept
        assert panel.get_title(loc="left") == label
        assert panel.get_ylim() == overlay.get_ylim()  # the overlay's scale
        assert panel.get_xlim() == overlay.get_xlim() == (0, 99)
        assert panel.get_shared_y_axes().joined(panel, panels[0])
    # Events are marked in the panels: warmup ends at step 10; onecycle's phase changes at
    # its peak, pct_start·total − 1 = 29 (torch's OneCycleLR); wsd decays from
    # total − decay_steps = 70.
    assert _events(panels[0], "warmup end") == [10]
    assert _events(panels[1], "phase") == [29]
    assert _events(panels[2], "phase") == [70]
    assert not [ln for ln in overlay.get_lines() if ln.get_label().startswith("_event")]
    legend = _legend_texts(fig)
    assert legend[:3] == SPECS and {"warmup end", "phase change"} <= set(legend)
    assert overlay.get_ylabel() == "learning rate" and overlay.get_xlabel() == "step"
    assert fig.get_suptitle() == "3 schedules over 100 steps"


def test_compare_figure_layouts():
    overlay_only = _figure("overlay", title="mine")
    (ax,) = overlay_only.axes
    assert len(_curves(ax)) == 3
    assert ax.get_title(loc="left") == "mine" and overlay_only.get_suptitle() == ""  # once
    # alone, the overlay marks the events itself and keys them
    assert _events(ax, "warmup end") == [10] and sorted(_events(ax, "phase")) == [29, 70]
    assert {"warmup end", "phase change"} <= set(_legend_texts(overlay_only))
    grid = _figure("grid")
    assert len(grid.axes) == 3 and all(len(_curves(ax)) == 1 for ax in grid.axes)
    assert _events(grid.axes[0], "warmup end") == [10]


def test_overlaid_curves_go_thick_to_thin():
    """Two schedules that agree for a stretch must both stay visible there."""
    same = ["cosine:lr=0.1", "cosine:lr=0.1,min_lr=0"]
    fig = _figure("overlay", specs=same)
    first, second = _curves(fig.axes[0])
    np.testing.assert_array_equal(first.get_ydata(), second.get_ydata())
    assert first.get_linewidth() > second.get_linewidth()


LONG = ["torch.CosineAnnealingLR:T_max=100",
        "keras.CosineDecay:initial_learning_rate=0.1,decay_steps=100"]


@pytest.mark.parametrize("specs", [SPECS, LONG, LONG + SPECS + ["optax.warmup_cosine_decay_"
                                   "schedule:init_value=0,peak_value=0.1,warmup_steps=10,"
                                   "decay_steps=100"]])
@pytest.mark.parametrize("size", [None, (6.0, 4.0)])
def test_compare_layout_fits_any_labels(specs, size):
    """The legend never squeezes the panels, and no panel title runs past its panel."""
    fig = _figure("both", specs=specs, size=size)
    renderer = _drawn(fig)
    width = fig.bbox.width
    overlay, *panels = [ax for ax in fig.axes if ax.get_label() != "secondary"]
    if fig.subfigs[0].legends:  # a small fixed size leaves it out: the panels name colours
        legend = fig.subfigs[0].legends[0].get_window_extent(renderer)
        box = overlay.get_window_extent(renderer)
        assert legend.x0 >= box.x1 or legend.y1 <= box.y0  # right of or below the data
        assert legend.x1 <= width + 1 and legend.x0 >= -1
        texts = _legend_texts(fig)
        # every label stays whole in the legend (wrapped at most, never cut)
        assert ["".join(t.split()) for t in texts[:len(specs)]] == specs
    else:
        assert size is not None and len(specs) > 3
    assert overlay.get_window_extent(renderer).height > 0.25 * fig.bbox.height
    left = min(p.get_window_extent(renderer).x0 for p in panels)
    right = max(p.get_window_extent(renderer).x1 for p in panels)
    assert right - left > 0.8 * width  # the panels use the whole width
    for panel in panels:
        title = panel._left_title.get_window_extent(renderer)
        frame = panel.get_window_extent(renderer)
        assert title.x1 <= frame.x1 + 2 and title.x1 <= width  # inside its panel


def test_long_labels_put_the_legend_below_and_grow_the_figure():
    short, long = _figure("both"), _figure("both", specs=LONG)
    assert short.subfigs[0].legends[0]._outside_loc == "right"
    assert long.subfigs[0].legends[0]._outside_loc == "lower"
    # one row below the overlay: the overlay keeps its height, the figure grows instead
    renderers = _drawn(short), _drawn(long)
    heights = [f.axes[0].get_window_extent(r).height / f.dpi
               for f, r in zip((short, long), renderers)]
    assert heights[1] == pytest.approx(heights[0], rel=0.1)


def test_compare_png(cli, tmp_path):
    path = tmp_path / "cmp.png"
    assert cli("compare", *SPECS, "--steps", "100", "--out", path).code == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def onecycle_cos(n: int, max_lr: float = 0.1, pct_start: float = 0.3, div: float = 25.0,
                 final_div: float = 1e4) -> np.ndarray:
    """torch's OneCycleLR (two phases, cos anneal): up from max/div over steps 0..pct·n − 1,
    down to max/div/final_div over the steps after it to n − 1."""
    start, low = max_lr / div, max_lr / div / final_div
    peak = pct_start * n - 1

    def anneal(a, b, pct):
        return b + (a - b) / 2 * (1 + math.cos(math.pi * pct))

    return np.array([anneal(start, max_lr, t / peak) if t <= peak
                     else anneal(max_lr, low, (t - peak) / (n - 1 - peak)) for t in range(n)])


def wsd_linear(n: int, lr: float = 0.1, decay: int = 30) -> np.ndarray:
    """Stable at lr, then linear to 0 over the last *decay* steps."""
    return np.array([lr if t < n - decay else lr * (1 - (t - (n - decay)) / decay)
                     for t in range(n)])


def _table_row(out: str, measure: str) -> list[str]:
    row = next(line for line in out.splitlines() if line.startswith(f"│ {measure} "))
    return [cell.strip() for cell in row.split("│")[2:-1]]


def test_compare_table_numbers_from_the_formulas(cli):
    """Every measure of the table, recomputed with plain loops over the closed forms."""
    result = cli("compare", *SPECS, "--steps", "100")
    assert result.code == 0, result.err
    expected = [warmup_cosine(100), onecycle_cos(100), wsd_linear(100)]
    for values in expected:
        assert len(values) == 100
    peak_steps = [max(range(100), key=lambda t, v=v: (v[t], -t)) for v in expected]

    def first_below(v, fraction, peak_step):
        return next((t for t in range(peak_step, 100) if v[t] < fraction * v[peak_step]),
                    None)

    def four(x):
        return f"{x:.4g}"

    assert _table_row(result.out, "peak at step") == [str(s) for s in peak_steps]
    assert _table_row(result.out, "peak") == [four(max(v)) for v in expected]
    assert _table_row(result.out, "final") == [four(v[-1]) for v in expected]
    assert _table_row(result.out, "min") == [four(min(v)) for v in expected]
    assert _table_row(result.out, "mean") == [four(sum(v) / 100) for v in expected]
    assert _table_row(result.out, "total lr (Σ)") == [four(sum(v)) for v in expected]
    for fraction, measure in ((0.5, "< 50% of peak at"), (0.1, "< 10% of peak at")):
        assert _table_row(result.out, measure) == [
            str(first_below(v, fraction, s)) for v, s in zip(expected, peak_steps)]
    assert _table_row(result.out, "steps ≥ 50% peak") == [
        str(sum(1 for x in v if x >= 0.5 * max(v))) for v in expected]
    for step, share in ((10, "10%"), (25, "25%"), (50, "50%"), (74, "75%"), (99, "100%")):
        assert _table_row(result.out, f"lr @ {step} ({share})") == [
            four(v[step]) for v in expected]


MANY = ["cosine:warmup=10", "onecycle:max_lr=0.1", "wsd:decay_steps=30",
        "cosine_restarts:first_decay_steps=20", "cyclic:base_lr=0.01,max_lr=0.1,step_size=10",
        "step:lr=0.1,step_size=30", "keras.CosineDecay:initial_learning_rate=0.1,decay_steps=99"]


def test_compare_table_splits_to_fit_80_columns(cli, monkeypatch):
    from rich.console import Console

    import lrplot.render.terminal as terminal

    recorded = Console(width=80, record=True, color_system=None)
    monkeypatch.setattr(terminal, "console", lambda: recorded)
    assert cli("compare", *MANY, "--steps", "100").code == 0
    text = recorded.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    tables = text.split("┏")[1:]
    assert len(tables) >= 2
    # each schedule is one column of one table, its header the whole label (wrapped)
    headers = []
    for table in tables:
        lines = table.split("┡")[0].splitlines()[1:]
        columns = zip(*(line.split("┃")[2:-1] for line in lines))
        headers += ["".join(cell.strip() for cell in column) for column in columns]
    assert headers == MANY
    # the peaks of every schedule, in the order given, across the tables
    peaks = [cell for table in tables for cell in _table_row("┏" + table, "peak at step")]
    assert peaks == ["10", "29", "0", "0", "10", "0", "0"]
    assert text.count("first step after the peak") == 1


def test_sampled_steps_note_staircases_not_ramps():
    from lrplot.stats import isolated, sample_steps

    assert isolated(np.array([30, 60, 71, 72, 73, 90])).tolist() == [30, 60, 90]
    step = resolve("step", {"lr": 0.1, "step_size": 30}, Context(steps=100)).values(100)
    wsd = wsd_linear(100)  # a 30-step linear decay: a value change at every step from 71
    notes = dict(sample_steps([step, wsd], [[], []], 100))
    # the step schedule's three drops, and none of the ramp's 29 changes
    assert [s for s, note in notes.items() if note == "change"] == [30, 60, 90]
