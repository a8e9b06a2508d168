"""The Python API as a notebook uses it: load, look, save, plot on your own axes.

Expected numbers are the closed forms of the families (cosine: min_lr + (lr − min_lr)·½(1 +
cos(π·t/T))) or the CLI's own output for the same input: the library and the command are
one pipeline, so they must agree byte for byte.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

import lrplot

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def _cosine(t: np.ndarray, lr: float, total: int, min_lr: float = 0.0) -> np.ndarray:
    return min_lr + (lr - min_lr) * 0.5 * (1 + np.cos(np.pi * np.minimum(t, total) / total))


def test_load_a_spec_and_a_config_like_the_cli(cli):
    config = str(CONFIGS / "llama_warmup_cosine.toml")
    run = lrplot.load("cosine:lr=0.2", config)
    first, llama = run.schedules
    assert first.label == "cosine:lr=0.2"
    # The config sets the run shown; the spec keeps its own default length (100 steps).
    n = run.settings.steps
    assert n == 250_000
    np.testing.assert_allclose(first.values(n), _cosine(np.arange(n), 0.2, 100), rtol=1e-12)
    result = cli("plot", "cosine:lr=0.2", config, "--out", "-")
    rows = [row.split(",") for row in result.out.splitlines()[1:]]
    assert [float(row[1]) for row in rows] == first.values(n).tolist()
    assert [float(row[2]) for row in rows] == llama.values(n).tolist()


def test_load_refuses_what_the_cli_refuses():
    with pytest.raises(lrplot.LrplotError, match="unknown parameter 'decay'"):
        lrplot.load("cosine:decay=5")
    with pytest.raises(lrplot.LrplotError, match="--steps must be an integer"):
        lrplot.load("cosine", steps=0)


def test_save_writes_what_the_cli_writes(cli, tmp_path):
    run = lrplot.load("cosine:warmup=5", "onecycle:max_lr=0.1", steps=40)
    lrplot.save(run, str(tmp_path / "lr.csv"), str(tmp_path / "lr.json"),
                str(tmp_path / "lr.png"))
    result = cli("plot", "cosine:warmup=5", "onecycle:max_lr=0.1", "--steps", "40",
                 "--out", tmp_path / "cli.csv")
    assert result.code == 0, result.err
    assert (tmp_path / "lr.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    rows = list(csv.reader((tmp_path / "lr.csv").read_text().splitlines()))
    assert rows[0] == ["step", "cosine:warmup=5", "onecycle:max_lr=0.1"] and len(rows) == 41
    doc = json.loads((tmp_path / "lr.json").read_text())
    assert doc["steps"] == 40
    assert (tmp_path / "lr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_save_checks_every_path_before_writing(tmp_path):
    with pytest.raises(lrplot.LrplotError, match=r"unknown extension '\.txt'"):
        lrplot.save("cosine", str(tmp_path / "ok.csv"), str(tmp_path / "bad.txt"))
    assert not (tmp_path / "ok.csv").exists()


def test_figure_is_a_matplotlib_figure_of_the_numbers():
    from matplotlib.figure import Figure

    fig = lrplot.figure("cosine:lr=0.1", steps=30, title="mine")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_title(loc="left") == "mine"
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "cosine:lr=0.1"]
    np.testing.assert_allclose(line.get_ydata(), _cosine(np.arange(30), 0.1, 30), rtol=1e-12)


def test_figure_of_a_comparison_has_panels():
    fig = lrplot.figure(["cosine", "constant"], steps=20, layout="both")
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["all schedules", "cosine", "constant"]


def test_schedule_plot_on_your_own_axes():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    sched = lrplot.schedule("step", lr=1.0, step_size=3, gamma=0.5)
    assert sched.plot(ax, steps=9) is ax
    (line,) = ax.get_lines()
    assert line.get_ydata().tolist() == [0.5 ** (t // 3) for t in range(9)]
    assert ax.get_ylabel() == "learning rate"
    # Without an axes a new figure's is returned, with the schedule's natural length.
    own = lrplot.parse("cosine:decay_steps=12").plot()
    assert len(own.get_lines()[0].get_ydata()) == 12


def test_show_prints_the_terminal_view(capsys):
    lrplot.show("cosine:lr=0.5", steps=10)
    out = capsys.readouterr().out
    assert "cosine:lr=0.5" in out and "0.5" in out


def test_simulation_saves_like_the_cli(cli, tmp_path):
    sim = lrplot.simulation("constant:lr=0.2", steps=5)
    lrplot.save(sim, str(tmp_path / "sim.csv"))
    rows = list(csv.reader((tmp_path / "sim.csv").read_text().splitlines()))
    assert rows[0] == ["step", "lr", "w", "loss"]
    # w ← w − lr·2(w+1) from w0 = 5: w_t + 1 = 6·(1 − 0.4)^t, loss = (w+1)².
    for t, row in enumerate(rows[1:]):
        assert float(row[2]) == pytest.approx(6 * 0.6**t - 1, rel=1e-12)
        assert float(row[3]) == pytest.approx((6 * 0.6**t) ** 2, rel=1e-12)
    assert math.isclose(float(rows[1][1]), 0.2)
