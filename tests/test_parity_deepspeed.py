"""deepspeed. dialect against DeepSpeed's own deepspeed.runtime.lr_schedules on a torch optimizer.

DeepSpeed steps its scheduler once per optimizer step; row t is the optimizer's lr at update
t, i.e. ``param_groups[0]["lr"]`` after the constructor and t calls of ``scheduler.step()``.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
from support import require

import lrplot

pytestmark = pytest.mark.parity

RTOL = 1e-9


def deepspeed_values(name: str, params: dict, n: int, lr: float = 0.1) -> np.ndarray:
    torch = require("torch")
    schedules = require("deepspeed.runtime.lr_schedules")
    logging.getLogger("DeepSpeed").setLevel(logging.ERROR)  # "lr before started" notes
    optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = getattr(schedules, name)(optimizer, **params)
    out = []
    for t in range(n):
        out.append(float(optimizer.param_groups[0]["lr"]))
        if t < n - 1:
            scheduler.step()
    return np.asarray(out)


CASES = [
    ("WarmupLR", {}, 1200),
    ("WarmupLR", {"warmup_min_lr": 0, "warmup_max_lr": 0.001, "warmup_num_steps": 10}, 30),
    ("WarmupLR", {"warmup_min_lr": 1e-5, "warmup_max_lr": 0.01, "warmup_num_steps": 100,
                  "warmup_type": "linear"}, 150),
    ("WarmupLR", {"warmup_max_lr": 0.3, "warmup_num_steps": 1}, 10),  # W raised to 2
    ("WarmupDecayLR", {"total_num_steps": 300, "warmup_num_steps": 40}, 320),
    ("WarmupDecayLR", {"total_num_steps": 200, "warmup_min_lr": 1e-4, "warmup_max_lr": 0.02,
                       "warmup_num_steps": 20, "warmup_type": "linear"}, 230),
    ("WarmupDecayLR", {"total_num_steps": 10, "warmup_num_steps": 30}, 50),  # T < W
    ("WarmupCosineLR", {"total_num_steps": 400, "warmup_num_steps": 50}, 420),
    ("WarmupCosineLR", {"total_num_steps": 300, "warmup_min_ratio": 0.1,
                        "warmup_num_steps": 30, "cos_min_ratio": 0.01,
                        "warmup_type": "linear"}, 320),
    ("OneCycle", {"cycle_min_lr": 1e-4, "cycle_max_lr": 1e-2, "cycle_first_step_size": 50},
     130),
    ("OneCycle", {"cycle_min_lr": 0.001, "cycle_max_lr": 0.1, "cycle_first_step_size": 30,
                  "cycle_second_step_size": 70, "decay_lr_rate": 0.5, "decay_step_size": 10},
     200),
    ("OneCycle", {"cycle_min_lr": 0.01, "cycle_max_lr": 0.1, "cycle_first_step_size": 20,
                  "cycle_second_step_size": 13, "cycle_first_stair_count": 4,
                  "cycle_second_stair_count": 3}, 80),
    ("LRRangeTest", {"lr_range_test_min_lr": 1e-4, "lr_range_test_step_size": 10}, 100),
    ("LRRangeTest", {"lr_range_test_min_lr": 1e-3, "lr_range_test_step_size": 7,
                     "lr_range_test_step_rate": 2.5, "lr_range_test_staircase": True}, 60),
]


@pytest.mark.parametrize(("name", "params", "n"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_deepspeed(name, params, n):
    expected = deepspeed_values(name, params, n)
    spec_params = dict(params)
    if name == "WarmupCosineLR":
        spec_params["lr"] = 0.1  # the optimizer's lr, which the ratios multiply
    got = lrplot.schedule(f"deepspeed.{name}", **spec_params).values(n)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-15)


def test_log_warmup_uses_the_minimum_twice():
    """The pitfall DeepSpeed users hit: with the default log warmup, updates 0 and 1 both run
    at warmup_min_lr (log(0 + 1) = 0), and the ramp is concave, not linear."""
    got = lrplot.schedule("deepspeed.WarmupLR", warmup_min_lr=0.0, warmup_max_lr=1.0,
                          warmup_num_steps=100).values(102)
    assert got[0] == got[1] == 0.0
    assert got[2] == pytest.approx(np.log(2) / np.log(100), rel=1e-12)
    assert got[101] == 1.0 and got[51] > 0.5 * got[101]
