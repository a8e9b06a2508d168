"""Properties every canonical family must have, over generated parameters (hypothesis).

Finite, non-negative values of the requested length; the warmup prefix ending exactly at
the family's own step-0 value; monotone families never rising after warmup; cyclic
families periodic.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrplot import registry as catalogue
from lrplot.definition import Context

LR = st.floats(1e-6, 10.0)
FRACTION = st.floats(0.01, 1.0)
LENGTH = st.integers(1, 400)

FAMILIES: dict[str, st.SearchStrategy[dict]] = {
    "constant": st.fixed_dictionaries({"lr": LR}),
    "step": st.fixed_dictionaries({"lr": LR, "step_size": LENGTH, "gamma": FRACTION}),
    "multistep": st.fixed_dictionaries({
        "lr": LR, "milestones": st.lists(st.integers(0, 500), min_size=1, max_size=5),
        "gamma": FRACTION}),
    "exponential": st.fixed_dictionaries({
        "lr": LR, "decay_rate": FRACTION, "decay_steps": LENGTH, "staircase": st.booleans()}),
    "inverse_time": st.fixed_dictionaries({
        "lr": LR, "decay_rate": st.floats(0, 10), "decay_steps": LENGTH,
        "staircase": st.booleans()}),
    "polynomial": st.fixed_dictionaries({
        "lr": LR, "decay_steps": LENGTH, "end_lr": st.floats(0, 1e-6),
        "power": st.floats(0.1, 5)}),
    "linear": st.fixed_dictionaries({"lr": LR, "decay_steps": LENGTH,
                                     "end_lr": st.floats(0, 1e-6)}),
    "piecewise": st.integers(1, 5).flatmap(lambda k: st.fixed_dictionaries({
        "boundaries": st.lists(st.integers(0, 500), min_size=k, max_size=k, unique=True)
        .map(sorted),
        "values": st.lists(LR, min_size=k + 1, max_size=k + 1).map(
            lambda v: sorted(v, reverse=True))})),
    "cosine": st.fixed_dictionaries({"lr": LR, "decay_steps": LENGTH,
                                     "min_lr": st.floats(0, 1e-6)}),
    "cosine_restarts": st.fixed_dictionaries({
        "lr": LR, "first_decay_steps": LENGTH, "t_mul": st.floats(1, 3),
        "m_mul": FRACTION, "min_lr": st.floats(0, 1e-6)}),
    "cyclic": st.fixed_dictionaries({
        "base_lr": st.floats(0, 1e-3), "max_lr": st.floats(1e-3, 1), "step_size": LENGTH,
        "step_size_down": st.none() | LENGTH,
        "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]),
        "gamma": st.floats(0.9, 1.0)}),
    "onecycle": st.fixed_dictionaries({
        "max_lr": LR, "total_steps": st.integers(50, 400), "pct_start": st.floats(0.1, 0.45),
        "anneal": st.sampled_from(["cos", "linear"]), "three_phase": st.booleans()}),
    "wsd": st.integers(2, 400).flatmap(lambda total: st.fixed_dictionaries({
        "lr": LR, "total_steps": st.just(total), "decay_steps": st.integers(1, total),
        "min_lr": st.floats(0, 1e-6),
        "decay_shape": st.sampled_from(["linear", "cosine", "1-sqrt"])})),
    "inverse_sqrt": st.fixed_dictionaries({"lr": LR, "timescale": st.floats(0.5, 1e4)}),
    "noam": st.fixed_dictionaries({"d_model": st.integers(1, 4096),
                                   "warmup_steps": st.integers(1, 4000),
                                   "factor": st.floats(0.1, 10)}),
    "plateau": st.fixed_dictionaries({
        "lr": LR, "factor": st.floats(0.0, 0.9), "patience": st.integers(0, 10),
        "cooldown": st.integers(0, 5), "mode": st.sampled_from(["min", "max"]),
        "threshold_mode": st.sampled_from(["rel", "abs"])}),
}
MONOTONE = {"constant", "step", "multistep", "exponential", "inverse_time", "polynomial",
            "linear", "piecewise", "cosine", "wsd", "inverse_sqrt", "plateau"}
METRIC = st.lists(st.floats(0.0, 10.0), min_size=1, max_size=200)
WARMUP = st.fixed_dictionaries({
    "warmup": st.integers(1, 50), "warmup_start": st.floats(1e-6, 1e-3),
    "warmup_shape": st.sampled_from(["linear", "cosine", "exponential", "power"]),
    "warmup_power": st.floats(0.5, 6)})
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def test_every_family_has_a_strategy():
    """The property tests cover every family in the registry, and nothing else."""
    assert set(FAMILIES) == {d.name for d in catalogue.all_definitions("family")}


def build(name: str, params: dict, metric=None, steps=None):
    return catalogue.resolve(name, params, Context(steps=steps, metric=None if metric is None
                                                   else np.asarray(metric)))


@pytest.mark.parametrize("name", sorted(FAMILIES))
@SETTINGS
@given(data=st.data(), n=st.integers(1, 2000))
def test_finite_non_negative_right_length(name, data, n):
    """Any valid parameters give n finite, non-negative float64 values."""
    params = data.draw(FAMILIES[name])
    metric = data.draw(METRIC) if name == "plateau" else None
    values = build(name, params, metric).values(n)
    assert values.shape == (n,) and values.dtype == np.float64
    assert np.all(np.isfinite(values)) and np.all(values >= 0)


@pytest.mark.parametrize("name", sorted(FAMILIES))
@SETTINGS
@given(data=st.data())
def test_warmup_ends_exactly_at_the_family_start(name, data):
    """With warmup W the ramp goes from warmup_start towards, and at step W equals, the
    family's own step-0 value; after it the family runs shifted by W."""
    params = data.draw(FAMILIES[name])
    ramp = data.draw(WARMUP)
    metric = data.draw(METRIC) if name == "plateau" else None
    own = build(name, params, metric, steps=1000)
    resolved = {k: v for k, v in own.params.items()
                if k not in ("warmup", "warmup_start", "warmup_shape", "warmup_power")}
    full_metric = None if metric is None else [metric[0]] * ramp["warmup"] + metric
    warm = build(name, {**resolved, **ramp}, full_metric, steps=1000)
    w = ramp["warmup"]
    after = np.arange(w, w + 60)
    np.testing.assert_array_equal(warm(after), own(after - w))
    start = own(np.array([0]))[0]
    head = warm(np.arange(w + 1))
    assert head[0] == pytest.approx(ramp["warmup_start"], rel=1e-12)
    assert head[w] == start
    lo, hi = sorted((ramp["warmup_start"], start))
    assert np.all(head >= lo * (1 - 1e-12)) and np.all(head <= hi * (1 + 1e-12))


