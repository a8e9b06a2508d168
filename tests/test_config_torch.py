"""torch.SequentialLR and torch.ChainedScheduler written in config files, against real torch.

Each case is a config table; the same table builds the real torch scheduler tree, stepped the
documented way (record ``get_last_lr()[0]``, then ``optimizer.step(); scheduler.step()``).
The CLI's CSV must match row for row to rtol 1e-9. Nested composites are where torch is
quirkiest (a nested SequentialLR as the first part runs one epoch ahead; a SequentialLR
inside a ChainedScheduler resets the lr to its closed form at its milestone), so most
cases nest.
"""

from __future__ import annotations

import csv
import io
import json
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support import require

pytestmark = pytest.mark.parity

RTOL = 1e-9
N = 150


def toml_value(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def toml_config(table: dict) -> str:
    return "[[schedule]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in table.items())


def build_torch(torch, table: dict, optimizer):
    """The torch scheduler a config table describes, built the way a user writes it."""
    kind = table["name"].split(".")[-1]
    if kind == "SequentialLR":
        parts = [build_torch(torch, p, optimizer) for p in table["parts"]]
        return torch.optim.lr_scheduler.SequentialLR(optimizer, parts, table["milestones"])
    if kind == "ChainedScheduler":
        return torch.optim.lr_scheduler.ChainedScheduler(
            [build_torch(torch, p, optimizer) for p in table["parts"]])
    kwargs = {k: v for k, v in table.items() if k != "name"}
    return getattr(torch.optim.lr_scheduler, kind)(optimizer, **kwargs)


def torch_values(table: dict, n: int) -> np.ndarray:
    torch = require("torch")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=table.get("lr", 0.1))
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = build_torch(torch, {k: v for k, v in table.items() if k != "lr"},
                                optimizer)
        for _ in range(n):
            out.append(scheduler.get_last_lr()[0])
            optimizer.step()
            scheduler.step()
    return np.asarray(out)


def seq(milestones, *parts, **extra):
    return {"name": "torch.SequentialLR", **extra, "milestones": milestones,
            "parts": list(parts)}


def chained(*parts, **extra):
    return {"name": "torch.ChainedScheduler", **extra, "parts": list(parts)}


def linear(start, total, end=1.0):
    return {"name": "torch.LinearLR", "start_factor": start, "end_factor": end,
            "total_iters": total}


def exp(gamma):
    return {"name": "torch.ExponentialLR", "gamma": gamma}


def step(size, gamma):
    return {"name": "torch.StepLR", "step_size": size, "gamma": gamma}


def constant(factor, total):
    return {"name": "torch.ConstantLR", "factor": factor, "total_iters": total}


def cosine(t_max, eta_min=0.0):
    return {"name": "torch.CosineAnnealingLR", "T_max": t_max, "eta_min": eta_min}


CASES = {
    # Flat: the usual warmup → cosine hand-off (cosine restarts from the optimizer's lr).
    "warmup-cosine": seq([5], linear(0.01, 5), cosine(45), lr=0.1),
    # Flat, milestone at step 1 and three parts: each part starts at its own epoch 0.
    "milestones": seq([1, 40], linear(0.5, 3), cosine(10), step(10, 0.5), lr=0.05),
    # Flat: constructor side effects compound (0.5 · 0.1, not 0.5).
    "chained": chained(constant(0.1, 2), exp(0.9), lr=0.5),
    # A SequentialLR inside a ChainedScheduler: at its milestone it resets the lr to its
    # part's closed form, wiping what StepLR had multiplied in.
    "sequential-in-chained": chained(seq([5], linear(0.1, 4), exp(0.9)), step(3, 0.5),
                                     lr=0.1),
    # A ChainedScheduler as the first part of a SequentialLR, with a cosine in it.
    "chained-first-in-sequential": seq(
        [30], chained(constant(0.5, 3), exp(0.97), cosine(40)), step(7, 0.5), lr=0.2),
    # A SequentialLR as the first part of a SequentialLR: it switches one step early.
    "sequential-first-in-sequential": seq(
        [8, 60], seq([5], linear(0.1, 4), exp(0.9)), cosine(30, 0.001),
        {"name": "torch.MultiStepLR", "milestones": [10, 20], "gamma": 0.3}, lr=0.1),
    # Three levels: Chained(Sequential(Chained(...), cosine), exp, Sequential(...)).
    "three-levels": chained(
        seq([10], chained(linear(0.25, 10), constant(0.5, 6)), cosine(50)), exp(0.99),
        seq([20], constant(1.0, 1), step(15, 0.5)), lr=0.05),
    # Non-chainable parts (CyclicLR, OneCycleLR, warm restarts) nested.
    "cyclic-in-sequential-in-chained": chained(
        seq([25], {"name": "torch.CyclicLR", "base_lr": 0.01, "max_lr": 0.1,
                   "step_size_up": 5}, linear(1.0, 30, end=0.1)), step(11, 0.8), lr=0.1),
    "onecycle-in-chained-first": seq(
        [50], chained({"name": "torch.OneCycleLR", "max_lr": 0.5, "total_steps": 80},
                      exp(0.995)),
        {"name": "torch.CosineAnnealingWarmRestarts", "T_0": 9, "T_mult": 2}, lr=0.1),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_composites_match_torch(cli, tmp_path, case):
    table = CASES[case]
    expected = torch_values(table, N)
    path = tmp_path / f"{case}.toml"
    path.write_text(toml_config(table))
    result = cli("plot", path, "--steps", N, "--out", "-")
    assert result.code == 0, result.err
    rows = list(csv.reader(io.StringIO(result.out)))[1:]
    got = np.asarray([float(row[1]) for row in rows])
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)


