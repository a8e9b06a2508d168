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
import re

import numpy as np
import orjson

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
    fast = _fast_values(path, raw, column)
    if fast is not None:
        return fast
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
        index = _bare_column(path, len(rows[0]), column)
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


# Body text made of these characters only is plain numbers and commas: numpy reads it in C
# (the same correctly rounded decimal conversion as float()). Anything else, and any error,
# goes through the csv module below, which words every error.
_PLAIN = b"0123456789.eE+-, \t\n"
_NOT_SEPARATORS = b"0123456789.eE+- \t"


def _fast_values(path: str, raw: bytes, column: str | None) -> tuple[np.ndarray, str] | None:
    """The metric read in C when the body is plain numbers and commas, else None (the csv
    way, which also words every error). The header and column rules are the same. The
    file's bytes are read in place (offsets, no copy of the body)."""
    data = raw
    begin = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:
            return None
    while True:  # the first row with a cell that is not blank, as the csv way finds it
        end = data.find(b"\n", begin)
        end = len(data) if end < 0 else end
        if data[begin:end].strip(b" \t,") or end == len(data):
            break
        begin = end + 1
    try:
        cells = [cell.strip() for cell in next(csv.reader([data[begin:end].decode()]), [])]
    except (csv.Error, UnicodeDecodeError):
        return None
    if not any(cells):
        return None
    has_header = any(_number(cell) is None for cell in cells)
    if has_header:
        index = _pick_column(path, cells, column)
        label, start = cells[index], end + 1
    else:
        index = _bare_column(path, len(cells), column)
        label, start = os.path.basename(path), begin
    first = _CONTENT.search(data, start)
    if first is None or data.translate(None, _PLAIN) != data[:start].translate(None, _PLAIN):
        return None  # no values, or something besides plain numbers
    values = _json_column(data, start, index, len(cells))
    if values is None:
        try:
            values = np.loadtxt(io.BytesIO(data[start:]), dtype=np.float64, delimiter=",",
                                usecols=index, comments=None, ndmin=1)
        except ValueError:
            return None
    if not values.size or not np.isfinite(values).all():
        return None
    return values, label


_CONTENT = re.compile(rb"[^ \t\n,]")
_NOT_BLANK = re.compile(rb"[^ \t\n]")
# Rows per orjson call: a few MB of text, so the floats it makes stay small.
_JSON_ROWS_BYTES = 1 << 23


def _json_column(data: bytes, start: int, index: int, width: int) -> np.ndarray | None:
    """Column *index* of the rows from byte *start* on, when every row has *width* cells,
    each a JSON number (orjson parses them, correctly rounded as float() does), else None."""
    first = _NOT_BLANK.search(data, start)
    if first is None:
        return None
    start, stop = first.start(), len(data)
    while stop > start and data[stop - 1] in b" \t\n":
        stop -= 1
    head = len(data[:start].translate(None, _NOT_SEPARATORS))
    tail = data[stop:].count(b"\n")  # newlines of the blank end, not of rows
    separators = data.translate(None, _NOT_SEPARATORS)
    separators = separators[head:len(separators) - tail]
    row = b"," * (width - 1) + b"\n"
    lines = separators.count(b"\n") + 1
    if separators != row * (lines - 1) + row[:-1]:
        return None  # rows of other widths, or blank lines: the csv way
    columns = []
    while start < stop:
        end = data.find(b"\n", start + _JSON_ROWS_BYTES, stop)
        end = stop if end < 0 else end
        try:
            numbers = orjson.loads(b"[" + data[start:end].replace(b"\n", b",") + b"]")
        except orjson.JSONDecodeError:
            return None
        columns.append(np.asarray(numbers[index::width], dtype=np.float64))
        start = end + 1
    return np.concatenate(columns) if columns else None


def _rows(path: str, text: str) -> list[list[str]]:
    """The non-blank CSV rows of *text*, or one line on what is wrong with them."""
    reader = csv.reader(io.StringIO(text))
    try:
        return [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as err:
        # Also what csv says of a field past csv.field_size_limit() (131 072 characters).
        raise LrplotError(f"metric file {path}: line {reader.line_num}: not CSV ({err})") \
            from None


def _bare_column(path: str, width: int, column: str | None) -> int:
    """The column of a file without a header: COLUMN as an index, else the last one."""
    if column is None:
        return 0 if width == 1 else width - 1
    if column.isdigit() and int(column) < width:
        return int(column)
    raise LrplotError(f"metric file {path}: has no header, so column {column!r} must be "
                      f"an index below {width}")


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
