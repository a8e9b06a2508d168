"""Every canonical family against an independent, scalar expression of its formula.

The expected values are written here from the formulas of README's Families table and
``lrplot describe``, with plain Python ``math`` (no numpy, no lrplot code), and checked at
boundaries and change points: step 0, the step before and at each change, the end and past
the end. The stateful plateau family, and the families that have a PyTorch twin, are also
checked against real torch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from support import require

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


def torch_plateau(metric, n: int, lr: float, **kwargs) -> np.ndarray:
    """Real torch ReduceLROnPlateau in a training loop: row t is the lr step t uses, then
    ``step(metric[t])``; past the metric the lr holds."""
    torch = require("torch")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **kwargs)
    rows = []
    for t in range(n):
        rows.append(optimizer.param_groups[0]["lr"])
        if t < len(metric):
            scheduler.step(float(metric[t]))
    return np.asarray(rows)


def cuts(values: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(values[1:] < values[:-1]) + 1]


def test_plateau_replays_torch_semantics():
    """plateau: a cut after patience+1 bad observations, metric[t] seen after step t."""
    metric = [1.0, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4]
    values = lrplot.parse("plateau:lr=1,patience=2,factor=0.5", metric=metric).values(11)
    np.testing.assert_allclose(values, torch_plateau(metric, 11, 1.0, patience=2, factor=0.5),
                               rtol=1e-15)
    # bad observations at t=2,3,4 (three > patience=2) → cut applies from step 5;
    # t=5 improves; t=6,7,8 bad → cut from step 9.
    assert cuts(values) == [5, 9]


def test_plateau_cooldown_and_min_lr():
    """Cooldown skips counting after a cut; min_lr floors every cut."""
    flat = [1.0] * 30
    kwargs = {"patience": 1, "factor": 0.1, "cooldown": 2, "min_lr": 0.005}
    values = lrplot.schedule("plateau", lr=1, metric=flat, **kwargs).values(31)
    np.testing.assert_allclose(values, torch_plateau(flat, 31, 1.0, **kwargs), rtol=1e-15)
    # t=0 is the first (better) observation; cuts need 2 bad ones: after t=2 → step 3;
    # cooldown 2 swallows t=3,4; bad again t=5,6 → step 7; then t=7,8 cooled; t=9,10 → 11,
    # where 0.01·0.1 is floored to min_lr; later cuts would change nothing.
    assert cuts(values) == [3, 7, 11]
    assert values[-1] == 0.005


def test_plateau_mode_max_and_abs_threshold():
    """mode=max treats higher as better; abs threshold needs a fixed improvement."""
    metric = [0.5, 0.55, 0.56, 0.565, 0.5655]
    kwargs = {"patience": 0, "mode": "max", "threshold_mode": "abs", "threshold": 0.02}
    values = lrplot.schedule("plateau", lr=1, metric=metric, **kwargs).values(6)
    np.testing.assert_allclose(values, torch_plateau(metric, 6, 1.0, **kwargs), rtol=1e-15)
    # 0.5 best; 0.55 better (+0.05); 0.56 not (+0.01 < 0.02) → cut; 0.565, 0.5655 too.
    assert cuts(values) == [3, 4, 5]


PLATEAU_CASES = [
    {},
    {"patience": 3, "factor": 0.5, "threshold": 0.0},
    {"patience": 0, "cooldown": 4, "min_lr": 1e-3, "threshold_mode": "abs", "threshold": 0.05},
    {"mode": "max", "patience": 2, "factor": 0.3, "threshold": 0.01},
    {"patience": 1, "factor": 0.9, "eps": 0.005},
]


@pytest.mark.parametrize("kwargs", PLATEAU_CASES)
def test_plateau_matches_torch_on_a_noisy_loss(kwargs):
    """Every ReduceLROnPlateau setting, on a noisy staircase loss, equals real torch."""
    rng = np.random.default_rng(3)
    metric = np.repeat(np.linspace(3.0, 0.5, 10), 30) + rng.normal(0, 0.02, 300)
    if kwargs.get("mode") == "max":
        metric = 10.0 - metric
    values = lrplot.schedule("plateau", lr=0.1, metric=metric, **kwargs).values(300)
    np.testing.assert_allclose(values, torch_plateau(metric, 300, 0.1, **kwargs), rtol=1e-15)
    assert values[-1] < 0.1  # the case really cut


def test_plateau_after_warmup_starts_observing_at_the_warmup_end():
    """With warmup W the family is torch's scheduler started at step W on metric[W:]."""
    rng = np.random.default_rng(5)
    metric = np.repeat([2.0, 1.0, 0.5], 40) + rng.normal(0, 0.01, 120)
    values = lrplot.schedule("plateau", lr=0.1, patience=5, warmup=20, metric=metric).values(120)
    np.testing.assert_allclose(values[20:], torch_plateau(metric[20:], 100, 0.1, patience=5),
                               rtol=1e-15)
    np.testing.assert_allclose(values[:20], [0.1 * t / 20 for t in range(20)], rtol=1e-15)


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
    np.testing.assert_allclose(values[:6], [0.1 * t / 5 for t in range(6)], rtol=1e-12)
    np.testing.assert_allclose(
        values[5:], [0.05 * (1 + math.cos(math.pi * k / 95)) for k in range(95)], rtol=1e-12)


