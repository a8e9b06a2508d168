"""Training configs as inputs: Hugging Face TrainingArguments files and DeepSpeed configs.

The expected numbers come from the real libraries reading the same file: transformers'
HfArgumentParser, a real Trainer on a tiny model and dataset (its own step and warmup counts
and its own scheduler), accelerate's batch sharding for several processes, transformers'
DeepSpeed integration filling "auto", and DeepSpeed's scheduler module.
"""

from __future__ import annotations

import json
import logging
import math
import os
from pathlib import Path

import numpy as np
import pytest
from support import require

import lrplot

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-configs"
RTOL = 1e-12


def write_args(tmp_path: Path, args: dict, suffix: str = ".json") -> Path:
    path = tmp_path / f"args{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(args))
    else:
        yaml = require("yaml")
        path.write_text(yaml.safe_dump(args))
    return path


def trainer_lrs(path: Path, dataset_size: int) -> tuple[int, int, list[float]]:
    """(max_steps, warmup steps, lr at every update) from a real Trainer reading *path*."""
    torch = require("torch")
    transformers = require("transformers")
    parser = transformers.HfArgumentParser(transformers.TrainingArguments)
    read = parser.parse_json_file if path.suffix == ".json" else parser.parse_yaml_file
    (args,) = read(str(path))

    class Tiny(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.Linear(1, 1)

        def forward(self, x, labels=None):
            return {"loss": ((self.w(x) - labels) ** 2).mean()}

    rows = [{"x": torch.tensor([float(i)]), "labels": torch.tensor([0.0])}
            for i in range(dataset_size)]
    trainer = transformers.Trainer(model=Tiny(), args=args, train_dataset=rows)
    max_steps = trainer.set_initial_training_values(args, trainer.get_train_dataloader())[-1]
    trainer.create_optimizer_and_scheduler(num_training_steps=max_steps)
    lrs = []
    for _ in range(max_steps):
        lrs.append(trainer.lr_scheduler.get_last_lr()[0])
        trainer.optimizer.step()
        trainer.lr_scheduler.step()
    return max_steps, args.get_warmup_steps(max_steps), lrs


CASES = [
    ({"lr_scheduler_type": "cosine", "warmup_steps": 0.1, "num_train_epochs": 2.5,
      "per_device_train_batch_size": 4, "gradient_accumulation_steps": 3}, 103, ".json"),
    ({"lr_scheduler_type": "linear", "warmup_steps": 7, "num_train_epochs": 3,
      "per_device_train_batch_size": 5, "dataloader_drop_last": True}, 99, ".yaml"),
    ({"lr_scheduler_type": "cosine_with_min_lr", "lr_scheduler_kwargs": {"min_lr_rate": 0.1},
      "warmup_steps": 0.03, "max_steps": 120, "per_device_train_batch_size": 2}, 40, ".yaml"),
    ({"lr_scheduler_type": "polynomial", "lr_scheduler_kwargs": '{"power": 2.0}',
      "num_train_epochs": 1.5, "per_device_train_batch_size": 8,
      "gradient_accumulation_steps": 2}, 200, ".json"),
    ({"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 10,
      "lr_scheduler_kwargs": {"num_decay_steps": 20}, "max_steps": 90}, 16, ".json"),
    ({"learning_rate": 1e-3, "num_train_epochs": 2, "per_device_train_batch_size": 3}, 31,
     ".json"),  # the defaults: linear, no warmup
]


@pytest.mark.parity
@pytest.mark.parametrize(("args", "dataset_size", "suffix"), CASES,
                         ids=[f"{c[0].get('lr_scheduler_type', 'default')}-{c[2]}"
                              for c in CASES])
def test_the_lr_a_real_trainer_uses(tmp_path, args, dataset_size, suffix):
    path = write_args(tmp_path, {"output_dir": str(tmp_path / "out"), "report_to": "none",
                                 "learning_rate": 3e-4, **args}, suffix)
    steps, warmup, expected = trainer_lrs(path, dataset_size)
    run = lrplot.load(str(path), dataset_size=dataset_size)
    (schedule,) = run.schedules
    assert schedule.params["num_training_steps"] == steps
    assert schedule.params["num_warmup_steps"] == warmup
    np.testing.assert_allclose(schedule.values(steps), expected, rtol=RTOL, atol=1e-18)


@pytest.mark.parity
@pytest.mark.parametrize(("size", "batch", "world", "drop_last"), [
    (1000, 8, 3, False), (1001, 7, 4, True), (10, 4, 8, False), (28762, 2, 7, False)])
def test_updates_per_epoch_shard_as_accelerate_does(size, batch, world, drop_last):
    """Batches per process: accelerate's BatchSamplerShard (even_batches) on W processes."""
    torch = require("torch")
    data_loader = require("accelerate.data_loader")
    sampler = torch.utils.data.BatchSampler(range(size), batch, drop_last)
    expected = len(data_loader.BatchSamplerShard(sampler, num_processes=world, process_index=0))
    from lrplot.inputs.hf_args import updates_per_epoch
    from lrplot.run import Hints

    document = {"per_device_train_batch_size": batch, "dataloader_drop_last": drop_last}
    updates, _ = updates_per_epoch(document, Hints(dataset_size=size, world_size=world))
    assert updates == expected


@pytest.mark.parity
def test_a_deepspeed_pointer_is_filled_as_the_trainer_fills_it(tmp_path):
    """The DeepSpeed block replaces lr_scheduler_type; "auto" comes from the Trainer's args."""
    transformers = require("transformers")
    schedules = require("deepspeed.runtime.lr_schedules")
    torch = require("torch")
    from transformers.integrations.deepspeed import HfTrainerDeepSpeedConfig

    ds = {"train_batch_size": "auto", "zero_optimization": {"stage": 0},
          "optimizer": {"type": "AdamW", "params": {"lr": "auto"}},
          "scheduler": {"type": "WarmupDecayLR", "params": {
              "total_num_steps": "auto", "warmup_min_lr": "auto", "warmup_max_lr": "auto",
              "warmup_num_steps": "auto"}}}
    (tmp_path / "ds.json").write_text(json.dumps(ds))
    args_path = write_args(tmp_path, {"output_dir": str(tmp_path / "out"), "report_to": "none",
                                      "learning_rate": 2e-4, "warmup_steps": 0.1,
                                      "max_steps": 150, "deepspeed": str(tmp_path / "ds.json"),
                                      "lr_scheduler_type": "cosine"})
    parser = transformers.HfArgumentParser(transformers.TrainingArguments)
    (args,) = parser.parse_dict(json.loads(args_path.read_text()))
    filled = HfTrainerDeepSpeedConfig(json.loads(json.dumps(ds)))
    filled.trainer_config_process(args)
    filled.trainer_config_finalize(args, torch.nn.Linear(1, 1), 150)
    params = filled.config["scheduler"]["params"]
    logging.getLogger("DeepSpeed").setLevel(logging.ERROR)
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=2e-4)
    scheduler = schedules.WarmupDecayLR(optimizer, **params)
    expected = []
    for _ in range(160):
        expected.append(optimizer.param_groups[0]["lr"])
        scheduler.step()
    run = lrplot.load(str(args_path))
    assert run.schedules[0].name == "deepspeed.WarmupDecayLR"
    np.testing.assert_allclose(run.schedules[0].values(160), expected, rtol=1e-9, atol=1e-18)
    assert os.path.samefile(run.inputs[1], tmp_path / "ds.json")  # never an --out


