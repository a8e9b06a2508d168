"""Text is text: titles and labels are shown exactly as typed, in every output.

Rich markup and ``:emoji:`` codes stay literal in the terminal; ``$…$`` is never mathtext in
figures (a broken ``$\\frac{$`` cannot raise); undecodable bytes (lone surrogates) become
U+FFFD instead of stopping a writer; a label starting with ``_`` keeps its legend entry; and
wrapping a long title costs a number of text measures that grows linearly with its length.
"""

from __future__ import annotations

import io
import json

import pytest

import lrplot
from lrplot.render import layout
from lrplot.render.style import FigureOptions, drawing
from lrplot.text import plain_text
from lrplot.view import View

MARKUP = "a [b]bold[/b] $5 and $6"  # rich would show "a bold $5 and $6"
CLOSING = "ResNet [imagenet] run [/] :fire:"  # "[/]" raised MarkupError; ":fire:" an emoji
TITLE = "run [i]one[/i] [/] :smile:"
SURROGATE = "\udcff"  # the byte 0xff of a command line, as Python hands it over (PEP 383)


def _config(tmp_path, *labels, title=None):
    """A JSON config of one schedule per label (JSON can spell a lone surrogate)."""
    names = ["cosine", "constant", "linear"]
    doc = {"schedule": [{"name": names[i % 3], "label": label} for i, label in enumerate(labels)]}
    if title is not None:
        doc["title"] = title
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(doc), encoding="ascii")  # ensure_ascii: "\udcff" escapes
    return str(path)


def _rendered(renderable, width=200):
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(renderable)
    return console.file.getvalue()


# ---- rich: tables, chart and summary ------------------------------------------------------


def test_a_label_with_markup_is_shown_as_typed_in_the_table(cli, tmp_path):
    result = cli("plot", _config(tmp_path, MARKUP), "--steps", "10")
    assert result.code == 0, result.err
    assert MARKUP in result.out  # the summary's schedule column


@pytest.mark.parametrize("command", ["plot", "compare", "simulate"])
def test_closing_tags_and_emoji_codes_are_text_in_every_terminal_view(cli, tmp_path, command):
    result = cli(command, _config(tmp_path, MARKUP, CLOSING, title=TITLE), "--steps", "10")
    assert result.code == 0, result.err
    assert MARKUP in result.out and CLOSING in result.out and TITLE in result.out
    assert "😄" not in result.out and "🔥" not in result.out


def test_every_rich_renderer_takes_labels_and_titles_as_text():
    import numpy as np

    from lrplot.render import table
    from lrplot.render.chart import line_chart
    from lrplot.simulate import OBJECTIVES, simulate

    labels = [MARKUP, CLOSING]
    columns = [np.linspace(1.0, 0.0, 10), np.full(10, 0.5)]
    shown = [
        _rendered(table.steps_table(labels, columns, [[], []], title=TITLE)),
        _rendered(table.summary_table(labels, columns)),
        _rendered(table.comparison_table(labels, columns, title=TITLE)),
        _rendered(line_chart(list(zip(labels, columns)), title=TITLE)),
    ]
    for text in shown:
        assert all(label in text for label in labels), text
    assert all(TITLE in text for text in shown[::2] + shown[3:])
    runs = [simulate(label, col, OBJECTIVES["quadratic"]) for label, col in zip(labels, columns)]
    assert MARKUP in _rendered(table.simulation_table(runs))


def test_wrapped_comparison_headers_keep_their_brackets():
    """Narrow terminals wrap comparison headers; each wrapped line is still text."""
    import numpy as np

    from lrplot.render.table import comparison_table

    labels = ["warmup [5], cosine [b]x[/b]", "constant [/]", "linear [i]y[/i]"]
    text = _rendered(comparison_table(labels, [np.linspace(1, 0, 10)] * 3), width=50)
    for part in ("warmup [5],", "[b]x[/b]", "constant [/]", "[i]y[/i]"):
        assert part in text, text


# ---- matplotlib: no mathtext -------------------------------------------------------------


def _dollar_glyph() -> str:
    """The SVG id of the '$' glyph: drawn only when '$' is text, not a mathtext delimiter."""
    from matplotlib.font_manager import FontProperties, findfont, get_font

    font = get_font(findfont(FontProperties()))
    return f'id="{font.postscript_name}-{font.get_char_index(ord("$")):x}"'