def test_nested_milestones_are_marked_where_torch_switches(tmp_path):
    """Events come from the replay: the inner SequentialLR of a first part switches at 4."""
    from lrplot.inputs import load as load_inputs
    from lrplot.run import Settings

    path = tmp_path / "n.toml"
    path.write_text(toml_config(CASES["sequential-first-in-sequential"]))
    schedule = load_inputs([str(path)], Settings()).schedules[0]
    values = torch_values(CASES["sequential-first-in-sequential"], 70)
    # Where torch's lr jumps up to the optimizer's lr again is a switch: 0.1 at rows 4 and 8.
    assert values[4] == values[8] == 0.1
    assert [e.step for e in schedule.events(70)] == [4, 8, 60]
    assert schedule.length == 60 + 30  # last milestone + the cosine's T_max


# ---- random trees ---------------------------------------------------------------------------

LEAVES = st.one_of(
    st.builds(lambda s, e, n: linear(s, n, e), st.sampled_from([0.1, 0.25, 0.5, 1.0]),
              st.sampled_from([0.1, 0.5, 1.0]), st.integers(1, 30)),
    st.builds(constant, st.sampled_from([0.1, 0.5, 1.0]), st.integers(0, 30)),
    st.builds(exp, st.sampled_from([0.8, 0.95, 1.0])),
    st.builds(step, st.integers(1, 20), st.sampled_from([0.1, 0.5])),
    st.builds(cosine, st.integers(2, 60), st.sampled_from([0.0, 0.001])),
    st.builds(lambda m, g: {"name": "torch.MultiStepLR", "milestones": m, "gamma": g},
              st.lists(st.integers(0, 50), max_size=3).map(sorted), st.sampled_from([0.5])),
    st.builds(lambda n, p: {"name": "torch.PolynomialLR", "total_iters": n, "power": p},
              st.integers(1, 50), st.sampled_from([0.5, 1.0, 2.0])),
)


def trees(depth: int = 0):
    if depth >= 3:
        return LEAVES
    inner = st.deferred(lambda: trees(depth + 1))

    @st.composite
    def sequential(draw):
        # Only the first part may be a composite (torch cannot restart one at a milestone).
        first = draw(st.one_of(LEAVES, inner))
        parts = [first, *draw(st.lists(LEAVES, min_size=1, max_size=2))]
        cuts = sorted(draw(st.sets(st.integers(1, 50), min_size=len(parts) - 1,
                                   max_size=len(parts) - 1)))
        return seq(cuts, *parts)

    composite = st.one_of(sequential(),
                          st.lists(st.one_of(LEAVES, inner), min_size=1, max_size=3).map(
                              lambda parts: chained(*parts)))
    return st.one_of(LEAVES, composite) if depth else composite


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tree=trees(), lr=st.sampled_from([0.1, 0.5, 3e-4]))
def test_random_torch_trees_match_torch(tmp_path, tree, lr):
    from lrplot.inputs import load as load_inputs
    from lrplot.run import Settings

    table = {**tree, "lr": lr}
    n = 80
    try:
        expected = torch_values(table, n)
    except ZeroDivisionError:  # torch itself cannot run this tree
        assume(False)
    path = tmp_path / "tree.toml"
    path.write_text(toml_config(table))
    got = load_inputs([str(path)], Settings(steps=n)).schedules[0].values(n)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-300)
