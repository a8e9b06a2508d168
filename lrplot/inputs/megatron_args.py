"""Input format: Megatron-LM's arguments, as the text of a launch script (``.sh``) or a list
of flags (``.txt``) — read as text, never run by a shell.

Every ``--flag value`` (or ``--flag=value``) pair is taken from the text: comments dropped,
``\\`` line continuations joined, quotes removed, a quoted ``"--flag value"`` split. A value
that the shell would compute (``$VAR``, ``${VAR}``, ``$(...)``) is unknown: an error naming the
flag when the lr needs it, ignored otherwise. The schedule is Megatron's
``OptimizerParamScheduler`` as megatron/training/training.py builds it
(``get_optimizer_param_scheduler``, NVIDIA/Megatron-LM @ d98e8a64): counts in samples,
iteration-based arguments multiplied by ``--global-batch-size``, decay length defaulting to
the training length, ``--lr-warmup-fraction`` a fraction of the decay length.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field, replace
from typing import Any

from lrplot import registry
from lrplot.core import Schedule
from lrplot.definition import Context
from lrplot.dialects.megatron import DECAY_STYLES, WSD_STYLES
from lrplot.errors import LrplotError, within
from lrplot.run import Hints, Settings
from lrplot.spec import spec_text

NAME = "megatron.OptimizerParamScheduler"
# Flags only Megatron's schedule has: one of them makes a text file Megatron arguments.
MARKERS = re.compile(r"--(lr-decay-style|lr-warmup-(iters|fraction|samples|init)|"
                     r"lr-decay-(iters|samples)|lr-wsd-decay-|train-(iters|samples)\b)")
NUMBERS = {"--lr": float, "--min-lr": float, "--lr-warmup-init": float,
           "--lr-warmup-fraction": float, "--lr-warmup-iters": int,
           "--lr-warmup-samples": int, "--lr-decay-iters": int, "--lr-decay-samples": int,
           "--lr-wsd-decay-iters": int, "--lr-wsd-decay-samples": int, "--train-iters": int,
           "--train-samples": int, "--global-batch-size": int}
WORDS = {"--lr-decay-style": DECAY_STYLES, "--lr-wsd-decay-style": WSD_STYLES}
# They change the lr (or the samples per iteration) in ways this reading does not follow.
NOT_MODELLED = {
    "--rampup-batch-size": "the global batch grows, so samples per iteration change",
    "--step-batch-size-schedule": "the global batch changes, so samples per iteration change",
    "--decoupled-lr": "the input and output layers get their own lr",
    "--decoupled-min-lr": "the input and output layers get their own lr",
    "--warmup": "removed from Megatron (it asserts); use --lr-warmup-fraction",
    "--lr-decay-style-wsd": "not a Megatron flag",
}
UNKNOWN = re.compile(r"\$|`")


def claims(path: str, document: Any) -> bool:
    return isinstance(document, str) and MARKERS.search(document) is not None


@dataclass(frozen=True)
class Flag:
    value: str | None  # None: given without a value (a switch)
    line: int


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with ``\\``-continuations joined, each with the number of its first line."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        out.append((start, pending + line))
        pending = ""
    if pending:
        out.append((start, pending))
    return out


def _tokens(line: str) -> list[str]:
    try:
        words = shlex.split(line, comments=True)
    except ValueError:  # an unbalanced quote: read the words as they stand
        words = line.split("#", 1)[0].split()
    out: list[str] = []
    for word in words:
        # A quoted "--fp8-format hybrid" in an array is a flag and its value.
        out += word.split() if word.startswith("--") else [word]
    return out


def flags(text: str) -> dict[str, list[Flag]]:
    """Every ``--flag`` in *text* with its value (the next word unless it is a flag)."""
    found: dict[str, list[Flag]] = {}
    for number, line in _logical_lines(text):
        words = _tokens(line)
        for index, word in enumerate(words):
            if not word.startswith("--") or len(word) < 3:
                continue
            name, eq, inline = word.partition("=")
            value: str | None = inline if eq else None
            if not eq and index + 1 < len(words) and not words[index + 1].startswith("--"):
                value = words[index + 1]
            found.setdefault(name.replace("_", "-"), []).append(Flag(value, number))
    return found


def _value(found: dict[str, list[Flag]], name: str) -> Any:
    """The value of *name* (None when absent), typed; refused when unknown or ambiguous."""
    given = found.get(name)
    if not given:
        return None
    values = {flag.value for flag in given}
    if len(values) > 1:
        lines = ", ".join(str(flag.line) for flag in given)
        raise LrplotError(f"{name} is given {len(given)} times with different values (lines "
                          f"{lines}): which one runs depends on the script's shell logic")
    flag = given[-1]
    if flag.value is None:
        raise LrplotError(f"{name} at line {flag.line} has no value")
    if UNKNOWN.search(flag.value):
        raise LrplotError(f"{name} {flag.value} (line {flag.line}): a shell value, unknown "
                          "without running the script; lrplot reads the text only, so write "
                          "the number there (or in a .txt of flags)")
    return _typed(name, flag)


def _typed(name: str, flag: Flag) -> Any:
    assert flag.value is not None
    if name in WORDS:
        if flag.value not in WORDS[name]:
            raise LrplotError(f"{name} {flag.value!r} (line {flag.line}): not a Megatron "
                              f"choice; allowed: {', '.join(WORDS[name])}")
        return flag.value
    kind = NUMBERS[name]
    try:
        number = kind(float(flag.value)) if kind is int and "e" in flag.value.lower() \
            else kind(flag.value)
    except ValueError:
        raise LrplotError(f"{name} {flag.value!r} (line {flag.line}): not "
                          f"{'an integer' if kind is int else 'a number'}") from None
    if number < 0:
        raise LrplotError(f"{name} {flag.value} (line {flag.line}): must be ≥ 0")
    return number


@dataclass
class Plan:
    params: dict[str, Any]
    iterations: int
    notes: list[str]


def _iteration_plan(get: Any, notes: list[str]) -> tuple[dict[str, Any], int]:
    for name in ("--train-samples", "--lr-decay-samples", "--lr-warmup-samples",
                 "--lr-wsd-decay-samples"):
        if get(name):
            raise LrplotError(f"{name} with --train-iters: Megatron asserts iteration-based "
                              "training uses no sample-based lr arguments")
    iters = get("--train-iters")
    batch = get("--global-batch-size")
    if batch is None:
        notes.append("--global-batch-size not given: counted in iterations (increment 1); "
                     "with a constant batch the lr per iteration is the same")
    increment = batch or 1
    decay = get("--lr-decay-iters")
    decay = iters if decay is None else decay
    notes.append(f"lr_decay_steps = {decay * increment}: --lr-decay-iters "
                 f"{'(default: --train-iters) ' if get('--lr-decay-iters') is None else ''}"
                 f"{decay} × {increment}")
    params: dict[str, Any] = {"lr_decay_steps": decay * increment, "increment": increment}
    fraction = get("--lr-warmup-fraction")
    if fraction is not None:
        if get("--lr-warmup-iters"):
            raise LrplotError("--lr-warmup-fraction and --lr-warmup-iters: Megatron asserts "
                              "only one is given")
        params["lr_warmup_steps"] = fraction * params["lr_decay_steps"]
        notes.append(f"lr_warmup_steps = {params['lr_warmup_steps']:g}: --lr-warmup-fraction "
                     f"{fraction:g} × lr_decay_steps")
    else:
        params["lr_warmup_steps"] = (get("--lr-warmup-iters") or 0) * increment
        notes.append(f"lr_warmup_steps = {params['lr_warmup_steps']}: --lr-warmup-iters × "
                     f"{increment}")
    wsd = get("--lr-wsd-decay-iters")
    if wsd is not None:
        params["wsd_decay_steps"] = wsd * increment
    return params, iters


def _sample_plan(get: Any, notes: list[str]) -> tuple[dict[str, Any], int]:
    for name in ("--lr-decay-iters", "--lr-warmup-iters", "--lr-wsd-decay-iters"):
        if get(name):
            raise LrplotError(f"{name} with --train-samples: Megatron asserts sample-based "
                              "training uses no iteration-based lr arguments")
    samples = get("--train-samples")
    batch = get("--global-batch-size")
    if batch is None:
        raise LrplotError("--train-samples without --global-batch-size: the samples per "
                          "iteration are needed to count iterations; add "
                          "--global-batch-size N to the flags")
    decay = get("--lr-decay-samples")
    decay = samples if decay is None else decay
    params: dict[str, Any] = {"lr_decay_steps": decay, "increment": batch}
    notes.append(f"lr_decay_steps = {decay} samples: --lr-decay-samples"
                 f"{' (default: --train-samples)' if get('--lr-decay-samples') is None else ''}")
    fraction = get("--lr-warmup-fraction")
    if fraction is not None:
        if get("--lr-warmup-samples"):
            raise LrplotError("--lr-warmup-fraction and --lr-warmup-samples: Megatron asserts "
                              "only one is given")
        params["lr_warmup_steps"] = fraction * decay
    else:
        params["lr_warmup_steps"] = get("--lr-warmup-samples") or 0
    notes.append(f"lr_warmup_steps = {params['lr_warmup_steps']:g} samples")
    wsd = get("--lr-wsd-decay-samples")
    if wsd is not None:
        params["wsd_decay_steps"] = wsd
    iterations = samples // batch
    notes.append(f"iterations = {iterations}: --train-samples {samples} // "
                 f"--global-batch-size {batch} (update_train_iters)")
    return params, iterations


def plan(text: str) -> Plan:
    """Megatron's scheduler arguments from the flags in *text*."""
    found = flags(text)
    for name, why in NOT_MODELLED.items():
        if name in found:
            raise LrplotError(f"{name} (line {found[name][0].line}): {why}; lrplot does not "
                              "model it")

    def get(name: str) -> Any:
        return _value(found, name)

    lr = get("--lr")
    if lr is None:
        raise LrplotError("--lr is not given: Megatron requires it (it has no default)")
    notes = [f"--lr {lr:g}, --min-lr {get('--min-lr') or 0:g}, --lr-warmup-init "
             f"{get('--lr-warmup-init') or 0:g}"]
    if get("--train-iters"):
        params, iterations = _iteration_plan(get, notes)
    elif get("--train-samples"):
        params, iterations = _sample_plan(get, notes)
    else:
        raise LrplotError("neither --train-iters nor --train-samples is given: Megatron "
                          "needs one to know the run")
    style = get("--lr-decay-style") or "linear"
    notes.insert(1, f"--lr-decay-style {style}"
                    f"{' (Megatron default)' if get('--lr-decay-style') is None else ''}")
    params = {"max_lr": lr, "min_lr": get("--min-lr") or 0.0,
              "init_lr": get("--lr-warmup-init") or 0.0, **params, "lr_decay_style": style}
    if style == "WSD":
        params["lr_wsd_decay_style"] = get("--lr-wsd-decay-style") or "exponential"
    notes.append(f"run: {iterations} iterations; row t uses n = t × {params['increment']} "
                 "samples (the warmup includes its end)")
    return Plan(params, iterations, notes)


@dataclass
class MegatronSource:
    path: str
    plan: Plan
    settings: Settings = field(default_factory=Settings)

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,)

    @property
    def spec(self) -> str:
        return spec_text(NAME, self.plan.params)

    @property
    def notes(self) -> list[str]:
        return self.plan.notes

    def build(self, ctx: Context) -> list[Schedule]:
        with within(self.path):
            schedule = registry.resolve(NAME, self.plan.params, ctx)
        label = f"megatron {self.plan.params['lr_decay_style']} ({os.path.basename(self.path)})"
        return [replace(schedule.with_label(label), length=self.plan.iterations)]


def read(path: str, document: Any, hints: Hints) -> MegatronSource:
    if not isinstance(document, str):
        raise LrplotError(f"{path}: Megatron arguments are read from a text file of flags "
                          "(.sh or .txt)")
    with within(path):
        megatron = plan(document)
        registry.get(NAME).validate(megatron.params, Context())  # refused now, not at build
        if megatron.iterations < 1:
            raise LrplotError(f"the run has {megatron.iterations} iterations")
    return MegatronSource(path, megatron)
