"""Every canonical family against an independent, scalar expression of its formula.

The expected values are written here from DESIGN.md's formulas with plain Python ``math``
(no numpy, no lrplot code), and checked at boundaries and change points: step 0, the step
before and at each change, the end and past the end.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrplot
from lrplot.errors import LrplotError


def check(spec: str, expected, steps, n: int | None = None) -> None:
    sched = lrplot.parse(spec, steps=n)
    got = sched(np.asarray(steps))
    want = [expected(t) for t in steps]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300, err_msg=spec)


def test_constant():
    """constant: lr at every step."""
    check("constant:lr=0.3", lambda t: 0.3, [0, 1, 99, 10_000])


def test_step_decays_at_each_multiple_of_step_size():
    """step: lr·gamma^⌊t/step_size⌋, the decay landing exactly on multiples."""
    check("step:lr=0.1,step_size=30,gamma=0.5", lambda t: 0.1 * 0.5 ** (t // 30),
          [0, 29, 30, 31, 59, 60, 89, 90, 500])


def test_multistep_counts_milestones_at_or_before_t():
    """multistep: the decay happens at the milestone itself; duplicates decay twice."""
    milestones = [30, 60, 60, 90]
    check("multistep:lr=1,milestones=[30,60,60,90],gamma=0.1",
          lambda t: 1 * 0.1 ** sum(m <= t for m in milestones),
          [0, 29, 30, 59, 60, 61, 89, 90, 91, 1000])


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential(staircase):
    """exponential: lr·rate^(t/ds), exponent floored with staircase."""
    def want(t):
        p = t / 10
        return 0.1 * 0.5 ** (math.floor(p) if staircase else p)
    check(f"exponential:lr=0.1,decay_rate=0.5,decay_steps=10,staircase={staircase}", want,
          [0, 1, 9, 10, 11, 25, 100])


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time(staircase):
    """inverse_time: lr/(1+rate·t/ds)."""
    def want(t):
        p = t / 7
        return 0.2 / (1 + 0.5 * (math.floor(p) if staircase else p))
    check(f"inverse_time:lr=0.2,decay_rate=0.5,decay_steps=7,staircase={staircase}", want,
          [0, 6, 7, 8, 70, 1000])


def test_polynomial_clamps_at_end_lr():
    """polynomial: (lr−end)(1−min(t,ds)/ds)^p + end, holding end_lr after decay_steps."""
    def want(t):
        return (0.1 - 0.01) * (1 - min(t, 50) / 50) ** 2 + 0.01
    check("polynomial:lr=0.1,decay_steps=50,end_lr=0.01,power=2", want, [0, 1, 25, 49, 50, 51,
                                                                          500])


def test_polynomial_cycle_follows_keras():
    """polynomial cycle: decay_steps grows to the next multiple of itself (Keras rule)."""
    def want(t):
        mult = 1 if t == 0 else math.ceil(t / 10)
        return (1.0 - 0.0) * (1 - t / (10 * mult)) ** 1 + 0.0
    check("polynomial:lr=1,decay_steps=10,cycle=true", want, [0, 5, 10, 11, 20, 21, 35])


def test_linear_is_polynomial_power_one():
    """linear: straight line from lr to end_lr over decay_steps, then hold."""
    check("linear:lr=0.5,decay_steps=40,end_lr=0.1",
          lambda t: 0.5 + (0.1 - 0.5) * min(t, 40) / 40, [0, 1, 20, 39, 40, 41, 400])


def test_piecewise_switches_after_the_boundary():
    """piecewise: values[i] for b[i-1] < t ≤ b[i] — Keras switches at boundary+1."""
    def want(t):
        if t <= 10:
            return 1.0
        if t <= 20:
            return 0.5
        return 0.1
    check("piecewise:boundaries=[10,20],values=[1,0.5,0.1]", want, [0, 9, 10, 11, 20, 21, 99])


def test_cosine_with_floor_holds_after_decay():
    """cosine: min + (lr−min)·½(1+cos(π·min(t,ds)/ds))."""
    def want(t):
        return 0.01 + (0.1 - 0.01) * 0.5 * (1 + math.cos(math.pi * min(t, 90) / 90))
    check("cosine:lr=0.1,decay_steps=90,min_lr=0.01", want, [0, 1, 45, 89, 90, 91, 1000])


def sgdr(t, lr, first, t_mul, m_mul, min_lr):
    """SGDR written as a walk over cycles (independent of the closed form in lrplot)."""
    start, length, i = 0.0, float(first), 0
    while t >= start + length:
        start += length
        length *= t_mul
        i += 1
    frac = (t - start) / length
    return min_lr + (lr - min_lr) * m_mul**i * 0.5 * (1 + math.cos(math.pi * frac))


@pytest.mark.parametrize("t_mul,m_mul", [(1, 1), (2, 1), (2, 0.5), (3, 0.8), (1.5, 1)])
def test_cosine_restarts_at_every_restart(t_mul, m_mul):
    """cosine_restarts: restarts exactly at T0, T0(1+t_mul), ...; peaks scaled by m_mul^i."""
    first = 10
    restarts, begin, size = [], 0.0, float(first)
    for _ in range(5):
        begin += size
        size *= t_mul
        if begin.is_integer():
            restarts.append(int(begin))
    steps = sorted({0, 1, 5, 9} | {r + d for r in restarts for d in (-1, 0, 1)})
    check(f"cosine_restarts:lr=0.1,first_decay_steps={first},t_mul={t_mul},m_mul={m_mul},"
          "min_lr=0.001", lambda t: sgdr(t, 0.1, first, t_mul, m_mul, 0.001), steps)


def clr(t, base, top, up, down, mode, gamma):
    """CLR as in Smith's paper / torch CyclicLR, written with the cycle-fraction form."""
    total = up + down
    cycle = math.floor(1 + t / total)
    x = 1 + t / total - cycle
    ratio = up / total
    scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    factor = {"triangular": 1.0, "triangular2": 1 / 2 ** (cycle - 1),
              "exp_range": gamma**t}[mode]
    return base + (top - base) * scale * factor


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
@pytest.mark.parametrize("down", [None, 7])
def test_cyclic_modes(mode, down):
    """cyclic: triangle waves with the three CLR amplitude rules, symmetric or not."""
    up = 5
    d = down or up
    spec = f"cyclic:base_lr=0.001,max_lr=0.01,step_size={up},mode={mode},gamma=0.99"
    if down:
        spec += f",step_size_down={down}"
    total = up + d
    steps = sorted({0, 1, up - 1, up, up + 1, total - 1, total, total + up, 3 * total + 2})
    check(spec, lambda t: clr(t, 0.001, 0.01, up, d, mode, 0.99), steps)