@pytest.mark.parametrize("title", ["run $5 and $6", "run $\\frac{$"])
@pytest.mark.parametrize("command", ["plot", "compare", "simulate"])
def test_dollar_titles_and_labels_draw_as_typed(cli, tmp_path, command, title):
    config = _config(tmp_path, "$5 and $6", "$\\frac{$", title=title)
    outs = [str(tmp_path / f"lr.{ext}") for ext in ("png", "svg", "pdf")]
    result = cli(command, config, "--steps", "10", *(f"--out={out}" for out in outs))
    assert result.code == 0, result.err
    svg = (tmp_path / "lr.svg").read_text(encoding="utf-8")
    assert f"<!-- {title} -->" in svg and _dollar_glyph() in svg


@pytest.mark.parametrize("layout_name", [None, "overlay", "grid", "both"])
def test_every_user_text_in_a_figure_has_mathtext_off(tmp_path, layout_name):
    loaded = lrplot.load(_config(tmp_path, "$5 and $6", "$\\frac{$", title="$x$ and $y"),
                         steps=10)
    fig = lrplot.figure(loaded, layout=layout_name)
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_parse_math")) if "$" in t.get_text()]
    assert {"$5 and $6", "$\\frac{$", "$x$ and $y"} <= {t.get_text() for t in texts}
    assert not [t.get_text() for t in texts if t.get_parse_math()]


def test_a_metric_column_named_like_mathtext_is_its_axis_label(cli, tmp_path):
    metric = tmp_path / "metric.csv"
    metric.write_text("$\\frac{$\n" + "1\n" * 12, encoding="utf-8")
    result = cli("plot", "plateau", "--metric", str(metric), "--steps", "12",
                 "--out", str(tmp_path / "lr.png"))
    assert result.code == 0, result.err
    fig = lrplot.figure(lrplot.load("plateau", metric=str(metric), steps=12))
    metric_ax = fig.axes[1]
    assert metric_ax.get_ylabel() == "$\\frac{$" and not metric_ax.yaxis.label.get_parse_math()


# ---- lone surrogates -----------------------------------------------------------------------


def test_plain_text_replaces_lone_surrogates_only():
    assert plain_text("run " + SURROGATE) == "run \ufffd"
    assert plain_text("a\ud800b\udfff") == "a\ufffdb\ufffd"
    assert plain_text("naïve — 中文 🔥") == "naïve — 中文 🔥"
    schedule = lrplot.parse("cosine").with_label("l" + SURROGATE)
    assert schedule.label == "l\ufffd"
    shown = View.of([schedule], title=SURROGATE, legend_title="t" + SURROGATE)
    assert (shown.title, shown.legend_title) == ("\ufffd", "t\ufffd")


def test_a_lone_surrogate_title_from_the_command_line_renders(cli, tmp_path):
    outs = [str(tmp_path / f"lr.{ext}") for ext in ("png", "svg", "pdf", "csv", "json")]
    result = cli("plot", "cosine", "--title", "run " + SURROGATE, "--steps", "10",
                 *(f"--out={out}" for out in outs))
    assert result.code == 0, result.err
    assert json.loads((tmp_path / "lr.json").read_text(encoding="utf-8"))["title"] == "run \ufffd"
    shown = cli("plot", "cosine", "--title", "run " + SURROGATE, "--steps", "10")
    assert shown.code == 0 and "run \ufffd" in shown.out


