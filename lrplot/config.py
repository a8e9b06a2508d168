"""Config files: schedules written down in TOML (or JSON, or YAML) instead of on the command line.

```toml
title = "warmup, hold, cosine"       # optional
steps = 1000                         # optional: run length (--steps wins)
steps_per_epoch = 100                # optional: epoch axis / column
log = true                           # optional: log-scale lr axis (as --log)
metric = "val_log.csv:val_loss"      # optional: metric for plateau schedules,
                                     # relative to this file (--metric wins)
[[schedule]]
name = "cosine"                      # a family or a dialect name
lr = 0.1                             # its parameters
warmup = 50
label = "cosine + warmup"            # optional legend / column label

[[schedule]]
name = "sequence"                    # composition: parts joined at boundaries
boundaries = [100, 600]
parts = [
  { name = "linear", lr = 0, end_lr = 3e-4, decay_steps = 100 },
  { name = "constant", lr = 3e-4 },
  { name = "cosine", lr = 3e-4 },
]
```

Several ``[[schedule]]`` tables make a comparison. ``sequence`` (with ``boundaries``) and
``chain`` take ``parts`` and nest; ``torch.SequentialLR`` (with ``milestones``) and
``torch.ChainedScheduler`` take torch ``parts`` and an optimizer ``lr``; they nest inside each
other as torch allows (in a SequentialLR, only as the first part). Inside a sequence each
part is resolved as if the run were its own segment long, so ``decay_steps`` and friends
default to the part's share of the run. A schedule table may carry its own ``metric``.
A ``.json`` file holding what ``keras.optimizers.schedules.serialize`` writes (a top-level
``class_name``) is read as that Keras schedule.

Every problem is one :class:`LrplotError` naming the file, the table (``schedule[0]``,
``schedule[1].parts[2]``: counted from 0 in file order) and the key.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from lrplot.catalogue import Context, resolve
from lrplot.compose import (
    TorchChained,
    TorchSequential,
    chain,
    check_boundaries,
    sequence,
    torch_replay,
)
from lrplot.errors import LrplotError
from lrplot.params import FLOAT, INT, INTS, Param
from lrplot.schedule import MAX_STEPS, Schedule
from lrplot.spec import Loaded

TOP_KEYS = ("title", "steps", "steps_per_epoch", "log", "metric", "schedule")
TABLE_KEYS = ("name", "label", "metric")  # every other key of a plain table is a parameter
COMPOSITES = {
    "sequence": ("parts", "boundaries"),
    "chain": ("parts",),
    "torch.sequentiallr": ("parts", "milestones", "lr"),
    "torch.chainedscheduler": ("parts", "lr"),
}


@dataclass(frozen=True)
class CompositeHelp:
    """What ``lrplot describe`` and ``lrplot list`` say about a composite (config files only)."""

    name: str
    summary: str
    formula: str
    keys: tuple[tuple[str, str], ...]  # (key, meaning), beside name and label
    example: str
    notes: str


_SEQUENCE_EXAMPLE = """[[schedule]]
name = "sequence"
boundaries = [100, 600]
parts = [
  { name = "linear", lr = 0, end_lr = 3e-4, decay_steps = 100 },
  { name = "constant", lr = 3e-4 },
  { name = "cosine", lr = 3e-4 },
]"""

COMPOSITE_HELP = (
    CompositeHelp(
        "sequence", "Parts joined at boundaries, each restarting at its own step 0.",
        "part k's value at t − boundaries[k−1], for boundaries[k−1] ≤ t < boundaries[k]",
        (("parts", "schedule tables (families, dialects, composites), one more than "
                   "boundaries"),
         ("boundaries", "steps where the next part starts: increasing integers ≥ 1")),
        _SEQUENCE_EXAMPLE,
        "Like optax.join_schedules. Inside a sequence each part is resolved as if the run were "
        "its own segment, so decay_steps and other lengths default to the part's share. The "
        "last part runs to the end.",
    ),
    CompositeHelp(
        "chain", "Parts multiplied, every part seeing the same step.",
        "part₁(t) · part₂(t) · …",
        (("parts", "schedule tables; give one the lr and make the others factors around 1"),),
        """[[schedule]]