def test_cyclic_triangular2_halves_peaks():
    """The CLR seed picture: peaks halve every cycle."""
    sched = lrplot.parse("cyclic:base_lr=1e-6,max_lr=1e-3,step_size=1000,mode=triangular2")
    peaks = sched(np.array([1000, 3000, 5000, 7000])) - 1e-6
    np.testing.assert_allclose(peaks[1:] / peaks[:-1], 0.5, rtol=1e-12)


def onecycle(t, peak, total, pct, anneal, div, final_div, three):
    """torch OneCycleLR's phase walk (reference §2.12), holding the end value after T-1."""
    t = min(t, total - 1)
    initial = peak / div
    low = initial / final_div
    if three:
        phases = [(pct * total - 1, initial, peak), (2 * pct * total - 2, peak, initial),
                  (total - 1, initial, low)]
    else:
        phases = [(pct * total - 1, initial, peak), (total - 1, peak, low)]
    start = 0.0
    for i, (end, a, b) in enumerate(phases):
        if t <= end or i == len(phases) - 1:
            p = (t - start) / (end - start)
            if anneal == "cos":
                return b + (a - b) / 2 * (math.cos(math.pi * p) + 1)
            return (b - a) * p + a
        start = end
    raise AssertionError


@pytest.mark.parametrize("anneal", ["cos", "linear"])
@pytest.mark.parametrize("three", [False, True])
def test_onecycle(anneal, three):
    """onecycle: torch phase ends (peak at pct·T−1), the final lr at T−1, held after."""
    spec = (f"onecycle:max_lr=0.1,total_steps=100,pct_start=0.25,anneal={anneal},"
            f"three_phase={str(three).lower()}")
    check(spec, lambda t: onecycle(t, 0.1, 100, 0.25, anneal, 25, 1e4, three),
          [0, 1, 23, 24, 25, 48, 49, 50, 98, 99, 100, 150])


