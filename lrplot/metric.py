"""Reading a metric series for plateau schedules: ``--metric FILE[:COLUMN]``.

A file is either one number per line, or a CSV with a header; COLUMN names a header column
(or is a 0-based index). Without COLUMN a CSV must have exactly one column besides step,
epoch or similar counters.
"""

from __future__ import annotations

import csv
import io
import math
import os

import numpy as np

from lrplot.documents import read_bytes
from lrplot.errors import LrplotError

# A metric log has one line per step or epoch: a billion bytes is ~50 M steps of CSV.
MAX_METRIC_BYTES = 1 << 30
COUNTER_COLUMNS = {"step", "steps", "epoch", "epochs", "iteration", "iter", "global_step", "t"}


def split_metric_arg(arg: str) -> tuple[str, str | None]:
    """``'log.csv:val_loss'`` → ``('log.csv', 'val_loss')``; a path with no column stays whole."""
    if os.path.exists(arg) or ":" not in arg:
        return arg, None
    path, _, column = arg.rpartition(":")
    return path, column or None


def load_metric(arg: str) -> tuple[np.ndarray, str]:
    """The metric series named by *arg* and a label for it (the column name)."""
    path, column = split_metric_arg(arg)
    raw = read_bytes(path, "metric file", MAX_METRIC_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise LrplotError(f"metric file {path}: is not UTF-8 text (byte {err.start})") from None
    rows = _rows(path, text)
    if not rows:
        raise LrplotError(f"metric file {path}: is empty; expected numbers, one per line, "
                          "or a CSV with a header")
    header = [cell.strip() for cell in rows[0]]
    has_header = any(_number(cell) is None for cell in header)
    body = rows[1:] if has_header else rows
    if has_header:
        index = _pick_column(path, header, column)
        label = header[index]
    else:
        width = len(rows[0])
        if column is None:
            index = 0 if width == 1 else width - 1
        elif column.isdigit() and int(column) < width:
            index = int(column)
        else:
            raise LrplotError(f"metric file {path}: has no header, so column {column!r} must be "
                              f"an index below {width}")
        label = os.path.basename(path)
    values = []
    for line, row in enumerate(body, start=2 if has_header else 1):
        cell = row[index].strip() if index < len(row) else ""
        value = _number(cell)
        if value is None or not math.isfinite(value):
            raise LrplotError(f"metric file {path}: line {line} has {cell!r} where a finite "
                              "number was expected")
        values.append(value)
    if not values:
        raise LrplotError(f"metric file {path}: has a header but no values")
    return np.asarray(values, dtype=np.float64), label


def _rows(path: str, text: str) -> list[list[str]]:
    """The non-blank CSV rows of *text*, or one line on what is wrong with them."""
    reader = csv.reader(io.StringIO(text))
    try:
        return [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as err:
        # Also what csv says of a field past csv.field_size_limit() (131 072 characters).
        raise LrplotError(f"metric file {path}: line {reader.line_num}: not CSV ({err})") \
            from None


def _pick_column(path: str, header: list[str], column: str | None) -> int:
    if column is not None:
        if column in header:
            return header.index(column)
        if column.isdigit() and int(column) < len(header):
            return int(column)
        raise LrplotError(f"metric file {path}: no column {column!r}; columns: "
                          f"{', '.join(header)}")
    candidates = [i for i, name in enumerate(header) if name.lower() not in COUNTER_COLUMNS]
    if len(candidates) == 1:
        return candidates[0]
    raise LrplotError(f"metric file {path}: name the column as {path}:COLUMN; columns: "
                      f"{', '.join(header)}")


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