name = "chain"
parts = [
  { name = "constant", lr = 1, warmup = 500 },   # a 0 → 1 warmup multiplier
  { name = "cosine", lr = 3e-4 },
]""",
        "Like torch ChainedScheduler over closed forms. Parts nest: a chain may hold a "
        "sequence and the other way round.",
    ),
    CompositeHelp(
        "torch.SequentialLR", "PyTorch SequentialLR over torch schedulers, replayed as torch "
        "steps it.",
        "part k from the optimizer's initial lr at its own epoch 0, switched at milestones",
        (("parts", "torch.* scheduler tables (a torch composite only as the first part)"),
         ("milestones", "steps where the next scheduler takes over: integers ≥ 1"),
         ("lr", "the optimizer's lr (default 0.1)")),
        """[[schedule]]
name = "torch.SequentialLR"
lr = 0.5
milestones = [5]
parts = [
  { name = "torch.LinearLR", start_factor = 0.01, total_iters = 5 },
  { name = "torch.CosineAnnealingLR", T_max = 595 },
]""",
        "Every part's constructor runs first and the chainable form is replayed step by step, "
        "so torch's quirks come through (e.g. a nested SequentialLR switches one step early).",
    ),
    CompositeHelp(
        "torch.ChainedScheduler", "PyTorch ChainedScheduler: every torch scheduler steps the "
        "same lr in turn.",
        "chainable schedulers multiply; constructor side effects compound",
        (("parts", "torch.* scheduler tables, torch composites included"),
         ("lr", "the optimizer's lr (default 0.1)")),
        """[[schedule]]
