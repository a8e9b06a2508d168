"""Input format: a nanoGPT ``config/*.py``, read with :mod:`ast` — never executed.

nanoGPT's configurator.py ``exec``s the file over train.py's globals (karpathy/nanoGPT @
3adf61e1 : configurator.py), so a config is a list of assignments that override train.py's
defaults. Here each top-level assignment is evaluated by a tiny whitelisted evaluator:
literals (numbers, strings, booleans), ``+ - * / // % **`` on numbers, and names already
set (in the file, or train.py's defaults: ``lr_decay_iters = max_iters``). Anything else is
refused with its line number when it could change the lr; an assignment of something else to
a key that does not change the lr (``wandb_run_name = 'ft-' + str(time.time())``) is noted
and skipped. The lr is ``nanogpt.get_lr`` with the resulting values.
"""

from __future__ import annotations

import ast
import difflib
import operator
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lrplot import registry
from lrplot.core import Schedule
from lrplot.definition import Context
from lrplot.errors import LrplotError, within
from lrplot.limits import LARGEST_INT
from lrplot.run import Hints, Settings
from lrplot.spec import spec_text

NAME = "nanogpt.get_lr"
# train.py's defaults (the lr keys and the literal ones a config may refer to).
DEFAULTS: dict[str, Any] = {
    "out_dir": "out", "eval_interval": 2000, "log_interval": 1, "eval_iters": 200,
    "eval_only": False, "always_save_checkpoint": True, "init_from": "scratch",
    "wandb_log": False, "wandb_project": "owt", "wandb_run_name": "gpt2",
    "dataset": "openwebtext", "gradient_accumulation_steps": 40, "batch_size": 12,
    "block_size": 1024, "n_layer": 12, "n_head": 12, "n_embd": 768, "dropout": 0.0,
    "bias": False, "learning_rate": 6e-4, "max_iters": 600000, "weight_decay": 1e-1,
    "beta1": 0.9, "beta2": 0.95, "grad_clip": 1.0, "decay_lr": True, "warmup_iters": 2000,
    "lr_decay_iters": 600000, "min_lr": 6e-5, "backend": "nccl", "device": "cuda",
    "compile": True,
}
TRAIN_KEYS = (*DEFAULTS, "dtype")
LR_KEYS = ("learning_rate", "max_iters", "decay_lr", "warmup_iters", "lr_decay_iters",
           "min_lr")
# Calls that could rebind train.py's globals behind the assignments' back.
REBINDING = {"globals", "exec", "eval", "vars", "locals", "setattr", "__import__", "compile"}
OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


def claims(path: str, document: Any) -> bool:
    return isinstance(document, str)  # the one Python format: it says what is wrong


class NotLiteral(Exception):
    """The expression is more than arithmetic of literals and known names."""


def evaluate(node: ast.expr, names: dict[str, Any]) -> Any:
    """The value of a literal-arithmetic expression; :class:`NotLiteral` for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in names:
            return names[node.id]
        raise NotLiteral(f"{node.id} is not set before this line")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _number(evaluate(node.operand, names))
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        left, right = _number(evaluate(node.left, names)), _number(evaluate(node.right, names))
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise NotLiteral("an exponent above 64")
        try:
            value = OPERATORS[type(node.op)](left, right)
        except (ZeroDivisionError, OverflowError) as err:
            raise NotLiteral(str(err)) from None
        if isinstance(value, complex) or (isinstance(value, int) and abs(value) >= LARGEST_INT):
            raise NotLiteral("a result out of range")
        return value
    raise NotLiteral(f"{type(node).__name__} is not a literal")


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotLiteral("arithmetic on something other than numbers")
    return value


@dataclass
class Reading:
    """What the file sets: values by key, the line of each, and what was skipped."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _source(node: ast.AST, text: str) -> str:
    segment = ast.get_source_segment(text, node) or type(node).__name__
    return segment if len(segment) <= 60 else segment[:57] + "..."


def _assigned(node: ast.stmt) -> list[str]:
    return [target.id for target in ast.walk(node)
            if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store)]


def _statement(node: ast.stmt, text: str, names: dict[str, Any], reading: Reading) -> None:
    if isinstance(node, (ast.Import, ast.Pass)) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
        return
    if isinstance(node, ast.ImportFrom):
        if any(alias.name == "*" for alias in node.names):
            raise LrplotError(f"line {node.lineno}: `{_source(node, text)}` could set any "
                              "key; lrplot reads the file without running it")
        return
    targets, value = _targets(node)
    if targets is None:
        _other(node, text, reading)
        return
    try:
        result = evaluate(value, names)
        if isinstance(node, ast.AugAssign):
            result = evaluate(ast.BinOp(ast.Name(targets[0], ast.Load()), node.op,
                                        ast.Constant(result)), names)
    except NotLiteral as why:
        lr = [key for key in targets if key in LR_KEYS]
        if lr:
            raise LrplotError(f"line {node.lineno}: {lr[0]} = {_source(value, text)}: not "
                              f"arithmetic of literals ({why}); lrplot reads the file without "
                              "running it, so write the number") from None
        for key in targets:
            names.pop(key, None)
        reading.skipped.append(f"line {node.lineno}: {', '.join(targets)} not evaluated "
                               "(it does not change the lr)")
        return
    for key in targets:
        names[key] = reading.values[key] = result
        reading.lines[key] = node.lineno


