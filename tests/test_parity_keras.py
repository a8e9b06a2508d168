"""keras. dialect and .keras.json against real Keras 3, computing in float64.

Keras 3 computes schedules in float64 only on the torch and TensorFlow backends (its numpy
and JAX backends narrow float64 to float32 in type promotion), so these tests run Keras on
its torch backend with floatx float64. Row t must equal ``schedule(t)`` to rtol 1e-9.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import pytest
from support import require

import lrplot
from lrplot.definition import Context
from lrplot.dialects.keras import load_serialized, to_serialized

pytestmark = pytest.mark.parity

RTOL = 1e-9


@pytest.fixture(scope="module")
def keras():
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = "torch"
    require("torch")
    module = require("keras")
    if module.backend.backend() != "torch":
        pytest.skip("keras was imported with another backend; float64 needs torch")
    previous = module.config.floatx()
    module.config.set_floatx("float64")
    yield module
    module.config.set_floatx(previous)


def keras_values(schedule, n: int) -> np.ndarray:
    return np.asarray([float(schedule(t)) for t in range(n)], dtype=np.float64)


CASES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10,
                          "decay_rate": 0.9}),
    ("ExponentialDecay", {"initial_learning_rate": 0.5, "decay_steps": 25,
                          "decay_rate": 0.5, "staircase": True}),
    ("ExponentialDecay", {"initial_learning_rate": 1e-3, "decay_steps": 7.5,
                          "decay_rate": 1.02}),
    ("PiecewiseConstantDecay", {"boundaries": [10, 50, 200], "values": [1.0, 0.5, 0.1, 0.01]}),
    ("PiecewiseConstantDecay", {"boundaries": [0], "values": [0.3, 0.2]}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 100}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 60, "power": 2.0,
                         "end_learning_rate": 0.001, "cycle": True}),
    ("PolynomialDecay", {"initial_learning_rate": 0.2, "decay_steps": 250, "power": 0.5,
                         "end_learning_rate": 0.0}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10,
                          "decay_rate": 0.5}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 30,
                          "decay_rate": 2.0, "staircase": True}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 200}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 150, "alpha": 0.1}),
    ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 200, "alpha": 0.05,
                     "warmup_target": 0.3, "warmup_steps": 40}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 100, "warmup_steps": 50}),
    ("CosineDecay", {"initial_learning_rate": 0.2, "decay_steps": 120, "warmup_target": 0.05,
                     "warmup_steps": 30}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 20}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10,
                             "t_mul": 1.0, "m_mul": 0.8, "alpha": 0.05}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10,
                             "t_mul": 3.0, "m_mul": 0.5, "alpha": 0.1}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 7,
                             "t_mul": 1.5}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_keras(keras, name, kwargs):
    n = 400
    expected = keras_values(getattr(keras.optimizers.schedules, name)(**kwargs), n)
    got = lrplot.schedule(f"keras.{name}", **kwargs).values(n)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-300)


def test_cosine_decay_holds_after_decay_steps(keras):
    expected = keras_values(keras.optimizers.schedules.CosineDecay(0.1, 100, alpha=0.1), 300)
    assert expected[150] == pytest.approx(0.01)
    got = lrplot.schedule("keras.CosineDecay", initial_learning_rate=0.1, decay_steps=100,
                          alpha=0.1).values(300)
    np.testing.assert_allclose(got, expected, rtol=RTOL)


def test_full_json_from_keras_serialize_is_read(keras, tmp_path):
    original = keras.optimizers.schedules.CosineDecayRestarts(0.1, 15, t_mul=2.0, m_mul=0.7,
                                                              alpha=0.02)
    obj = json.loads(json.dumps(keras.optimizers.schedules.serialize(original)))
    assert obj["module"] == "keras.optimizers.schedules"
    got = load_serialized(obj, "lr.json", Context()).values(300)
    np.testing.assert_allclose(got, keras_values(original, 300), rtol=RTOL)


# Canonical families with an exact Keras equivalent, and keras schedules: written by lrplot,
# read back by Keras itself, same numbers.
ROUND_TRIPS = [
    "cosine:lr=0.1,decay_steps=100,min_lr=0.01",
    "cosine:lr=0.1,decay_steps=90,min_lr=0.001,warmup=10,warmup_start=0.001",
    "step:lr=0.1,step_size=30,gamma=0.5",
    "exponential:lr=0.1,decay_rate=0.5,decay_steps=40,staircase=true",
    "inverse_time:lr=0.2,decay_rate=0.3,decay_steps=7",
    "polynomial:lr=0.1,decay_steps=80,end_lr=0.001,power=2,cycle=true",
    "linear:lr=0.1,decay_steps=120,end_lr=0.01",
    "piecewise:boundaries=[20,60],values=[0.1,0.05,0.01]",
    "multistep:lr=0.1,milestones=[0,50,50,120],gamma=0.5",
    "cosine_restarts:lr=0.1,first_decay_steps=20,t_mul=2,m_mul=0.5,min_lr=0.01",
    "keras.CosineDecay:initial_learning_rate=0.0,decay_steps=100,warmup_target=0.2,"
    "warmup_steps=20,alpha=0.1",
    "keras.PolynomialDecay:initial_learning_rate=0.1,decay_steps=30,cycle=true",
]


@pytest.mark.parametrize("spec", ROUND_TRIPS)
def test_written_json_is_read_by_keras(keras, cli, tmp_path, spec):
    path = tmp_path / "lr.keras.json"
    result = cli("plot", spec, "--steps", "300", "--out", path)
    assert result.code == 0, result.err
    obj = json.loads(path.read_text())
    schedule = keras.optimizers.schedules.deserialize(obj)
    expected = keras_values(schedule, 300)
    np.testing.assert_allclose(lrplot.parse(spec, steps=300).values(300), expected,
                               rtol=RTOL, atol=1e-300)
    # ... and lrplot reads back what it wrote.
    np.testing.assert_allclose(load_serialized(obj, str(path), Context()).values(300),
                               expected, rtol=RTOL, atol=1e-300)


def test_serialize_matches_keras_for_a_keras_schedule(keras):
    spec = "keras.ExponentialDecay:initial_learning_rate=0.1,decay_steps=100,decay_rate=0.96"
    written = to_serialized(lrplot.parse(spec))
    native = keras.optimizers.schedules.serialize(
        keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.96))
    assert written == json.loads(json.dumps(native))


def test_exact_restart_where_the_float_log_falls_short(keras):
    """Step 1210 of first_decay_steps=10, t_mul=3 starts cycle 5 (1 + 121·2 = 3^5)."""
    kwargs = {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 3.0}
    expected = keras_values(keras.optimizers.schedules.CosineDecayRestarts(**kwargs), 1215)
    got = lrplot.schedule("keras.CosineDecayRestarts", **kwargs).values(1215)
    assert got[1210] == pytest.approx(0.1)
    np.testing.assert_allclose(got, expected, rtol=RTOL)