@pytest.mark.parametrize("shape", ["linear", "cosine", "1-sqrt"])
def test_wsd_holds_then_decays(shape):
    """wsd: lr until total−decay, then the chosen decay to min_lr, then hold."""
    def want(t):
        p = min(max((t - 80) / 20, 0.0), 1.0)
        f = {"linear": 1 - p, "cosine": 0.5 * (1 + math.cos(math.pi * p)),
             "1-sqrt": 1 - math.sqrt(p)}[shape]
        return 0.001 + (0.1 - 0.001) * f
    check(f"wsd:lr=0.1,total_steps=100,decay_steps=20,min_lr=0.001,decay_shape={shape}", want,
          [0, 79, 80, 81, 90, 99, 100, 200])


def test_wsd_default_decay_is_a_fifth():
    """wsd without decay_steps decays over the last 20% of total_steps."""
    sched = lrplot.parse("wsd:lr=1,total_steps=50")
    assert sched.params["decay_steps"] == 10
    assert sched(np.array([40]))[0] == 1.0 and sched(np.array([41]))[0] < 1.0


def test_inverse_sqrt_matches_transformers_with_warmup():
    """inverse_sqrt with warmup W: ramp, then lr·sqrt(W/step) (transformers' formula)."""
    def want(t):
        return 0.1 * t / 10 if t < 10 else 0.1 / math.sqrt((t + 10 - 10) / 10)
    check("inverse_sqrt:lr=0.1,warmup=10", want, [0, 5, 9, 10, 11, 40, 1000])


def test_inverse_sqrt_timescale():
    """inverse_sqrt: lr·sqrt(ts/(t+ts))."""
    check("inverse_sqrt:lr=1,timescale=100", lambda t: math.sqrt(100 / (t + 100)),
          [0, 1, 100, 300, 10_000])


def test_noam_peaks_at_warmup_steps():
    """noam: factor·d^−½·min(n^−½, n·w^−1.5) with n = t+1; peak at n = warmup_steps."""
    def want(t):
        n = t + 1
        return 2 * 512**-0.5 * min(n**-0.5, n * 4000**-1.5)
    check("noam:d_model=512,warmup_steps=4000,factor=2", want, [0, 1, 3998, 3999, 4000, 40_000])
    sched = lrplot.parse("noam:d_model=512,warmup_steps=400")
    assert int(np.argmax(sched.values(4000))) == 399


def test_plateau_replays_torch_semantics():
    """plateau: a cut after patience+1 bad observations, metric[t] seen after step t."""
    metric = [1.0, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4]
    sched = lrplot.parse("plateau:lr=1,patience=2,factor=0.5", metric=metric)
    # bad observations at t=2,3,4 (three > patience=2) → cut applies from step 5;
    # t=5 improves; t=6,7,8 bad → cut from step 9.
    np.testing.assert_allclose(sched.values(11),
                               [1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25])


