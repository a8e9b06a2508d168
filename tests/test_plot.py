"""Figures: lines, markers, labels, options (--dpi --size --theme) and reproducible SVG."""

from __future__ import annotations

import struct
import subprocess
import sys

import pytest

from lrplot.definition import Context
from lrplot.registry import resolve
from lrplot.render.figures import build_figure
from lrplot.render.style import FigureOptions


def _cosine(**params):
    return resolve("cosine", params, Context(steps=100), label="cosine")


def test_single_figure_lines_events_labels():
    fig = build_figure([_cosine(warmup=10)], 100, FigureOptions())
    ax = fig.axes[0]
    curves = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert len(curves) == 1 and len(curves[0].get_xdata()) == 100
    marks = [ln for ln in ax.get_lines() if ln.get_label() == "_event warmup end"]
    assert len(marks) == 1 and marks[0].get_xdata()[0] == 10
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "learning rate")
    assert ax.get_title(loc="left") == "cosine"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["warmup end"]


def test_restarts_marked_and_legend_outside():
    sgdr = resolve("cosine_restarts", {"first_decay_steps": 20}, Context(steps=100), label="r")
    fig = build_figure([sgdr, _cosine()], 100, FigureOptions())
    ax = fig.axes[0]
    restarts = [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_label() == "_event restart"]
    assert restarts == [20, 60]  # periods 20, 40 (t_mul 2)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[:2] == ["r", "cosine"] and "restart" in texts
    assert ax.get_title(loc="left") == "2 learning-rate schedules"


def test_lr_ticks_readable_at_small_scale():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    tiny = resolve("constant", {"lr": 3e-5}, Context(steps=10), label="tiny")
    ramp = resolve("linear", {"lr": 3e-5, "decay_steps": 9}, Context(steps=10), label="ramp")
    fig = build_figure([tiny, ramp], 10, FigureOptions())
    FigureCanvasAgg(fig).draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert len(set(labels)) == len(labels) and all(len(t) <= 8 for t in labels)
    log = build_figure([tiny], 10, FigureOptions(log=True))
    assert log.axes[0].get_yscale() == "log"


def test_theme_size_dpi():
    fig = build_figure([_cosine()], 100, FigureOptions(theme="dark", size=(4.0, 3.0), dpi=50))
    assert tuple(fig.get_size_inches()) == (4.0, 3.0) and fig.dpi == 50
    r, g, b, _ = fig.get_facecolor()
    assert max(r, g, b) < 0.2  # dark background
    light = build_figure([_cosine()], 100, FigureOptions())
    assert light.get_facecolor()[:3] == (1.0, 1.0, 1.0)


def _png_size(path):
    header = path.read_bytes()[:24]
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("command", [
    ("cosine", "--warmup", "5"),
    ("plot", "cosine", "constant:lr=0.05"),
    ("compare", "cosine", "constant:lr=0.05", "--layout", "overlay"),
    ("simulate", "constant:lr=0.2"),
])
def test_every_plotting_command_takes_dpi_size_theme(cli, tmp_path, command):
    path = tmp_path / "out.png"
    result = cli(*command, "--dpi", "50", "--size", "4x3", "--theme", "dark", "--out", path)
    assert result.code == 0, result.err
    assert _png_size(path) == (200, 150)


@pytest.mark.parametrize("bad", [("--dpi", "5"), ("--size", "8"), ("--size", "0x4"),
                                 ("--size", "axb"), ("--theme", "pink"),
                                 ("--size", "50x50", "--dpi", "1200")])
def test_bad_figure_options(cli, tmp_path, bad):
    result = cli("cosine", *bad, "--out", tmp_path / "x.png")
    assert result.code == 2 and "Traceback" not in result.err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("command", [
    ("plot", "cosine:warmup=10", "cosine_restarts:first_decay_steps=20"),
    ("compare", "cosine:warmup=10", "onecycle:max_lr=0.1", "--steps-per-epoch", "10"),
    ("simulate", "constant:lr=0.2", "constant:lr=1", "--objective", "valley"),
])
def test_svg_is_byte_for_byte_reproducible(cli, tmp_path, command):
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    assert cli(*command, "--steps", "100", "--out", first).code == 0
    assert cli(*command, "--steps", "100", "--out", second).code == 0
    assert first.read_bytes() == second.read_bytes()
    assert b"<svg" in first.read_bytes()