@pytest.mark.parametrize("command", ["plot", "compare", "simulate"])
def test_lone_surrogate_labels_render_everywhere(cli, tmp_path, command):
    config = _config(tmp_path, "a" + SURROGATE, "b" + SURROGATE, title="t" + SURROGATE)
    outs = [str(tmp_path / f"lr.{ext}") for ext in ("png", "svg", "pdf", "csv", "json")]
    result = cli(command, config, "--steps", "10", *(f"--out={out}" for out in outs))
    assert result.code == 0, result.err
    header = (tmp_path / "lr.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "a\ufffd" in header and "b\ufffd" in header
    doc = json.loads((tmp_path / "lr.json").read_text(encoding="utf-8"))
    assert "a\ufffd" in json.dumps(doc, ensure_ascii=False)
    shown = cli(command, config, "--steps", "10")
    assert shown.code == 0 and "a\ufffd" in shown.out and "t\ufffd" in shown.out


def test_a_metric_file_name_with_an_undecodable_byte_labels_the_axis(cli, tmp_path):
    metric = tmp_path / f"{SURROGATE}.csv"  # the file is named with the byte 0xff
    metric.write_text("1\n" * 12, encoding="utf-8")
    result = cli("plot", "plateau", "--metric", str(metric), "--steps", "12",
                 "--out", str(tmp_path / "lr.png"), "--out", str(tmp_path / "lr.svg"))
    assert result.code == 0, result.err
    fig = lrplot.figure(lrplot.load("plateau", metric=str(metric), steps=12))
    assert fig.axes[1].get_ylabel() == "\ufffd.csv"


# ---- legends and fonts ---------------------------------------------------------------------


@pytest.mark.parametrize("layout_name", [None, "overlay", "both"])
def test_a_label_starting_with_an_underscore_keeps_its_legend_entry(tmp_path, layout_name):
    loaded = lrplot.load(_config(tmp_path, "_baseline", "tuned"), steps=10)
    fig = lrplot.figure(loaded, layout=layout_name)
    legends = [*fig.legends, *(leg for sub in fig.subfigs for leg in sub.legends)]
    entries = {t.get_text(): h.get_color() for leg in legends
               for t, h in zip(leg.get_texts(), leg.legend_handles)}
    curves = {line.get_label(): line.get_color() for line in fig.axes[0].get_lines()
              if line.get_label() in ("_baseline", "tuned")}
    assert entries["_baseline"] == curves["_baseline"] and entries["tuned"] == curves["tuned"]


def test_simulation_legend_keeps_an_underscore_label(tmp_path):
    sim = lrplot.simulation(lrplot.load(_config(tmp_path, "_baseline", "tuned"), steps=10))
    texts = [t.get_text() for t in lrplot.figure(sim).legends[0].get_texts()]
    assert texts[:2] == ["_baseline", "tuned"]


def test_characters_missing_from_the_font_draw_without_a_warning(cli, tmp_path):
    title = "fire 🔥 中文\ttab"
    result = cli("compare", "cosine", "constant:lr=0.05", "--title", title, "--steps", "10",
                 "--out", str(tmp_path / "lr.png"), "--out", str(tmp_path / "lr.svg"))
    assert (result.code, result.err) == (0, "")


# ---- a long title: linear wrapping -----------------------------------------------------------

LONG = "".join(f"{i:04d}" for i in range(750))  # 3000 characters, nowhere to break


def _count_measures(monkeypatch, budget: int) -> dict[str, int]:
    """Count the characters lrplot's text measure is given; fail once past *budget* (the
    quadratic search measured millions for LONG, so it fails fast instead of running)."""
    measured = {"calls": 0, "chars": 0}
    real = layout.text_width

    def text_width(text: str, size: float) -> float:
        measured["calls"] += 1
        measured["chars"] += len(text)
        if measured["chars"] > budget:
            raise AssertionError(f"over {budget} characters measured: not linear")
        return real(text, size)

    monkeypatch.setattr(layout, "text_width", text_width)
    return measured


def test_a_3000_character_title_is_cut_after_two_full_lines(monkeypatch):
    width, size = 500.0, 11.0
    real = layout.text_width
    with drawing(FigureOptions()):
        measured = _count_measures(monkeypatch, budget=8 * len(LONG))
        fitted = layout.fit_text(LONG, width, size, 2)
        lines = fitted.split("\n")
        assert len(lines) == 2 and lines[1].endswith("…")
        assert all(real(line, size) <= width for line in lines)
        kept = "".join(lines)[:-1]
        assert LONG.startswith(kept)
        # each line is as full as it can be: one more character would not fit
        assert real(lines[0] + LONG[len(lines[0])], size) > width
        assert real(lines[1][:-1] + LONG[len(kept)] + "…", size) > width
    assert measured["calls"] < 60


def test_wrapping_every_line_of_a_long_title_costs_linear_measures(monkeypatch):
    """With room for every line nothing is cut: the text comes back whole, and measuring
    twice the text costs about twice as much (the old search was quadratic per line)."""
    width, size = 300.0, 10.0
    real = layout.text_width
    costs = []
    with drawing(FigureOptions()):
        for text in (LONG[:1500], LONG):
            measured = _count_measures(monkeypatch, budget=40 * len(text))
            lines = layout.fit_text(text, width, size, 1000).split("\n")
            monkeypatch.undo()
            assert "".join(lines) == text and len(lines) > 10
            assert all(real(line, size) <= width for line in lines)
            costs.append(measured["chars"])
    assert costs[1] < 2.5 * costs[0]


@pytest.mark.parametrize("command", ["plot", "compare", "simulate"])
def test_a_3000_character_title_draws_with_linear_measures(cli, tmp_path, monkeypatch,
                                                           command):
    _count_measures(monkeypatch, budget=10 * len(LONG) + 20_000)
    specs = ["cosine", "constant:lr=0.05"] if command == "compare" else ["cosine"]
    result = cli(command, *specs, "--title", LONG, "--steps", "10",
                 "--out", str(tmp_path / "lr.png"))
    assert result.code == 0, result.err
