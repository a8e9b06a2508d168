"""Megatron-LM launch scripts as inputs: flags read from the text, Megatron's own scheduler.

The oracle is megatron-core's ``OptimizerParamScheduler`` (megatron/core/
optimizer_param_scheduler.py, pip ``megatron-core``), constructed with the arguments that
megatron/training/training.py ``get_optimizer_param_scheduler`` derives from the flags
(NVIDIA/Megatron-LM @ d98e8a64ddf34856e74b24714e3bedb2f5a39553 : megatron/training/
training.py, transcribed below: megatron-core's wheel does not ship megatron/training),
stepped as the training loop steps it: ``step(0)`` in the constructor, then
``step(increment=global_batch_size)`` after every iteration.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from support import require

import lrplot
from lrplot.inputs import megatron_args

RTOL = 1e-9


def megatron_scheduler():
    with warnings.catch_warnings():  # "Transformer Engine and Apex are not installed"
        warnings.simplefilter("ignore")
        module = require("megatron.core.optimizer_param_scheduler")
    return module.OptimizerParamScheduler


class _Optimizer:
    def __init__(self) -> None:
        self.param_groups = [{"lr": 0.0}]


def megatron_lrs(args: dict, iterations: int) -> list[float]:
    """The lr of every iteration, as Megatron computes it for these (argparse-style) args."""
    scheduler_class = megatron_scheduler()
    batch = args.get("global_batch_size", 1)
    # training.py get_optimizer_param_scheduler, iteration- and sample-based branches.
    if args.get("train_iters"):
        decay = (args.get("lr_decay_iters") or args["train_iters"]) * batch
        wsd = args["lr_wsd_decay_iters"] * batch if args.get("lr_wsd_decay_iters") else None
        warm = (args["lr_warmup_fraction"] * decay if args.get("lr_warmup_fraction") is not None
                else args.get("lr_warmup_iters", 0) * batch)
    else:
        decay = args.get("lr_decay_samples") or args["train_samples"]
        wsd = args.get("lr_wsd_decay_samples")
        warm = (args["lr_warmup_fraction"] * decay if args.get("lr_warmup_fraction") is not None
                else args.get("lr_warmup_samples", 0))
    optimizer = _Optimizer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = scheduler_class(
            optimizer, init_lr=args.get("lr_warmup_init", 0.0), max_lr=args["lr"],
            min_lr=args.get("min_lr", 0.0), lr_warmup_steps=warm, lr_decay_steps=decay,
            lr_decay_style=args.get("lr_decay_style", "linear"), start_wd=0.0, end_wd=0.0,
            wd_incr_steps=1, wd_incr_style="constant", wsd_decay_steps=wsd,
            lr_wsd_decay_style=args.get("lr_wsd_decay_style", "exponential"))
    lrs = []
    for _ in range(iterations):
        lrs.append(optimizer.param_groups[0]["lr"])
        scheduler.step(increment=batch)
    return lrs


def script(args: dict) -> str:
    """A launch script in the style of Megatron's examples/ (a bash array of flags)."""
    lines = [f"    --{key.replace('_', '-')} {value}" for key, value in args.items()]
    return ("#!/bin/bash\nexport CUDA_DEVICE_MAX_CONNECTIONS=1\nGPUS_PER_NODE=8\n\n"
            "GPT_MODEL_ARGS=(\n    --num-layers 12\n    --seq-length 1024\n)\n\n"
            "TRAINING_ARGS=(\n    --micro-batch-size 2\n" + "\n".join(lines) + "\n)\n\n"
            "torchrun --nproc_per_node $GPUS_PER_NODE pretrain_gpt.py \\\n"
            "    ${GPT_MODEL_ARGS[@]} \\\n    ${TRAINING_ARGS[@]} \\\n"
            "    --data-path $DATA_PATH --save $CHECKPOINT_PATH\n")


CASES = {
    "cosine-fraction": {"global_batch_size": 32, "train_iters": 500, "lr": 6e-4,
                        "lr_decay_style": "cosine", "min_lr": 6e-5,
                        "lr_warmup_fraction": 0.013, "lr_decay_iters": 430},
    "linear-default-style": {"global_batch_size": 8, "train_iters": 300, "lr": 1e-3,
                             "lr_warmup_iters": 20, "lr_warmup_init": 1e-5},
    "inverse-sqrt": {"global_batch_size": 4, "train_iters": 400, "lr": 3e-4,
                     "lr_decay_style": "inverse-square-root", "lr_warmup_iters": 25,
                     "min_lr": 1e-5},
    "constant": {"global_batch_size": 16, "train_iters": 120, "lr": 2e-4,
                 "lr_decay_style": "constant", "lr_warmup_iters": 10},
    "samples-cosine": {"global_batch_size": 128, "train_samples": 64000,
                       "lr_decay_samples": 60000, "lr_warmup_samples": 3906, "lr": 1.5e-4,
                       "min_lr": 1e-5, "lr_decay_style": "cosine"},
    **{f"wsd-{style}": {"global_batch_size": 64, "train_iters": 600, "lr": 1e-3,
                        "min_lr": 1e-5, "lr_decay_style": "WSD", "lr_warmup_iters": 50,
                        "lr_wsd_decay_iters": 120, "lr_wsd_decay_style": style,
                        "lr_decay_iters": 580}
       for style in ("exponential", "linear", "cosine", "minus_sqrt")},
    "samples-wsd-fraction": {"global_batch_size": 10, "train_samples": 5005, "lr": 1e-3,
                             "lr_decay_style": "WSD", "lr_warmup_fraction": 0.05,
                             "lr_wsd_decay_samples": 1000},
}