name = "torch.ChainedScheduler"
lr = 0.1
parts = [
  { name = "torch.ConstantLR", factor = 0.1, total_iters = 2 },
  { name = "torch.ExponentialLR", gamma = 0.9 },
]""",
        "Replayed step by step as torch computes it, recursive form included.",
    ),
)


def composite_help(name: str) -> CompositeHelp | None:
    """The help of composite *name* (case-insensitive), or None for anything else."""
    key = name.strip().lower()
    return next((h for h in COMPOSITE_HELP if h.name.lower() == key), None)


# TOML integers are 64-bit; JSON and YAML integers are not, and a huge one cannot become a float.
LARGEST_INT = 2**63
DEEPEST = 32

STEPS = Param("steps", INT, None, low=1, high=MAX_STEPS)
STEPS_PER_EPOCH = Param("steps_per_epoch", INT, None, low=1)
BOUNDARIES = Param("boundaries", INTS, low=1)
MILESTONES = Param("milestones", INTS, low=1)
OPTIMIZER_LR = Param("lr", FLOAT, 0.1, "the optimizer's lr", low=0)


def load_config(path: str, ctx: Context) -> Loaded:
    """The schedules, title, steps and steps_per_epoch a config file describes."""
    document = _read(path)
    if path.lower().endswith(".json") and isinstance(document, dict) \
            and "class_name" in document:
        return _keras_serialized(document, path, ctx)
    try:
        _check_plain(document, "", 0)
        return _load_document(document, path, ctx)
    except RecursionError:
        raise LrplotError(f"{path}: is nested too deeply") from None
    except LrplotError as err:
        raise LrplotError(f"{path}: {err.message}") from None


# ---- reading and parsing ------------------------------------------------------------------


def _read(path: str) -> Any:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise LrplotError(f"config file {path}: no such file") from None
    except IsADirectoryError:
        raise LrplotError(f"config file {path}: is a directory, not a file") from None
    except OSError as err:
        raise LrplotError(f"config file {path}: cannot read it ({err.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise LrplotError(f"{path}: is not UTF-8 text (byte {err.start})") from None
    lower = path.lower()
    if lower.endswith(".toml"):
        return _parse_toml(text, path)
    if lower.endswith(".json"):
        return _parse_json(text, path)
    return _parse_yaml(text, path)


def _parse_toml(text: str, path: str) -> Any:
    try:
        import tomllib
    except ImportError:  # Python 3.10: the same parser as the tomli backport
        try:
            import tomli as tomllib
        except ImportError:
            raise LrplotError(f"{path}: reading TOML on Python 3.10 needs tomli; "
                              "`pip install tomli`") from None
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
    except RecursionError:
        raise LrplotError(f"{path}: is nested too deeply") from None


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
    except RecursionError:
        raise LrplotError(f"{path}: is nested too deeply") from None


def _check_plain(value: Any, where: str, depth: int) -> None:
    """Reject what no parameter can hold and what would break number handling later."""
    if depth > DEEPEST:
        raise LrplotError(f"{where or 'the file'}: is nested too deeply")
    if isinstance(value, bool):
        return
    if isinstance(value, int) and abs(value) >= LARGEST_INT:
        raise LrplotError(f"{where}: the number {value} is too large")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise LrplotError(f"{where or 'top level'}: key {key!r} must be a string")
            _check_plain(item, f"{where}.{key}" if where else key, depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_plain(item, f"{where}[{index}]", depth + 1)


# ---- the document -------------------------------------------------------------------------


def _load_document(doc: Any, path: str, ctx: Context) -> Loaded:
    if not isinstance(doc, Mapping):
        raise LrplotError(f"the top level must be a table with [[schedule]] entries, got "
                          f"{_kind(doc)}")
    for key in doc:
        if key not in TOP_KEYS:
            raise LrplotError(f"unknown top-level key {key!r}; allowed: {', '.join(TOP_KEYS)}")
    title = doc.get("title")
    if title is not None and not isinstance(title, str):
        raise LrplotError(f"title must be a string, got {_show(title)}")
    steps = STEPS.coerce(doc.get("steps"), "top level") if "steps" in doc else None
    per_epoch = (STEPS_PER_EPOCH.coerce(doc.get("steps_per_epoch"), "top level")
                 if "steps_per_epoch" in doc else None)
    log = doc.get("log", False)
    if not isinstance(log, bool):
        raise LrplotError(f"log must be true or false, got {_show(log)}")
    tables = doc.get("schedule")
    if tables is None:
        raise LrplotError("has no schedules; add one or more [[schedule]] tables with a name")
    if isinstance(tables, Mapping):
        raise LrplotError("schedule must be an array of tables: write [[schedule]] "
                          "(two brackets), or a list in JSON/YAML")
    if not isinstance(tables, list) or not tables:
        raise LrplotError("schedule must be a non-empty array of tables, got "
                          f"{_show(tables)}")
    base = Context(steps=ctx.steps if ctx.steps is not None else steps, metric=ctx.metric,
                   metric_label=ctx.metric_label)
    folder = os.path.dirname(path)
    if ctx.metric is None and "metric" in doc:
        base = _with_metric(base, doc["metric"], folder, "metric")
    schedules = []
    for index, table in enumerate(tables):
        where = f"schedule[{index}]"
        table_ctx = base
        if ctx.metric is None and isinstance(table, Mapping) and "metric" in table:
            table_ctx = _with_metric(base, table["metric"], folder, f"{where}: metric")
        schedules.append(_table(table, where, table_ctx, top=True))
    return Loaded(schedules=schedules, title=title, steps=steps, steps_per_epoch=per_epoch,
                  log=log)


def steps_per_epoch_of(path: str) -> int | None:
    """Config *path*'s top-level steps_per_epoch, read before its schedules: ``--epochs E``
    needs it to know the run length the schedules are resolved for."""
    document = _read(path)
    if not isinstance(document, Mapping) or "steps_per_epoch" not in document:
        return None
    try:
        return STEPS_PER_EPOCH.coerce(document["steps_per_epoch"], "top level")
    except LrplotError as err:
        raise LrplotError(f"{path}: {err.message}") from None


def _with_metric(ctx: Context, value: Any, folder: str, where: str) -> Context:
    if not isinstance(value, str) or not value.strip():
        raise LrplotError(f"{where} must be a string FILE[:COLUMN], got {_show(value)}")
    from lrplot.metric import load_metric

    try:
        metric, label = load_metric(os.path.join(folder, value.strip()))
    except LrplotError as err:
        raise LrplotError(f"{where}: {err.message}") from None
    return replace(ctx, metric=metric, metric_label=label)


# ---- one [[schedule]] table (or one part) ------------------------------------------------


def _composite_parts(table: Mapping[str, Any], where: str, name: str,
                     allowed: tuple[str, ...], what: str) -> list[Any]:
    """A composite table's parts, after refusing any key outside *allowed*."""
    for key in table:
        if key not in allowed:
            raise LrplotError(f"{where}: {name}: unknown key {key!r}; allowed: "
                              f"{', '.join(allowed)}")
    parts = table.get("parts")
    if not isinstance(parts, list) or not parts:
        raise LrplotError(f"{where}: {name} needs parts: a non-empty list of {what}, "
                          f"got {_show(parts) if 'parts' in table else 'none'}")
    return parts


