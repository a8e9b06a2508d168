"""CSV and JSON export: every step's lr, at full round-trip precision.

CSV: ``step,lr`` for one schedule, ``step,<label>,...`` for several, and an ``epoch`` column
after ``step`` with ``--steps-per-epoch`` (the 0-based epoch the step belongs to). Floats are
written as the shortest text that reads back as the same float64, so ``0.1`` stays ``0.1``
(``'%.17g'`` would round-trip too, as ``0.10000000000000001``). orjson formats them (Ryu, in
Rust): about twenty times faster than Python's ``repr`` per float, which was most of the cost of
a large CSV. Its spelling differs from ``repr`` only in form (``1e-7`` for ``1e-07``,
``0.00001`` for ``1e-05``); the digits are the same shortest ones.

Both writers stream in chunks of rows (about the same number of cells whatever the number of
columns), reading each column a chunk at a time (:class:`~lrplot.core.Column`), so memory
stays at one chunk of values and text whatever the number of steps.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, BinaryIO

import numpy as np
import orjson

from lrplot.errors import LrplotError

ROWS_PER_CHUNK = 65_536
# A chunk holds about this many cells whatever the number of columns (a 64-curve sweep
# writes 2 048 rows at a time, not 65 536 rows of 64 cells).
CELLS_PER_CHUNK = 2 * ROWS_PER_CHUNK


def rows_per_chunk(columns: int) -> int:
    return max(1024, min(ROWS_PER_CHUNK, CELLS_PER_CHUNK // max(columns, 1)))


def column_labels(labels: Sequence[str]) -> list[str]:
    return ["lr"] if len(labels) == 1 else list(labels)


def header(labels: Sequence[str], steps_per_epoch: int | None) -> str:
    cells = ["step"] + (["epoch"] if steps_per_epoch else []) + column_labels(labels)
    return ",".join(map(_quoted, cells)) + "\n"


def _quoted(cell: str) -> str:
    """RFC 4180 quoting. (Python 3.11's csv module leaves a lone carriage return unquoted.)"""
    if any(char in cell for char in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def float_texts(values: np.ndarray) -> list[bytes]:
    """Each float's shortest round-trip text; ``inf``/``nan`` spelled as Python does."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    if not values.size:
        return []
    texts = orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].split(b",")
    # orjson writes null for a non-finite float; only simulate's w/loss columns hold one.
    for index in np.flatnonzero(~np.isfinite(values)).tolist():
        texts[index] = repr(float(values[index])).encode()
    return texts


def json_numbers(values: np.ndarray) -> bytes:
    """A JSON array's items for *values*: shortest round-trip floats, null where not finite."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    return orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].replace(b",", b", ")


def csv_rows(start: int, columns: Sequence[np.ndarray], steps_per_epoch: int | None) -> bytes:
    """The CSV bytes of rows ``start..start+len(columns[0])-1`` (columns already sliced).

    One ``%``-format over the whole chunk keeps the per-row work in C. When every value is
    finite, orjson writes the values of a row together (a 2-D array, rows split at ``],[``),
    so a 64-column sweep costs one text per row, not 64.
    """
    count = len(columns[0])
    if not count:
        return b""
    fields: list[Sequence[object]] = [range(start, start + count)]
    if steps_per_epoch:
        fields.append((np.arange(start, start + count) // steps_per_epoch).tolist())
    table = np.column_stack([np.asarray(col, dtype=np.float64) for col in columns])
    if np.isfinite(table).all():
        text = orjson.dumps(table, option=orjson.OPT_SERIALIZE_NUMPY)
        columns = [table[:, 0]]  # one %s per row: the row's values, already joined
        fields.append(text[2:-2].split(b"],["))
    else:  # orjson would write null: each column spelled as Python does
        fields += [float_texts(col) for col in columns]
    width = len(fields)
    flat: list[object] = [None] * (count * width)
    for index, field in enumerate(fields):
        flat[index::width] = field
    row = b",".join([b"%d"] * (width - len(columns)) + [b"%s"] * len(columns)) + b"\n"
    return (row * count) % tuple(flat)


def write_csv(handle: BinaryIO, labels: Sequence[str], columns: Sequence[np.ndarray],
              steps_per_epoch: int | None = None) -> None:
    """Write ``step[,epoch],values...`` rows for ``len(columns[0])`` steps."""
    n = len(columns[0]) if columns else 0
    handle.write(header(labels, steps_per_epoch).encode())
    rows = rows_per_chunk(len(columns))
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        handle.write(csv_rows(start, [col[start:stop] for col in columns], steps_per_epoch))


def write_json(handle: BinaryIO, labels: Sequence[str], columns: Sequence[np.ndarray],
               steps_per_epoch: int | None = None, title: str | None = None) -> None:
    """Write ``doc`` as one line of JSON, streaming the lr lists.

    ``doc`` is ``{"title"?, "steps", "steps_per_epoch"?, "schedules": [{"label", "lr"}]}``.
    """
    n = len(columns[0]) if columns else 0
    head: dict[str, object] = {}
    if title:
        head["title"] = title
    head["steps"] = n
    if steps_per_epoch:
        head["steps_per_epoch"] = steps_per_epoch
    opening = json.dumps(head)[:-1]  # drop the closing brace: schedules follow
    handle.write(f'{opening}, "schedules": ['.encode())
    for index, (label, col) in enumerate(zip(labels, columns)):
        lead = ", " if index else ""
        handle.write(f'{lead}{{"label": {json.dumps(label)}, "lr": ['.encode())
        for start in range(0, n, ROWS_PER_CHUNK):
            chunk = np.asarray(col[start:start + ROWS_PER_CHUNK], dtype=np.float64)
            if not np.isfinite(chunk).all():  # views check first; this guards direct calls
                raise LrplotError(f"{label}: JSON has no spelling for inf or nan")
            handle.write((b", " if start else b"") + b", ".join(float_texts(chunk)))
        handle.write(b"]}")
    handle.write(b"]}\n")


def write_simulation_json(handle: BinaryIO, result: Any) -> None:
    """A Simulation as one line of JSON, each series streamed in chunks (NaN after a
    divergence is null): ``{"objective", "w0", "steps", "seed"?, "runs": [{"label", "lr",
    "w", "loss", "diverged_at"}]}``, ``w`` a list per coordinate in 2-D."""

    def series(values: np.ndarray) -> bytes:
        parts = [json_numbers(values[start:start + ROWS_PER_CHUNK])
                 for start in range(0, len(values), ROWS_PER_CHUNK)]
        return b"[" + b", ".join(parts) + b"]"

    runs = result.runs
    head: dict[str, object] = {"objective": result.objective.name, "w0": result.w0,
                               "steps": len(runs[0].lr)}
    if result.objective.noise:
        head["seed"] = result.seed
    handle.write(json.dumps(head, allow_nan=False)[:-1].encode() + b', "runs": [')
    for index, run in enumerate(runs):
        w = (b"[" + b", ".join(series(col) for col in run.w.T) + b"]"
             if run.w.shape[1] > 1 else series(run.w[:, 0]))
        handle.write((b", " if index else b"") + b'{"label": ' + json.dumps(run.label).encode()
                     + b', "lr": ' + series(run.lr) + b', "w": ' + w + b', "loss": '
                     + series(run.loss) + b', "diverged_at": '
                     + json.dumps(run.diverged_at).encode() + b"}")
    handle.write(b"]}\n")


def write_result_csv(handle: BinaryIO, result: Any) -> None:
    """A :class:`~lrplot.view.View` or :class:`~lrplot.simulate.Simulation` as CSV."""
    if result.kind == "simulation":
        from lrplot.simulate import csv_columns

        names, columns = csv_columns(result.runs)
        write_csv(handle, names, columns, result.steps_per_epoch)
    else:
        result.check()  # an lr that overflows is refused before the first row
        write_csv(handle, result.labels, result.columns, result.steps_per_epoch)


def write_result_json(handle: BinaryIO, result: Any) -> None:
    """A :class:`~lrplot.view.View` or :class:`~lrplot.simulate.Simulation` as JSON."""
    if result.kind == "simulation":
        write_simulation_json(handle, result)
    else:
        result.check()
        write_json(handle, result.labels, result.columns, result.steps_per_epoch,
                   result.title)
