"""sequence and chain: values against formulas written out here, lengths, events, nesting."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

from lrplot.compose import chain, sequence
from lrplot.core import Event, Schedule
from lrplot.errors import LrplotError
from lrplot.registry import resolve

PEAK = 6e-4


def read_csv(text: str) -> dict[str, list[float]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return {key: [float(row[key]) for row in rows] for key in rows[0]}


def hand_three_part(t: int, warm: int, hold_end: int, total: int) -> float:
    """Linear 0 → PEAK over [0, warm), PEAK until hold_end, then cosine to 0 at total."""
    if t < warm:
        return PEAK * t / warm
    if t < hold_end:
        return PEAK
    length = total - hold_end
    return PEAK * 0.5 * (1 + math.cos(math.pi * min(t - hold_end, length) / length))


def test_three_part_sequence_in_a_config_matches_hand_formulas(cli, tmp_path):
    config = tmp_path / "three.toml"
    config.write_text(
        'steps = 60\n[[schedule]]\nname = "sequence"\nboundaries = [10, 30]\nparts = [\n'
        f'  {{ name = "linear", lr = 0, end_lr = {PEAK}, decay_steps = 10 }},\n'
        f'  {{ name = "constant", lr = {PEAK} }},\n'
        f'  {{ name = "cosine", lr = {PEAK} }},\n]\n'
    )
    result = cli("plot", config, "--out", "-")
    assert result.code == 0, result.err
    got = read_csv(result.out)
    assert got["step"] == list(range(60))
    expected = [hand_three_part(t, 10, 30, 60) for t in range(60)]
    np.testing.assert_allclose(got["lr"], expected, rtol=1e-12, atol=1e-18)
    assert got["lr"][9] < PEAK and got["lr"][10] == PEAK  # the join is at the boundary itself


def test_each_part_restarts_at_its_own_step_zero():
    ramp = resolve("linear", {"lr": 1.0, "end_lr": 0.0, "decay_steps": 10})
    joined = sequence([ramp, ramp, ramp], [4, 9])
    values = joined.values(15)
    local = [*range(4), *range(5), *range(6)]
    np.testing.assert_allclose(values, [1.0 - t / 10 for t in local], rtol=1e-15)


def test_sequence_length_and_events():
    warm = resolve("cosine", {"lr": 1.0, "decay_steps": 20, "warmup": 5})
    hold = resolve("constant", {"lr": 0.5})
    known = sequence([hold, warm], [30])
    assert known.length == 30 + 25  # last boundary + last part's own length
    assert sequence([warm, hold], [30]).length == 30 + 30  # no end: as long as the segment before
    events = known.events(100)
    assert Event(30, "phase") in events  # the join
    assert Event(35, "warmup end") in events  # the part's own event, moved to its segment
    short = sequence([warm, hold], [3])
    assert Event(5, "warmup end") not in short.events(100)  # cut off by the next part


def test_sequence_evaluates_each_part_once_over_an_array():
    calls = []

    def counting(value: float) -> Schedule:
        def fn(steps: np.ndarray) -> np.ndarray:
            calls.append(steps.size)
            return np.full(steps.shape, value)

        return Schedule(label=str(value), fn=fn)

    joined = sequence([counting(1.0), counting(2.0), counting(3.0)], [100, 5000])
    values = joined.values(100_000)
    assert calls == [100, 4900, 95_000]  # one vectorised call per part, never per step
    assert values[99] == 1.0 and values[100] == 2.0 and values[5000] == 3.0


@pytest.mark.parametrize(("parts", "bounds", "wrong"), [
    (2, [], "one entry fewer"),
    (2, [5, 9], "one entry fewer"),
    (3, [9, 9], "increase strictly"),
    (3, [9, 4], "increase strictly"),
    (2, [0], "≥ 1"),
])
def test_bad_boundaries(parts, bounds, wrong):
    one = resolve("constant", {"lr": 1.0})
    with pytest.raises(LrplotError, match=wrong):
        sequence([one] * parts, bounds)


def test_chain_multiplies_values():
    ramp = resolve("constant", {"lr": 1.0, "warmup": 10})
    decay = resolve("cosine", {"lr": 0.1, "decay_steps": 50})
    halving = resolve("step", {"lr": 1.0, "step_size": 20, "gamma": 0.5})
    product = chain([ramp, decay, halving])
    t = np.arange(60)
    expected = (np.minimum(t / 10, 1.0) * (0.05 * (1 + np.cos(np.pi * np.minimum(t, 50) / 50)))
                * 0.5 ** (t // 20))
    np.testing.assert_allclose(product.values(60), expected, rtol=1e-13, atol=1e-18)
    assert product.length == 80  # the longest part: step shows four periods
    assert Event(10, "warmup end") in product.events(60)


def test_nesting_chain_inside_sequence_inside_chain():
    warm = resolve("constant", {"lr": 1.0, "warmup": 4})
    inner = chain([warm, resolve("exponential", {"lr": 0.2, "decay_rate": 0.9})])
    outer = sequence([inner, resolve("constant", {"lr": 0.01})], [12])
    nested = chain([outer, resolve("constant", {"lr": 2.0})])
    t = np.arange(20)
    first = np.minimum(t / 4, 1.0) * 0.2 * 0.9**t
    expected = 2.0 * np.where(t < 12, first, 0.01)
    np.testing.assert_allclose(nested.values(20), expected, rtol=1e-13)
    assert Event(12, "phase") in nested.events(20)
    assert Event(4, "warmup end") in nested.events(20)


def test_a_plateau_part_sees_the_metric_from_where_its_segment_starts(cli, tmp_path):
    # Metric flat from the start: with patience 1 a plateau part cuts after its 3rd and 5th
    # observations of its own segment (torch rule: more than patience bad observations).
    (tmp_path / "m.csv").write_text("loss\n" + "\n".join(["5", "4", "3"] + ["1"] * 20) + "\n")
    config = tmp_path / "p.toml"
    config.write_text(
        'steps = 10\nmetric = "m.csv:loss"\n[[schedule]]\nname = "sequence"\n'
        'boundaries = [3]\nparts = [\n { name = "constant", lr = 1 },\n'
        ' { name = "plateau", lr = 1, factor = 0.5, patience = 1, threshold = 0 },\n]\n'
    )
    result = cli("plot", config, "--out", "-")
    assert result.code == 0, result.err
    # Part 2's metric is [1, 1, 1, ...]: best at its step 0, bad at 1 and 2 → cut at 3, etc.
    assert read_csv(result.out)["lr"] == [1, 1, 1, 1, 1, 1, 0.5, 0.5, 0.25, 0.25]
    from lrplot.inputs import load

    joined = load([str(config)]).schedules[0]
    np.testing.assert_array_equal(joined.metric[3:10], [1.0] * 7)
    assert np.isnan(joined.metric[:3]).all()  # the constant part has no metric: a gap