@pytest.mark.parity
@pytest.mark.parametrize("name", list(CASES))
def test_the_lr_megatron_computes_from_the_same_flags(tmp_path, name):
    args = CASES[name]
    path = tmp_path / "train.sh"
    path.write_text(script(args))
    run = lrplot.load(str(path))
    (schedule,) = run.schedules
    iterations = args.get("train_iters") or args["train_samples"] // args["global_batch_size"]
    assert schedule.length == iterations
    expected = megatron_lrs(args, iterations + 40)  # past the decay end too
    np.testing.assert_allclose(schedule.values(iterations + 40), expected, rtol=RTOL,
                               atol=1e-18)


@pytest.mark.parity
def test_without_a_global_batch_iterations_are_counted_directly(tmp_path):
    """An iteration-based script needs no batch size: the lr per iteration is the same."""
    args = {"train_iters": 200, "lr": 1e-3, "lr_decay_style": "cosine",
            "lr_warmup_iters": 15}
    path = tmp_path / "flags.txt"
    path.write_text(" ".join(f"--{k.replace('_', '-')}={v}" for k, v in args.items()))
    (schedule,) = lrplot.load(str(path)).schedules
    np.testing.assert_allclose(schedule.values(200), megatron_lrs(
        {**args, "global_batch_size": 96}, 200), rtol=RTOL, atol=1e-18)


def test_the_warmup_includes_its_end(tmp_path):
    path = tmp_path / "flags.txt"
    path.write_text("--train-iters 100 --lr 0.1 --lr-warmup-iters 10 --lr-decay-style linear")
    values = lrplot.load(str(path)).schedules[0].values(12)
    assert values[10] == 0.1 and values[9] == pytest.approx(0.09)


def test_flags_are_read_from_the_text_without_a_shell():
    text = ('ARGS=(\n  --lr 1e-4 # peak\n  "--lr-decay-style cosine"\n  --foo=$X\n)\n'
            "python x.py --train-iters 10 \\\n   --min-lr 0 --bf16\n# --lr 5\n")
    found = megatron_args.flags(text)
    assert found["--lr"][0].value == "1e-4"
    assert found["--lr-decay-style"][0].value == "cosine"
    assert found["--foo"][0].value == "$X"
    assert found["--min-lr"][0].line == 6
    assert found["--bf16"][0].value is None
    assert len(found["--lr"]) == 1  # the commented-out one is not read


@pytest.mark.parametrize(("text", "message"), [
    ("--train-iters 100 --lr $LR", "--lr $LR (line 1): a shell value, unknown"),
    ("--train-iters 100 --lr ${LR:-1e-4}", "--lr ${LR:-1e-4} (line 1): a shell value"),
    ("--train-iters 100", "--lr is not given"),
    ("--lr 1e-4 --lr-decay-style cosine", "neither --train-iters nor --train-samples"),
    ("--train-iters 10 --lr 1e-4 --lr-decay-style cosin", "--lr-decay-style 'cosin' (line 1)"),
    ("--train-iters 10 --lr 1e-4 --rampup-batch-size 16 16 1000",
     "--rampup-batch-size (line 1): the global batch grows"),
    ("--train-iters 10 --lr 1e-4 --decoupled-lr 5e-4", "--decoupled-lr (line 1)"),
    ("--train-iters 10 --lr 1e-4\n--lr 2e-4", "--lr is given 2 times with different values"),
    ("--train-samples 1000 --lr 1e-4 --lr-decay-style cosine",
     "--train-samples without --global-batch-size"),
    ("--train-iters 10 --lr 1e-4 --lr-warmup-samples 5", "--lr-warmup-samples with "
     "--train-iters"),
    ("--train-iters 10 --lr 1e-4 --lr-warmup-iters 10", "lr_warmup_steps (10) must be below "
     "lr_decay_steps (10)"),
    ("--train-iters 10 --lr 1e-4 --lr-decay-style WSD", "WSD needs wsd_decay_steps"),
    ("--train-iters ten --lr 1e-4 --lr-decay-style linear", "--train-iters 'ten' (line 1): "
     "not an integer"),
    ("--train-iters 10 --lr --lr-decay-style linear", "--lr at line 1 has no value"),
])
def test_what_cannot_be_read_is_one_line_naming_the_flag(cli, tmp_path, text, message):
    path = tmp_path / "run.sh"
    path.write_text(text + "\n")
    result = cli("plot", path)
    assert result.code == 2
    assert result.err.startswith(f"lrplot: error: {path}: ") and message in result.err
    assert len(result.err.splitlines()) == 1


def test_describe_shows_the_derived_numbers(cli, tmp_path):
    path = tmp_path / "run.sh"
    path.write_text(script(CASES["samples-cosine"]))
    result = cli("describe", path)
    assert result.code == 0, result.err
    assert "read as megatron" in result.out
    assert "iterations = 500: --train-samples 64000 // --global-batch-size 128" in result.out
    assert "the same as: megatron.OptimizerParamScheduler:max_lr=0.00015" in result.out
    spec = result.out.split("the same as: ")[1].strip()
    same = lrplot.evaluate(spec, steps=500)
    np.testing.assert_array_equal(same, lrplot.load(str(path)).schedules[0].values(500))


def test_a_text_file_without_megatron_flags_is_not_read(cli, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("--batch 3\n")
    result = cli("plot", path)
    assert result.code == 2 and "not a file lrplot can read" in result.err


def test_the_recipe_is_read(cli):
    root = Path(__file__).resolve().parent.parent
    result = cli("describe", root / "configs" / "megatron_gpt_wsd.sh")
    assert result.code == 0, result.err
    assert "--lr-decay-style WSD" in result.out
