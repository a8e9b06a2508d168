"""optax. dialect against real optax schedules, with jax_enable_x64 so optax uses float64."""

from __future__ import annotations

import numpy as np
import pytest
from support import require

import lrplot

pytestmark = pytest.mark.parity

RTOL = 1e-9
N = 500


@pytest.fixture(scope="module")
def optax():
    jax = require("jax")
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    yield require("optax")
    jax.config.update("jax_enable_x64", previous)


def optax_values(optax, name: str, kwargs: dict, n: int = N) -> np.ndarray:
    import jax
    import jax.numpy as jnp

    schedule = getattr(optax, name)(**kwargs)
    counts = jnp.arange(n, dtype=jnp.int64)
    values = jax.vmap(lambda c: jnp.asarray(schedule(c), dtype=jnp.float64))(counts)
    assert values.dtype == jnp.float64
    return np.asarray(values, dtype=np.float64)


def _spec_kwargs(kwargs: dict) -> dict:
    out = dict(kwargs)
    if isinstance(out.get("boundaries_and_scales"), dict):
        out["boundaries_and_scales"] = [[b, s] for b, s in out["boundaries_and_scales"].items()]
    return out


CASES = [
    ("constant_schedule", {"value": 0.03}),
    ("constant_schedule", {"value": 0.0}),
    ("constant_schedule", {"value": 1e-7}),
    ("linear_schedule", {"init_value": 0.1, "end_value": 0.001, "transition_steps": 300}),
    ("linear_schedule", {"init_value": 0.0, "end_value": 0.2, "transition_steps": 100,
                         "transition_begin": 50}),
    ("linear_schedule", {"init_value": 0.1, "end_value": 0.0, "transition_steps": 0}),
    ("linear_schedule", {"init_value": 0.1, "end_value": 0.0, "transition_steps": 80,
                         "transition_begin": -20}),
    ("polynomial_schedule", {"init_value": 0.1, "end_value": 0.001, "power": 2.0,
                             "transition_steps": 200, "transition_begin": 30}),
    ("polynomial_schedule", {"init_value": 0.1, "end_value": 0.0, "power": 0.5,
                             "transition_steps": 400}),
    ("exponential_decay", {"init_value": 0.1, "transition_steps": 50, "decay_rate": 0.5}),
    ("exponential_decay", {"init_value": 0.1, "transition_steps": 30, "decay_rate": 0.5,
                           "transition_begin": 40, "staircase": True, "end_value": 0.01}),
    ("exponential_decay", {"init_value": 0.01, "transition_steps": 100, "decay_rate": 2.0,
                           "end_value": 0.05}),
    ("exponential_decay", {"init_value": 0.1, "transition_steps": 10, "decay_rate": 0.0}),
    ("cosine_decay_schedule", {"init_value": 0.1, "decay_steps": 300}),
    ("cosine_decay_schedule", {"init_value": 0.1, "decay_steps": 200, "alpha": 0.1,
                               "exponent": 2.0}),
    ("warmup_cosine_decay_schedule", {"init_value": 0.0, "peak_value": 0.1,
                                      "warmup_steps": 50, "decay_steps": 400}),
    ("warmup_cosine_decay_schedule", {"init_value": 1e-4, "peak_value": 0.3,
                                      "warmup_steps": 0, "decay_steps": 250,
                                      "end_value": 1e-3, "exponent": 0.5}),
    ("warmup_cosine_decay_schedule", {"init_value": 0.01, "peak_value": 0.0,
                                      "warmup_steps": 10, "decay_steps": 100,
                                      "end_value": 0.0}),
    ("warmup_exponential_decay_schedule", {"init_value": 0.0, "peak_value": 0.1,
                                           "warmup_steps": 40, "transition_steps": 25,
                                           "decay_rate": 0.8}),
    ("warmup_exponential_decay_schedule", {"init_value": 0.0, "peak_value": 0.1,
                                           "warmup_steps": 20, "transition_steps": 25,
                                           "decay_rate": 0.5, "transition_begin": 30,
                                           "staircase": True, "end_value": 0.005}),
    ("linear_onecycle_schedule", {"transition_steps": 300, "peak_value": 0.1}),
    ("linear_onecycle_schedule", {"transition_steps": 10, "peak_value": 0.5,
                                  "pct_start": 0.05, "pct_final": 0.9}),
    ("linear_onecycle_schedule", {"transition_steps": 200, "peak_value": 0.1,
                                  "pct_start": 0.5, "pct_final": 0.5, "div_factor": 10.0}),
    ("cosine_onecycle_schedule", {"transition_steps": 300, "peak_value": 0.1}),
    ("cosine_onecycle_schedule", {"transition_steps": 7, "peak_value": 1.0,
                                  "pct_start": 0.1, "div_factor": 5.0,
                                  "final_div_factor": 100.0}),
    ("cosine_onecycle_schedule", {"transition_steps": 150, "peak_value": 0.02,
                                  "pct_start": 0.5, "div_factor": 1.0}),
    ("piecewise_constant_schedule", {"init_value": 0.1,
                                     "boundaries_and_scales": {100: 0.1, 200: 0.1}}),
    ("piecewise_constant_schedule", {"init_value": 0.1,
                                     "boundaries_and_scales": {300: 2.0, 0: 0.5, 50: 0.0}}),
    ("piecewise_constant_schedule", {"init_value": 0.2}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_optax(optax, name, kwargs):
    expected = optax_values(optax, name, kwargs)
    got = lrplot.schedule(f"optax.{name}", **_spec_kwargs(kwargs)).values(N)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-300)


def test_piecewise_spec_string_switches_at_the_boundary(optax):
    spec = "optax.piecewise_constant_schedule:init_value=0.1,boundaries_and_scales=[[5,0.5]]"
    got = lrplot.parse(spec).values(8)
    expected = optax_values(optax, "piecewise_constant_schedule",
                            {"init_value": 0.1, "boundaries_and_scales": {5: 0.5}}, 8)
    np.testing.assert_allclose(got, expected, rtol=RTOL)
    assert got[4] == 0.1 and got[5] == 0.05


def test_cosine_onecycle_peaks_one_step_after_torch(optax):
    expected = optax_values(optax, "cosine_onecycle_schedule",
                            {"transition_steps": 10, "peak_value": 0.1}, 12)
    got = lrplot.schedule("optax.cosine_onecycle_schedule", transition_steps=10,
                          peak_value=0.1).values(12)
    np.testing.assert_allclose(got, expected, rtol=RTOL)
    torch_like = lrplot.schedule("torch.OneCycleLR", max_lr=0.1, total_steps=10).values(10)
    assert int(np.argmax(got)) == 3 and int(np.argmax(torch_like)) == 2
