"""torch. dialect against real PyTorch schedulers, stepped the documented way.

For each case torch is driven as in a training loop (record ``get_last_lr()[0]``, then
``optimizer.step(); scheduler.step()``) and lrplot's row t must match to rtol 1e-9.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from support import require

import lrplot
from lrplot.definition import Context
from lrplot.errors import LrplotError
from lrplot.registry import get

pytestmark = pytest.mark.parity

RTOL = 1e-9


def _optimizer(torch, lr: float):
    param = torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([param], lr=lr)


def _drive(torch, optimizer, scheduler, n: int, metric=None) -> np.ndarray:
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t in range(n):
            out.append(scheduler.get_last_lr()[0])
            if t == n - 1:
                break
            optimizer.step()
            if metric is None:
                scheduler.step()
            else:
                scheduler.step(float(metric[t]))
    return np.asarray(out, dtype=np.float64)


def torch_values(name: str, kwargs: dict, n: int, lr: float = 0.1, metric=None):
    torch = require("torch")
    optimizer = _optimizer(torch, lr)
    cls = getattr(torch.optim.lr_scheduler, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = cls(optimizer, **kwargs)
    return _drive(torch, optimizer, scheduler, n, metric)


def lrplot_values(name: str, kwargs: dict, n: int, lr: float = 0.1, metric=None):
    params = dict(kwargs)
    if get(f"torch.{name}").param("lr") is not None:
        params["lr"] = lr
    return lrplot.schedule(f"torch.{name}", steps=n, metric=metric, **params).values(n)


CASES = [
    ("StepLR", {"step_size": 7}, 300, 0.1),
    ("StepLR", {"step_size": 1, "gamma": 0.97}, 300, 0.5),
    ("StepLR", {"step_size": 50, "gamma": 2.0}, 300, 1e-3),
    ("MultiStepLR", {"milestones": [30, 80, 80, 200]}, 300, 0.1),
    ("MultiStepLR", {"milestones": [0, 5], "gamma": 0.5}, 300, 0.2),
    ("MultiStepLR", {"milestones": [250, 10, 100], "gamma": 0.3}, 300, 0.1),
    ("ConstantLR", {}, 300, 0.1),
    ("ConstantLR", {"factor": 0.1, "total_iters": 100}, 300, 0.1),
    ("ConstantLR", {"factor": 0.5, "total_iters": 0}, 300, 0.1),
    ("ConstantLR", {"factor": 1.0, "total_iters": 3}, 300, 0.1),
    ("LinearLR", {}, 300, 0.1),
    ("LinearLR", {"start_factor": 0.001, "total_iters": 250}, 300, 0.1),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 120}, 300, 0.3),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.5, "total_iters": 0}, 300, 0.1),
    # Decays to 0 by multiplying step by step: torch ends at -1.7e-18, not 0, and holds it.
    ("LinearLR", {"start_factor": 1.0 / 3, "end_factor": 0.0, "total_iters": 272}, 500, 0.1),
    ("LinearLR", {"end_factor": 0.0, "total_iters": 100}, 300, 0.5),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.0, "total_iters": 10}, 300, 1.0),
    ("ExponentialLR", {"gamma": 0.99}, 400, 0.1),
    ("ExponentialLR", {"gamma": 1.001}, 400, 0.01),
    ("ExponentialLR", {"gamma": 0.9}, 3000, 0.3),
    ("ExponentialLR", {"gamma": 0.0}, 300, 0.1),
    ("PolynomialLR", {}, 300, 0.1),
    ("PolynomialLR", {"total_iters": 200, "power": 2.0}, 300, 0.1),
    ("PolynomialLR", {"total_iters": 150, "power": 0.5}, 300, 0.1),
    ("CosineAnnealingLR", {"T_max": 100}, 450, 0.1),
    ("CosineAnnealingLR", {"T_max": 37, "eta_min": 0.001}, 400, 0.1),
    ("CosineAnnealingLR", {"T_max": 1}, 300, 0.1),
    ("CosineAnnealingLR", {"T_max": 500, "eta_min": 1e-5}, 1600, 3e-4),
    ("CosineAnnealingWarmRestarts", {"T_0": 10}, 300, 0.1),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0.001}, 400, 0.1),
    ("CosineAnnealingWarmRestarts", {"T_0": 1, "T_mult": 3}, 300, 0.1),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20}, 300, 0.1),
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 10, "step_size_down": 30,
                  "mode": "triangular2"}, 300, 0.1),
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.05, "step_size_up": 7, "mode": "exp_range",
                  "gamma": 0.995}, 300, 0.1),
    ("CyclicLR", {"base_lr": 0.0, "max_lr": 0.1, "step_size_up": 13, "step_size_down": 0},
     300, 0.1),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 300}, 301, 0.1),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 250, "anneal_strategy": "linear",
                    "pct_start": 0.25}, 251, 0.1),
    ("OneCycleLR", {"max_lr": 0.2, "epochs": 10, "steps_per_epoch": 35, "three_phase": True},
     351, 0.1),
    ("OneCycleLR", {"max_lr": 0.2, "total_steps": 300, "three_phase": True,
                    "anneal_strategy": "linear", "div_factor": 10.0,
                    "final_div_factor": 100.0}, 301, 0.1),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 300, "pct_start": 0.0}, 301, 0.1),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10}, 11, 0.1),
]


@pytest.mark.parametrize(("name", "kwargs", "n", "lr"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_torch(name, kwargs, n, lr):
    expected = torch_values(name, kwargs, n, lr)
    got = lrplot_values(name, kwargs, n, lr)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)


def test_cosine_annealing_rises_again_past_t_max():
    """The quirk the dialect exists for: periodic, unlike lrplot's cosine family."""
    expected = torch_values("CosineAnnealingLR", {"T_max": 50}, 201)
    assert expected[100] == pytest.approx(0.1)
    got = lrplot_values("CosineAnnealingLR", {"T_max": 50}, 201)
    np.testing.assert_allclose(got, expected, rtol=RTOL)