def _table(table: Any, where: str, ctx: Context, top: bool = False) -> Schedule:
    if not isinstance(table, Mapping):
        raise LrplotError(f"{where}: must be a table with a name, got {_show(table)}")
    name = table.get("name")
    if name is None:
        raise LrplotError(f"{where}: missing name (a family like cosine, a dialect name like "
                          "torch.StepLR, or sequence/chain); `lrplot list` shows them all")
    if not isinstance(name, str) or not name.strip():
        raise LrplotError(f"{where}: name must be a schedule name, got {_show(name)}")
    name = name.strip()
    label = table.get("label")
    if label is not None and not (isinstance(label, str) and label.strip()):
        raise LrplotError(f"{where}: label must be a non-empty string, got {_show(label)}")
    if not top:
        for key in ("label", "metric"):
            if key in table:
                raise LrplotError(f"{where}: {key} belongs on the whole [[schedule]] table, "
                                  "not on one of its parts")
    composite = COMPOSITES.get(name.lower())
    if composite is None:
        if "parts" in table:
            raise LrplotError(f"{where}: {name} does not take parts; only "
                              "sequence, chain, torch.SequentialLR and torch.ChainedScheduler do")
        params = {k: v for k, v in table.items() if k not in TABLE_KEYS}
        try:
            schedule = resolve(name, params, ctx)
        except LrplotError as err:
            raise LrplotError(f"{where}: {err.message}") from None
        return schedule.with_label(label or spec_text(schedule.name or name, params))
    allowed = ("name", "label", "metric", *composite) if top else ("name", *composite)
    parts = _composite_parts(table, where, name, allowed, "schedule tables")
    builder = _COMPOSITE_BUILDERS[name.lower()]
    return builder(table, parts, where, ctx, label)


def _sequence(table: Mapping[str, Any], parts: list[Any], where: str, ctx: Context,
              label: str | None) -> Schedule:
    try:
        bounds = list(BOUNDARIES.coerce(table.get("boundaries", ()), "sequence"))
        check_boundaries(bounds, len(parts))
    except LrplotError as err:
        raise LrplotError(f"{where}: {err.message}") from None
    starts = [0, *bounds]
    built = []
    for index, part in enumerate(parts):
        # Each part is resolved as if the run were its own segment: decay_steps and other
        # lengths default to the part's share, and a metric starts where the part starts.
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else None
        if ctx.steps is not None:  # a segment past the end of the run is cut there
            end = ctx.steps if end is None else min(end, ctx.steps)
        steps = end - start if end is not None and end > start else None
        metric = ctx.metric[start:] if ctx.metric is not None else None
        if metric is not None and not len(metric):
            metric = None
        part_ctx = replace(ctx, steps=steps, metric=metric)
        built.append(_table(part, f"{where}.parts[{index}]", part_ctx))
    text = label or "sequence(" + ", ".join(
        f"{part.name or part.label}@{start}" for part, start in zip(built, starts)) + ")"
    return sequence(built, bounds, label=text)


def _chain(table: Mapping[str, Any], parts: list[Any], where: str, ctx: Context,
           label: str | None) -> Schedule:
    built = [_table(part, f"{where}.parts[{index}]", ctx) for index, part in enumerate(parts)]
    text = label or "chain(" + " × ".join(p.name or p.label for p in built) + ")"
    return chain(built, label=text)


