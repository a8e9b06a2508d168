"""CSV and JSON export: every step's lr, at full round-trip precision.

CSV: ``step,lr`` for one schedule, ``step,<label>,...`` for several, and an ``epoch`` column
after ``step`` with ``--steps-per-epoch`` (the 0-based epoch the step belongs to). Floats are
written with Python's shortest round-trip repr, so reading them back gives the same float64
and ``0.1`` stays ``0.1`` (``'%.17g'`` would round-trip too, as ``0.10000000000000001``).

Both writers stream in chunks of rows, so memory stays at the evaluated columns plus one
chunk of text whatever the number of steps.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import BinaryIO

import numpy as np

ROWS_PER_CHUNK = 65_536


def column_labels(labels: Sequence[str]) -> list[str]:
    return ["lr"] if len(labels) == 1 else list(labels)


def header(labels: Sequence[str], steps_per_epoch: int | None) -> str:
    cells = ["step"] + (["epoch"] if steps_per_epoch else []) + column_labels(labels)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def csv_rows(start: int, columns: Sequence[np.ndarray], steps_per_epoch: int | None) -> str:
    """The CSV text of rows ``start..start+len(columns[0])-1`` (columns already sliced).

    One ``%``-format over the whole chunk keeps the per-row work in C: ``%d`` for the
    integers and ``%r`` (the shortest repr that round-trips) for every float.
    """
    count = len(columns[0])
    fields: list[Sequence[object]] = [range(start, start + count)]
    if steps_per_epoch:
        fields.append((np.arange(start, start + count) // steps_per_epoch).tolist())
    fields += [np.asarray(col, dtype=np.float64).tolist() for col in columns]
    width = len(fields)
    flat: list[object] = [None] * (count * width)
    for index, field in enumerate(fields):
        flat[index::width] = field
    row = ",".join(["%d"] * (width - len(columns)) + ["%r"] * len(columns)) + "\n"
    return (row * count) % tuple(flat)


def write_csv(handle: BinaryIO, labels: Sequence[str], columns: Sequence[np.ndarray],
              steps_per_epoch: int | None = None) -> None:
    """Write ``step[,epoch],values...`` rows for ``len(columns[0])`` steps."""
    n = len(columns[0]) if columns else 0
    handle.write(header(labels, steps_per_epoch).encode())
    for start in range(0, n, ROWS_PER_CHUNK):
        stop = min(n, start + ROWS_PER_CHUNK)
        text = csv_rows(start, [col[start:stop] for col in columns], steps_per_epoch)
        handle.write(text.encode("ascii"))


def write_json(handle: BinaryIO, labels: Sequence[str], columns: Sequence[np.ndarray],
               steps_per_epoch: int | None = None, title: str | None = None) -> None:
    """Write the same bytes as ``json.dumps(doc)`` plus a newline, streaming the lr lists.

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
            chunk = np.asarray(col[start:start + ROWS_PER_CHUNK], dtype=np.float64).tolist()
            text = json.dumps(chunk, allow_nan=False)[1:-1]
            handle.write(((", " if start else "") + text).encode())
        handle.write(b"]}")
    handle.write(b"]}\n")
