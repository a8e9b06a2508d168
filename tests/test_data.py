"""CSV and JSON export: exact round-trip of every float, the documented layout, streaming in
chunks, and no matplotlib on data-only paths."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import struct
import subprocess
import sys

import numpy as np
import pytest
from catalogue_values import typical_params
from hypothesis import given, settings
from hypothesis import strategies as st

from lrplot import registry as catalogue
from lrplot.definition import Context
from lrplot.errors import LrplotError
from lrplot.render.data import ROWS_PER_CHUNK, write_csv, write_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

finite = st.floats(allow_nan=False, allow_infinity=False)
# Every float64 bit pattern that is finite: subnormals, huge, tiny, negative zero.
any_bits = st.integers(0, 2**64 - 1).map(lambda b: struct.unpack("<d", b.to_bytes(8, "little"))[0]
                                          ).filter(math.isfinite)


def csv_bytes(labels, columns, steps_per_epoch=None) -> bytes:
    buffer = io.BytesIO()
    write_csv(buffer, labels, [np.asarray(c, dtype=np.float64) for c in columns],
              steps_per_epoch)
    return buffer.getvalue()


def json_bytes(labels, columns, steps_per_epoch=None, title=None) -> bytes:
    buffer = io.BytesIO()
    write_json(buffer, labels, [np.asarray(c, dtype=np.float64) for c in columns],
               steps_per_epoch, title)
    return buffer.getvalue()


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def significant_digits(text: str) -> str:
    """The digits of a float's text without sign, point, exponent or padding zeros."""
    mantissa = text.lower().split("e")[0].lstrip("-").replace(".", "")
    return mantissa.strip("0") or "0"


