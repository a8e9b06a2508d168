"""The recipes in configs/ give the numbers their sources state.

Each config's leading comment cites a paper, a reference script or a framework; these tests
check the config against that source: closed forms written out here from the cited formula,
or the cited framework itself (real torch / Keras, marked parity).
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from support import require

from lrplot.core import natural_steps
from lrplot.inputs import load as load_inputs
from lrplot.run import Settings

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def load(name: str):
    return load_inputs([str(CONFIGS / name)], Settings())


def at(schedule, steps) -> np.ndarray:
    return schedule(np.asarray(steps, dtype=np.int64))


def column(name: str, index: int = 0) -> np.ndarray:
    loaded = load(name)
    return loaded.schedules[index].values(natural_steps(loaded.schedules, loaded.steps))


def test_resnet50_divides_by_ten_at_epochs_30_60_80():
    loaded = load("resnet50_step_decay.toml")
    per_epoch = 5005  # ceil(1 281 167 / 256)
    assert (loaded.steps, loaded.steps_per_epoch) == (90 * per_epoch, per_epoch)
    epochs = np.arange(loaded.steps) // per_epoch
    expected = 0.1 * 0.1 ** np.searchsorted([30, 60, 80], epochs, side="right")
    np.testing.assert_allclose(loaded.schedules[0].values(loaded.steps), expected, rtol=1e-12)


def test_bert_warms_up_10k_steps_then_decays_linearly_to_zero_at_1m():
    loaded = load("bert_pretraining.toml")
    assert loaded.steps == 1_000_000
    t = np.array([0, 2500, 9999, 10_000, 505_000, 999_999])
    # transformers get_linear_schedule_with_warmup(10 000, 1 000 000) on lr 1e-4.
    expected = 1e-4 * np.where(t < 10_000, t / 10_000, (1_000_000 - t) / 990_000)
    # Near 0 at the end, 1 − t/N loses digits to cancellation: an absolute bound there.
    np.testing.assert_allclose(at(loaded.schedules[0], t), expected, rtol=1e-12, atol=1e-20)


def test_llama_warms_up_2000_steps_and_ends_at_10_percent():
    loaded = load("llama_warmup_cosine.toml")
    assert loaded.steps == 250_000  # 1.0T tokens / 4M tokens per batch
    t = np.arange(0, 250_000, 997)
    decay = np.minimum(t - 2000, 248_000) / 248_000
    expected = np.where(t < 2000, 3e-4 * t / 2000,
                        3e-5 + (3e-4 - 3e-5) * 0.5 * (1 + np.cos(np.pi * decay)))
    np.testing.assert_allclose(at(loaded.schedules[0], t), expected, rtol=1e-12)


def one_minus_sqrt(t: np.ndarray, peak: float, warmup: int, cool_from: int,
                   total: int) -> np.ndarray:
    """Hägele et al.'s WSD: linear warmup, hold, then peak·(1 − √p) over the cooldown."""
    p = np.clip((t - cool_from) / (total - cool_from), 0, 1)
    return np.where(t < warmup, peak * t / warmup, peak * (1 - np.sqrt(p)))


def test_wsd_cools_down_over_the_last_20_percent_of_the_run():
    loaded = load("wsd_llm.toml")
    t = np.arange(0, loaded.steps, 250)
    np.testing.assert_allclose(at(loaded.schedules[0], t),
                               one_minus_sqrt(t, 1e-3, 2000, 80_000, 100_000),
                               rtol=1e-12, atol=1e-18)


def test_cosine_vs_wsd_share_peak_warmup_and_budget():
    loaded = load("cosine_vs_wsd.toml")
    cosine, wsd = loaded.schedules
    t = np.arange(0, loaded.steps, 125)
    np.testing.assert_allclose(at(wsd, t), one_minus_sqrt(t, 1e-3, 1000, 40_000, 50_000),
                               rtol=1e-12, atol=1e-18)
    decay = np.clip(t - 1000, 0, 49_000) / 49_000
    expected = np.where(t < 1000, 1e-3 * t / 1000,
                        1e-4 + 9e-4 * 0.5 * (1 + np.cos(np.pi * decay)))
    np.testing.assert_allclose(at(cosine, t), expected, rtol=1e-12)