@pytest.mark.parity
def test_a_deepspeed_config_matches_deepspeed(tmp_path):
    torch = require("torch")
    schedules = require("deepspeed.runtime.lr_schedules")
    params = {"warmup_min_ratio": 0.05, "warmup_num_steps": 40, "total_num_steps": 300,
              "cos_min_ratio": 0.01}
    path = tmp_path / "ds_config.json"
    path.write_text(json.dumps({"train_micro_batch_size_per_gpu": 4,
                                "optimizer": {"type": "Adam", "params": {"lr": 0.002}},
                                "scheduler": {"type": "WarmupCosineLR", "params": params}}))
    logging.getLogger("DeepSpeed").setLevel(logging.ERROR)
    optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.002)
    scheduler = schedules.WarmupCosineLR(optimizer, **params)
    expected = []
    for _ in range(320):
        expected.append(optimizer.param_groups[0]["lr"])
        scheduler.step()
    got = lrplot.load(str(path)).schedules[0].values(320)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-18)


# ---- what the file cannot say, and what lrplot does not read ------------------------------


@pytest.mark.parametrize(("document", "extra", "needle"), [
    ({"lr_scheduler_type": "cosine", "num_train_epochs": 3}, [], "give --dataset-size N"),
    ({"lr_scheduler_type": "cosinus", "max_steps": 10}, [], "allowed: linear, cosine"),
    ({"lr_scheduler_type": "cosine", "max_steps": 10, "cosine_min_lr_ratio": 0.1}, [],
     "cosine_min_lr_ratio: changes the lr"),
    ({"lr_scheduler_type": "cosine", "max_steps": 10,
      "lr_scheduler_kwargs": {"nosuch": 1}}, [], "unknown parameter 'nosuch'"),
    ({"lr_scheduler_type": "cosine", "max_steps": 10, "lr_scheduler_kwargs": "{oops"}, [],
     "lr_scheduler_kwargs"),
    ({"lr_scheduler_type": "cosine", "max_steps": 10, "deepspeed": "missing.json"}, [],
     "deepspeed: missing.json not found"),
    ({"lr_scheduler_type": "cosine", "num_train_epochs": 1}, ["--dataset-size", "0"],
     "--dataset-size"),
    ({"lr_scheduler_type": "cosine", "max_steps": 10}, ["--hf-version", "five"],
     "--hf-version"),
    ({"lr_scheduler_type": "cosine", "max_steps": 10}, ["--from", "nope"], "--from nope"),
])
def test_training_args_refusals_are_one_line(cli, tmp_path, document, extra, needle):
    path = tmp_path / "args.json"
    path.write_text(json.dumps({"learning_rate": 1e-4, "output_dir": "x", **document}))
    result = cli("plot", path, *extra, "--out", tmp_path / "o.csv")
    assert result.code == 2, result.err
    assert len(result.err.splitlines()) == 1 and needle in result.err, result.err
    assert not (tmp_path / "o.csv").exists()


