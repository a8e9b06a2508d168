"""Input format: the "Training hyperparameters" block of a model card the Trainer wrote.

transformers' ``TrainingSummary`` (modelcard.py) lists the run as ``- key: value`` lines
under ``### Training hyperparameters`` in the README.md it pushes with a model. The keys are
renamed TrainingArguments (``train_batch_size``, ``lr_scheduler_warmup_steps``,
``training_steps``, ...); they are mapped back and read as :mod:`lrplot.inputs.hf_args` reads
a Trainer's arguments file. Nothing else in the card is read.
"""

from __future__ import annotations

import re
from typing import Any

from lrplot.errors import LrplotError, within
from lrplot.inputs import hf_args
from lrplot.inputs.named import NamedSource
from lrplot.run import Hints, Settings
from lrplot.spec import parse_value

HEADING = re.compile(r"^#{2,4}\s*Training hyperparameters\s*$", re.M)
ITEM = re.compile(r"^\s*[-*]\s*([A-Za-z_]+)\s*:\s*(.+?)\s*$")
# Card key -> TrainingArguments key (transformers/modelcard.py,
# extract_hyperparameters_from_trainer).
RENAMED = {
    "learning_rate": "learning_rate",
    "train_batch_size": "per_device_train_batch_size",
    "gradient_accumulation_steps": "gradient_accumulation_steps",
    "lr_scheduler_type": "lr_scheduler_type",
    "lr_scheduler_warmup_steps": "warmup_steps",
    "lr_scheduler_warmup_ratio": "warmup_ratio",
    "training_steps": "max_steps",
    "num_epochs": "num_train_epochs",
}


def claims(path: str, document: Any) -> bool:
    return isinstance(document, str) and HEADING.search(document) is not None


def hyperparameters(text: str) -> dict[str, Any]:
    """The card's list under "Training hyperparameters", as TrainingArguments keys."""
    match = HEADING.search(text)
    if match is None:
        raise LrplotError("has no \"### Training hyperparameters\" section")
    found: dict[str, Any] = {}
    for line in text[match.end():].splitlines()[1:]:
        if line.startswith("#"):
            break
        item = ITEM.match(line)
        if item and item.group(1) in RENAMED:
            found[RENAMED[item.group(1)]] = parse_value(item.group(2))
    if "learning_rate" not in found:
        raise LrplotError("the Training hyperparameters list has no learning_rate")
    return found


def read(path: str, document: Any, hints: Hints) -> NamedSource:
    if not isinstance(document, str):
        raise LrplotError(f"{path}: a model card is Markdown text")
    with within(path):
        arguments = hyperparameters(document)
        trainer = hf_args.plan(path, arguments, hints)
    notes = [f"read from the model card's Training hyperparameters: {', '.join(arguments)}",
             *trainer.notes]
    return NamedSource(path, trainer.name, trainer.params, notes,
                       Settings(steps_per_epoch=trainer.updates_per_epoch))
