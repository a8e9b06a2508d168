"""CSV and JSON export: every step's lr, at full round-trip precision.

CSV: ``step,lr`` for one schedule, ``step,<label>,...`` for several, and an ``epoch`` column
after ``step`` with ``--steps-per-epoch`` (the 0-based epoch the step belongs to). Floats are
written with Python's shortest round-trip repr, so reading them back gives the same float64.
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


def write_csv(handle: BinaryIO, labels: Sequence[str], columns: Sequence[np.ndarray],
              steps_per_epoch: int | None = None) -> None:
    """Write ``step[,epoch],values...`` rows for ``len(columns[0])`` steps."""
    n = len(columns[0]) if columns else 0
    handle.write(header(labels, steps_per_epoch).encode())
    for start in range(0, n, ROWS_PER_CHUNK):
        stop = min(n, start + ROWS_PER_CHUNK)
        steps = range(start, stop)
        cells: list[Sequence[object]] = [steps]
        if steps_per_epoch:
            cells.append([step // steps_per_epoch for step in steps])
        cells += [list(map(repr, col[start:stop].tolist())) for col in columns]
        handle.write("".join(",".join(map(str, row)) + "\n" for row in zip(*cells)).encode())


def write_json(handle: BinaryIO, labels: Sequence[str], columns: Sequence[np.ndarray],
               steps_per_epoch: int | None = None, title: str | None = None) -> None:
    n = len(columns[0]) if columns else 0
    doc: dict[str, object] = {}
    if title:
        doc["title"] = title
    doc["steps"] = n
    if steps_per_epoch:
        doc["steps_per_epoch"] = steps_per_epoch
    doc["schedules"] = [{"label": label, "lr": col.tolist()} for label, col in
                        zip(labels, columns)]
    handle.write(json.dumps(doc, allow_nan=False).encode())
    handle.write(b"\n")