PLATEAU_CASES = [
    {},
    {"patience": 2, "factor": 0.5},
    {"patience": 0, "cooldown": 3, "min_lr": 0.002},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 4},
    {"patience": 1, "factor": 0.5, "eps": 0.01},
]


@pytest.mark.parametrize("kwargs", PLATEAU_CASES)
def test_reduce_on_plateau_matches_torch(kwargs):
    rng = np.random.default_rng(7)
    # A noisy loss with long flat stretches, and (for mode=max) the same shape upside down.
    metric = np.repeat(np.linspace(2.0, 0.5, 12), 25) + rng.normal(0, 0.01, 300)
    if kwargs.get("mode") == "max":
        metric = -metric
    expected = torch_values("ReduceLROnPlateau", kwargs, 300, 0.1, metric=metric)
    got = lrplot_values("ReduceLROnPlateau", kwargs, 300, 0.1, metric=metric)
    np.testing.assert_allclose(got, expected, rtol=RTOL)
    assert got[-1] < 0.1  # the case really reduced


def test_onecycle_refuses_steps_where_torch_raises():
    torch = require("torch")
    optimizer = _optimizer(torch, 0.1)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(20):
            optimizer.step()
            scheduler.step()
        with pytest.raises(ValueError, match="Tried to step 21 times"):
            scheduler.step()
    with pytest.raises(LrplotError, match="Tried to step 21 times"):
        lrplot.schedule("torch.OneCycleLR", max_lr=0.1, total_steps=20, steps=22)
    assert lrplot.schedule("torch.OneCycleLR", max_lr=0.1, total_steps=20,
                           steps=21).values(21).shape == (21,)


# ---- SequentialLR and ChainedScheduler -------------------------------------------------