def test_auto_in_a_plain_deepspeed_config_says_what_to_do(cli, tmp_path):
    path = tmp_path / "ds.json"
    path.write_text(json.dumps({"train_batch_size": 8, "scheduler": {
        "type": "WarmupLR", "params": {"warmup_num_steps": "auto"}}}))
    result = cli("plot", path)
    assert result.code == 2 and "warmup_num_steps is \"auto\"" in result.err
    assert "Trainer's arguments file" in result.err


def test_from_forces_the_format(cli, tmp_path):
    path = tmp_path / "odd.json"  # an HF file lrplot would not detect: no marker keys
    path.write_text(json.dumps({"learning_rate": 0.01, "max_steps": 4}))
    assert cli("plot", path).code == 2  # read as an lrplot config: unknown keys
    result = cli("plot", path, "--from", "hf", "--out", "-")
    assert result.code == 0, result.err
    # hf.linear with no warmup over 4 steps: lr·(4 − t)/4.
    assert [float(r.split(",")[1]) for r in result.out.splitlines()[1:]] == [
        0.01 * (4 - t) / 4 for t in range(4)]


def test_describe_a_training_config_shows_the_derivation(cli, tmp_path):
    path = write_args(tmp_path, {"learning_rate": 2e-5, "lr_scheduler_type": "cosine",
                                 "warmup_ratio": 0.1, "num_train_epochs": 3,
                                 "per_device_train_batch_size": 2,
                                 "gradient_accumulation_steps": 8}, ".yaml")
    result = cli("describe", path, "--dataset-size", "28762", "--world-size", "7",
                 "--hf-version", "4.51.3")
    assert result.code == 0, result.err
    # 4.51: floor(ceil(ceil(28762/2)/7) / 8) = floor(2055 / 8) = 256 updates per epoch.
    assert "num_training_steps = 768" in result.out
    assert "num_warmup_steps = 77: ceil(768 × warmup_ratio 0.1)" in result.out
    assert "hf.cosine:lr=2e-05,num_warmup_steps=77,num_training_steps=768" in result.out


# ---- the real files users have ----------------------------------------------------------


def real_files(folder: str) -> list[Path]:
    if not (REAL / folder).is_dir():
        return []
    return sorted(p for p in (REAL / folder).iterdir()
                  if p.suffix in (".json", ".yaml", ".yml") and "trainer_state" not in p.name)


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-configs is not here")
@pytest.mark.parametrize("path", real_files("hf-trainer") + real_files("deepspeed"),
                         ids=lambda p: p.name)