def check_csv(data: bytes, labels, columns, steps_per_epoch=None) -> None:
    """The CSV contract checked the slow, obvious way, row by row: the layout, every float
    read back bit for bit, and no more digits than Python's shortest repr needs."""
    rows = read_csv(data)
    names = ["lr"] if len(labels) == 1 else list(labels)
    assert rows[0] == ["step"] + (["epoch"] if steps_per_epoch else []) + names
    assert len(rows) == len(columns[0]) + 1
    lead = 2 if steps_per_epoch else 1
    for step, row in enumerate(rows[1:]):
        assert row[0] == str(step)
        if steps_per_epoch:
            assert row[1] == str(step // steps_per_epoch)
        assert len(row) == lead + len(columns)
        for cell, col in zip(row[lead:], columns):
            value = float(col[step])
            assert struct.pack("<d", float(cell)) == struct.pack("<d", value), (cell, value)
            assert significant_digits(cell) == significant_digits(repr(value)), (cell, value)


@settings(max_examples=200, deadline=None)
@given(st.lists(any_bits, min_size=1, max_size=50))
def test_csv_round_trips_every_finite_float(values):
    rows = read_csv(csv_bytes(["x"], [values]))
    back = [float(row[1]) for row in rows[1:]]
    assert [struct.pack("<d", v) for v in back] == [struct.pack("<d", v) for v in values]


@settings(max_examples=100, deadline=None)
@given(st.lists(any_bits, min_size=1, max_size=30))
def test_json_round_trips_every_finite_float(values):
    doc = json.loads(json_bytes(["x"], [values]))
    back = doc["schedules"][0]["lr"]
    assert [struct.pack("<d", v) for v in back] == [struct.pack("<d", v) for v in values]


def test_floats_are_shortest_not_17_digits():
    values = [0.1, 1e-05, 0.30000000000000004, 2.5e-300, 100.0, -0.0]
    cells = [row[1] for row in read_csv(csv_bytes(["x"], [values]))[1:]]
    assert cells[0] == "0.1"
    assert [significant_digits(c) for c in cells] == ["1", "1", "30000000000000004", "25",
                                                      "1", "0"]
    assert [float(c) for c in cells] == values


def test_non_finite_values_are_spelled_as_python_does():
    # simulate's w and loss columns may diverge; the lr itself is refused before writing.
    rows = read_csv(csv_bytes(["w"], [[1.5, math.inf, -math.inf, math.nan]]))
    assert [row[1] for row in rows[1:]] == ["1.5", "inf", "-inf", "nan"]
    with pytest.raises(ValueError):
        json_bytes(["x"], [[0.1, math.nan]])


@settings(max_examples=60, deadline=None)
@given(data=st.data(), width=st.integers(1, 4), n=st.integers(1, 40),
       steps_per_epoch=st.none() | st.integers(1, 7))
def test_csv_matches_the_row_by_row_reference(data, width, n, steps_per_epoch):
    labels = data.draw(st.lists(st.text(min_size=1, max_size=8), min_size=width,
                                max_size=width, unique=True))
    columns = [data.draw(st.lists(finite, min_size=n, max_size=n)) for _ in range(width)]
    check_csv(csv_bytes(labels, columns, steps_per_epoch), labels, columns, steps_per_epoch)


def test_csv_across_chunk_boundaries_matches_the_reference():
    n = 2 * ROWS_PER_CHUNK + 3
    rng = np.random.default_rng(7)
    columns = [rng.random(n), rng.random(n) * 1e-8]
    labels = ["a,b", 'say "hi"']
    check_csv(csv_bytes(labels, columns, 1000), labels, columns, 1000)


def test_csv_header_quotes_labels_with_commas():
    labels = ["cosine:lr=0.1,warmup=5", "step", 'say "hi"', "odd\rlabel", "two\nlines"]
    rows = read_csv(csv_bytes(labels, [[0.1]] * len(labels)))
    assert rows[0] == ["step", *labels]


@pytest.mark.parametrize("title", [None, "", "My run ✓"])
@pytest.mark.parametrize("steps_per_epoch", [None, 3])
@pytest.mark.parametrize("n", [1, 5, ROWS_PER_CHUNK + 1])
def test_json_reads_back_as_the_documented_document(title, steps_per_epoch, n):
    rng = np.random.default_rng(n)
    columns = [rng.random(n), rng.random(n) ** 9]
    labels = ["cosine", "ünïcode \"quoted\""]
    doc: dict[str, object] = {}
    if title:
        doc["title"] = title
    doc["steps"] = n
    if steps_per_epoch:
        doc["steps_per_epoch"] = steps_per_epoch
    doc["schedules"] = [{"label": label, "lr": col.tolist()} for label, col in
                        zip(labels, columns)]
    written = json_bytes(labels, columns, steps_per_epoch, title)
    assert written.endswith(b"}\n") and written.count(b"\n") == 1
    assert json.loads(written) == doc  # floats compare exactly: the round trip is lossless


@pytest.mark.parametrize("defn", catalogue.all_definitions(), ids=lambda d: d.name)
def test_every_schedule_round_trips_through_csv(defn):
    try:
        schedule = catalogue.resolve(defn.name, typical_params(defn), Context(steps=300))
    except LrplotError as err:  # needs a specific combination (e.g. min_lr or min_lr_rate)
        pytest.skip(f"typical values refused: {err.message}")
    values = schedule.values(300)
    rows = read_csv(csv_bytes([schedule.label], [values], 7))
    assert [int(r[0]) for r in rows[1:]] == list(range(300))
    assert [int(r[1]) for r in rows[1:]] == [t // 7 for t in range(300)]
    assert np.array_equal(np.array([float(r[2]) for r in rows[1:]]), values)


def test_cli_csv_and_json_round_trip(cli, tmp_path):
    spec = "cosine_restarts:lr=0.3,first_decay_steps=7,t_mul=1.5,m_mul=0.7,warmup=3"
    out_csv, out_json = tmp_path / "x.csv", tmp_path / "x.json"
    assert cli("plot", spec, "--steps", "500", "--out", out_csv, "--out", out_json).code == 0
    expected = catalogue.resolve(*_split(spec), Context(steps=500)).values(500)
    rows = read_csv(out_csv.read_bytes())
    assert np.array_equal(np.array([float(r[1]) for r in rows[1:]]), expected)
    doc = json.loads(out_json.read_text())
    assert doc["steps"] == 500
    assert np.array_equal(np.array(doc["schedules"][0]["lr"]), expected)


def _split(spec):
    from lrplot.spec import split_spec

    return split_spec(spec)


DATA_ONLY = [
    ["list"],
    ["describe", "cosine"],
    ["cosine", "--out", "{tmp}/x.csv"],
    ["cosine", "--out", "{tmp}/x.json"],
    ["cosine", "--out", "-"],
    ["cosine", "--warmup", "5"],
    ["plot", "cosine", "step:step_size=10", "--steps-per-epoch", "4"],
]


@pytest.mark.parametrize("args", DATA_ONLY, ids=lambda a: " ".join(a))
def test_data_only_paths_never_import_matplotlib(args, tmp_path):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code = (
        "import sys\n"
        "from lrplot.cli import main\n"
        f"code = main({argv!r})\n"
        "assert code == 0, code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')\n"
        "sys.stderr.write(repr(loaded))\n"
    )
    env = {**os.environ, "PYTHONPATH": ROOT, "NO_COLOR": "1"}
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=False, timeout=120)
    assert found.returncode == 0, found.stderr
    assert found.stderr.strip().endswith("[]"), found.stderr


def test_chunked_values_equal_one_whole_evaluation():
    from lrplot.limits import EVALUATION_CHUNK

    n = 2 * EVALUATION_CHUNK + 5
    schedule = catalogue.resolve("cosine", {"warmup": EVALUATION_CHUNK + 3},
                                 Context(steps=n))
    whole = schedule(np.arange(n, dtype=np.int64))
    assert np.array_equal(schedule.values(n), whole)
