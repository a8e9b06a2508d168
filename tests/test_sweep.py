"""Sweeps: --vary expansion (pure) and sweeps through the CLI."""

from __future__ import annotations

import csv
import math

import pytest

from lrplot.errors import LrplotError
from lrplot.sweep import MAX_VARIANTS, expand, parse_vary, sweep_title


def test_one_parameter():
    variants = expand("cosine:warmup=10", ["min_lr=0,0.01,0.05"])
    assert [v.label for v in variants] == ["min_lr=0", "min_lr=0.01", "min_lr=0.05"]
    assert [v.params for v in variants] == [
        {"warmup": 10, "min_lr": 0}, {"warmup": 10, "min_lr": 0.01},
        {"warmup": 10, "min_lr": 0.05}]
    assert {v.name for v in variants} == {"cosine"}


def test_two_parameters_give_the_grid_in_option_order():
    variants = expand("cosine", ["min_lr=0,0.01", "warmup=5,10,20"])
    assert len(variants) == 6
    assert variants[0].label == "min_lr=0, warmup=5"
    assert variants[1].label == "min_lr=0, warmup=10"
    assert variants[5].label == "min_lr=0.01, warmup=20"
    assert variants[5].params == {"min_lr": 0.01, "warmup": 20}


def test_list_values_and_dashes():
    axis = parse_vary("milestones=[30,60],[50, 80]")
    assert axis.key == "milestones" and axis.texts == ("[30,60]", "[50, 80]")
    variants = expand("multistep:lr=0.1", ["milestones=[30,60],[50,80]"])
    assert [v.params["milestones"] for v in variants] == [[30, 60], [50, 80]]
    assert parse_vary("min-lr=1,2").key == "min_lr"


def test_title():
    assert sweep_title("cosine:warmup=10", ["min_lr=0,1", "lr=1,2"]) == \
        "cosine:warmup=10, varying min_lr and lr"


@pytest.mark.parametrize(("spec", "varies", "message"), [
    ("cosine", ["min_lr"], "write KEY=V1,V2"),
    ("cosine", ["=1,2"], "write KEY=V1,V2"),
    ("cosine", ["min_lr=1,,2"], "non-empty"),
    ("cosine", ["min_lr=1,1"], "repeated"),
    ("cosine", ["milestones=[1,2"], "unclosed"),
    ("cosine", ["nosuch=1,2"], "no parameter 'nosuch'"),
    ("cosine", ["min_lr=0,1", "min-lr=2,3"], "varied twice"),
    ("cosine:min_lr=0.1", ["min_lr=0,1"], "also set"),
    ("cfg.toml", ["min_lr=0,1"], "config file"),
    ("nosuch", ["min_lr=0,1"], "unknown schedule"),
])
def test_errors(spec, varies, message):
    with pytest.raises(LrplotError, match=message):
        expand(spec, varies)


def test_too_many_combinations():
    nine = ",".join(str(i) for i in range(1, 10))
    eight = ",".join(str(i) for i in range(1, 9))
    assert 9 * 8 > MAX_VARIANTS >= 8 * 8
    with pytest.raises(LrplotError, match="72 schedules"):
        expand("cosine", [f"warmup={nine}", f"decay_steps={eight}"])
    assert len(expand("cosine", [f"warmup={eight}", f"decay_steps={eight}"])) == 64


def test_sweep_csv_and_png(cli, tmp_path):
    data, png = tmp_path / "sweep.csv", tmp_path / "sweep.png"
    result = cli("compare", "cosine:warmup=10", "--vary", "min_lr=0,0.01,0.05", "--steps", "100",
                 "--out", data, "--out", png)
    assert result.code == 0, result.err
    rows = list(csv.reader(data.read_text().splitlines()))
    assert rows[0] == ["step", "min_lr=0", "min_lr=0.01", "min_lr=0.05"]
    # last step: min_lr + (lr − min_lr)·½(1 + cos(π·89/90)) for each floor
    shape = 0.5 * (1 + math.cos(math.pi * 89 / 90))
    assert [float(x) for x in rows[-1][1:]] == pytest.approx(
        [m + (0.1 - m) * shape for m in (0, 0.01, 0.05)], rel=1e-12)
    assert png.stat().st_size > 0