def test_every_real_file_plots_or_says_why_in_one_line(cli, path, tmp_path):
    out = tmp_path / "o.csv"
    result = cli("plot", path, "--dataset-size", "1000", "--out", out)
    assert result.code in (0, 2), result.err
    if result.code == 2:
        assert len(result.err.splitlines()) == 1 and "Traceback" not in result.err
        assert not out.exists()
    else:
        assert out.stat().st_size > 0


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-configs is not here")
def test_the_real_llamafactory_run_has_its_logged_length():
    """SOURCES.md: LLaMA-Factory on transformers 4.51.3, 28 762 examples on 7 GPUs, bs 2,
    GA 8, 3 epochs → 768 optimizer steps (the floor rule)."""
    run = lrplot.load(str(REAL / "hf-trainer" / "aan-qwen3-lora.llamafactory.training_args.yaml"),
                      dataset_size=28762, world_size=7, hf_version="4.51.3")
    assert run.schedules[0].params["num_training_steps"] == 768
    assert run.steps_per_epoch == 256


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-configs is not here")
@pytest.mark.parity
def test_the_real_deepspeed_warmup_matches_deepspeed():
    """SOURCES.md: WarmupLR 0 → 0.001 over 1000 steps, DeepSpeed's default log warmup."""
    torch = require("torch")
    schedules = require("deepspeed.runtime.lr_schedules")
    path = REAL / "deepspeed" / "cscfi.pytorch-ddp-examples.ds_config.json"
    logging.getLogger("DeepSpeed").setLevel(logging.ERROR)
    optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.001)
    scheduler = schedules.WarmupLR(optimizer, warmup_min_lr=0, warmup_max_lr=0.001,
                                   warmup_num_steps=1000)
    expected = []
    for _ in range(1100):
        expected.append(optimizer.param_groups[0]["lr"])
        scheduler.step()
    got = lrplot.load(str(path)).schedules[0].values(1100)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-18)
    assert got[1] == 0.0 and math.isclose(got[1001], 0.001)


# ---- axolotl ----------------------------------------------------------------------------
# Its schedule lambdas, transcribed from axolotl-ai-cloud/axolotl @ 067b021c :
# src/axolotl/utils/schedulers.py (each a LambdaLR factor of the optimizer's lr).


def quadratic_warmup_cosine(step, warmup, total, cycles=0.5):
    if step < warmup:
        return (float(step) / float(max(1, warmup))) ** 2
    progress = float(step - warmup) / float(max(1, total - warmup))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(cycles) * 2.0 * progress)))


def cosine_min_lr(step, warmup, total, ratio):
    if step < warmup:
        return float(step) / float(max(1, warmup))
    progress = float(step - warmup) / float(max(1, total - warmup))
    return (1 - ratio) * (0.5 * (1.0 + math.cos(math.pi * progress))) + ratio


def warmup_decay_constant(step, warmup, total, constant_ratio, ratio, cycles=0.5):
    if step < warmup:
        return float(step) / float(max(1, warmup))
    constant = int(total * constant_ratio)
    step = min(step, constant)
    progress = float(step - warmup) / float(max(1, constant - warmup))
    return max(0, (1 - ratio) * 0.5 * (1.0 + math.cos(math.pi * float(cycles) * 2.0
                                                     * progress))) + ratio


AXOLOTL = {"base_model": "some/model", "micro_batch_size": 2, "gradient_accumulation_steps": 4,
           "num_epochs": 3, "learning_rate": 2e-4}