def test_sgdr_restarts_after_epochs_10_30_70():
    loaded = load("sgdr_restarts.toml")
    per_epoch = 391
    restarts = [0, 10 * per_epoch, 30 * per_epoch, 70 * per_epoch, 150 * per_epoch]
    t = np.arange(loaded.steps)
    start = np.asarray(restarts)[np.searchsorted(restarts, t, side="right") - 1]
    length = np.diff(restarts)[np.searchsorted(restarts, t, side="right") - 1]
    expected = 0.05 * 0.5 * (1 + np.cos(np.pi * (t - start) / length))  # SGDR eq. (5)
    np.testing.assert_allclose(at(loaded.schedules[0], t), expected, rtol=1e-9, atol=1e-15)
    assert loaded.steps == restarts[-1]


def test_page_one_cycle_is_piecewise_linear_through_0_4_at_epoch_5():
    loaded = load("onecycle_fast.toml")
    assert (loaded.steps, loaded.steps_per_epoch) == (24 * 98, 98)
    t = np.arange(loaded.steps)
    # PiecewiseLinear([0, 5, 24], [0, 0.4, 0]) in epochs, at iteration resolution.
    expected = np.interp(t, [0, 5 * 98, 24 * 98], [0, 0.4, 0])
    np.testing.assert_allclose(at(loaded.schedules[0], t), expected, rtol=1e-12, atol=1e-17)


def test_noam_and_fairseq_inverse_sqrt():
    noam, fairseq = load("transformer_noam.toml").schedules
    t = np.arange(0, 100_000, 37)
    step_num = t + 1.0  # the paper counts steps from 1
    np.testing.assert_allclose(
        at(noam, t), 512**-0.5 * np.minimum(step_num**-0.5, step_num * 4000**-1.5), rtol=1e-12)
    # fairseq inverse_sqrt: lr·t/W during warmup, then lr·√W/√t (decay_factor · t^-½).
    expected = np.where(t < 4000, 5e-4 * t / 4000,
                        5e-4 * math.sqrt(4000) / np.sqrt(np.maximum(t, 1)))
    np.testing.assert_allclose(at(fairseq, t), expected, rtol=1e-12)


def test_yolo_burn_in_and_steps_as_darknet():
    for name in ("yolo_burn_in.toml", "yolo_burn_in_zoom.toml"):
        burn_in = load(name).schedules[0]
        t = np.arange(0, 1000, 7)
        # darknet get_current_rate: learning_rate · (batch / burn_in)^power, power 4.
        np.testing.assert_allclose(at(burn_in, t), 0.001 * (t / 1000) ** 4, rtol=1e-12)
    full = load("yolo_burn_in.toml")
    assert full.steps == 500_200  # max_batches
    t = np.array([1000, 399_999, 400_000, 449_999, 450_000, 500_199])
    # steps=400000,450000 scales=.1,.1: the rate is scaled once batch ≥ each step.
    np.testing.assert_allclose(at(full.schedules[0], t),
                               0.001 * 0.1 ** np.searchsorted([400_000, 450_000], t,
                                                              side="right"), rtol=1e-12)


def test_clr_triangular2_halves_every_cycle():
    loaded = load("clr_triangular2.toml")
    assert loaded.steps == 8000
    t = np.arange(8000)
    # Smith 2017 / bckenstler/CLR: cycle = floor(1 + t/2s), x = |t/s − 2·cycle + 1|,
    # lr = base + (max − base)·max(0, 1 − x) / 2^(cycle − 1).
    cycle = np.floor(1 + t / 2000)
    x = np.abs(t / 1000 - 2 * cycle + 1)
    expected = 1e-6 + (1e-3 - 1e-6) * np.maximum(0, 1 - x) / 2 ** (cycle - 1)
    np.testing.assert_allclose(at(loaded.schedules[0], t), expected, rtol=1e-12)


