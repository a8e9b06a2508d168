"""The terminal chart: braille dots, fits 80 columns, shape follows the values."""

from __future__ import annotations

import numpy as np
from rich.console import Console

from lrplot.render.chart import BRAILLE_BASE, line_chart


def _render(chart, width=80):
    console = Console(width=width, record=True, color_system=None)
    console.print(chart)
    return console.export_text()


def _grid(text):
    """Rows of the plot area only: lines with an axis mark, the gutter cut off."""
    rows = [line for line in text.splitlines() if "┤" in line or "│" in line]
    return [line.split("┤" if "┤" in line else "│", 1)[1] for line in rows]


def test_fits_80_columns_and_uses_braille():
    x = np.arange(1000)
    series = [("a", 0.1 * np.cos(x / 100) ** 2), ("b with a long label " * 3, x / 1e4)]
    text = _render(line_chart(series, width=80))
    assert max(len(line) for line in text.splitlines()) <= 80
    assert any(BRAILLE_BASE < ord(c) <= BRAILLE_BASE + 0xFF for c in text)
    assert "step" in text and "999" in text


def test_rising_line_goes_from_bottom_left_to_top_right():
    text = _render(line_chart([("up", np.linspace(0, 1, 200))], width=40, height=6))
    grid = _grid(text)
    cols = text.count("─")
    assert len(grid) == 6 and cols > 30
    top, bottom = grid[0].ljust(cols), grid[-1].ljust(cols)
    assert bottom[0] != " " and top[0] == " "  # starts low
    assert top[-1] != " " and bottom[-1] == " "  # ends high


def test_constant_is_one_row_and_labelled():
    text = _render(line_chart([("c", np.full(50, 0.25))], width=60, height=5))
    grid = _grid(text)
    lit = [i for i, row in enumerate(grid) if row.strip()]
    assert len(lit) == 1
    assert "0.25" in text


def test_jump_is_drawn_as_a_vertical_stroke():
    values = np.where(np.arange(100) < 50, 1.0, 0.0)
    grid = _grid(_render(line_chart([("step", values)], width=40, height=4)))
    # some column is lit in every row: the drop from 1 to 0
    columns = zip(*[row.ljust(40) for row in grid])
    assert any(all(c != " " for c in column) for column in columns)


def test_log_scale_skips_zeros_and_legend_lists_series():
    values = np.array([1.0, 0.1, 0.01, 0.0])
    text = _render(line_chart([("x", values), ("y", values * 2)], log=True, width=50))
    assert "━━ x" in text and "━━ y" in text
    assert "0.01" in text or "1e-02" in text


def test_cli_terminal_output_has_chart_within_80_columns(cli, monkeypatch):
    import lrplot.render.terminal as terminal

    recorded = Console(width=80, record=True, color_system=None)
    monkeypatch.setattr(terminal, "console", lambda: recorded)
    for args in (("cosine", "--warmup", "10"),
                 ("compare", "cosine:warmup=10", "onecycle:max_lr=0.1", "wsd:decay_steps=30",
                  "--steps", "100"),
                 ("simulate", "constant:lr=0.2", "constant:lr=1")):
        assert cli(*args).code == 0
        text = recorded.export_text()
        assert any(BRAILLE_BASE < ord(c) <= BRAILLE_BASE + 0xFF for c in text)
        chart_lines = text.split("┏")[0].splitlines()
        assert max(len(line) for line in chart_lines) <= 80


def test_legend_entries_are_never_split_between_lines():
    labels = ["torch.CosineAnnealingLR:T_max=100",
              "keras.CosineDecay:initial_learning_rate=0.1,decay_steps=100",
              "cosine:warmup=10", "onecycle:max_lr=0.1", "wsd:decay_steps=30"]
    series = [(label, np.linspace(0, 1, 50) * (i + 1)) for i, label in enumerate(labels)]
    text = _render(line_chart(series, width=80))
    legend = [line for line in text.splitlines() if "━━" in line]
    assert max(len(line) for line in legend) <= 80
    entries = [entry.strip() for line in legend for entry in line.split("━━")[1:]]
    assert entries == labels  # each whole, in order, on some line
    assert len(legend) < len(labels)  # short entries still share lines
