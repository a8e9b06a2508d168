"""Input format: Hugging Face ``TrainingArguments`` as JSON or YAML, and the tools built on it.

HfArgumentParser files, TRL and open-r1 recipes and LLaMA-Factory YAML all carry the Trainer's
own keys. The lr the Trainer will use is ``hf.<lr_scheduler_type>`` with

- ``num_training_steps`` N: ``max_steps`` when > 0, else ``ceil(num_train_epochs · U)`` with U
  the optimizer updates per epoch, ``max(ceil(batches / gradient_accumulation_steps), 1)``
  (transformers 5 ``Trainer.set_initial_training_values``; before 4.52 it floored:
  ``--hf-version 4.51`` picks that rule). The
  batches per process come from ``--dataset-size`` (examples), ``per_device_train_batch_size``
  and ``--world-size`` as accelerate shards them: ``ceil(ceil(D / bs) / W)``
  (``floor(floor(D / bs) / W)`` with ``dataloader_drop_last``); or ``--steps-per-epoch U``.
- ``num_warmup_steps``: ``int(warmup_steps)`` if ≥ 1, else ``ceil(N · warmup_steps)``
  (transformers 5 ``get_warmup_steps``); a transformers 4 file's ``warmup_ratio`` (when
  ``warmup_steps`` is 0) gives ``ceil(N · warmup_ratio)``.
- ``lr_scheduler_kwargs`` (a table or a JSON string) as the type's own parameters.

A ``deepspeed`` key naming a DeepSpeed config with a ``scheduler`` block replaces all of this
with that scheduler, its ``"auto"`` values filled as transformers/integrations/deepspeed.py
does. Keys that change the lr but that lrplot does not model are refused by name.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lrplot import registry
from lrplot.documents import read_document
from lrplot.errors import LrplotError, within
from lrplot.inputs import deepspeed_json
from lrplot.inputs.named import NamedSource
from lrplot.params import BOOL, FLOAT, INT, Param
from lrplot.run import Hints, Settings, version_tuple
from lrplot.spec import show_value

# TrainingArguments' own keys: a file with the scheduler type, or the lr and two of these.
MARKERS = ("lr_scheduler_type", "num_train_epochs", "per_device_train_batch_size",
           "gradient_accumulation_steps", "warmup_ratio", "warmup_steps", "max_steps",
           "output_dir", "lr_scheduler_kwargs")
# They change the lr in the tools that read them (axolotl, LoRA+), not in the Trainer.
NOT_MODELLED = ("cosine_min_lr_ratio", "cosine_constant_lr_ratio", "lr_quadratic_warmup",
                "lr_div_factor", "loraplus_lr_ratio", "loraplus_lr_embedding", "embedding_lr",
                "embedding_lr_scale", "lr_groups", "micro_batch_size", "lr_scheduler")
# TrainingArguments' defaults (transformers 5.24 training_args.py).
FIELDS = {
    "learning_rate": Param("learning_rate", FLOAT, 5e-5, low=0),
    "num_train_epochs": Param("num_train_epochs", FLOAT, 3.0, low=0, low_open=True),
    "max_steps": Param("max_steps", INT, -1),
    "per_device_train_batch_size": Param("per_device_train_batch_size", INT, 8, low=1),
    "gradient_accumulation_steps": Param("gradient_accumulation_steps", INT, 1, low=1),
    "warmup_steps": Param("warmup_steps", FLOAT, 0, low=0),
    "warmup_ratio": Param("warmup_ratio", FLOAT, 0.0, low=0, high=1),
    "dataloader_drop_last": Param("dataloader_drop_last", BOOL, False),
}


def claims(path: str, document: Any) -> bool:
    if not isinstance(document, Mapping) or "schedule" in document or "class_name" in document:
        return False
    present = sum(key in document for key in MARKERS)
    return "lr_scheduler_type" in document or ("learning_rate" in document and present >= 2)


def field_value(document: Mapping[str, Any], key: str) -> Any:
    """A TrainingArguments field of *document*, typed, or its default."""
    param = FIELDS[key]
    return param.coerce(document[key], key) if key in document else param.default


@dataclass
class Plan:
    """How a Trainer run's schedule follows from its arguments: the numbers and their why."""

    name: str
    params: dict[str, Any]
    updates_per_epoch: int | None
    notes: list[str] = field(default_factory=list)