@pytest.mark.parametrize(("extra", "size", "total", "warmup", "factor"), [
    # ceil(1000 · 3 / 8) = 375 steps; warmup int(0.1 · 375) = 37 (floor, unlike the Trainer).
    ({"lr_quadratic_warmup": True, "warmup_ratio": 0.1}, 1000, 375, 37,
     lambda t: quadratic_warmup_cosine(t, 37, 375)),
    # No warmup given: min(int(0.03 · 375), 100) = 11.
    ({"cosine_min_lr_ratio": 0.1}, 1000, 375, 11, lambda t: cosine_min_lr(t, 11, 375, 0.1)),
    ({"cosine_min_lr_ratio": 0.2, "cosine_constant_lr_ratio": 0.8, "warmup_steps": 20}, 1000,
     375, 20, lambda t: warmup_decay_constant(t, 20, 375, 0.8, 0.2)),
    # min ratio 1 with constant ratio 0 (falsy): the min-lr branch, i.e. constant after warmup.
    ({"cosine_min_lr_ratio": 1.0, "cosine_constant_lr_ratio": 0, "max_steps": 50,
      "warmup_steps": 1}, None, 50, 2, lambda t: cosine_min_lr(t, 2, 50, 1.0)),
])
def test_axolotl_configs_follow_axolotl(tmp_path, extra, size, total, warmup, factor):
    yaml = require("yaml")
    path = tmp_path / "axolotl.yml"
    path.write_text(yaml.safe_dump({**AXOLOTL, **extra}))
    (schedule,) = lrplot.load(str(path), dataset_size=size).schedules
    assert schedule.params["num_training_steps"] == total
    assert schedule.params["num_warmup_steps"] == warmup
    expected = [2e-4 * factor(t) for t in range(total + 20)]
    np.testing.assert_allclose(schedule.values(total + 20), expected, rtol=1e-12, atol=1e-18)


def test_axolotl_default_is_the_transformers_cosine(tmp_path, cli):
    yaml = require("yaml")
    path = tmp_path / "axolotl.yml"
    path.write_text(yaml.safe_dump({**AXOLOTL, "max_steps": 100, "warmup_steps": 10}))
    (schedule,) = lrplot.load(str(path)).schedules
    assert schedule.name == "hf.cosine"
    expected = lrplot.schedule("hf.cosine", lr=2e-4, num_warmup_steps=10,
                               num_training_steps=100).values(100)
    assert schedule.values(100).tolist() == expected.tolist()
    path.write_text(yaml.safe_dump({**AXOLOTL, "sample_packing": True}))
    result = cli("plot", path, "--dataset-size", "100")
    assert result.code == 2 and "sample_packing" in result.err and "max_steps" in result.err
    path.write_text(yaml.safe_dump({**AXOLOTL, "max_steps": 9, "lr_scheduler": "rex"}))
    result = cli("plot", path)
    assert result.code == 2 and "rex" in result.err


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-configs is not here")
def test_the_real_axolotl_quadratic_warmup_recipe():
    """SOURCES.md: axolotl's archived btlm recipe sets lr_quadratic_warmup."""
    path = REAL / "hf-trainer" / "axolotl.archived.cerebras.btlm-ft.yml"
    (schedule,) = lrplot.load(str(path), dataset_size=1000).schedules
    assert schedule.name == "axolotl.cosine_with_quadratic_warmup"


# ---- a model card's "Training hyperparameters" -------------------------------------------

CARD = """---
license: apache-2.0
---
# tiny-model

## Training procedure

### Training hyperparameters

The following hyperparameters were used during training:
- learning_rate: 3e-05
- train_batch_size: 16
- seed: 42
- optimizer: Adam with betas=(0.9,0.999) and epsilon=1e-08
- lr_scheduler_type: cosine
- lr_scheduler_warmup_steps: 40
- training_steps: 400

### Training results
- learning_rate: 1.0
"""


@pytest.mark.parity
def test_a_model_card_is_read_as_the_trainer_wrote_it(tmp_path, cli):
    transformers = require("transformers")
    torch = require("torch")
    path = tmp_path / "README.md"
    path.write_text(CARD)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=3e-5)
    scheduler = transformers.get_cosine_schedule_with_warmup(optimizer, 40, 400)
    expected = []
    for _ in range(400):
        expected.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    (schedule,) = lrplot.load(str(path)).schedules
    np.testing.assert_allclose(schedule.values(400), expected, rtol=RTOL, atol=1e-18)
    path.write_text(CARD.replace("### Training hyperparameters", "### Notes"))
    result = cli("plot", path)
    assert result.code == 2 and "not a file lrplot can read" in result.err


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-configs is not here")
def test_the_real_model_card_matches_its_run():
    """SOURCES.md: linear, lr 1e-5, warmup 500, 5000 steps."""
    (schedule,) = lrplot.load(str(REAL / "hf-trainer" / "p4p4-whisper.README.md")).schedules
    assert schedule.name == "hf.linear"
    assert (schedule.params["lr"], schedule.params["num_warmup_steps"],
            schedule.params["num_training_steps"]) == (1e-5, 500, 5000)