COMPOSITE_PARTS = {
    "warmup-cosine": [("LinearLR", {"start_factor": 0.01, "total_iters": 20}),
                      ("CosineAnnealingLR", {"T_max": 200})],
    "constant-exp-step": [("ConstantLR", {"factor": 0.5, "total_iters": 10}),
                          ("ExponentialLR", {"gamma": 0.98}),
                          ("StepLR", {"step_size": 30, "gamma": 0.5})],
    "cyclic-onecycle": [("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 10}),
                        ("OneCycleLR", {"max_lr": 0.3, "total_steps": 400})],
    "onecycle-first": [("OneCycleLR", {"max_lr": 0.3, "total_steps": 60}),
                       ("MultiStepLR", {"milestones": [5, 50], "gamma": 0.5}),
                       ("PolynomialLR", {"total_iters": 100, "power": 2.0})],
    "restarts-linear": [("CosineAnnealingWarmRestarts", {"T_0": 7, "T_mult": 2}),
                        ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1,
                                      "total_iters": 50})],
}
SEQUENTIAL_MILESTONES = {
    "warmup-cosine": [20], "constant-exp-step": [15, 90], "cyclic-onecycle": [45],
    "onecycle-first": [40, 100], "restarts-linear": [0],
}


def _torch_parts(torch, optimizer, parts):
    made = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, kwargs in parts:
            made.append(getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs))
    return made


@pytest.mark.parametrize("case", sorted(COMPOSITE_PARTS))
def test_sequential_lr_matches_torch(case):
    torch = require("torch")
    from lrplot.dialects.torch import sequential_lr

    parts, milestones, n = COMPOSITE_PARTS[case], SEQUENTIAL_MILESTONES[case], 400
    optimizer = _optimizer(torch, 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = torch.optim.lr_scheduler.SequentialLR(
            optimizer, _torch_parts(torch, optimizer, parts), milestones)
    expected = _drive(torch, optimizer, scheduler, n)
    got = sequential_lr(parts, milestones, 0.1, Context(steps=n)).values(n)
    np.testing.assert_allclose(got, expected, rtol=RTOL)


CHAINED = {
    "constant-exp": [("ConstantLR", {"factor": 0.1, "total_iters": 2}),
                     ("ExponentialLR", {"gamma": 0.9})],
    "linear-cosine-step": [("LinearLR", {"start_factor": 0.1, "total_iters": 30}),
                           ("CosineAnnealingLR", {"T_max": 80, "eta_min": 0.001}),
                           ("StepLR", {"step_size": 45, "gamma": 0.5})],
    "double-constant": [("ConstantLR", {"factor": 0.5, "total_iters": 20}),
                        ("ConstantLR", {"factor": 0.5, "total_iters": 40}),
                        ("MultiStepLR", {"milestones": [0, 100]})],
    "poly-restarts": [("PolynomialLR", {"total_iters": 150}),
                      ("CosineAnnealingWarmRestarts", {"T_0": 25})],
}


@pytest.mark.parametrize("case", sorted(CHAINED))
def test_chained_scheduler_matches_torch(case):
    torch = require("torch")
    from lrplot.dialects.torch import chained_scheduler

    parts, n = CHAINED[case], 300
    optimizer = _optimizer(torch, 0.5)
    scheduler = torch.optim.lr_scheduler.ChainedScheduler(_torch_parts(torch, optimizer,
                                                                        parts))
    expected = _drive(torch, optimizer, scheduler, n)
    got = chained_scheduler(parts, 0.5, Context(steps=n)).values(n)
    np.testing.assert_allclose(got, expected, rtol=RTOL)


def test_chained_constructor_side_effects_compound():
    """ConstantLR(0.1) then ExponentialLR(0.9) on lr 0.5: the docstring's example numbers."""
    from lrplot.dialects.torch import chained_scheduler

    got = chained_scheduler([("ConstantLR", {"factor": 0.1, "total_iters": 2}),
                             ("ExponentialLR", {"gamma": 0.9})], 0.5, Context()).values(4)
    # Independent formula: 0.5·0.1 at step 0, ·0.9 per step, ·10 back at step 2.
    np.testing.assert_allclose(got, [0.05, 0.045, 0.405, 0.3645], rtol=1e-12)
