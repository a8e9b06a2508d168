"""--steps-per-epoch and --epochs: CSV epoch column, epoch axis on figures, errors."""

from __future__ import annotations

import csv

import pytest

from lrplot.definition import Context
from lrplot.registry import resolve


def test_csv_epoch_column(cli, tmp_path):
    path = tmp_path / "lr.csv"
    assert cli("cosine", "--steps", "25", "--steps-per-epoch", "8", "--out", path).code == 0
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows[0] == ["step", "epoch", "lr"]
    assert [(int(r[0]), int(r[1])) for r in rows[1:]] == [(t, t // 8) for t in range(25)]


def test_epochs_sets_the_length(cli, tmp_path):
    path = tmp_path / "lr.csv"
    result = cli("plot", "cosine", "--epochs", "4", "--steps-per-epoch", "6", "--out", path)
    assert result.code == 0, result.err
    rows = list(csv.reader(path.read_text().splitlines()))[1:]
    assert len(rows) == 4 * 6 and rows[-1][1] == "3"
    # decay_steps defaults to the run length: the last lr is cos-decayed for 23 of 24 steps
    assert float(rows[-1][2]) == pytest.approx(resolve("cosine", {}, Context(steps=24))(23))


@pytest.mark.parametrize("args", [
    ("cosine", "--epochs", "3"),
    ("cosine", "--epochs", "3", "--steps", "10", "--steps-per-epoch", "2"),
    ("cosine", "--epochs", "0", "--steps-per-epoch", "2"),
    ("cosine", "--steps-per-epoch", "0"),
    ("compare", "cosine", "constant", "--epochs", "3"),
    ("simulate", "constant", "--epochs", "3"),
    ("cosine", "--epochs", "100000000", "--steps-per-epoch", "100"),
])
def test_epoch_errors(cli, args):
    result = cli(*args)
    assert result.code == 2 and result.err.startswith("lrplot")
    assert "epoch" in result.err


def _epoch_axes(fig):
    return [child for ax in fig.axes for child in ax.child_axes
            if type(child).__name__ == "SecondaryAxis"]


def test_epoch_axis_on_top_of_plots():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from lrplot.render.figures import build_compare_figure, build_figure
    from lrplot.render.style import FigureOptions

    schedules = [resolve("cosine", {}, Context(steps=100), label=s) for s in ("a", "b")]
    fig = build_figure(schedules, 100, FigureOptions(steps_per_epoch=10))
    FigureCanvasAgg(fig).draw()
    (top,) = _epoch_axes(fig)
    assert top.get_xlabel() == "epoch" and fig.axes[0].get_xlabel() == "step"
    assert top.get_xlim() == pytest.approx((0.0, 9.9))  # steps 0..99 at 10 steps per epoch
    assert not _epoch_axes(build_figure(schedules, 100, FigureOptions()))
    compare = build_compare_figure(schedules, 100, FigureOptions(steps_per_epoch=10))
    assert len(_epoch_axes(compare)) == 1  # on the overlay only


def test_epoch_axis_in_svg_and_png(cli, tmp_path):
    svg, png = tmp_path / "lr.svg", tmp_path / "lr.png"
    assert cli("cosine", "--steps-per-epoch", "10", "--out", svg, "--out", png).code == 0
    assert b"epoch" in svg.read_bytes()
    plain = tmp_path / "plain.svg"
    assert cli("cosine", "--out", plain).code == 0
    assert b"epoch" not in plain.read_bytes()
    assert png.stat().st_size > 0


def test_epoch_column_in_the_terminal_table(cli):
    result = cli("cosine", "--steps", "20", "--steps-per-epoch", "5")
    header = next(line for line in result.out.splitlines() if "step" in line and "lr" in line)
    assert "epoch" in header


def test_compare_with_epochs(cli, tmp_path):
    path = tmp_path / "cmp.csv"
    result = cli("compare", "cosine", "constant:lr=0.05", "--epochs", "4",
                 "--steps-per-epoch", "25", "--out", path)
    assert result.code == 0, result.err
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows[0] == ["step", "epoch", "cosine", "constant:lr=0.05"]
    assert len(rows) == 1 + 100 and rows[-1][:2] == ["99", "3"]


def test_epoch_axis_on_each_top_panel_of_a_grid():
    from lrplot.render.figures import build_compare_figure
    from lrplot.render.style import FigureOptions

    schedules = [resolve("cosine", {}, Context(steps=100), label=s) for s in "abcde"]
    fig = build_compare_figure(schedules, 100, FigureOptions(steps_per_epoch=10,
                                                             layout="grid"))
    tops = _epoch_axes(fig)
    assert len(tops) == 3  # five panels in rows of three: the first row carries epochs
    assert {top.get_xlabel() for top in tops} == {"epoch"}


def test_epoch_axis_in_compare_and_simulate_svg(cli, tmp_path):
    for args in (("compare", "cosine", "constant"), ("simulate", "constant:lr=0.2")):
        svg = tmp_path / "x.svg"
        assert cli(*args, "--steps", "40", "--steps-per-epoch", "8", "--out", svg).code == 0
        assert b"epoch" in svg.read_bytes()
