"""Figures: lines, markers, labels, options (--dpi --size --theme) and reproducible SVG."""

from __future__ import annotations

import struct
import subprocess
import sys

import pytest

from lrplot.catalogue import Context, resolve
from lrplot.render.plot import FigureOptions, build_figure


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
