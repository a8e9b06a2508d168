"""Gradient descent under a schedule: numbers from the closed form, CSV, JSON, figure."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from lrplot.errors import LrplotError
from lrplot.simulate import OBJECTIVES, csv_columns, objective, simulate


def closed_form(lrs, w0=5.0, c=1.0):
    """w_{t+1} + 1 = (1 − 2c·lr_t)(w_t + 1), written as the plain recursion."""
    w, out = w0, []
    for lr in lrs:
        out.append(w)
        w = -1 + (1 - 2 * c * lr) * (w + 1)
    return np.array(out)


def test_lr_02_converges():
    run = simulate("c", np.full(6, 0.2), objective("quadratic"))
    np.testing.assert_allclose(run.w[:4, 0], [5, 2.6, 1.16, 0.296], rtol=1e-12)
    np.testing.assert_allclose(run.loss, (run.w[:, 0] + 1) ** 2, rtol=1e-12)
    assert run.loss[0] == 36 and run.diverged_at is None


def test_lr_1_oscillates():
    run = simulate("c", np.ones(6), objective("quadratic"))
    np.testing.assert_array_equal(run.w[:, 0], [5, -7, 5, -7, 5, -7])
    np.testing.assert_array_equal(run.loss, np.full(6, 36.0))


def test_decaying_lr_matches_recursion():
    lrs = 0.1 * 0.99 ** np.arange(40)
    run = simulate("e", lrs, objective("quadratic"), w0=3.0)
    np.testing.assert_allclose(run.w[:, 0], closed_form(lrs, w0=3.0), rtol=1e-12)


def test_valley_coordinates():
    lrs = np.full(30, 0.03)
    run = simulate("v", lrs, objective("valley"))
    assert run.w.shape == (30, 2)
    np.testing.assert_allclose(run.w[:, 0], closed_form(lrs, c=1.0), rtol=1e-12)
    np.testing.assert_allclose(run.w[:, 1], closed_form(lrs, c=25.0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(run.loss, (run.w[:, 0] + 1) ** 2 + 25 * (run.w[:, 1] + 1) ** 2)


def test_divergence_is_cut_off():
    run = simulate("big", np.full(500, 1.5), objective("quadratic"))
    # |w + 1| = 6·2^t passes 1e100 first at t = ceil(log2(1e100 / 6))
    first = next(t for t in range(500) if 6 * 2.0**t > 1e100)
    assert run.diverged_at == first
    assert np.isnan(run.w[first:]).all() and np.isfinite(run.w[:first]).all()


def test_noisy_is_seeded_and_matches_the_loop():
    lrs = np.linspace(0.1, 0.0, 50)
    obj = objective("noisy")
    a, b = simulate("a", lrs, obj, seed=3), simulate("b", lrs, obj, seed=3)
    np.testing.assert_array_equal(a.w, b.w)
    assert not np.array_equal(a.w, simulate("c", lrs, obj, seed=4).w)
    eps = np.random.default_rng(3).standard_normal((50, 1))[:, 0] * obj.noise
    w, expected = 5.0, []
    for lr, e in zip(lrs, eps):
        expected.append(w)
        w = w - lr * (2 * (w + 1) + e)
    np.testing.assert_allclose(a.w[:, 0], expected, rtol=1e-12)


def test_unknown_objective():
    with pytest.raises(LrplotError, match="quadratic, valley, noisy"):
        objective("rosenbrock")


def test_csv_columns_names():
    one = simulate("x", np.full(3, 0.1), OBJECTIVES["valley"])
    assert csv_columns([one])[0] == ["lr", "w1", "w2", "loss"]
    names, _ = csv_columns([one, one])
    assert names[:4] == ["x lr", "x w1", "x w2", "x loss"]


def test_cli_csv_one_spec(cli, tmp_path):
    path = tmp_path / "sim.csv"
    result = cli("simulate", "constant:lr=0.2", "--steps", "6", "--out", path)
    assert result.code == 0, result.err
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows[0] == ["step", "lr", "w", "loss"]
    w = [float(r[2]) for r in rows[1:]]
    np.testing.assert_allclose(w[:4], [5, 2.6, 1.16, 0.296], rtol=1e-12)
    assert [float(r[3]) for r in rows[1:]] == pytest.approx([(x + 1) ** 2 for x in w])


def test_cli_csv_several_specs(cli, tmp_path):
    path = tmp_path / "sim.csv"
    specs = ["constant:lr=0.2", "constant:lr=1", "exponential:lr=0.1,decay_rate=0.99"]
    assert cli("simulate", *specs, "--steps", "40", "--out", path).code == 0
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows[0] == ["step"] + [f"{s} {c}" for s in specs for c in ("lr", "w", "loss")]
    assert len(rows) == 41
    assert [float(r[5]) for r in rows[1:5]] == [5, -7, 5, -7]
    lrs = 0.1 * 0.99 ** np.arange(40)
    np.testing.assert_allclose([float(r[7]) for r in rows[1:]], lrs, rtol=1e-12)
    np.testing.assert_allclose([float(r[8]) for r in rows[1:]], closed_form(lrs), rtol=1e-12)


def test_cli_json_and_terminal(cli, tmp_path):
    path = tmp_path / "sim.json"
    assert cli("simulate", "constant:lr=1.5", "--steps", "400", "--out", path).code == 0
    doc = json.loads(path.read_text())
    run = doc["runs"][0]
    assert doc["objective"] == "quadratic" and run["w"][:2] == [5.0, -13.0]
    assert run["diverged_at"] is not None and run["w"][-1] is None
    result = cli("simulate", "constant:lr=0.2", "constant:lr=1", "--steps", "40")
    assert result.code == 0
    assert "loss (log scale)" in result.out and "never" in result.out  # lr=1 never converges


def test_cli_errors(cli):
    assert cli("simulate", "constant", "--objective", "nope").code == 2
    assert cli("simulate", "constant", "--steps", "2000000").code == 2
    assert cli("simulate", "constant", "--w0", "nan").code == 2
    assert cli("simulate", "constant", "--out", "sim.txt").code == 2


def test_simulation_figure():
    from lrplot.render.figures import build_simulation_figure
    from lrplot.render.style import FigureOptions

    runs = [simulate(str(lr), np.full(40, lr), objective("quadratic")) for lr in (0.2, 1.0)]
    fig = build_simulation_figure(runs, FigureOptions())
    lr_ax, w_ax, loss_ax = fig.axes[:3]
    assert [ax.get_ylabel() for ax in (lr_ax, w_ax, loss_ax)] == ["learning rate", "w", "loss"]
    assert loss_ax.get_yscale() == "log" and loss_ax.get_xlabel() == "step"
    assert len(lr_ax.get_lines()) == 2 and len(loss_ax.get_lines()) == 2
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["0.2", "1.0"] and "optimum w = −1" in legend
    np.testing.assert_array_equal(w_ax.get_lines()[1].get_ydata()[:4], [5, -7, 5, -7])


def _overlapping(labels, renderer):
    boxes = [t.get_window_extent(renderer) for t in labels if t.get_text()]
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]


def test_diverging_run_keeps_w_ticks_readable():
    """A run that blows up puts w on a symmetric log scale whose labels do not collide."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from lrplot.render.figures import build_simulation_figure
    from lrplot.render.style import FigureOptions

    valley = objective("valley")
    # y's factor is 1 − 2·25·0.045 = −1.25: |y + 1| grows as 1.25^t, to ~1e19 by step 200
    runs = [simulate(f"lr={lr}", np.full(200, lr), valley) for lr in (0.02, 0.045)]
    fig = build_simulation_figure(runs, FigureOptions())
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    w_ax = fig.axes[1]
    assert w_ax.get_yscale() == "symlog"
    ticks = [t for t in w_ax.get_yticks() if w_ax.get_ylim()[0] <= t <= w_ax.get_ylim()[1]]
    assert 0.0 in ticks and sorted(ticks) == sorted(-t for t in ticks)  # symmetric about 0
    assert len(ticks) >= 5
    assert not _overlapping(w_ax.get_yticklabels(), canvas.get_renderer())


