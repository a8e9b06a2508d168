"""Input format: a DeepSpeed config JSON (``ds_config.json``), read for its lr.

The ``scheduler`` block (``{"type": "WarmupLR", "params": {...}}``) becomes that
``deepspeed.`` dialect with its own parameter names; without one the lr is the optimizer's,
constant. ``"auto"`` values are filled in only by the Hugging Face Trainer
(transformers/integrations/deepspeed.py), so here they are refused with what to do; the
:mod:`lrplot.inputs.hf_args` reader resolves them from the Trainer's arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lrplot.errors import LrplotError, within
from lrplot.inputs.named import NamedSource
from lrplot.run import Hints
from lrplot.spec import show_value

TYPES = ("WarmupLR", "WarmupDecayLR", "WarmupCosineLR", "OneCycle", "LRRangeTest")
# Keys only a DeepSpeed config has at its top level.
DEEPSPEED_KEYS = ("train_batch_size", "train_micro_batch_size_per_gpu", "zero_optimization",
                  "gradient_accumulation_steps", "fp16", "bf16", "gradient_clipping")


def claims(path: str, document: Any) -> bool:
    if not isinstance(document, Mapping) or "schedule" in document:
        return False
    scheduler = document.get("scheduler")
    if isinstance(scheduler, Mapping) and "type" in scheduler:
        return True
    return isinstance(document.get("optimizer"), Mapping) and any(
        key in document for key in DEEPSPEED_KEYS)


def scheduler_spec(document: Mapping[str, Any], filled: Mapping[str, Any] | None = None
                   ) -> tuple[str, dict[str, Any]]:
    """The dialect name and parameters a DeepSpeed config's lr comes from.

    *filled* gives values for ``"auto"`` (what the HF Trainer puts there: ``lr`` for the
    optimizer, and the scheduler's own keys).
    """
    filled = filled or {}
    lr = _optimizer_lr(document, filled)
    scheduler = document.get("scheduler")
    if scheduler is None:
        if lr is None:
            raise LrplotError("has neither a scheduler nor optimizer.params.lr; nothing sets "
                              "the lr")
        return "constant", {"lr": lr}
    if not isinstance(scheduler, Mapping):
        raise LrplotError(f"scheduler must be a table, got {show_value(scheduler)}")
    kind = scheduler.get("type")
    if kind not in TYPES:
        raise LrplotError(f"scheduler.type {show_value(kind)} is not a DeepSpeed scheduler; "
                          f"allowed: {', '.join(TYPES)}")
    raw = scheduler.get("params", {})
    if not isinstance(raw, Mapping):
        raise LrplotError(f"scheduler.params must be a table, got {show_value(raw)}")
    params = {key: _resolved(f"scheduler.params.{key}", value, filled.get(key))
              for key, value in raw.items()}
    if kind in ("WarmupCosineLR", "WarmupLR") and lr is not None:
        params["lr"] = lr  # the ratios (WarmupCosineLR) or the default target (WarmupLR)
    return f"deepspeed.{kind}", params


def _optimizer_lr(document: Mapping[str, Any], filled: Mapping[str, Any]) -> Any:
    optimizer = document.get("optimizer")
    if not isinstance(optimizer, Mapping):
        return filled.get("lr")
    params = optimizer.get("params", {})
    if not isinstance(params, Mapping) or "lr" not in params:
        return filled.get("lr")
    return _resolved("optimizer.params.lr", params["lr"], filled.get("lr"))


def _resolved(where: str, value: Any, filled: Any) -> Any:
    if value != "auto":
        return value
    if filled is None:
        raise LrplotError(f"{where} is \"auto\": only the Hugging Face Trainer fills it in; "
                          "plot the Trainer's arguments file (its deepspeed key names this "
                          "file), or write a number here")
    return filled


def read(path: str, document: Any, hints: Hints) -> NamedSource:
    if not isinstance(document, Mapping):
        raise LrplotError(f"{path}: a DeepSpeed config is a JSON object, got "
                          f"{show_value(document)}")
    with within(path):
        name, params = scheduler_spec(document)
    notes = [f"scheduler: {name.removeprefix('deepspeed.')}, stepped once per optimizer step "
             "(row t is DeepSpeed's iteration t − 1)"]
    return NamedSource(path, name, params, notes)