def test_too_much_warmup_is_an_error():
    """Warmup that leaves no steps for the derived decay length is refused clearly."""
    with pytest.raises(LrplotError) as info:
        lrplot.parse("cosine:warmup=100")
    assert info.value.message == (
        "cosine: warmup=100 leaves none of the default 100 steps for decay_steps; give "
        "--steps larger than warmup, or decay_steps explicitly")
    with pytest.raises(LrplotError, match="wsd: warmup=60 leaves none of the 50 steps for "
                       "total_steps"):
        lrplot.parse("wsd:warmup=60", steps=50)


# ---- the contract's parameters and defaults ---------------------------------------------

# The families' contract (README, `lrplot describe`), transcribed: every family's own
# parameters and their defaults (None: required or derived from the run). lrplot adds
# lr=0.1 as a default (README), plateau's eps (torch's), and wsd's decay_steps default of
# 20% (describe says so).
CONTRACT = {
    "constant": {"lr": 0.1},
    "step": {"lr": 0.1, "step_size": None, "gamma": 0.1},
    "multistep": {"lr": 0.1, "milestones": None, "gamma": 0.1},
    "exponential": {"lr": 0.1, "decay_rate": None, "decay_steps": 1, "staircase": False},
    "inverse_time": {"lr": 0.1, "decay_rate": None, "decay_steps": 1, "staircase": False},
    "polynomial": {"lr": 0.1, "decay_steps": None, "end_lr": 0, "power": 1, "cycle": False},
    "linear": {"lr": 0.1, "decay_steps": None, "end_lr": 0},
    "piecewise": {"boundaries": None, "values": None},
    "cosine": {"lr": 0.1, "decay_steps": None, "min_lr": 0},
    "cosine_restarts": {"lr": 0.1, "first_decay_steps": None, "t_mul": 2, "m_mul": 1,
                        "min_lr": 0},
    "cyclic": {"base_lr": None, "max_lr": None, "step_size": None, "step_size_down": None,
               "mode": "triangular", "gamma": 1},
    "onecycle": {"max_lr": 0.1, "total_steps": None, "pct_start": 0.3, "anneal": "cos",
                 "div_factor": 25, "final_div_factor": 1e4, "three_phase": False},
    "wsd": {"lr": 0.1, "total_steps": None, "decay_steps": None, "min_lr": 0,
            "decay_shape": "linear"},
    "inverse_sqrt": {"lr": 0.1, "timescale": None},
    "noam": {"d_model": None, "warmup_steps": None, "factor": 1},
    "plateau": {"lr": 0.1, "factor": 0.1, "patience": 10, "threshold": 1e-4,
                "threshold_mode": "rel", "mode": "min", "cooldown": 0, "min_lr": 0,
                "eps": 1e-8},
}
WARMUP_DEFAULTS = {"warmup": 0, "warmup_start": 0, "warmup_shape": "linear",
                   "warmup_power": 4}


def test_families_and_defaults_are_the_contracts():
    """Exactly the contract's families, each with its parameters, defaults and the warmup
    options; choices are the ones the contract names."""
    from lrplot.params import REQUIRED, Derived
    from lrplot.registry import all_definitions

    families = {d.name: d for d in all_definitions("family")}
    assert list(families) == list(CONTRACT)
    for name, defn in families.items():
        given = {p.name: p.default for p in defn.params}
        assert set(given) == set(CONTRACT[name]) | set(WARMUP_DEFAULTS), name
        for key, want in {**CONTRACT[name], **WARMUP_DEFAULTS}.items():
            got = given[key]
            if want is None:
                assert got is REQUIRED or got is None or isinstance(got, Derived), (name, key)
            else:
                assert got == want, (name, key, got)
                assert isinstance(got, bool) == isinstance(want, bool), (name, key)
        assert defn.formula and defn.summary
    choices = {p.name: p.choices for d in families.values() for p in d.params if p.choices}
    assert choices["warmup_shape"] == ("linear", "cosine", "exponential", "power")
    assert choices["decay_shape"] == ("linear", "cosine", "1-sqrt")
    assert choices["anneal"] == ("cos", "linear")
    assert set(choices["mode"]) <= {"triangular", "triangular2", "exp_range", "min", "max"}
    assert choices["threshold_mode"] == ("rel", "abs")