def test_plateau_cooldown_and_min_lr():
    """Cooldown skips counting after a cut; min_lr floors every cut."""
    flat = [1.0] * 30
    sched = lrplot.parse("plateau:lr=1,patience=1,factor=0.1,cooldown=2,min_lr=0.005",
                         metric=flat)
    values = sched.values(31)
    # t=0 is the first (better) observation; cuts need 2 bad ones: after t=2 → step 3;
    # cooldown 2 swallows t=3,4; bad again t=5,6 → step 7; then t=7,8 cooled; t=9,10 → 11.
    cuts = [int(i) for i in np.flatnonzero(values[1:] < values[:-1]) + 1]
    assert cuts == [3, 7, 11]
    # The third cut would give 0.001 but min_lr floors it; later cuts change nothing.
    assert values[11] == pytest.approx(0.005) and values[-1] == pytest.approx(0.005)


def test_plateau_mode_max_and_abs_threshold():
    """mode=max treats higher as better; abs threshold needs a fixed improvement."""
    metric = [0.5, 0.55, 0.56, 0.565, 0.5655]
    sched = lrplot.parse("plateau:lr=1,patience=0,mode=max,threshold_mode=abs,threshold=0.02",
                         metric=metric)
    # 0.5 best; 0.55 better (+0.05); 0.56 not (+0.01 < 0.02) → cut; 0.565 vs best 0.55:
    # not better → cut; 0.5655 → cut.
    np.testing.assert_allclose(sched.values(6), [1, 1, 1, 0.1, 0.01, 0.001])


# ---- warmup -------------------------------------------------------------------------


@pytest.mark.parametrize("shape,ramp", [
    ("linear", lambda f: f),
    ("cosine", lambda f: 0.5 * (1 - math.cos(math.pi * f))),
    ("power", lambda f: f**4),
])
def test_warmup_shapes(shape, ramp):
    """Warmup prefix: start + (target−start)·ramp(t/W); the family starts at step W."""
    def want(t):
        if t < 8:
            return 0.01 + (0.2 - 0.01) * ramp(t / 8)
        return 0.2 * 0.5 ** ((t - 8) // 10)
    check(f"step:lr=0.2,step_size=10,gamma=0.5,warmup=8,warmup_start=0.01,warmup_shape={shape}",
          want, [0, 1, 4, 7, 8, 9, 17, 18, 40])


def test_exponential_warmup_is_geometric():
    """Exponential warmup multiplies by the same factor every step."""
    sched = lrplot.parse("constant:lr=1,warmup=4,warmup_start=0.0001,warmup_shape=exponential")
    np.testing.assert_allclose(sched.values(6), [1e-4, 1e-3, 1e-2, 1e-1, 1, 1], rtol=1e-12)


def test_darknet_burn_in():
    """warmup_shape=power with the default power 4 is darknet's burn-in lr·(t/W)^4."""
    check("constant:lr=0.01,warmup=1000,warmup_shape=power",
          lambda t: 0.01 * (t / 1000) ** 4 if t < 1000 else 0.01, [0, 1, 500, 999, 1000])


def test_decay_steps_default_to_steps_left_after_warmup():
    """cosine --warmup 5 with 100 steps decays over the remaining 95."""
    sched = lrplot.parse("cosine:warmup=5")
    assert sched.params["decay_steps"] == 95
    assert sched.length == 100
    assert lrplot.parse("cosine:warmup=5", steps=300).params["decay_steps"] == 295


def test_main_command_numbers():
    """The README's example: ramp 0→0.1 over 5 steps, cosine to 0 over 95."""
    values = lrplot.evaluate("cosine:warmup=5")
    assert len(values) == 100
    np.testing.assert_allclose(values[:6], [0, 0.02, 0.04, 0.06, 0.08, 0.1], rtol=1e-12)
    np.testing.assert_allclose(
        values[5:], [0.05 * (1 + math.cos(math.pi * k / 95)) for k in range(95)], rtol=1e-12)


def test_too_much_warmup_is_an_error():
    """Warmup that leaves no steps for the derived decay length is refused clearly."""
    with pytest.raises(LrplotError, match="warmup=100 leaves no steps"):
        lrplot.parse("cosine:warmup=100")
