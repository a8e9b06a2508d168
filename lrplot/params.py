"""Typed, validated parameters shared by canonical families and framework dialects.

A :class:`Param` knows its type, default, allowed range and help text. The same definition
drives spec-string coercion, config-file validation, the generated CLI options and
``lrplot describe``, so a parameter is described once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lrplot.errors import LrplotError, brief
from lrplot.limits import LARGEST_INT
from lrplot.spec import show_value

FLOAT = "float"
INT = "int"
BOOL = "bool"
CHOICE = "choice"
INTS = "ints"
FLOATS = "floats"
KINDS = (FLOAT, INT, BOOL, CHOICE, INTS, FLOATS)


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Derived:
    """A default computed from the other parameters and the run (e.g. 'steps left after warmup')."""

    compute: Callable[[Mapping[str, Any], Any], Any]
    text: str

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Param:
    """One parameter of a schedule definition."""

    name: str
    kind: str
    default: Any = REQUIRED
    help: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    nullable: bool = False
    aliases: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind
        assert self.kind != CHOICE or self.choices, self.name

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    def allowed(self) -> str:
        """What values are allowed, in words: used in errors, --help and describe."""
        if self.kind == BOOL:
            text = "true or false"
        elif self.kind == CHOICE:
            text = "one of " + ", ".join(self.choices)
        elif self.kind in (INTS, FLOATS):
            noun, like = ("integers", "[30,60,90]") if self.kind == INTS else (
                "numbers", "[0.1,0.01,0.001]")
            text = f"a list of {noun} like {like}"
            bound = self._bounds_text()
            if bound:
                text += f", each {bound}"
        else:
            noun = "an integer" if self.kind == INT else "a number"
            bound = self._bounds_text()
            text = f"{noun} {bound}" if bound else noun
        if self.nullable:
            text += ", or none"
        return text

    def _bounds_text(self) -> str:
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            left = "(" if self.low_open else "["
            right = ")" if self.high_open else "]"
            return f"in {left}{_num(lo)}, {_num(hi)}{right}"
        if lo is not None:
            return f"{'>' if self.low_open else '≥'} {_num(lo)}"
        if hi is not None:
            return f"{'<' if self.high_open else '≤'} {_num(hi)}"
        return ""

    def coerce(self, value: Any, owner: str) -> Any:
        """Return *value* as this parameter's type, or raise LrplotError naming owner and param."""
        try:
            if value is None or (isinstance(value, str)
                                 and value.strip().lower() in ("none", "null")):
                if self.nullable:
                    return None
                raise _Refused()
            return _COERCERS[self.kind](self, value)
        except _Refused as refused:
            # Quote text that is not a number, so 'abc' and '' stand out; numbers read as typed.
            if isinstance(value, str):
                shown = value.strip() if _as_number(value) is not None else repr(value)
            else:
                shown = show_value(value)
            detail = f" ({refused.why})" if refused.why else ""
            raise LrplotError(f"{owner}: {self.name} must be {self.allowed()}, got "
                              f"{brief(shown)}{detail}") from None


class _Refused(Exception):
    """A value this parameter cannot take; :meth:`Param.coerce` words the error."""

    def __init__(self, why: str = "") -> None:
        super().__init__(why)
        self.why = why


def _coerce_bool(param: Param, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
        return value.strip().lower() in ("true", "yes")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise _Refused()


def _coerce_choice(param: Param, value: Any) -> str:
    if isinstance(value, str):
        for choice in param.choices:
            if value.strip().lower() == choice.lower():
                return choice
    raise _Refused()


def _coerce_list(param: Param, value: Any) -> tuple[Any, ...]:
    items = _as_list(value)
    if items is None:
        raise _Refused()
    scalar = Param(param.name, INT if param.kind == INTS else FLOAT, low=param.low,
                   high=param.high, low_open=param.low_open, high_open=param.high_open)
    out = []
    for item in items:
        try:
            out.append(_coerce_number(scalar, item))
        except _Refused:
            raise _Refused(f"bad item {item!r}") from None
    return tuple(out)


def _coerce_number(param: Param, value: Any) -> int | float:
    number = _as_number(value)
    if number is None:
        raise _Refused()
    if isinstance(number, int) and abs(number) >= LARGEST_INT:
        raise _Refused("too large")
    if not math.isfinite(number):
        raise _Refused("must be finite")
    if param.kind == INT:
        if number != int(number):
            raise _Refused("must be a whole number")
        number = int(number)
    else:
        number = float(number)
    if param.low is not None and (number < param.low
                                  or (param.low_open and number == param.low)):
        raise _Refused()
    if param.high is not None and (number > param.high
                                   or (param.high_open and number == param.high)):
        raise _Refused()
    return number


_COERCERS: dict[str, Callable[[Param, Any], Any]] = {
    BOOL: _coerce_bool, CHOICE: _coerce_choice, INTS: _coerce_list, FLOATS: _coerce_list,
    INT: _coerce_number, FLOAT: _coerce_number,
}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _as_number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _as_number(value.item())
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _as_list(value: Any) -> list[Any] | None:
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [value]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        if not text.strip():
            return []
        return [part.strip() for part in text.split(",")]
    return None
