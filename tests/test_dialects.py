"""Framework dialects without the frameworks: names, validation, Keras JSON, equivalences."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import lrplot
from lrplot.definition import Context
from lrplot.dialects.keras import load_serialized, to_serialized
from lrplot.dialects.torch import chained_scheduler, sequential_lr
from lrplot.errors import LrplotError
from lrplot.registry import all_definitions, get

DOCUMENTED_NAMES = {
    "torch": ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
              "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
              "OneCycleLR", "ReduceLROnPlateau"],
    "keras": ["ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
              "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts"],
    "optax": ["constant_schedule", "linear_schedule", "polynomial_schedule",
              "exponential_decay", "cosine_decay_schedule", "warmup_cosine_decay_schedule",
              "warmup_exponential_decay_schedule", "linear_onecycle_schedule",
              "cosine_onecycle_schedule", "piecewise_constant_schedule"],
    "hf": ["linear", "cosine", "cosine_with_restarts", "polynomial", "constant",
           "constant_with_warmup", "inverse_sqrt", "cosine_with_min_lr",
           "warmup_stable_decay", "reduce_lr_on_plateau"],
    "timm": ["CosineLRScheduler", "TanhLRScheduler", "StepLRScheduler",
             "MultiStepLRScheduler", "PolyLRScheduler", "WSDLRScheduler"],
}
ALL_NAMES = [f"{fw}.{name}" for fw, names in DOCUMENTED_NAMES.items() for name in names]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_design_name_is_a_described_dialect(name):
    defn = get(name)
    assert defn.kind == "dialect"
    assert defn.summary and defn.notes
    assert "lrplot" in defn.equivalents  # the canonical family it maps to


def test_all_definitions_lists_the_dialects():
    names = {d.name for d in all_definitions(kind="dialect")}
    assert set(ALL_NAMES) <= names


def test_describe_dialect_shows_family_and_difference(cli):
    result = cli("describe", "torch.CosineAnnealingLR")
    assert result.code == 0
    assert "lrplot family" in result.out and "cosine" in result.out
    assert "how it differs" in result.out and "T_max" in result.out


# ---- framework refusals: exit 2, one line, naming the parameter -------------------------

REFUSED = [
    (["torch.OneCycleLR:max_lr=0.1"], "total_steps"),
    (["torch.OneCycleLR:max_lr=0.1,total_steps=100", "--steps", "200"],
     "Tried to step 199 times"),
    (["torch.OneCycleLR:max_lr=0.1,total_steps=10,pct_start=0.1"], "divides by zero"),
    (["torch.LinearLR:start_factor=0"], "start_factor"),
    (["torch.LinearLR:end_factor=1.5"], "end_factor"),
    (["torch.ConstantLR:factor=0"], "factor=0"),
    (["torch.CosineAnnealingWarmRestarts:T_0=10,T_mult=1.5"], "T_mult"),
    (["torch.CosineAnnealingLR"], "T_max"),
    (["torch.ReduceLROnPlateau:factor=1"], "factor"),
    (["torch.StepLR:step_size=10,T_max=3"], "unknown parameter 'T_max'"),
    (["torch.CyclicLR:base_lr=0.1,max_lr=1,lr=0.1"], "unknown parameter 'lr'"),
    (["torch.Cosine"], "unknown torch schedule"),
    (["keras.ExponentialDecay:initial_learning_rate=0.1,decay_steps=0,decay_rate=0.9"],
     "decay_steps"),
    (["keras.CosineDecay:initial_learning_rate=0.1,decay_steps=-5"], "decay_steps"),
    (["keras.PiecewiseConstantDecay:boundaries=[10],values=[1]"], "boundaries"),
    (["optax.cosine_decay_schedule:init_value=0.1,decay_steps=0"], "decay_steps"),
    (["optax.warmup_cosine_decay_schedule:init_value=0,peak_value=0.1,warmup_steps=50,"
      "decay_steps=50"], "decay_steps"),
    (["optax.piecewise_constant_schedule:init_value=0.1,boundaries_and_scales=[[10,-1]]"],
     "non-negative"),
    (["optax.piecewise_constant_schedule:init_value=0.1,boundaries_and_scales=[10,0.1]"],
     "boundaries_and_scales"),
    (["hf.cosine_with_min_lr:min_lr=0.001,min_lr_rate=0.1"], "only one of min_lr"),
    (["hf.cosine_with_min_lr"], "min_lr"),
    (["hf.polynomial:lr=1e-8"], "lr_end"),
    (["hf.polynomial:num_warmup_steps=10,num_training_steps=10", "--steps", "20"],
     "divide by zero"),
    (["hf.warmup_stable_decay:warmup_type=exp,num_decay_steps=3"], "warmup_type"),
    (["timm.CosineLRScheduler:t_initial=100,noise_range_t=[10,50]"], "noise_range_t"),
    (["timm.CosineLRScheduler:t_initial=0"], "t_initial"),
    (["timm.TanhLRScheduler:t_initial=10,lb=3,ub=1"], "lb must be < ub"),
    (["timm.WSDLRScheduler:t_initial=10,decay_t=20"], "decay_t"),
    (["timm.MultiStepLRScheduler:decay_t=[50,10]"], "sorted"),
]


@pytest.mark.parametrize(("args", "needle"), REFUSED, ids=[a[0] for a, _ in REFUSED])
def test_refused_with_one_line(cli, args, needle):
    result = cli("plot", *args)
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith("lrplot: error: ")
    assert needle in result.err
    assert "Traceback" not in result.err


def test_onecycle_allows_the_extrapolated_step(cli):
    # torch allows t == total_steps (one step past the last phase end) and raises after.
    result = cli("plot", "torch.OneCycleLR:max_lr=0.1,total_steps=100", "--steps", "101",
                 "--out", "-")
    assert result.code == 0, result.err


# ---- dialects against independent formulas and lrplot's own families -------------------


def values(spec: str, n: int, **kw) -> np.ndarray:
    return lrplot.parse(spec, steps=n, **kw).values(n)


def test_cosine_annealing_is_periodic_past_t_max():
    got = values("torch.CosineAnnealingLR:lr=0.1,T_max=50,eta_min=0.01", 201)
    t = np.arange(201)
    expected = 0.01 + 0.09 * (1 + np.cos(np.pi * t / 50)) / 2
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    canonical = values("cosine:lr=0.1,decay_steps=50,min_lr=0.01", 201)
    np.testing.assert_allclose(got[:51], canonical[:51], rtol=1e-12)
    assert canonical[100] == pytest.approx(0.01) and got[100] == pytest.approx(0.1)


@pytest.mark.parametrize(("dialect", "family", "n"), [
    ("torch.StepLR:lr=0.3,step_size=7,gamma=0.5", "step:lr=0.3,step_size=7,gamma=0.5", 100),
    ("torch.MultiStepLR:milestones=[10,30,30]", "multistep:milestones=[10,30,30]", 60),
    ("torch.CyclicLR:base_lr=0.01,max_lr=0.1,step_size_up=5,step_size_down=9,"
     "mode=triangular2", "cyclic:base_lr=0.01,max_lr=0.1,step_size=5,step_size_down=9,"
     "mode=triangular2", 100),
    ("torch.OneCycleLR:max_lr=0.2,total_steps=90,three_phase=true",
     "onecycle:max_lr=0.2,total_steps=90,three_phase=true", 90),
    ("keras.CosineDecay:initial_learning_rate=0.001,decay_steps=80,alpha=0.1,"
     "warmup_target=0.1,warmup_steps=20",
     "cosine:lr=0.1,decay_steps=80,min_lr=0.01,warmup=20,warmup_start=0.001", 150),
    ("keras.PiecewiseConstantDecay:boundaries=[5,9],values=[3,2,1]",
     "piecewise:boundaries=[5,9],values=[3,2,1]", 20),
    ("hf.warmup_stable_decay:lr=0.1,num_warmup_steps=10,num_training_steps=100,"
     "num_decay_steps=30,min_lr_ratio=0.1",
     "wsd:lr=0.1,warmup=10,warmup_start=0.01,total_steps=90,decay_steps=30,min_lr=0.01,"
     "decay_shape=cosine", 120),
    ("hf.inverse_sqrt:lr=0.1,num_warmup_steps=16", "inverse_sqrt:lr=0.1,warmup=16", 200),
    ("timm.MultiStepLRScheduler:decay_t=[10,40],decay_rate=0.5",
     "multistep:milestones=[9,39],gamma=0.5", 60),
    ("optax.warmup_cosine_decay_schedule:init_value=0,peak_value=0.1,warmup_steps=10,"
     "decay_steps=100,end_value=0.001",
     "cosine:lr=0.1,warmup=10,decay_steps=90,min_lr=0.001", 150),
])
def test_dialect_matches_its_lrplot_family(dialect, family, n):
    np.testing.assert_allclose(values(dialect, n), values(family, n), rtol=1e-12, atol=1e-15)


def test_plateau_dialects_match_the_plateau_family():
    metric = np.r_[np.linspace(1, 0.5, 30), np.full(40, 0.5), np.linspace(0.5, 0.3, 30)]
    family = values("plateau:patience=3,factor=0.5", 100, metric=metric)
    for spec in ("torch.ReduceLROnPlateau:patience=3,factor=0.5",
                 "hf.reduce_lr_on_plateau:patience=3,factor=0.5"):
        np.testing.assert_allclose(values(spec, 100, metric=metric), family, rtol=1e-15)
    assert family.min() < 0.1


def test_sequential_lr_restarts_each_part_from_the_initial_lr():
    # LinearLR(0.5→1 over 2) then ExponentialLR(0.5) from milestone 2, optimizer lr 1:
    # torch's recursion gives 0.5, 0.75, then the exponential part starts again at 1.
    got = sequential_lr([("LinearLR", {"start_factor": 0.5, "total_iters": 2}),
                         ("torch.ExponentialLR", {"gamma": 0.5})], [2], 1.0,
                        Context()).values(5)
    np.testing.assert_allclose(got, [0.5, 0.75, 1.0, 0.5, 0.25], rtol=1e-15)


@pytest.mark.parametrize(("call", "needle"), [
    (lambda: sequential_lr([("StepLR", {"step_size": 3}), ("ReduceLROnPlateau", {})], [5],
                           0.1, Context()), "ReduceLROnPlateau"),
    (lambda: sequential_lr([("StepLR", {"step_size": 3})], [5], 0.1, Context()),
     "one milestone fewer"),
    (lambda: chained_scheduler([("StepLR", {"step_size": 3, "lr": 0.5})], 0.1, Context()),
     "must not set lr"),
    (lambda: chained_scheduler([("StepLR", {})], 0.1, Context()), "step_size"),
    (lambda: chained_scheduler([], 0.1, Context()), "at least one"),
    (lambda: chained_scheduler([("keras.CosineDecay", {})], 0.1, Context()), "torch"),
])
def test_composites_refuse_what_torch_refuses(call, needle):
    with pytest.raises(LrplotError, match=needle):
        call()


def test_timm_tanh_warmup_aims_at_the_curve_not_lr():
    got = values("timm.TanhLRScheduler:lr=0.1,t_initial=100,warmup_t=10", 12)
    at_warmup_end = 0.5 * 0.1 * (1 - math.tanh(-7 * 0.9 + 3 * 0.1))
    np.testing.assert_allclose(got[:10], np.arange(10) * at_warmup_end / 10, rtol=1e-12)
    assert got[10] == pytest.approx(at_warmup_end, rel=1e-12)


# ---- Keras JSON ----------------------------------------------------------------------------


def test_reads_full_and_bare_keras_json(tmp_path):
    config = {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5,
              "staircase": True, "name": "ExponentialDecay"}
    full = {"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay",
            "config": config, "registered_name": None}
    path = tmp_path / "lr.json"
    path.write_text(json.dumps(full))
    from_file = load_serialized(json.loads(path.read_text()), str(path), Context())
    bare = load_serialized({"class_name": "ExponentialDecay", "config": config}, "b.json",
                           Context())
    expected = 0.1 * 0.5 ** np.floor(np.arange(50) / 10)
    np.testing.assert_allclose(from_file.values(50), expected, rtol=1e-15)
    np.testing.assert_allclose(bare.values(50), expected, rtol=1e-15)
    assert "lr.json" in from_file.label


@pytest.mark.parametrize(("obj", "needle"), [
    ({"class_name": "LinearDecay", "config": {}}, "class_name 'LinearDecay'"),
    ({"class_name": "CosineDecay"}, "config must be an object"),
    ({"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1}},
     "decay_steps"),
    ({"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1,
                                              "decay_steps": "ten"}}, "decay_steps"),
    ({"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1,
                                              "decay_steps": 10, "beta": 2}}, "beta"),
    ({"module": "my_lib", "class_name": "CosineDecay", "config": {}}, "my_lib"),
    ({"class_name": "CosineDecay", "config": {}, "registered_name": "pkg>Mine"},
     "custom schedule"),
    ([1, 2], "JSON object"),
])
def test_bad_keras_json_names_file_and_key(obj, needle):
    with pytest.raises(LrplotError, match=r"sched\.json") as info:
        load_serialized(obj, "sched.json", Context())
    assert needle in info.value.message


@pytest.mark.parametrize("spec", [
    "cosine:lr=0.1,decay_steps=100,min_lr=0.01,warmup=10,warmup_start=0.0",
    "multistep:lr=0.1,milestones=[0,20,20,50],gamma=0.3",
    "polynomial:lr=0.1,decay_steps=40,end_lr=0.01,power=2,cycle=true",
    "cosine_restarts:lr=0.1,first_decay_steps=10,t_mul=2,m_mul=0.5,min_lr=0.01",
    "keras.InverseTimeDecay:initial_learning_rate=0.1,decay_steps=3,decay_rate=0.2",
])
def test_keras_json_round_trip_through_the_cli(cli, tmp_path, spec):
    path = tmp_path / "out.keras.json"
    result = cli("plot", spec, "--steps", "150", "--out", path)
    assert result.code == 0, result.err
    obj = json.loads(path.read_text())
    assert obj["module"] == "keras.optimizers.schedules" and obj["registered_name"] is None
    again = load_serialized(obj, str(path), Context()).values(150)
    np.testing.assert_allclose(again, values(spec, 150), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("args", "needle"), [
    (["onecycle"], "no exact Keras equivalent"),
    (["torch.CosineAnnealingLR:T_max=10"], "no exact Keras equivalent"),
    (["step:step_size=10,warmup=5"], "warmup"),
    (["cosine:warmup=5,warmup_shape=cosine"], "linearly"),
    (["cosine", "step:step_size=3"], "one schedule"),
])
def test_keras_json_refused_without_a_file(cli, tmp_path, args, needle):
    path = tmp_path / "x.keras.json"
    result = cli("plot", *args, "--out", path)
    assert result.code == 2 and needle in result.err
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_to_serialized_uses_keras_names_and_defaults():
    obj = to_serialized(lrplot.parse("keras.PolynomialDecay:initial_learning_rate=0.1,"
                                     "decay_steps=100"))
    assert obj["config"] == {"initial_learning_rate": 0.1, "decay_steps": 100,
                             "end_learning_rate": 0.0001, "power": 1.0, "cycle": False,
                             "name": "PolynomialDecay"}