def test_two_parameter_sweep_csv(cli, tmp_path):
    data = tmp_path / "grid.csv"
    assert cli("compare", "cosine", "--vary", "min_lr=0,0.02", "--vary", "warmup=0,10",
               "--steps", "50", "--out", data).code == 0
    header = next(csv.reader(data.read_text().splitlines()))
    assert header == ["step", "min_lr=0, warmup=0", "min_lr=0, warmup=10",
                      "min_lr=0.02, warmup=0", "min_lr=0.02, warmup=10"]


def test_sweep_figure_legend():
    from lrplot.definition import Context
    from lrplot.registry import resolve
    from lrplot.render.figures import build_compare_figure
    from lrplot.render.style import FigureOptions

    variants = expand("cosine:warmup=10", ["min_lr=0,0.01,0.05"])
    schedules = [resolve(v.name, v.params, Context(steps=100), label=v.label) for v in variants]
    fig = build_compare_figure(schedules, 100, FigureOptions(layout="overlay", sequential=True))
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[:3] == ["min_lr=0", "min_lr=0.01", "min_lr=0.05"]


@pytest.mark.parametrize("args", [
    ("compare", "cosine", "--vary", "min_lr"),
    ("compare", "cosine", "--vary", "bogus=1,2"),
    ("compare", "cosine", "constant", "--vary", "lr=1,2"),
    ("compare", "cosine", "--vary", "min_lr=-1,0"),
])
def test_cli_errors_exit_2(cli, args):
    result = cli(*args)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_sweep_shape():
    from lrplot.sweep import sweep_shape

    assert sweep_shape(["min_lr=0,0.01,0.05", "warmup=0,10"]) == (3, 2)
    assert sweep_shape(["milestones=[30,60],[50,80]"]) == (2,)


def _two_way_figure(layout="both"):
    from lrplot.definition import Context
    from lrplot.registry import resolve
    from lrplot.render.figures import build_compare_figure
    from lrplot.render.style import FigureOptions

    variants = expand("cosine", ["min_lr=0,0.01,0.05", "warmup=0,10"])
    schedules = [resolve(v.name, v.params, Context(steps=100), label=v.label) for v in variants]
    return build_compare_figure(schedules, 100, FigureOptions(layout=layout,
                                                              sweep_shape=(3, 2)))


def test_two_way_sweep_figure_is_the_grid_of_values():
    """Colour follows the first parameter, line style the second; the panels form the
    3 × 2 grid, a row per min_lr and a column per warmup."""
    fig = _two_way_figure()
    overlay, *panels = fig.axes
    curves = [line for line in overlay.get_lines() if not line.get_label().startswith("_")]
    colors = [line.get_color() for line in curves]
    styles = [line.get_linestyle() for line in curves]
    for i in range(6):
        row, col = divmod(i, 2)  # row-major: min_lr (first --vary) changes slowest
        assert (colors[i] == colors[0]) == (row == 0)
        assert colors[i] == colors[2 * row]
        assert styles[i] == styles[col] and styles[0] != styles[1]
    assert len(set(map(str, colors))) == 3
    for i, panel in enumerate(panels):
        spec = panel.get_subplotspec()
        assert (spec.rowspan.start, spec.colspan.start) == divmod(i, 2)
        assert panel.get_title(loc="left") == curves[i].get_label()


def test_cli_passes_the_sweep_shape(cli, tmp_path, monkeypatch):
    from lrplot.render import figures

    seen = []
    real = figures.save

    def spy(fig, handle, fmt, options):
        seen.append(options)
        real(fig, handle, fmt, options)

    monkeypatch.setattr(figures, "save", spy)
    out = tmp_path / "grid.png"
    assert cli("compare", "cosine", "--vary", "min_lr=0,0.01,0.05", "--vary", "warmup=0,10",
               "--out", out).code == 0
    assert seen[-1].sweep_shape == (3, 2) and not seen[-1].sequential
    assert cli("compare", "cosine", "--vary", "min_lr=0,0.01", "--out", out).code == 0
    assert seen[-1].sweep_shape == (2,) and seen[-1].sequential
    assert cli("compare", "cosine", "constant", "--out", out).code == 0
    assert seen[-1].sweep_shape == ()