def _targets(node: ast.stmt) -> tuple[list[str] | None, Any]:
    """The names a simple assignment sets and its value; (None, None) for other statements."""
    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
        return [t.id for t in node.targets if isinstance(t, ast.Name)], node.value
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name) \
            and node.value is not None:
        return [node.target.id], node.value
    return None, None


def _other(node: ast.stmt, text: str, reading: Reading) -> None:
    """A statement that is not a simple assignment: refused if it could touch the lr."""
    touched = [key for key in _assigned(node) if key in LR_KEYS]
    calls = [c.func.id for c in ast.walk(node)
             if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in REBINDING]
    if touched or calls:
        culprit = touched[0] if touched else f"{calls[0]}()"
        raise LrplotError(f"line {node.lineno}: `{_source(node, text)}` sets {culprit} in a "
                          "way lrplot cannot follow without running the file; write plain "
                          "assignments of numbers")
    reading.skipped.append(f"line {node.lineno}: a {type(node).__name__} statement not "
                           "evaluated (it sets none of the lr keys)")


def read_config(text: str) -> Reading:
    """The keys *text* sets, evaluated as nanoGPT's configurator would leave them."""
    try:
        tree = ast.parse(text)
    except SyntaxError as err:
        raise LrplotError(f"invalid Python at line {err.lineno}: {err.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise LrplotError("not a Python file lrplot can read") from None
    names = dict(DEFAULTS)
    reading = Reading()
    for node in tree.body:
        _statement(node, text, names, reading)
    for key in reading.values:
        close = difflib.get_close_matches(key, LR_KEYS, n=1, cutoff=0.8)
        if key not in TRAIN_KEYS and close:
            raise LrplotError(f"line {reading.lines[key]}: {key} is not a train.py setting "
                              f"(did you mean {close[0]}?); nanoGPT would ignore it")
    return reading


def _typed(reading: Reading, key: str) -> Any:
    value = reading.values.get(key, DEFAULTS[key])
    wanted = bool if key == "decay_lr" else int if key.endswith("iters") else float
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if (wanted is bool and not isinstance(value, bool)) or (wanted is not bool and not number):
        raise LrplotError(f"line {reading.lines.get(key)}: {key} = {value!r}: not "
                          f"{'True or False' if wanted is bool else 'a number'}")
    if wanted is int and isinstance(value, float):
        if not value.is_integer():
            raise LrplotError(f"line {reading.lines[key]}: {key} = {value!r}: not a whole "
                              "number of iterations")
        value = int(value)
    return value


def plan(text: str) -> tuple[dict[str, Any], list[str]]:
    reading = read_config(text)
    params = {key: _typed(reading, key) for key in LR_KEYS}
    notes = []
    for key in LR_KEYS:
        where = f"line {reading.lines[key]}" if key in reading.lines else "train.py default"
        notes.append(f"{key} = {params[key]!r} ({where})")
    notes.append(f"run: iterations 0..{params['max_iters']} ({params['max_iters'] + 1} "
                 "updates); warmup lr·(it+1)/(W+1), nanoGPT since dc81cb36 (2024-12-09): "
                 "add warmup_formula=original to the spec for lr·it/W (before)")
    if reading.values.get("init_from") == "resume":
        notes.append("init_from = 'resume': the run continues at the checkpoint's iter_num")
    notes += reading.skipped
    return params, notes


@dataclass
class NanoGPTSource:
    path: str
    params: dict[str, Any]
    notes: list[str]
    settings: Settings = field(default_factory=Settings)

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,)

    @property
    def spec(self) -> str:
        return spec_text(NAME, self.params)

    def build(self, ctx: Context) -> list[Schedule]:
        with within(self.path):
            schedule = registry.resolve(NAME, self.params, ctx)
        return [schedule.with_label(f"nanoGPT ({os.path.basename(self.path)})")]


def read(path: str, document: Any, hints: Hints) -> NanoGPTSource:
    if not isinstance(document, str):
        raise LrplotError(f"{path}: a nanoGPT config is a Python file (.py)")
    with within(path):
        params, notes = plan(document)
        registry.get(NAME).validate(params, Context())
    return NanoGPTSource(path, params, notes)