@pytest.mark.parametrize("spec,name", [
    ("polynomial:warmup=10", "decay_steps"), ("linear:warmup=10", "decay_steps"),
    ("cosine:warmup=10", "decay_steps"), ("onecycle:warmup=10", "total_steps"),
    ("wsd:warmup=10", "total_steps"),
])
def test_lengths_default_to_the_steps_left_after_warmup(spec, name):
    """Every family that needs a length gets --steps minus warmup (100 when not given)."""
    assert lrplot.parse(spec, steps=250).params[name] == 240
    assert lrplot.parse(spec).params[name] == 90


def test_inverse_sqrt_timescale_defaults_to_warmup_or_one():
    """timescale = warmup when there is one, else 1: lr·sqrt(1/(t+1))."""
    assert lrplot.parse("inverse_sqrt:warmup=7").params["timescale"] == 7
    check("inverse_sqrt:lr=0.5", lambda t: 0.5 * math.sqrt(1 / (t + 1)), [0, 1, 3, 99])


@pytest.mark.parametrize("spec,first", [
    ("onecycle:max_lr=0.5,total_steps=100,warmup=10", lambda: 0.5 / 25),
    ("noam:d_model=64,warmup_steps=50,warmup=10", lambda: 64**-0.5 * 1 * 50**-1.5),
    ("cyclic:base_lr=0.01,max_lr=0.1,step_size=5,warmup=10", lambda: 0.01),
    ("wsd:lr=0.3,total_steps=50,warmup=10", lambda: 0.3),
])
def test_warmup_ramps_to_the_family_step_zero_value_not_lr(spec, first):
    """The ramp ends at the family's own step-0 value, whatever that is."""
    check(spec, lambda t: first() * t / 10, [0, 1, 5, 9, 10])


def test_warmup_power_sets_the_exponent():
    """warmup_shape=power with warmup_power=p: start + (target−start)·(t/W)^p."""
    check("constant:lr=0.2,warmup=10,warmup_start=0.02,warmup_shape=power,warmup_power=2",
          lambda t: 0.02 + (0.2 - 0.02) * (t / 10) ** 2 if t < 10 else 0.2, [0, 1, 5, 9, 10])


# Families with a PyTorch twin, and that twin built the same way (reference §2).
TORCH_TWINS = [
    ("step:lr=0.1,step_size=7,gamma=0.3", "StepLR", {"step_size": 7, "gamma": 0.3}, 50),
    ("multistep:lr=0.1,milestones=[0,5,5,20]", "MultiStepLR", {"milestones": [0, 5, 5, 20]},
     40),
    ("exponential:lr=0.1,decay_rate=0.9", "ExponentialLR", {"gamma": 0.9}, 60),
    ("polynomial:lr=0.1,decay_steps=30,power=2", "PolynomialLR",
     {"total_iters": 30, "power": 2.0}, 60),
    ("cosine_restarts:lr=0.1,first_decay_steps=5,t_mul=2,min_lr=0.001",
     "CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0.001}, 160),
    ("cyclic:base_lr=0.001,max_lr=0.1,step_size=5,step_size_down=3,mode=triangular2",
     "CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 5, "step_size_down": 3,
                  "mode": "triangular2"}, 60),
    ("cyclic:base_lr=0.001,max_lr=0.1,step_size=5,mode=exp_range,gamma=0.97", "CyclicLR",
     {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 5, "mode": "exp_range",
      "gamma": 0.97}, 60),
    ("onecycle:max_lr=0.1,total_steps=100", "OneCycleLR", {"max_lr": 0.1, "total_steps": 100},
     100),
    ("onecycle:max_lr=0.1,total_steps=100,anneal=linear,three_phase=true", "OneCycleLR",
     {"max_lr": 0.1, "total_steps": 100, "anneal_strategy": "linear", "three_phase": True},
     100),
]


@pytest.mark.parametrize("spec,cls,kwargs,n", TORCH_TWINS, ids=[c[0] for c in TORCH_TWINS])
def test_families_match_their_torch_twin(spec, cls, kwargs, n):
    """Stepped like a training loop, torch gives the family's numbers (rtol 1e-12)."""
    import warnings

    torch = require("torch")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = getattr(torch.optim.lr_scheduler, cls)(optimizer, **kwargs)
        want = []
        for _ in range(n):
            want.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
    np.testing.assert_allclose(lrplot.evaluate(spec, steps=n), want, rtol=1e-12, atol=1e-300)
