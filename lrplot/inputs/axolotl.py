"""Input format: an axolotl YAML config (its own vocabulary over the Hugging Face Trainer).

From axolotl-ai-cloud/axolotl @ 067b021c:

- total steps (utils/trainer.py ``calculate_total_num_steps``, without sample packing):
  ``ceil(examples · num_epochs / batch_size)``, batch_size = micro_batch_size ·
  gradient_accumulation_steps (· world size when there are several); ``max_steps`` wins.
  With ``sample_packing`` the count is estimated from token counts, so it is refused unless
  ``max_steps`` is given.
- warmup (core/builders/base.py ``_configure_warmup_and_logging``): ``warmup_steps``;
  else ``int(warmup_ratio · N)`` (floor, not the Trainer's ceil); else
  ``min(int(0.03 · N), 100)``; a warmup of 1 becomes 2.
- the scheduler (core/trainers/mixins/scheduler.py): ``lr_scheduler`` (default cosine) as a
  transformers type, or for cosine ``lr_quadratic_warmup`` / ``cosine_min_lr_ratio`` /
  ``cosine_constant_lr_ratio`` as the ``axolotl.`` dialect.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from lrplot.documents import read_document
from lrplot.errors import LrplotError, within
from lrplot.inputs.hf_args import scheduler_kwargs
from lrplot.inputs.named import NamedSource
from lrplot.params import BOOL, FLOAT, INT, Param
from lrplot.run import Hints
from lrplot.spec import show_value

FIELDS = {
    "learning_rate": Param("learning_rate", FLOAT, low=0),
    "micro_batch_size": Param("micro_batch_size", INT, 1, low=1),
    "gradient_accumulation_steps": Param("gradient_accumulation_steps", INT, None, low=1,
                                         nullable=True),
    "batch_size": Param("batch_size", INT, None, low=1, nullable=True),
    "num_epochs": Param("num_epochs", FLOAT, 1.0, low=0, low_open=True),
    "max_steps": Param("max_steps", INT, None, low=1, nullable=True),
    "warmup_steps": Param("warmup_steps", FLOAT, None, low=0, nullable=True),
    "warmup_ratio": Param("warmup_ratio", FLOAT, None, low=0, high=1, nullable=True),
    "lr_quadratic_warmup": Param("lr_quadratic_warmup", BOOL, False),
    "cosine_min_lr_ratio": Param("cosine_min_lr_ratio", FLOAT, None, low=0, high=1,
                                 nullable=True),
    "cosine_constant_lr_ratio": Param("cosine_constant_lr_ratio", FLOAT, None, low=0, high=1,
                                      nullable=True),
    "sample_packing": Param("sample_packing", BOOL, False),
}
# Keys that change the lr in ways lrplot does not model yet.
NOT_MODELLED = ("jagged_restart_steps", "loraplus_lr_ratio", "loraplus_lr_embedding",
                "embedding_lr", "embedding_lr_scale", "lr_groups")


def claims(path: str, document: Any) -> bool:
    return isinstance(document, Mapping) and "micro_batch_size" in document and (
        "base_model" in document or "num_epochs" in document or "lr_scheduler" in document)


def _field(document: Mapping[str, Any], key: str) -> Any:
    param = FIELDS[key]
    if key not in document:
        if param.required:
            raise LrplotError(f"missing {key} ({param.allowed()})")
        return param.default
    return param.coerce(document[key], key)


def batch_size(document: Mapping[str, Any], hints: Hints) -> int:
    micro = _field(document, "micro_batch_size")
    given = _field(document, "batch_size")
    accumulation = _field(document, "gradient_accumulation_steps") or (
        given // micro if given else 1)
    batch = given or micro * accumulation
    return batch * hints.world_size if hints.world_size > 1 else batch


def total_steps(document: Mapping[str, Any], hints: Hints) -> tuple[int, str]:
    if _field(document, "max_steps"):
        return _field(document, "max_steps"), "max_steps"
    epochs = _field(document, "num_epochs")
    if _field(document, "sample_packing"):
        raise LrplotError("sample_packing: axolotl estimates the steps from the dataset's "
                          "token counts; set max_steps (the total_num_steps its log prints)")
    if hints.steps_per_epoch is not None:
        return math.ceil(epochs * hints.steps_per_epoch), "--steps-per-epoch"
    if hints.dataset_size is None:
        raise LrplotError(f"num_epochs = {epochs:g} without max_steps: give --dataset-size N "
                          "(training examples; --world-size W for W processes), or "
                          "--steps-per-epoch K")
    batch = batch_size(document, hints)
    return (math.ceil(hints.dataset_size * epochs / batch),
            f"ceil({hints.dataset_size} examples × {epochs:g} epochs / batch {batch})")


def warmup_steps(document: Mapping[str, Any], total: int) -> tuple[int, str]:
    steps, ratio = _field(document, "warmup_steps"), _field(document, "warmup_ratio")
    if steps is not None:
        # Passed on as TrainingArguments.warmup_steps: below 1 it is a ratio (ceil).
        warm, why = (int(steps), "warmup_steps") if steps >= 1 else (
            math.ceil(total * steps), f"ceil({total} × warmup_steps {steps:g})")
    elif ratio is not None:
        warm, why = max(int(ratio * total), 0), f"int({ratio:g} × {total}) (axolotl floors)"
    else:
        warm, why = min(int(0.03 * total), 100), "axolotl's default min(int(0.03·N), 100)"
    return (2, why + "; 1 becomes 2") if warm == 1 else (warm, why)


def scheduler(document: Mapping[str, Any], lr: float, total: int,
              warm: int) -> tuple[str, dict[str, Any]]:
    """The schedule axolotl's create_scheduler picks, with its parameters."""
    kind = document.get("lr_scheduler") or "cosine"
    if not isinstance(kind, str):
        raise LrplotError(f"lr_scheduler must be a name, got {show_value(kind)}")
    if kind in ("one_cycle", "rex"):
        raise LrplotError(f"lr_scheduler {kind}: axolotl's {kind} schedule is not modelled "
                          "by lrplot yet")
    common = {"lr": lr, "num_warmup_steps": warm, "num_training_steps": total}
    min_ratio = _field(document, "cosine_min_lr_ratio")
    constant = _field(document, "cosine_constant_lr_ratio")
    if kind == "cosine" and _field(document, "lr_quadratic_warmup"):
        return "axolotl.cosine_with_quadratic_warmup", common
    if kind == "cosine" and min_ratio and constant:
        return "axolotl.cosine_with_warmup_decay_constant", {
            **common, "min_lr_ratio": min_ratio, "constant_lr_ratio": constant}
    if kind == "cosine" and min_ratio:
        return "axolotl.cosine_with_min_lr", {**common, "min_lr_ratio": min_ratio}
    return f"hf.{kind.strip().lower()}", {**common, **scheduler_kwargs(document)}


