"""Every definition in the catalogue (families and dialects alike), at extreme but valid
values: the lr is finite and non-negative, or the input is refused with a clean LrplotError.

Overflow is the one way to leave the finite range (lr=1e300 with decay_rate=10, or lr=0 with
gamma=1e300 giving 0·inf): only with parameters that extreme may the lr be non-finite, and
every output then refuses the run with one error line naming the step (checked through the
CLI below). Negative values, crashes and numpy warnings never happen.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import warnings

import numpy as np
import pytest
from catalogue_values import extreme_value, typical_params
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lrplot import registry as catalogue
from lrplot.definition import Context
from lrplot.errors import LrplotError
from lrplot.limits import EVALUATION_CHUNK
from lrplot.render.envelope import curve_points

DEFINITIONS = catalogue.all_definitions()
IDS = [d.name for d in DEFINITIONS]
RUNS = (1, 2, 3, 17, 1000, 20_000)
# Framework quirks reproduced on purpose, past the schedule's natural end only: torch lets
# OneCycleLR step exactly total_steps times, and there its linear anneal extrapolates past
# the final lr, below 0 for total_steps < ~350 000 (torch 2.13 prints -0.00143 at step 100
# of total_steps=100, and so does lrplot).
PAST_THE_END_QUIRKS = {"torch.OneCycleLR"}


def build(defn, raw, n, metric=None):
    """The schedule, or None when the parameters are refused with an LrplotError."""
    try:
        return catalogue.resolve(defn.name, raw, Context(steps=n, metric=metric))
    except LrplotError as err:
        assert "\n" not in err.message and err.message.strip()
        return None


def check_values(schedule, values):
    assert values.dtype == np.float64
    assert np.isfinite(values).all(), f"{schedule.label}: not finite at step " \
        f"{int(np.flatnonzero(~np.isfinite(values))[0])}"
    assert (values >= 0).all(), f"{schedule.label}: negative lr {values.min()}"


def spec_text(name, raw) -> str:
    """The spec string a user would type for *raw* (floats by repr, so nothing is lost)."""
    def show(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if v is None:
            return "none"
        if isinstance(v, (list, tuple)):
            return "[" + ",".join(show(x) for x in v) + "]"
        return v if isinstance(v, str) else repr(v)

    items = ",".join(f"{key}={show(value)}" for key, value in raw.items())
    return f"{name}:{items}" if items else name


def refused_by_cli(spec: str, n: int) -> str:
    """Run ``lrplot plot SPEC --steps n --out x.csv``; it must exit 2 with one line."""
    from lrplot.cli import main

    with tempfile.TemporaryDirectory() as folder, \
            contextlib.redirect_stderr(io.StringIO()) as err:
        out = os.path.join(folder, "x.csv")
        code = main(["plot", spec, "--steps", str(n), "--out", out])
        assert not os.listdir(folder), "a failed run left a file behind"
    assert code == 2, (spec, code, err.getvalue())
    assert err.getvalue().count("\n") == 1, err.getvalue()
    return err.getvalue()


@pytest.mark.parametrize("defn", DEFINITIONS, ids=IDS)
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(data=st.data())
def test_extreme_valid_values_never_give_nan_or_crash(defn, data):
    raw = {}
    for p in defn.params:
        if p.required or data.draw(st.booleans(), label=f"set {p.name}"):
            raw[p.name] = data.draw(extreme_value(p), label=p.name)
    n = data.draw(st.sampled_from(RUNS), label="steps")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would be an extra stderr line
        schedule = build(defn, raw, n)
        assume(schedule is not None)
        try:
            values = schedule.values(n)
        except LrplotError:  # refused once the run is known (hf: T = W = 0 divides by zero)
            refused_by_cli(spec_text(defn.name, raw), n)
            return
        if not np.isfinite(values).all():
            # Overflow (3^t past step 646, or 0·inf with lr=0): refused with one clean line.
            assert "not finite at step" in refused_by_cli(spec_text(defn.name, raw), n)
            return
        checked = values[:schedule.length] if defn.name in PAST_THE_END_QUIRKS else values
        # A decay to exactly 0 may land a rounding error below it (torch.LinearLR with
        # end_factor=0 gives -1.1e-17 after 0.1·(1-ε)): allow that much, nothing more.
        noise = 1e-15 * float(np.abs(values).max(initial=0.0))
        assert not (checked < -noise).any(), f"{schedule.label}: negative lr {values.min()}"
        events = schedule.events(n)
        assert all(0 <= e.step < n for e in events)
        if np.isfinite(values).all():
            x, y = curve_points(schedule, n, 300, finite=True)
            assert np.isfinite(y).all() and len(x) == len(y)
            assert y.min() >= values.min() and y.max() <= values.max()


@pytest.mark.parametrize("defn", DEFINITIONS, ids=IDS)
def test_long_runs_cross_chunk_boundaries_exactly(defn):
    """values() evaluates a chunk at a time: the result must equal one whole evaluation."""
    n = 2 * EVALUATION_CHUNK + 7
    if defn.uses_metric:
        n = EVALUATION_CHUNK + 7  # its trace is a Python loop over the metric: keep it short
    schedule = build(defn, typical_params(defn), n)
    if schedule is None:
        pytest.skip(f"{defn.name}: typical values refused")
    values = schedule.values(n)
    assert np.array_equal(values, schedule(np.arange(n, dtype=np.int64)))
    check_values(schedule, values)
    assert np.isfinite(values).all()


@pytest.mark.parametrize("defn", [d for d in DEFINITIONS if d.param("warmup") is not None],
                         ids=lambda d: d.name)
@pytest.mark.parametrize("warmup", [0, 1, 5])
def test_zero_and_short_warmups_hand_over_to_the_family(defn, warmup):
    base = build(defn, typical_params(defn), 200)
    if base is None:
        pytest.skip(f"{defn.name}: typical values refused")
    # Pin every resolved value: some defaults follow warmup (inverse_sqrt's timescale).
    pinned = {k: v for k, v in base.params.items() if k != "warmup"}
    schedule = build(defn, {**pinned, "warmup": warmup}, 200 + warmup)
    assert schedule is not None
    values = schedule.values(200 + warmup)
    check_values(schedule, values)
    # The prefix shifts the family: its own step 0 is global step `warmup`.
    if not defn.uses_metric:
        assert np.array_equal(values[warmup:warmup + 50], base.values(50))


@pytest.mark.parametrize("defn", [d for d in DEFINITIONS if d.uses_metric],
                         ids=lambda d: d.name)
@settings(max_examples=40, deadline=None)
@given(metric=st.lists(st.floats(-1e300, 1e300, allow_nan=False), min_size=1, max_size=300),
       data=st.data())
def test_metric_driven_schedules_on_any_finite_metric(defn, metric, data):
    raw = {p.name: data.draw(extreme_value(p), label=p.name)
           for p in defn.params if p.required or data.draw(st.booleans())}
    n = data.draw(st.sampled_from((1, len(metric), 2 * len(metric) + 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schedule = build(defn, raw, n, metric=np.asarray(metric))
        assume(schedule is not None)
        check_values(schedule, schedule.values(n))


def test_overflow_is_one_clean_error_line_for_every_output(cli, tmp_path):
    spec = "exponential:lr=1e300,decay_rate=10"
    for out in ("x.csv", "x.json", "x.png"):
        result = cli("plot", spec, "--steps", "50", "--out", tmp_path / out)
        assert result.code == 2
        assert result.err.count("\n") == 1
        # 1e300·10^t passes the largest float64 (1.8e308) at t = 9.
        assert "not finite at step 9" in result.err
        assert not (tmp_path / out).exists()
    table = cli("plot", spec, "--steps", "50")
    assert table.code == 2 and table.err.count("\n") == 1


def test_envelope_keeps_every_spike_at_ten_million_steps():
    """A one-step spike far inside a 10 M-step run still reaches the plotted envelope."""
    n = 10_000_000
    schedule = catalogue.resolve("piecewise", {"boundaries": [6_543_209, 6_543_210],
                                               "values": [0.01, 0.5, 0.01]}, Context(steps=n))
    x, y = curve_points(schedule, n, 1200)
    assert y.max() == 0.5 and y.min() == 0.01
    assert x[np.argmax(y)] == pytest.approx(6_543_210, abs=n / 1200)