def test_cli_csv_epoch_column(cli, tmp_path):
    path = tmp_path / "sim.csv"
    assert cli("simulate", "constant:lr=0.2", "--epochs", "3", "--steps-per-epoch", "4",
               "--out", path).code == 0
    rows = list(csv.reader(path.read_text().splitlines()))
    assert rows[0] == ["step", "epoch", "lr", "w", "loss"]
    assert [(int(r[0]), int(r[1])) for r in rows[1:]] == [(t, t // 4) for t in range(12)]
    np.testing.assert_allclose([float(r[3]) for r in rows[1:5]], [5, 2.6, 1.16, 0.296])


def test_terminal_table_fits_80_columns(cli, monkeypatch):
    from rich.console import Console

    import lrplot.render.terminal as terminal

    recorded = Console(width=80, record=True, color_system=None)
    monkeypatch.setattr(terminal, "console", lambda: recorded)
    specs = ["constant:lr=0.2", "constant:lr=1.5", "exponential:lr=0.1,decay_rate=0.99"]
    assert cli("simulate", *specs, "--steps", "400").code == 0
    text = recorded.export_text(clear=True)
    assert max(len(line) for line in text.splitlines()) <= 80
    table = text.split("┏")[1]
    assert table.rstrip().endswith("┘")  # the whole table, not cropped at the edge
    # lr 1.5: |w + 1| = 6·2^t first passes 1e100 at t = ceil(log2(1e100 / 6))
    first = next(t for t in range(400) if 6 * 2.0**t > 1e100)
    row = next(line for line in table.splitlines() if "constant:lr=1.5" in line)
    assert row.split("│")[-2].strip() == str(first)
    assert cli("simulate", specs[0], "--steps", "40").code == 0
    assert "diverged" not in recorded.export_text()  # no column when nothing diverged
