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

from lrplot.errors import LrplotError

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
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise LrplotError(f"metric file {path}: no such file") from None
    except IsADirectoryError:
        raise LrplotError(f"metric file {path}: is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise LrplotError(f"metric file {path}: cannot read it ({err})") from None
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
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