def updates_per_epoch(document: Mapping[str, Any], hints: Hints) -> tuple[int | None, str]:
    """The optimizer updates in one epoch, and where that number comes from."""
    if hints.steps_per_epoch is not None:
        return hints.steps_per_epoch, "--steps-per-epoch"
    if hints.dataset_size is None:
        return None, ""
    size, world = hints.dataset_size, hints.world_size
    batch = field_value(document, "per_device_train_batch_size")
    accumulation = field_value(document, "gradient_accumulation_steps")
    if field_value(document, "dataloader_drop_last"):
        per_process = (size // batch) // world
    else:
        per_process = math.ceil(math.ceil(size / batch) / world)
    if floors_updates(hints):
        updates, rule = max(per_process // accumulation, 1), "floor"
    else:
        updates = max(per_process // accumulation + int(per_process % accumulation > 0), 1)
        rule = "ceil"
    return updates, (f"{size} examples / batch {batch} / {world} process"
                     f"{'es' if world > 1 else ''} = {per_process} batches, / accumulation "
                     f"{accumulation} ({rule}, transformers {hints.hf_version or '5'})")


def floors_updates(hints: Hints) -> bool:
    """Whether the Trainer floors the updates per epoch: releases before 4.52 (the ceil came
    with transformers PR #37923, merged May 2025)."""
    return hints.hf_version is not None and version_tuple(hints.hf_version) < (4, 52)


def total_steps(document: Mapping[str, Any], hints: Hints) -> tuple[int, int | None, str]:
    """N (the Trainer's max_steps), the updates per epoch if known, and how N was found."""
    max_steps = field_value(document, "max_steps")
    updates, why = updates_per_epoch(document, hints)
    if max_steps > 0:
        return max_steps, updates, "max_steps"
    epochs = field_value(document, "num_train_epochs")
    if updates is None:
        raise LrplotError(f"num_train_epochs = {epochs:g} without max_steps: give "
                          "--dataset-size N (training examples; with --world-size W for W "
                          "processes), or --steps-per-epoch K (optimizer updates per epoch)")
    return math.ceil(epochs * updates), updates, f"ceil({epochs:g} epochs × {updates} " \
                                                 f"updates) ({why})"


def warmup_steps(document: Mapping[str, Any], total: int) -> tuple[int, str]:
    steps = field_value(document, "warmup_steps")
    ratio = field_value(document, "warmup_ratio")
    if steps == 0 and ratio > 0:
        return math.ceil(total * ratio), f"ceil({total} × warmup_ratio {ratio:g}) " \
                                         "(transformers 4's warmup_ratio)"
    if steps == 0:
        return 0, "no warmup_steps (or warmup_ratio)"
    if steps >= 1:
        return int(steps), "warmup_steps"
    return math.ceil(total * steps), f"ceil({total} × warmup_steps {steps:g})"


def scheduler_kwargs(document: Mapping[str, Any]) -> dict[str, Any]:
    raw = document.get("lr_scheduler_kwargs", {})
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            raise LrplotError(f"lr_scheduler_kwargs {show_value(raw)} is not a JSON "
                              "object") from None
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise LrplotError(f"lr_scheduler_kwargs must be a table, got {show_value(raw)}")
    return dict(raw)


def plan(path: str, document: Mapping[str, Any], hints: Hints) -> Plan:
    """The schedule the Trainer builds from *document* (see the module docstring)."""
    for key in NOT_MODELLED:
        if key in document:
            raise LrplotError(f"{key}: changes the lr in the tool that reads this file, and "
                              "lrplot does not model it (it reads TrainingArguments keys)")
    lr = field_value(document, "learning_rate")
    total, updates, total_why = total_steps(document, hints)
    warm, warm_why = warmup_steps(document, total)
    notes = [f"learning_rate = {lr:g}", f"num_training_steps = {total}: {total_why}",
             f"num_warmup_steps = {warm}: {warm_why}"]
    speed = _deepspeed_plan(path, document, lr, total, warm, notes)
    if speed is not None:
        return Plan(*speed, updates, notes)
    kind = document.get("lr_scheduler_type", "linear")
    if not isinstance(kind, str):
        raise LrplotError(f"lr_scheduler_type must be a name, got {show_value(kind)}")
    name = f"hf.{kind.strip().lower()}"
    known = [d.name for d in registry.all_definitions("dialect") if d.name.startswith("hf.")]
    if name not in known:
        allowed = [n.removeprefix("hf.") for n in known]
        raise LrplotError(f"lr_scheduler_type {kind!r} is not a transformers scheduler; "
                          f"allowed: {', '.join(allowed)}")
    params = {"lr": lr, "num_warmup_steps": warm, "num_training_steps": total,
              **scheduler_kwargs(document)}
    _llamafactory_defaults(document, name, params, notes)
    return Plan(name, params, updates, notes)


def _llamafactory_defaults(document: Mapping[str, Any], name: str, params: dict[str, Any],
                           notes: list[str]) -> None:
    """LLaMA-Factory gives warmup_stable_decay a third of the rest as its stable phase
    (llamafactory/train/trainer_utils.py create_custom_scheduler)."""
    if name != "hf.warmup_stable_decay" or not {"stage", "finetuning_type"} & set(document):
        return
    rest = params["num_training_steps"] - params["num_warmup_steps"]
    if "num_stable_steps" not in params:
        params["num_stable_steps"] = rest // 3
    params.setdefault("num_decay_steps", rest - params["num_stable_steps"])
    notes.append("LLaMA-Factory warmup_stable_decay: stable = (N − W) // 3, decay = the rest")


def _deepspeed_plan(path: str, document: Mapping[str, Any], lr: float, total: int,
                    warm: int, notes: list[str]) -> tuple[str, dict[str, Any]] | None:
    """The DeepSpeed scheduler that replaces the Trainer's, if the file names one."""
    pointer = document.get("deepspeed")
    if pointer is None:
        return None
    if isinstance(pointer, Mapping):
        config, where = pointer, "deepspeed"
    elif isinstance(pointer, str) and pointer.strip():
        where = _deepspeed_path(path, pointer.strip())
        config = read_document(where)
    else:
        raise LrplotError(f"deepspeed must be a path or a table, got {show_value(pointer)}")
    if not isinstance(config, Mapping) or "scheduler" not in config:
        return None  # the Trainer builds its own scheduler on DeepSpeed's optimizer
    filled = {"lr": lr, "warmup_min_lr": 0, "warmup_max_lr": lr, "total_num_steps": total,
              "warmup_num_steps": max(1, warm)}
    with within(where):
        name, params = deepspeed_json.scheduler_spec(config, filled)
    notes.append(f"the DeepSpeed scheduler of {where} replaces lr_scheduler_type; its "
                 "\"auto\" values filled as the Trainer does")
    return name, params


def _deepspeed_path(path: str, pointer: str) -> str:
    """Where the Trainer finds it (relative to the working directory), else beside *path*."""
    for candidate in (pointer, os.path.join(os.path.dirname(path), pointer)):
        if os.path.isfile(candidate):
            return candidate
    raise LrplotError(f"deepspeed: {pointer} not found (looked in the working directory and "
                      f"beside {os.path.basename(path)})")


def read(path: str, document: Any, hints: Hints) -> NamedSource:
    if not isinstance(document, Mapping):
        raise LrplotError(f"{path}: TrainingArguments are a table of keys, got "
                          f"{show_value(document)}")
    with within(path):
        trainer = plan(path, document, hints)
    pointer = document.get("deepspeed")
    deepspeed = (_deepspeed_path(path, pointer.strip())
                 if isinstance(pointer, str) and pointer.strip() else None)
    return NamedSource(path, trainer.name, trainer.params, trainer.notes,
                       Settings(steps_per_epoch=trainer.updates_per_epoch),
                       (deepspeed,) if deepspeed else ())