def test_three_part_sequence_recipe():
    loaded = load("warmup_hold_cosine.toml")
    t = np.arange(loaded.steps)
    expected = np.where(t < 2000, 6e-4 * t / 2000, np.where(
        t < 12_000, 6e-4, 6e-4 * 0.5 * (1 + np.cos(np.pi * (t - 12_000) / 8000))))
    np.testing.assert_allclose(at(loaded.schedules[0], t), expected, rtol=1e-12, atol=1e-18)


# ---- recipes that name a framework: the framework itself ---------------------------------


def torch_drive(make, n: int, lr: float, metric=None) -> np.ndarray:
    torch = require("torch")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = make(torch.optim.lr_scheduler, optimizer)
        for t in range(n):
            out.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step() if metric is None else scheduler.step(metric[t])
    return np.asarray(out)


@pytest.mark.parity
def test_torchvision_recipe_is_torchs_sequential_lr():
    expected = torch_drive(lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, start_factor=0.01, total_iters=5), s.CosineAnnealingLR(o, T_max=595)],
        milestones=[5]), 600, 0.5)
    np.testing.assert_allclose(column("torchvision_resnet50_sequentiallr.toml"), expected,
                               rtol=1e-9)


@pytest.mark.parity
def test_sgdr_recipe_is_torchs_warm_restarts():
    loaded = load("sgdr_restarts.toml")
    expected = torch_drive(lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3910, T_mult=2),
                           loaded.steps, 0.05)
    np.testing.assert_allclose(loaded.schedules[0].values(loaded.steps), expected,
                               rtol=1e-9, atol=1e-15)


@pytest.mark.parity
def test_onecycle_recipe_is_torchs_one_cycle():
    expected = torch_drive(lambda s, o: s.OneCycleLR(
        o, max_lr=0.4, total_steps=2352, pct_start=0.2083, anneal_strategy="linear",
        cycle_momentum=False), 2352, 0.4)
    np.testing.assert_allclose(column("onecycle_fast.toml", 1), expected, rtol=1e-9)


@pytest.mark.parity
def test_torch_cosine_past_the_end_is_torchs():
    expected = torch_drive(lambda s, o: s.CosineAnnealingLR(o, T_max=100), 250, 0.1)
    np.testing.assert_allclose(column("torch_vs_keras_cosine.toml", 0), expected,
                               rtol=1e-9, atol=1e-15)


def val_loss() -> list[float]:
    with open(CONFIGS / "plateau_val_loss.csv", newline="") as handle:
        return [float(row["val_loss"]) for row in csv.DictReader(handle)]


@pytest.mark.parity
def test_plateau_recipe_torch_defaults_are_torchs():
    metric = val_loss()
    expected = torch_drive(lambda s, o: s.ReduceLROnPlateau(o), len(metric), 0.1, metric)
    np.testing.assert_allclose(column("plateau_val_loss.toml", 0), expected, rtol=1e-12)


@pytest.mark.parity
def test_plateau_recipe_keras_example_is_the_keras_callback():
    """ReduceLROnPlateau(monitor='val_loss', factor=0.2, patience=5, min_lr=0.001), for real."""
    keras = require("keras")  # on the backend tests/conftest.py picks
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    callback = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5,
                                                 min_lr=0.001)
    callback.set_model(model)
    callback.on_train_begin()
    expected = []
    for epoch, value in enumerate(val_loss()):
        expected.append(float(model.optimizer.learning_rate))
        callback.on_epoch_end(epoch, {"val_loss": value})
    # Keras keeps the lr in float32: compare at float32 precision.
    np.testing.assert_allclose(column("plateau_val_loss.toml", 1), expected, rtol=1e-6)