@pytest.mark.parametrize("name", sorted(MONOTONE))
@SETTINGS
@given(data=st.data())
def test_monotone_families_never_rise(name, data):
    """Decaying families are non-increasing (with end/min below the start, gamma ≤ 1)."""
    params = data.draw(FAMILIES[name])
    metric = data.draw(METRIC) if name == "plateau" else None
    values = build(name, params, metric).values(1500)
    assert np.all(np.diff(values) <= 1e-12 * np.abs(values[:-1]))


@SETTINGS
@given(params=FAMILIES["cyclic"].filter(lambda p: p["mode"] == "triangular"))
def test_cyclic_is_periodic(params):
    """triangular CLR repeats every step_size + step_size_down steps."""
    sched = build("cyclic", params)
    period = params["step_size"] + (params["step_size_down"] or params["step_size"])
    t = np.arange(0, 3 * period)
    np.testing.assert_allclose(sched(t + period), sched(t), rtol=1e-12, atol=1e-300)


@SETTINGS
@given(params=FAMILIES["cyclic"].filter(lambda p: p["mode"] != "triangular"))
def test_cyclic_shape_repeats_with_a_shrinking_amplitude(params):
    """triangular2 and exp_range repeat the triangle every period, its height above base_lr
    scaled by ½ per cycle (triangular2) or gamma^period (exp_range)."""
    sched = build("cyclic", params)
    period = params["step_size"] + (params["step_size_down"] or params["step_size"])
    shrink = 0.5 if params["mode"] == "triangular2" else params["gamma"] ** period
    t = np.arange(0, 3 * period)
    base = params["base_lr"]
    np.testing.assert_allclose(sched(t + period) - base, shrink * (sched(t) - base),
                               rtol=1e-9, atol=1e-15 * params["max_lr"])


@SETTINGS
@given(lr=LR, first=LENGTH, m_mul=FRACTION, min_lr=st.floats(0, 1e-6))
def test_restarts_with_unit_t_mul_repeat_scaled_by_m_mul(lr, first, m_mul, min_lr):
    """cosine_restarts with t_mul = 1 repeats every first_decay_steps, each cycle's height
    above min_lr m_mul times the last."""
    sched = build("cosine_restarts", {"lr": lr, "first_decay_steps": first, "t_mul": 1,
                                      "m_mul": m_mul, "min_lr": min_lr})
    t = np.arange(0, 3 * first)
    np.testing.assert_allclose(sched(t + first) - min_lr, m_mul * (sched(t) - min_lr),
                               rtol=1e-9, atol=1e-15 * lr)


@SETTINGS
@given(lr=LR, first=LENGTH, min_lr=st.floats(0, 1e-6))
def test_restarts_with_unit_multipliers_are_periodic(lr, first, min_lr):
    """cosine_restarts with t_mul = m_mul = 1 repeats every first_decay_steps."""
    sched = build("cosine_restarts", {"lr": lr, "first_decay_steps": first, "t_mul": 1,
                                      "m_mul": 1, "min_lr": min_lr})
    t = np.arange(0, 3 * first)
    np.testing.assert_allclose(sched(t + first), sched(t), rtol=1e-9, atol=1e-300)
