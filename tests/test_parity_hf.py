"""hf. dialect against transformers.get_scheduler on a torch SGD optimizer."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from support import require

import lrplot

pytestmark = pytest.mark.parity

RTOL = 1e-9
N = 400


def hf_values(name: str, lr: float, warmup, total, kwargs: dict, n: int = N,
              metric=None) -> np.ndarray:
    torch = require("torch")
    transformers = require("transformers")
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = transformers.get_scheduler(
            name, optimizer, num_warmup_steps=warmup, num_training_steps=total,
            scheduler_specific_kwargs=dict(kwargs))
        out = []
        for t in range(n):
            out.append(scheduler.get_last_lr()[0])
            if t == n - 1:
                break
            optimizer.step()
            scheduler.step() if metric is None else scheduler.step(float(metric[t]))
    return np.asarray(out, dtype=np.float64)


CASES = [
    ("linear", 0.1, 0, 300, {}),
    ("linear", 0.1, 50, 300, {}),
    ("linear", 0.5, 10, 5, {}),
    ("cosine", 0.1, 0, 300, {}),
    ("cosine", 0.1, 30, 200, {}),
    ("cosine", 0.3, 20, 150, {"num_cycles": 1.5}),
    ("cosine_with_restarts", 0.1, 25, 300, {}),
    ("cosine_with_restarts", 0.1, 0, 250, {"num_cycles": 3}),
    ("polynomial", 0.1, 20, 300, {}),
    ("polynomial", 0.1, 0, 200, {"lr_end": 1e-3, "power": 2.0}),
    ("polynomial", 0.2, 50, 150, {"lr_end": 0.01, "power": 0.5}),
    ("constant", 0.1, 30, 300, {}),
    ("constant", 3e-4, 0, None, {}),
    ("constant", 2.5, 0, 10, {}),
    ("constant_with_warmup", 0.1, 0, 300, {}),
    ("constant_with_warmup", 0.1, 60, 300, {}),
    ("inverse_sqrt", 0.1, 40, None, {}),
    ("inverse_sqrt", 0.1, 0, None, {}),
    ("inverse_sqrt", 0.1, 10, None, {"timescale": 100}),
    ("cosine_with_min_lr", 0.1, 20, 200, {"min_lr": 1e-3}),
    ("cosine_with_min_lr", 0.1, 0, 300, {"min_lr_rate": 0.1, "num_cycles": 0.75}),
    ("cosine_warmup_with_min_lr", 0.1, 20, 300, {"min_lr_rate": 0.05}),
    ("cosine_warmup_with_min_lr", 0.1, 25, 300, {"min_lr": 0.002, "warmup_lr_rate": 0.1}),
    ("warmup_stable_decay", 0.1, 20, 300, {"num_decay_steps": 60}),
    ("warmup_stable_decay", 0.1, 30, 300, {"num_decay_steps": 50, "warmup_type": "cosine",
                                            "decay_type": "linear", "min_lr_ratio": 0.1}),
    ("warmup_stable_decay", 0.1, 40, None, {"num_decay_steps": 100, "num_stable_steps": 120,
                                             "warmup_type": "1-sqrt", "decay_type": "1-sqrt",
                                             "min_lr_ratio": 0.05}),
    ("warmup_stable_decay", 0.1, 0, 200, {"num_decay_steps": 80, "num_cycles": 1.0}),
]


@pytest.mark.parametrize(("name", "lr", "warmup", "total", "kwargs"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_transformers(name, lr, warmup, total, kwargs):
    expected = hf_values(name, lr, warmup, total, kwargs)
    params = {"lr": lr, "num_warmup_steps": warmup, **kwargs}
    if total is not None and name != "inverse_sqrt":
        params["num_training_steps"] = total
    got = lrplot.schedule(f"hf.{name}", steps=N, **params).values(N)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-300)


def test_cosine_rises_again_past_num_training_steps():
    expected = hf_values("cosine", 0.1, 10, 100, {}, n=300)
    assert expected[190] == pytest.approx(0.1)
    got = lrplot.schedule("hf.cosine", lr=0.1, num_warmup_steps=10,
                          num_training_steps=100).values(300)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-300)


@pytest.mark.parametrize("kwargs", [{}, {"patience": 3, "factor": 0.5, "cooldown": 2},
                                    {"mode": "max", "patience": 5, "min_lr": 0.02}])
def test_reduce_lr_on_plateau_matches_transformers(kwargs):
    rng = np.random.default_rng(3)
    metric = np.repeat(np.linspace(1.0, 0.2, 10), 30) + rng.normal(0, 0.005, 300)
    if kwargs.get("mode") == "max":
        metric = -metric
    expected = hf_values("reduce_lr_on_plateau", 0.1, None, None, kwargs, n=300,
                         metric=metric)
    got = lrplot.schedule("hf.reduce_lr_on_plateau", metric=metric, lr=0.1,
                          **kwargs).values(300)
    np.testing.assert_allclose(got, expected, rtol=RTOL)
    assert got[-1] < 0.1