def read(path: str, document: Any, hints: Hints) -> NamedSource:
    if not isinstance(document, Mapping):
        raise LrplotError(f"{path}: an axolotl config is a table of keys, got "
                          f"{show_value(document)}")
    with within(path):
        for key in NOT_MODELLED:
            if key in document:
                raise LrplotError(f"{key}: changes the lr, and lrplot does not model it yet")
        deepspeed = _deepspeed_note(path, document.get("deepspeed"))
        lr = _field(document, "learning_rate")
        total, total_why = total_steps(document, hints)
        warm, warm_why = warmup_steps(document, total)
        name, params = scheduler(document, lr, total, warm)
    notes = [f"learning_rate = {lr:g}", f"num_training_steps = {total}: {total_why}",
             f"num_warmup_steps = {warm}: {warm_why}", *deepspeed]
    return NamedSource(path, name, params, notes)


def _deepspeed_note(path: str, pointer: Any) -> list[str]:
    """A DeepSpeed config under axolotl usually holds ZeRO settings only; one with its own
    scheduler would replace axolotl's, which lrplot does not model here."""
    if not isinstance(pointer, str) or not pointer.strip():
        return []
    for candidate in (pointer, os.path.join(os.path.dirname(path), pointer)):
        if os.path.isfile(candidate):
            if "scheduler" in (read_document(candidate) or {}):
                raise LrplotError(f"deepspeed: {pointer} has a scheduler block, which would "
                                  "replace axolotl's; plot that file itself")
            return [f"deepspeed: {pointer} has no scheduler (axolotl's schedule applies)"]
    return [f"deepspeed: {pointer} not found here; assumed to hold no scheduler block"]
