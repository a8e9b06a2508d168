"""Scale without cliffs: the fast paths compute exactly what the step-by-step ones do.

Every path that became linear in the steps keeps its reference: torch composites replayed in
blocks of vectorised updates against the step-by-step replay and real torch (at block
boundaries, milestones, restarts and nested composites), ReduceLROnPlateau from event to
event against its observation loop, metric files read in C against the csv module, chunked
columns against whole arrays, and a value never depends on how (or in which chunks) it was
asked for. Timings are not asserted here: benchmarks/run.py measures them.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import require
from test_config_torch import chained, constant, cosine, exp, linear, seq, step, toml_config, trees
from test_config_torch import torch_values as torch_tree_values

from lrplot import api
from lrplot.core import Column
from lrplot.definition import Context
from lrplot.dialects import torch as torch_dialect
from lrplot.dialects import torch_ops
from lrplot.dialects import torch_replay as replay
from lrplot.errors import LrplotError
from lrplot.inputs import load as load_inputs
from lrplot.metric import load_metric
from lrplot.plateau import Settings, _Jumps, _jumps_apply, stepped_plateau, synthetic_metric
from lrplot.run import Settings as RunSettings
from lrplot.stats import summarize


def _make(table):
    name = torch_dialect.composite_name(table)
    make, _, _ = torch_dialect._inner(table, name, table["parts"], "t", Context())
    return make


def _blocked(table, n, block, steps=None):
    group = replay.Group(lr=table.get("lr", 0.1))
    driver = _make(table)(group, lambda: None)
    blocks = torch_ops.BlockReplay(driver, float(group["lr"]), block=block)
    return blocks, blocks.values(np.arange(n) if steps is None else steps)


# ---- torch composites: blocks of updates against the step-by-step replay and torch ----------

BOUNDARY_CASES = {
    # milestones exactly at, before and after block boundaries (blocks of 16 rows)
    "milestones-at-blocks": seq([16, 17, 48], linear(0.1, 16), cosine(15, 0.001),
                                step(7, 0.5), exp(0.99), lr=0.2),
    # CosineAnnealingLR's additions past odd multiples of T_max, many per block, and
    # far apart (T_max 33 crosses blocks)
    "cosine-jumps": chained(cosine(5), cosine(33, 0.01), lr=0.1),
    "warm-restarts": seq([20], linear(0.5, 20),
                         {"name": "torch.CosineAnnealingWarmRestarts", "T_0": 3, "T_mult": 2},
                         lr=0.1),
    "warm-restarts-fixed": chained(
        {"name": "torch.CosineAnnealingWarmRestarts", "T_0": 7}, exp(0.999), lr=0.1),
    # nested: a SequentialLR first in a SequentialLR switches one step early
    "nested": seq([30, 90], seq([9], linear(0.1, 8), exp(0.97)), cosine(40, 0.001),
                  step(10, 0.5),
                  lr=0.1),
    "three-levels": chained(seq([25], chained(linear(0.25, 25), constant(0.5, 6)),
                                cosine(60)), exp(0.995), lr=0.05),
    "cyclic-onecycle": chained(
        seq([40], {"name": "torch.CyclicLR", "base_lr": 0.01, "max_lr": 0.1,
                   "step_size_up": 6, "mode": "triangular2"}, linear(1.0, 50, end=0.1)),
        step(11, 0.8), lr=0.1),
    "polynomial": seq([10], linear(0.2, 10),
                      {"name": "torch.PolynomialLR", "total_iters": 70, "power": 2.0}, lr=0.3),
}


@pytest.mark.parametrize("case", sorted(BOUNDARY_CASES))
@pytest.mark.parametrize("block", [1, 16, 1 << 16])
def test_blocks_replay_what_torch_steps(case, block):
    """Exactly the step-by-step replay (a few ulps for a cosine with eta_min > 0), and the
    same switch rows, whatever the block size."""
    table, n = BOUNDARY_CASES[case], 300
    reference, switches = replay.stepped(table.get("lr", 0.1), _make(table), n)
    blocks, got = _blocked(table, n, block)
    np.testing.assert_allclose(got, reference, rtol=1e-14, atol=0)
    assert blocks.switches(n) == switches


@pytest.mark.parametrize("case", sorted(BOUNDARY_CASES))
def test_blocks_match_real_torch(case, monkeypatch):
    monkeypatch.setattr(torch_ops, "BLOCK", 16)
    require("torch")
    table, n = BOUNDARY_CASES[case], 300
    expected = torch_tree_values(table, n)
    path = os.path.join(tempfile.mkdtemp(), "t.toml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(toml_config(table))
    got = load_inputs([path], RunSettings(steps=n)).schedules[0].values(n)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees(), lr=st.sampled_from([0.1, 3e-4]), block=st.sampled_from([1, 5, 64]))
def test_random_trees_in_blocks_equal_the_stepped_replay(tree, lr, block):
    table = {**tree, "lr": lr}
    n = 200
    try:
        reference, switches = replay.stepped(lr, _make(table), n)
    except (LrplotError, ZeroDivisionError):
        return
    blocks, got = _blocked(table, n, block)
    # The recursive (chainable) forms accumulate rounding step by step, in a different order
    # in blocks: a few ulps over 200 steps (1e-13 seen), far inside the 1e-9 torch parity.
    np.testing.assert_allclose(got, reference, rtol=1e-11, atol=1e-300)
    assert blocks.switches(n) == switches


def test_a_row_is_the_same_however_it_is_asked_for():
    """One call, chunks across block boundaries, random order, and again: equal bit for bit."""
    table = BOUNDARY_CASES["milestones-at-blocks"]
    n = 1000
    whole = _blocked(table, n, 16)[1]
    blocks, _ = _blocked(table, 0, 16, steps=np.arange(1))
    pieces = np.concatenate([blocks.values(np.arange(a, min(a + 37, n)))
                             for a in range(0, n, 37)])
    shuffled = np.random.default_rng(3).permutation(n)
    again = np.empty(n)
    again[shuffled] = blocks.values(shuffled)
    assert np.array_equal(whole, pieces) and np.array_equal(whole, again)
    assert np.array_equal(whole, blocks.values(np.arange(n)))


def test_torch_errors_come_only_for_rows_asked_for():
    """A OneCycleLR in a ChainedScheduler raises past total_steps, at the row torch does,
    although a block computes further."""
    table = chained({"name": "torch.OneCycleLR", "max_lr": 0.5, "total_steps": 80}, exp(0.99),
                    lr=0.1)
    blocks, values = _blocked(table, 81, 1 << 16)
    assert np.isfinite(values).all()
    with pytest.raises(LrplotError, match="Tried to step 81 times"):
        blocks.values(np.arange(82))


# ---- ReduceLROnPlateau: event to event against the observation loop ----------------------------

@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0, 1.01, 1.5, 2.0, 3.0]),
                       max_size=120),
       drift=st.sampled_from([0.0, 0.01, -0.01]),
       factor=st.sampled_from([0.1, 0.5, 0.99]), patience=st.integers(0, 6),
       threshold=st.sampled_from([0.0, 1e-4, 0.05]), threshold_mode=st.sampled_from(["rel", "abs"]),
       mode=st.sampled_from(["min", "max"]), cooldown=st.integers(0, 5),
       min_lr=st.sampled_from([0.0, 0.01]), eps=st.sampled_from([0.0, 1e-8, 0.01]))
def test_plateau_jumps_equal_the_loop(values, drift, factor, patience, threshold, threshold_mode,
                                      mode, cooldown, min_lr, eps):
    metric = np.abs(np.asarray(values) + drift * np.arange(len(values)))
    s = Settings(0.1, factor, patience, threshold, threshold_mode, mode, cooldown, min_lr, eps)
    assert _jumps_apply(metric, s)
    expected = stepped_plateau(metric, s)
    got = _Jumps(s, len(metric)).run(metric)
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])


def test_plateau_on_the_synthetic_loss_reads_chunks_and_matches_the_loop():
    metric = synthetic_metric(3_000_000)  # three chunks
    s = Settings(0.1, 0.5, 3, 1e-4, "rel", "min", 2, 0.0, 0.0)
    expected = stepped_plateau(metric, s)
    got = _Jumps(s, len(metric)).run(metric)
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
    assert len(got[0]) > 10


def test_negative_metric_with_relative_threshold_takes_the_loop():
    assert not _jumps_apply(np.array([-1.0, -2.0]), Settings(0.1, 0.1, 1, 1e-4, "rel", "min",
                                                            0, 0.0, 1e-8))


# ---- metric files: read in C or by the csv module, the same numbers ----------------------------

PLAIN = st.text(alphabet="0123456789.eE+-, \t\n", max_size=40)


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=PLAIN | st.lists(st.sampled_from(["1", "2.5", " 3 ", "1e5", "-2", "1,2", "3,",
                                                ",4", "", " ", "1 2", ".", "1e", "+.5", "0,1.5"]),
                               max_size=8).map("\n".join),
       header=st.sampled_from(["", "step,loss\n", "loss\n", "a,b,c\n", "\ufeffstep,loss\r\n"]),
       column=st.sampled_from([None, "0", "1", "loss"]))
def test_the_fast_metric_reader_agrees_with_the_csv_one(monkeypatch, body, header, column):
    from lrplot import metric as metric_module

    path = os.path.join(tempfile.mkdtemp(), "m.csv")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header + body)
    arg = path if column is None else f"{path}:{column}"

    def outcome():
        try:
            values, label = load_metric(arg)
            return "ok", values.tolist(), label
        except LrplotError as err:
            return "error", err.message

    fast = outcome()
    with monkeypatch.context() as patch:
        patch.setattr(metric_module, "_fast_values", lambda *args: None)
        slow = outcome()
    assert fast == slow


def test_a_long_metric_log_is_read_exactly(tmp_path):
    values = np.random.default_rng(1).random(50_000) * 10.0 ** np.arange(-8, 8).repeat(3125)
    path = tmp_path / "log.csv"
    path.write_text("step,val_loss\n" + "".join(f"{i},{v!r}\n"
                                                for i, v in enumerate(values.tolist())))
    got, label = load_metric(f"{path}:val_loss")
    assert label == "val_loss" and np.array_equal(got, values)


# ---- columns, chunks and the outputs that stream them -----------------------------------------

@pytest.mark.parametrize("spec", ["cosine:warmup=7", "multistep:milestones=[10,40]",
                                  "torch.ReduceLROnPlateau", "constant"])
def test_a_column_read_in_chunks_is_the_array(spec):
    run = api.load(spec, steps=1000)
    schedule = run.schedules[0]
    whole = schedule.values(1000)
    column = Column(schedule, 1000, chunk=64)
    assert np.array_equal(np.concatenate([v for _, v in column.chunks()]), whole)
    assert np.array_equal(np.asarray(column), whole)
    assert column[999] == whole[999] and column[-1] == whole[-1]
    # Sums are added a chunk at a time (pairwise within each): the same to a few ulps.
    chunked, direct = summarize(column), summarize(whole)
    assert replace(chunked, mean=0.0, total=0.0) == replace(direct, mean=0.0, total=0.0)
    assert chunked.total == pytest.approx(direct.total, rel=1e-12)
    scan = column.scan
    assert (scan.min, scan.max, scan.argmax, scan.final) == (
        whole.min(), whole.max(), int(np.argmax(whole)), whole[-1])
    np.testing.assert_allclose(scan.total, whole.sum(), rtol=1e-12)


def test_outputs_refuse_an_overflow_before_the_first_row():
    view = api.view("exponential:decay_rate=1e10,decay_steps=1", steps=100)
    with pytest.raises(LrplotError, match="not finite at step"):
        view.check()


def test_synthetic_metric_is_computed_not_held():
    metric = synthetic_metric(10_000)
    assert np.array_equal(np.asarray(metric)[100:200], metric[100:200].at(np.arange(100)))
    assert len(metric[9_000:]) == 1_000


def test_simulate_json_streams_the_same_document():
    from lrplot.render.data import write_result_json
    from lrplot.simulate import to_json

    for objective in ("quadratic", "valley", "noisy"):
        sim = api.simulate(["constant:lr=0.2", "constant:lr=1.5"], steps=300, objective=objective)
        out = io.BytesIO()
        write_result_json(out, sim)
        expected = to_json(sim.runs, sim.objective, sim.w0, sim.seed)
        assert json.loads(out.getvalue()) == json.loads(json.dumps(expected, allow_nan=False))


def test_csv_chunks_hold_about_the_same_cells_whatever_the_columns():
    from lrplot.render.data import rows_per_chunk

    assert rows_per_chunk(1) == rows_per_chunk(2) == 65_536
    assert rows_per_chunk(64) == 2_048 and rows_per_chunk(10_000) == 1_024


def test_the_cli_builds_only_the_command_it_runs():
    from lrplot import cli

    assert list(cli._command(["cosine", "--steps", "5"]).commands) == ["cosine"]
    assert list(cli._command(["list"]).commands) == ["list"]
    everything = cli._command(["--help"]).commands
    assert {"plot", "cosine", "gallery", "cosine-restarts"} <= set(everything)
