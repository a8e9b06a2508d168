"""Reading input files into plain data: TOML, JSON and YAML, bounded and checked.

Every input format (lrplot's own configs, Keras' serialized JSON, and the training configs
of other tools) starts here, so each file is read once, by one bounded reader, with one set
of error messages: ``FILE: invalid TOML at line 3 ...``. What the data *means* is the input
format's job (:mod:`lrplot.inputs`).
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Mapping
from typing import Any

from lrplot.errors import LrplotError, brief
from lrplot.limits import LARGEST_INT

DOCUMENT_SUFFIXES = (".toml", ".json", ".yaml", ".yml")
# Files read as text, never run: nanoGPT's Python configs, launch scripts of flags.
TEXT_SUFFIXES = (".py", ".sh", ".txt")
# A config is a few KB; this bounds what a mistaken path (a dataset, a checkpoint) costs.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
DEEPEST = 32
# Values in one document, aliases expanded: a config has hundreds; a YAML "billion laughs"
# (aliases of aliases) would otherwise expand to 10⁹ and hang the check.
MOST_VALUES = 100_000


def read_bytes(path: str, what: str, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of regular file *path*, at most *limit*; *what* names it in errors."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise LrplotError(f"{what} {path}: no such file") from None
    except OSError as err:
        raise LrplotError(f"{what} {path}: cannot read it ({err.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise LrplotError(f"{what} {path}: is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise LrplotError(f"{what} {path}: is not a regular file")
    if info.st_size > limit:
        raise LrplotError(f"{what} {path}: is {info.st_size} bytes, over the limit of "
                          f"{limit} ({limit // 2**20} MB)")
    try:
        with open(path, "rb") as handle:
            return handle.read(limit + 1)
    except OSError as err:
        raise LrplotError(f"{what} {path}: cannot read it ({err.strerror})") from None


def read_text(path: str, what: str = "file") -> str:
    """The UTF-8 text of regular file *path*, bounded like a config (see read_bytes)."""
    raw = read_bytes(path, what)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise LrplotError(f"{path}: is not UTF-8 text (byte {err.start})") from None


def read_document(path: str) -> Any:
    """The plain data (dicts, lists, numbers, strings) of a TOML, JSON or YAML file."""
    raw = read_bytes(path, "config file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise LrplotError(f"{path}: is not UTF-8 text (byte {err.start})") from None
    lower = path.lower()
    try:
        if lower.endswith(".toml"):
            document = _parse_toml(text, path)
        elif lower.endswith(".json"):
            document = _parse_json(text, path)
        else:
            document = _parse_yaml(text, path)
        check_plain(document, "", 0, _Budget())
    except RecursionError:
        raise LrplotError(f"{path}: is nested too deeply") from None
    except LrplotError as err:
        if err.message.startswith(f"{path}:"):
            raise
        raise LrplotError(f"{path}: {err.message}") from None
    except ValueError:
        # The parsers' own errors are handled in _parse_*; what is left is Python refusing to
        # turn an integer of thousands of digits into a number (sys.get_int_max_str_digits).
        raise LrplotError(f"{path}: a number has too many digits (at most "
                          f"{sys.get_int_max_str_digits()})") from None
    return document


def _parse_toml(text: str, path: str) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the same parser, as the backport (a dependency on 3.10)
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        # tomllib's message already ends with "(at line L, column C)".
        raise LrplotError(f"{path}: invalid TOML: {err}") from None


def _parse_json(text: str, path: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise LrplotError(f"{path}: invalid JSON at line {err.lineno}, column {err.colno}: "
                          f"{err.msg}") from None


def _parse_yaml(text: str, path: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise LrplotError(f"{path}: reading YAML needs PyYAML; `pip install pyyaml` "
                          "(or write the config as TOML or JSON)") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise LrplotError(f"{path}: invalid YAML{where}: {problem}") from None


class _Budget:
    """How many more values a document may hold (see MOST_VALUES)."""

    def __init__(self) -> None:
        self.left = MOST_VALUES

    def spend(self, where: str) -> None:
        self.left -= 1
        if self.left < 0:
            raise LrplotError(f"{where or 'the file'}: more than {MOST_VALUES} values (YAML "
                              "aliases count each time they are used); is this a config?")


def check_plain(value: Any, where: str, depth: int, budget: _Budget | None = None) -> None:
    """Reject what no parameter can hold and what would break number handling later."""
    if depth > DEEPEST:
        raise LrplotError(f"{where or 'the file'}: is nested too deeply")
    budget = budget or _Budget()
    budget.spend(where)
    if isinstance(value, bool):
        return
    if isinstance(value, int) and abs(value) >= LARGEST_INT:
        raise LrplotError(f"{where}: the number {brief(str(value))} is too large (at most "
                          "2⁶³)")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise LrplotError(f"{where or 'top level'}: key {brief(repr(key))} must be a "
                                  "string")
            check_plain(item, f"{where}.{key}" if where else key, depth + 1, budget)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            check_plain(item, f"{where}[{index}]", depth + 1, budget)