def test_data_paths_do_not_import_matplotlib(tmp_path):
    code = (
        "import sys\n"
        "from lrplot.cli import main\n"
        f"assert main(['compare', 'cosine', 'constant', '--out', r'{tmp_path}/c.csv']) == 0\n"
        f"assert main(['simulate', 'cosine', '--out', r'{tmp_path}/s.csv']) == 0\n"
        "assert main(['compare', 'cosine', '--vary', 'min_lr=0,0.01']) == 0\n"
        "print('matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={"PYTHONPATH": ":".join(sys.path), "NO_COLOR": "1"})
    assert done.stdout.strip().splitlines()[-1] == "False"


def _drawn(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def test_each_kind_of_event_has_its_own_line_style():
    """Restarts and cycle boundaries (and warmup end, phase change) must not look alike."""
    specs = [("cosine_restarts", {"first_decay_steps": 20, "warmup": 5}),
             ("cyclic", {"base_lr": 0.01, "max_lr": 0.1, "step_size": 10}),
             ("onecycle", {"max_lr": 0.1})]
    schedules = [resolve(name, params, Context(steps=100), label=name) for name, params in specs]
    fig = build_figure(schedules, 100, FigureOptions())
    patterns = {}
    for line in fig.axes[0].get_lines():
        if line.get_label().startswith("_event "):
            # matplotlib has no public getter for the dash pattern it draws
            patterns.setdefault(line.get_label()[7:], set()).add(
                (line.get_linestyle(), str(line._unscaled_dash_pattern)))
    assert set(patterns) == {"warmup end", "restart", "cycle", "phase"}
    assert all(len(p) == 1 for p in patterns.values())  # one style per kind
    assert len({p.pop() for p in patterns.values()}) == 4  # and the kinds differ


def test_long_legend_goes_below_and_the_axes_keep_their_height():
    short = build_figure([_cosine(), resolve("constant", {"lr": 0.05}, Context(steps=100),
                                             label="c")], 100, FigureOptions())
    long_labels = [f"{'very_long_parameter_name=1,' * 3}schedule_{i}" for i in range(6)]
    many = [resolve("cosine", {"min_lr": 0.01 * i}, Context(steps=100), label=label)
            for i, label in enumerate(long_labels)]
    tall = build_figure(many, 100, FigureOptions())
    assert tall.get_figheight() > short.get_figheight()  # grown for the legend rows
    heights = [f.axes[0].get_window_extent(_drawn(f)).height / f.dpi for f in (short, tall)]
    assert heights[1] == pytest.approx(heights[0], rel=0.1)
    legend = tall.legends[0]
    box = legend.get_window_extent(_drawn(tall))
    assert box.x0 >= 0 and box.x1 <= tall.bbox.width  # within the figure
    assert ["".join(t.get_text().split()) for t in legend.get_texts()] == long_labels
    # a fixed --size is kept as given
    fixed = build_figure(many, 100, FigureOptions(size=(8.0, 6.0)))
    assert tuple(fixed.get_size_inches()) == (8.0, 6.0)


def test_long_title_stays_inside_the_figure():
    label = "cosine:" + ",".join(f"option_{i}=value_{i}" for i in range(12))
    fig = build_figure([resolve("cosine", {}, Context(steps=100), label=label)], 100,
                       FigureOptions())
    title = fig.axes[0]._left_title  # matplotlib gives no public handle on a left title
    assert title.get_window_extent(_drawn(fig)).x1 <= fig.bbox.width
    assert "\n" in title.get_text()


def test_legend_columns_fill_rows_evenly():
    from lrplot.render.layout import legend_columns

    # four entries of 100 pt: one row when 4 fit; 2 × 2 (not 3 + 1) when only 3 fit
    assert legend_columns([100] * 4, room=460, spacing=10) == 4
    assert legend_columns([100] * 4, room=330, spacing=10) == 2
    assert legend_columns([100] * 4, room=150, spacing=10) == 1
    assert legend_columns([500, 10], room=200, spacing=10) == 1  # too wide: one column
    # columns are as wide as their widest entry: [300, 10 | 10] needs 320
    assert legend_columns([300, 10, 10], room=330, spacing=10) == 2


def test_plateau_reductions_marked_with_the_metric_alongside():
    """A metric that never improves: with patience 2, ReduceLROnPlateau cuts after the 3rd
    bad observation, so the lr halves at steps 4, 7 and 10 (metric[t] is seen after t)."""
    import numpy as np

    ctx = Context(steps=12, metric=np.ones(12), metric_label="val_loss")
    plateau = resolve("plateau", {"lr": 0.1, "factor": 0.5, "patience": 2}, ctx, label="p")
    fig = build_figure([plateau], 12, FigureOptions())
    lr_ax, metric_ax = fig.axes[:2]
    (marks,) = [ln for ln in lr_ax.get_lines() if ln.get_label() == "_reductions"]
    assert marks.get_xdata().tolist() == [4, 7, 10]
    np.testing.assert_allclose(marks.get_ydata(), [0.1 * 0.5, 0.1 * 0.25, 0.1 * 0.125])
    assert metric_ax.get_ylabel() == "val_loss"
    assert metric_ax.get_lines()[0].get_ydata().tolist() == [1.0] * 12
    assert "lr reduced (plateau)" in [t.get_text() for t in fig.legends[0].get_texts()]