def _torch_parts(parts: list[Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for index, part in enumerate(parts):
        here = f"{where}.parts[{index}]"
        if not isinstance(part, Mapping):
            raise LrplotError(f"{here}: must be a table with a name, got {_show(part)}")
        name = part.get("name")
        if not isinstance(name, str) or not name.strip():
            raise LrplotError(f"{here}: needs a name, a torch scheduler such as torch.LinearLR")
        if "parts" in part or "label" in part or "metric" in part:
            key = next(k for k in ("parts", "label", "metric") if k in part)
            raise LrplotError(f"{here}: {key} is not allowed inside a torch composite part")
        out.append((name.strip(), {k: v for k, v in part.items() if k != "name"}))
    return out


def _torch_composite(function: str, owner: str) -> Callable[..., Schedule]:
    def build(table: Mapping[str, Any], parts: list[Any], where: str, ctx: Context,
              label: str | None) -> Schedule:
        if any(_torch_composite_name(part) for part in parts):
            return _nested_torch(table, owner, where, ctx, label)
        torch_parts = _torch_parts(parts, where)
        try:
            lr = OPTIMIZER_LR.coerce(table.get("lr", OPTIMIZER_LR.default), owner)
            args: list[Any] = [torch_parts]
            if "milestones" in COMPOSITES[owner.lower()]:
                args.append(_milestones(table, owner))
            module = _torch_dialect()
            schedule = getattr(module, function)(*args, lr, ctx)
        except LrplotError as err:
            raise LrplotError(f"{where}: {err.message}") from None
        names = ", ".join(part_name for part_name, _ in torch_parts)
        return schedule.with_label(label or f"{owner}({names})")

    return build


def _milestones(table: Mapping[str, Any], owner: str) -> list[int]:
    if "milestones" not in table:
        raise LrplotError(f"{owner}: missing required parameter milestones "
                          f"({MILESTONES.allowed()})")
    return list(MILESTONES.coerce(table["milestones"], owner))


# ---- torch composites inside torch composites ---------------------------------------------

TORCH_COMPOSITES = {"torch.sequentiallr": "torch.SequentialLR",
                    "torch.chainedscheduler": "torch.ChainedScheduler"}


def _torch_composite_name(part: Any) -> str | None:
    """'torch.SequentialLR' or 'torch.ChainedScheduler' when *part* is one (torch. optional)."""
    name = part.get("name") if isinstance(part, Mapping) else None
    if not isinstance(name, str):
        return None
    key = name.strip().lower()
    return TORCH_COMPOSITES.get(key) or TORCH_COMPOSITES.get(f"torch.{key}")


def _nested_torch(table: Mapping[str, Any], owner: str, where: str, ctx: Context,
                  label: str | None) -> Schedule:
    """A torch composite holding torch composites, replayed as torch steps the whole tree."""
    module = _torch_dialect_at(where)
    try:
        lr = OPTIMIZER_LR.coerce(table.get("lr", OPTIMIZER_LR.default), owner)
    except LrplotError as err:
        raise LrplotError(f"{where}: {err.message}") from None
    make, length, text = _torch_node(table, owner, where, ctx, module, top=True)
    return torch_replay(owner, label or text, lr, make, length, {"lr": lr, "parts": text})


def _torch_node(table: Any, owner: str, where: str, ctx: Context, module: Any,
                index: int = 0, top: bool = False) -> tuple[Callable[..., Any], int | None, str]:
    """One node of a torch composite tree: (make(group, on_switch), natural length, text).

    *owner* is the composite the node is part *index* of (for leaf messages).
    """
    if not isinstance(table, Mapping):
        raise LrplotError(f"{where}: must be a table with a name, got {_show(table)}")
    composite = _torch_composite_name(table)
    if composite is None:
        return _torch_leaf(table, owner, where, ctx, module, index)
    if top:  # the outermost table's keys were checked by _table
        keys: tuple[str, ...] = tuple(table)
    else:
        if "lr" in table:
            raise LrplotError(f"{where}: {composite}: lr belongs to the outermost "
                              "composite (one optimizer, one lr)")
        keys = ("name", "parts", "milestones")[:3 if composite == "torch.SequentialLR" else 2]
    parts = _composite_parts(table, where, composite, keys, "torch schedulers")
    children = [_torch_node(part, composite, f"{where}.parts[{i}]", ctx, module, i)
                for i, part in enumerate(parts)]
    text = f"{composite}({', '.join(child[2] for child in children)})"
    makers = [child[0] for child in children]
    lengths = [child[1] for child in children]
    if composite == "torch.ChainedScheduler":
        known = [n for n in lengths if n]

        def chained(group: dict, on_switch: Callable[[], None]) -> TorchChained:
            return TorchChained([make(group, on_switch) for make in makers])

        return chained, max(known) if known else None, text
    try:
        milestones = _milestones(table, composite)
        if len(milestones) != len(parts) - 1:
            raise LrplotError(f"{composite}: needs exactly one milestone fewer than parts (got "
                              f"{len(parts)} parts and {len(milestones)} milestones)")
    except LrplotError as err:
        raise LrplotError(f"{where}: {err.message}") from None
    for i in range(1, len(parts)):
        if _torch_composite_name(parts[i]):
            raise LrplotError(f"{where}.parts[{i}]: {_RESTART_TEXT}")

    def sequential(group: dict, on_switch: Callable[[], None]) -> TorchSequential:
        return TorchSequential(group, [make(group, on_switch) for make in makers],
                               list(milestones), on_switch)

    last = lengths[-1]
    return sequential, (max(milestones) + last if last else None), text


# torch restarts a later SequentialLR part with _update_lr(0), which a composite lacks.
_RESTART_TEXT = ("torch.SequentialLR can start a nested SequentialLR or ChainedScheduler only "
                 "as its first part: at a milestone torch raises NotImplementedError")


def _torch_leaf(table: Mapping[str, Any], owner: str, where: str, ctx: Context, module: Any,
                index: int) -> tuple[Callable[..., Any], int | None, str]:
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise LrplotError(f"{where}: needs a name, a torch scheduler such as torch.LinearLR")
    for key in ("parts", "label", "metric"):
        if key in table:
            raise LrplotError(f"{where}: {key} is not allowed inside a torch composite part")
    from lrplot.dialects import _torch_sim as sim

    raw = {k: v for k, v in table.items() if k != "name"}
    try:
        short, args, length = module._part_values(index, name.strip(), raw, ctx, owner)
    except LrplotError as err:
        raise LrplotError(f"{where}: {err.message}") from None

    def leaf(group: dict, on_switch: Callable[[], None]) -> Any:
        return sim.construct(short, group, args)

    return leaf, length, f"torch.{short}"


def _torch_dialect_at(where: str) -> Any:
    try:
        return _torch_dialect()
    except LrplotError as err:
        raise LrplotError(f"{where}: {err.message}") from None


def _torch_dialect() -> Any:
    try:
        return importlib.import_module("lrplot.dialects.torch")
    except ModuleNotFoundError as err:
        if err.name not in ("lrplot.dialects", "lrplot.dialects.torch"):
            raise
        raise LrplotError("torch.SequentialLR and torch.ChainedScheduler need the torch "
                          "dialect, which this build does not have") from None


_COMPOSITE_BUILDERS = {
    "sequence": _sequence,
    "chain": _chain,
    "torch.sequentiallr": _torch_composite("sequential_lr", "torch.SequentialLR"),
    "torch.chainedscheduler": _torch_composite("chained_scheduler", "torch.ChainedScheduler"),
}


def _keras_serialized(document: dict[str, Any], path: str, ctx: Context) -> Loaded:
    try:
        keras = importlib.import_module("lrplot.dialects.keras")
    except ModuleNotFoundError as err:
        if err.name not in ("lrplot.dialects", "lrplot.dialects.keras"):
            raise
        raise LrplotError(f"{path}: Keras schedule JSON needs the keras dialect, which this "
                          "build does not have") from None
    result = keras.load_serialized(document, path, ctx)
    if isinstance(result, Loaded):
        return result
    if isinstance(result, Schedule):
        return Loaded(schedules=[result])
    return Loaded(schedules=list(result))


# ---- labels -------------------------------------------------------------------------------


def spec_text(name: str, params: Mapping[str, Any]) -> str:
    """A spec-like label: ``cosine:lr=0.1,warmup=5``."""
    items = ",".join(f"{key}={_show(value)}" for key, value in params.items())
    return f"{name}:{items}" if items else name


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_show(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "a table"
    return str(value)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    return _show(value)

