"""lrplot's performance benchmarks: the goals in README "Performance", measured side by side.

    pip install -e ".[bench]"             # the baselines: torch 2.13.0 and lrsched
    python benchmarks/run.py              # every benchmark, 5 whole-process runs each
    python benchmarks/run.py --repeats 9 --write   # ... and rewrite benchmarks/RESULTS.md
    python benchmarks/run.py --only csv png

Whole-process figures are medians of repeated subprocess runs, lrplot and its baseline
interleaved so that a busy machine slows both alike. lrplot runs as
``python -m lrplot`` with this checkout first on PYTHONPATH, so it measures this tree, not
an installed copy. Baselines that need another package (torch, lrsched) are skipped with a
message when it is missing. Timings are never asserted by the test suite: they depend on
the machine; this script is where they are checked.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
sys.path.insert(0, str(ROOT))

CSV_STEPS = 200_000
PEER_STEPS = 1_000_000
SMALL_PLOT, BIG_PLOT = 1_000, 10_000_000
EVAL_STEPS = 10_000_000

SCALE_STEPS = (1_000, 100_000, 10_000_000, 100_000_000)
BIG = 100_000_000
GOAL_PATH_RATIO = 3.0  # issue 12: every path within 3x of the same plain-family path
GOAL_PATH_MB = 600.0  # ... and within 600 MB at 100 M steps
GOAL_STARTUP = 1.5  # data-only commands within 1.5x of `python -c "import numpy"`
METRIC_ROWS = 10_000_000
GOAL_METRIC_S, GOAL_METRIC_MB = 3.0, 1000.0

GOAL_VS_TORCH = 15.0
GOAL_PLOT_RATIO = 1.6
GOAL_PLOT_MB = 600.0
GOAL_VS_LRSCHED = 2.0
# Why 10x: a family that looped in Python per step would be 50-500x the bare
# numpy expression, so 10x separates "vectorised" from "not" with room for masks and powers.
GOAL_EVAL_RATIO = 10.0

TORCH_SCRIPT = """\
import sys

import torch

steps, path = int(sys.argv[1]), sys.argv[2]
optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
with open(path, "w") as out:
    out.write("step,lr\\n")
    for step in range(steps):
        out.write(f"{step},{scheduler.get_last_lr()[0]!r}\\n")
        optimizer.step()
        scheduler.step()
"""

# lrsched's console script, run by this interpreter (where it was pip-installed).
LRSCHED = [sys.executable, "-c", "import sys; from lrsched.cli import main; sys.exit(main())"]


class BenchmarkError(RuntimeError):
    pass


@dataclass
class Row:
    """One line of the results table."""

    name: str
    lrplot: str
    baseline: str
    ratio: str
    goal: str
    verdict: str  # PASS, FAIL, info, skipped: why


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scale: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.name}: {row.lrplot} vs {row.baseline} -> {row.ratio} "
              f"(goal {row.goal}) {row.verdict}", flush=True)


# ---- running processes ------------------------------------------------------------------


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(NO_COLOR="1", COLUMNS="120", MPLBACKEND="Agg")
    # An installed lrplot has its .pyc files; a sandbox that forbids writing them would
    # make every run compile the package again (~40 ms), which no user pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


ENV = _environment()


@dataclass
class Run:
    seconds: float
    max_rss_mb: float


def run_once(cmd: Sequence[str], stdout: Path | None = None) -> Run:
    """Run *cmd* to completion; wall time and this child's own peak RSS (via wait4)."""
    with open(stdout or os.devnull, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            detail = err.read().decode(errors="replace").strip().splitlines()[-3:]
            raise BenchmarkError(f"{' '.join(cmd)} exited {proc.returncode}: {detail}")
    return Run(seconds, usage.ru_maxrss / 1024.0)  # Linux reports KiB


def interleaved(cmds: Sequence[tuple[Sequence[str], Path | None]],
                repeats: int) -> list[list[Run]]:
    """Run each command *repeats* times, alternating, after one untimed warm-up round."""
    for cmd, out in cmds:
        run_once(cmd, out)  # warm the page cache and .pyc files
    runs: list[list[Run]] = [[] for _ in cmds]
    for _ in range(repeats):
        for index, (cmd, out) in enumerate(cmds):
            runs[index].append(run_once(cmd, out))
    return runs


def median_s(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def lrplot(*args: str) -> list[str]:
    return [sys.executable, "-m", "lrplot", *args]


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# ---- (1) CSV vs a real torch scheduler --------------------------------------------------


def bench_csv_vs_torch(report: Report, repeats: int, work: Path) -> None:
    name = f"{CSV_STEPS:,}-step CSV vs torch CosineAnnealingLR loop"
    if not have("torch"):
        report.add(Row(name, "-", "-", "-", f"≥ {GOAL_VS_TORCH:g}×",
                       "skipped: torch not installed"))
        return
    script = work / "torch_csv.py"
    script.write_text(TORCH_SCRIPT)
    ours, theirs = work / "lrplot.csv", work / "torch.csv"
    ours_cmd = lrplot("cosine", "--lr", "0.1", "--decay-steps", str(CSV_STEPS), "--steps",
                      str(CSV_STEPS), "--out", str(ours))
    torch_cmd = [sys.executable, str(script), str(CSV_STEPS), str(theirs)]
    runs = interleaved([(ours_cmd, None), (torch_cmd, None)], repeats)
    _check_same_csv(ours, theirs, rtol=1e-9)
    ratio = median_s(runs[1]) / median_s(runs[0])
    report.add(Row(name, seconds(median_s(runs[0])), seconds(median_s(runs[1])),
                   f"{ratio:.1f}× faster", f"≥ {GOAL_VS_TORCH:g}×",
                   verdict(ratio >= GOAL_VS_TORCH)))
    report.notes.append(
        f"(1) `lrplot cosine --lr 0.1 --decay-steps {CSV_STEPS} --steps {CSV_STEPS} --out "
        "x.csv` against a script that steps `torch.optim.lr_scheduler.CosineAnnealingLR("
        f"T_max={CSV_STEPS})` and writes `step,repr(get_last_lr()[0])` rows. The two files "
        "are checked to agree to rtol 1e-9 (torch updates the lr recursively, so the last "
        "digits differ). torch's own import is about 1.5 s of its time.")


def _check_same_csv(ours: Path, theirs: Path, rtol: float, delimiter: str = ",",
                    skiprows: int = 1) -> None:
    import numpy as np

    a = np.loadtxt(ours, delimiter=",", skiprows=1)
    b = np.loadtxt(theirs, delimiter=delimiter, skiprows=skiprows)
    if a.shape != b.shape or not np.array_equal(a[:, 0], b[:, 0]):
        raise BenchmarkError(f"{ours} and {theirs} differ in shape or steps")
    if not np.allclose(a[:, 1], b[:, 1], rtol=rtol, atol=1e-300):
        worst = np.max(np.abs(a[:, 1] - b[:, 1]) / np.abs(b[:, 1]).clip(1e-300))
        raise BenchmarkError(f"{ours} and {theirs} differ: relative error {worst:.2e}")


# ---- (2) plot cost vs N -----------------------------------------------------------------


def bench_plot(report: Report, repeats: int, work: Path) -> None:
    def cmd(n: int) -> list[str]:
        return lrplot("cosine", "--warmup", "100", "--steps", str(n), "--out",
                      str(work / f"plot{n}.png"))

    runs = interleaved([(cmd(SMALL_PLOT), None), (cmd(BIG_PLOT), None)], repeats)
    small, big = median_s(runs[0]), median_s(runs[1])
    ratio = big / small
    report.add(Row(f"{BIG_PLOT:,}-step PNG vs {SMALL_PLOT:,}-step PNG", seconds(big),
                   seconds(small), f"{ratio:.2f}× the time", f"≤ {GOAL_PLOT_RATIO:g}×",
                   verdict(ratio <= GOAL_PLOT_RATIO)))
    peak = max(r.max_rss_mb for r in runs[1])
    small_peak = max(r.max_rss_mb for r in runs[0])
    report.add(Row(f"{BIG_PLOT:,}-step PNG peak memory (max RSS)", f"{peak:.0f} MB",
                   f"{small_peak:.0f} MB", "-", f"< {GOAL_PLOT_MB:g} MB",
                   verdict(peak < GOAL_PLOT_MB)))
    report.notes.append(
        "(2) `lrplot cosine --warmup 100 --steps N --out x.png`. Past two steps per pixel a "
        "curve is drawn as its per-pixel min/max envelope, evaluated a million steps at a "
        "time, so matplotlib draws the same ~2 400 points at any N; what grows with N is "
        "only evaluating the schedule (about 10 ns a step). Peak memory is the child's own "
        "max RSS (wait4).")


# ---- (3) start-up and import hygiene ----------------------------------------------------


def bench_startup(report: Report, repeats: int, work: Path) -> None:
    numpy_cmd = [sys.executable, "-c", "import numpy"]
    cases = [("`lrplot list`", lrplot("list"), True),
             ("`lrplot describe cosine`", lrplot("describe", "cosine"), True),
             ("`lrplot cosine --out x.csv` (100 steps)",
              lrplot("cosine", "--out", str(work / "small.csv")), True),
             ("`lrplot cosine --out x.json`", lrplot("cosine", "--out", str(work / "s.json")),
              True),
             ("`lrplot cosine` (the table)", lrplot("cosine"), True),
             ("`lrplot --help`", lrplot("--help"), False)]
    runs = interleaved([(numpy_cmd, None)] + [(c, None) for _, c, _ in cases],
                       max(repeats, 7))
    base = median_s(runs[0])
    for (label, _, goal), found in zip(cases, runs[1:]):
        ratio = median_s(found) / base
        report.add(Row(f"start-up: {label}", seconds(median_s(found)),
                       f"{seconds(base)} (`python -c 'import numpy'`)", f"{ratio:.2f}×",
                       f"≤ {GOAL_STARTUP:g}×" if goal else "-",
                       verdict(ratio <= GOAL_STARTUP) if goal else "info"))
    report.notes.append(
        "(3) Start-up floor: Python + numpy + typer (~20 ms) + rich where a table is drawn "
        "(~35 ms). Only the command that runs is built (typer introspects every option of "
        "every command it builds: ~70 ms for all 25); typer is held below 0.29, which "
        "builds a pydantic TypeAdapter per option on every command; rich is imported only "
        "to print, matplotlib only to draw. Runs use .pyc files, as an installed copy does.")
    data_paths = [
        ("list", lrplot("list")),
        ("describe", lrplot("describe", "cosine")),
        ("CSV", lrplot("cosine", "--out", str(work / "imports.csv"))),
        ("JSON", lrplot("cosine", "--out", str(work / "imports.json"))),
        ("table", lrplot("cosine")),
    ]
    leaks, rich = [], []
    for label, cmd in data_paths:
        found = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], env=ENV,
                               capture_output=True, text=True, check=False)
        if found.returncode != 0:
            raise BenchmarkError(f"{' '.join(cmd)} exited {found.returncode}: {found.stderr}")
        if "matplotlib" in found.stderr:
            leaks.append(label)
        if " rich" in found.stderr and label in ("CSV", "JSON"):
            rich.append(label)
    report.add(Row("matplotlib imported on data paths (list, describe, CSV, JSON, table)",
                   ", ".join(leaks) or "none", "-", "-", "none", verdict(not leaks)))
    report.add(Row("rich imported on CSV/JSON paths", ", ".join(rich) or "none", "-", "-",
                   "none", verdict(not rich)))


# ---- (4) evaluation cost per step, in-process --------------------------------------------

# One representative spec per canonical family (required parameters filled in); a family
# missing here is still measured with its defaults if it has no required parameter.
FAMILY_SPECS = {
    "step": "step:step_size=1000000",
    "multistep": "multistep:milestones=[3000000,6000000,9000000]",
    "exponential": "exponential:decay_rate=0.999999",
    "inverse_time": "inverse_time:decay_rate=0.001",
    "piecewise": "piecewise:boundaries=[2000000,5000000],values=[0.1,0.01,0.001]",
    "cosine_restarts": "cosine_restarts:first_decay_steps=100000",
    "cyclic": "cyclic:base_lr=0.001,max_lr=0.1,step_size=20000",
    "noam": "noam:d_model=512,warmup_steps=4000",
}


def bench_eval(report: Report, repeats: int, work: Path, steps: int) -> None:
    import numpy as np

    from lrplot import registry as catalogue
    from lrplot.definition import Context
    from lrplot.errors import LrplotError
    from lrplot.spec import split_spec

    def best_of(fn: Callable[[], object], times: int) -> float:
        found = []
        for _ in range(times):
            start = time.perf_counter()
            fn()
            found.append(time.perf_counter() - start)
        return statistics.median(found)

    def bare() -> np.ndarray:
        t = np.arange(steps, dtype=np.int64)
        return 0.05 * (1.0 + np.cos(np.pi * t / steps))

    base = best_of(bare, repeats) / steps
    times = min(repeats, 3)
    for defn in catalogue.all_definitions(kind="family"):
        spec = FAMILY_SPECS.get(defn.name, defn.name)
        n = steps
        try:
            name, params = split_spec(spec)
            catalogue.resolve(name, params, Context(steps=n))
        except LrplotError as err:
            report.add(Row(f"eval {defn.name}", "-", "-", "-", "-", f"skipped: {err}"))
            continue

        def first_call(name: str = name, params: dict = params, n: int = n) -> object:
            # A fresh schedule each time: the first call, as a user pays it (plateau's
            # trace of cuts is cached after it).
            return catalogue.resolve(name, params, Context(steps=n)).values(n)

        per_step = best_of(first_call, times) / n
        ratio = per_step / base
        report.add(Row(f"eval {spec}", f"{per_step * 1e9:.1f} ns/step",
                       f"{base * 1e9:.1f} ns/step", f"{ratio:.1f}×", f"≤ {GOAL_EVAL_RATIO:g}×",
                       verdict(ratio <= GOAL_EVAL_RATIO)))
    report.notes.append(
        f"(4) In-process `Schedule.values({steps:,})` per family against the bare numpy "
        f"cosine `0.05*(1+np.cos(np.pi*t/N))` over the same int64 steps; median of "
        f"{times} runs, each building the schedule afresh (the first call, as a user pays "
        "it). values() evaluates a million steps at a time, so temporaries stay small. "
        "plateau (ReduceLROnPlateau on the synthetic loss, stateful) jumps from event to "
        "event: improvements by binary search, cuts by arithmetic. The 10× goal is ours.")


# ---- (5) vs lrsched, a pure-Python peer CLI ----------------------------------------------


def bench_lrsched(report: Report, repeats: int, work: Path) -> None:
    name = f"{PEER_STEPS:,}-step CSV vs lrsched (pure-Python peer CLI)"
    if not have("lrsched"):
        report.add(Row(name, "-", "-", "-", f"≥ {GOAL_VS_LRSCHED:g}×",
                       "skipped: lrsched not installed (pip install lrsched)"))
        return
    ours, theirs = work / "lrplot1m.csv", work / "lrsched.tsv"
    ours_cmd = lrplot("cosine", "--lr", "0.1", "--decay-steps", str(PEER_STEPS), "--steps",
                      str(PEER_STEPS), "--out", str(ours))
    theirs_cmd = [*LRSCHED, "cosine", "--base-lr", "0.1", "--min-lr", "0", "--total-steps",
                  str(PEER_STEPS), "--steps", str(PEER_STEPS)]
    runs = interleaved([(ours_cmd, None), (theirs_cmd, theirs)], repeats)
    _check_same_csv(ours, theirs, rtol=1e-7, delimiter="\t", skiprows=0)
    ratio = median_s(runs[1]) / median_s(runs[0])
    report.add(Row(name, seconds(median_s(runs[0])), seconds(median_s(runs[1])),
                   f"{ratio:.1f}× faster", f"≥ {GOAL_VS_LRSCHED:g}×",
                   verdict(ratio >= GOAL_VS_LRSCHED)))
    report.notes.append(
        f"(5) `lrsched cosine --base-lr 0.1 --min-lr 0 --total-steps {PEER_STEPS} --steps "
        f"{PEER_STEPS} > x.tsv` (8 significant digits, no header) against lrplot writing the "
        "same cosine at full round-trip precision (17 significant digits where needed); "
        "the files are checked to agree to 8 digits.")


# ---- (6) every path beside its plain-family baseline (issue 12) ---------------------------


def sequential_config(work: Path, n: int) -> Path:
    """torchvision's recipe scaled to *n* steps: LinearLR warmup (1%), then cosine."""
    warm = max(n // 100, 1)
    path = work / f"sequential{n}.toml"
    path.write_text(
        "[[schedule]]\nname = \"torch.SequentialLR\"\nlr = 0.1\n"
        f"milestones = [{warm}]\nparts = [\n"
        f"  {{ name = \"torch.LinearLR\", start_factor = 0.01, total_iters = {warm} }},\n"
        f"  {{ name = \"torch.CosineAnnealingLR\", T_max = {n - warm}, eta_min = 1e-5 }},\n]\n")
    return path


def cosine_like(n: int) -> list[str]:
    """The plain family drawing the same shape: cosine with the same 1% warmup."""
    return ["cosine", "--warmup", str(max(n // 100, 1)), "--steps", str(n)]


METRIC_LOG_SCRIPT = """\
import sys

import numpy as np

from lrplot.plateau import synthetic_loss
from lrplot.render.data import write_csv

rows = int(sys.argv[1])
with open(sys.argv[2], "wb") as out:
    write_csv(out, ["val_loss"], [synthetic_loss(np.arange(rows), rows)])
"""


def metric_log(work: Path, rows: int) -> Path:
    """A step,val_loss log of *rows* rows (the synthetic loss, shortest round-trip floats),
    written by a child: Linux keeps a process's peak RSS across fork and exec, so this
    process must stay small for its children's figures to be their own."""
    path = work / "val_loss.csv"
    subprocess.run([sys.executable, "-c", METRIC_LOG_SCRIPT, str(rows), str(path)], env=ENV,
                   check=True)
    return path


def size_mb(runs: list[Run]) -> float:
    return max(r.max_rss_mb for r in runs)


def _pair(report: Report, name: str, ours: Sequence[str], base: Sequence[str], repeats: int,
          base_name: str, *, mb_goal: float | None = None,
          absolute: tuple[float, float] | None = None) -> None:
    """*ours* against *base* (both whole lrplot processes), interleaved; the time ratio's
    goal is GOAL_PATH_RATIO, and *mb_goal* / *absolute* (seconds, MB) add theirs."""
    runs = interleaved([(ours, None), (base, None)], repeats)
    mine, theirs = median_s(runs[0]), median_s(runs[1])
    ratio, mb = mine / theirs, size_mb(runs[0])
    goals = [f"≤ {GOAL_PATH_RATIO:g}×"]
    ok = ratio <= GOAL_PATH_RATIO
    if mb_goal is not None:
        goals.append(f"< {mb_goal:g} MB")
        ok = ok and mb < mb_goal
    if absolute is not None:
        goals.append(f"< {absolute[0]:g} s, < {absolute[1]:g} MB")
        ok = ok and mine < absolute[0] and mb < absolute[1]
    report.add(Row(name, f"{seconds(mine)}, {mb:.0f} MB",
                   f"{seconds(theirs)}, {size_mb(runs[1]):.0f} MB ({base_name})",
                   f"{ratio:.2f}×", "; ".join(goals), verdict(ok)))


def bench_paths(report: Report, repeats: int, work: Path) -> None:
    few = max(1, min(repeats, 2))  # the 100 M-step rows: seconds each
    png = str(work / "path.png")
    _pair(report, f"torch.SequentialLR config -> PNG, {BIG:,} steps",
          lrplot("plot", str(sequential_config(work, BIG)), "--steps", str(BIG), "--out", png),
          lrplot(*cosine_like(BIG), "--out", png), few, "cosine, same PNG", mb_goal=GOAL_PATH_MB)
    n = 10_000_000
    for dialect in ("torch.ReduceLROnPlateau", "hf.reduce_lr_on_plateau"):
        _pair(report, f"{dialect} -> PNG, {n:,} steps (synthetic loss)",
              lrplot("plot", dialect, "--steps", str(n), "--out", png),
              lrplot("plateau", "--steps", str(n), "--out", png), repeats, "plateau family")
    _pair(report, f"plateau (synthetic loss) -> PNG, {BIG:,} steps",
          lrplot("plateau", "--steps", str(BIG), "--out", png),
          lrplot(*cosine_like(BIG), "--out", png), few, "cosine, same PNG",
          mb_goal=GOAL_PATH_MB)
    log = metric_log(work, METRIC_ROWS)
    _pair(report, f"--metric log of {METRIC_ROWS:,} rows -> plateau PNG",
          lrplot("plateau", "--metric", str(log), "--out", png),
          lrplot(*cosine_like(METRIC_ROWS), "--out", png), repeats, "cosine, same PNG",
          absolute=(GOAL_METRIC_S, GOAL_METRIC_MB))
    eight = ["cosine:warmup=10", "cosine:warmup=100", "linear", "step:step_size=1000000", "wsd",
             "onecycle", "exponential:decay_rate=0.999999", "inverse_sqrt"]
    _pair(report, f"terminal view, 8 schedules at {n:,} steps",
          lrplot("plot", *eight, "--steps", str(n)),
          lrplot("plot", *eight, "--steps", str(n), "--out", png), repeats, "the same PNG",
          mb_goal=GOAL_PATH_MB)
    _pair(report, f"terminal view, {BIG:,} steps",
          lrplot(*cosine_like(BIG)), lrplot(*cosine_like(BIG), "--out", png), few,
          "the same PNG", mb_goal=GOAL_PATH_MB)
    values = ",".join(f"{v:g}" for v in (0, 1e-4, 1e-3, 3e-3, 0.01, 0.02, 0.03, 0.05))
    warmups = ",".join(str(v) for v in (0, 10, 100, 1000, 2000, 5000, 10000, 20000))
    csv = str(work / "sweep.csv")
    _pair(report, "CSV of a 64-curve sweep, 100,000 steps",
          lrplot("compare", "cosine", "--vary", f"min_lr={values}", "--vary",
                 f"warmup={warmups}", "--steps", "100000", "--out", csv),
          lrplot("compare", "cosine", "--vary", "min_lr=0,0.01", "--steps", "100000", "--out",
                 csv), repeats, "2 curves")
    sim = ["simulate", "cosine", "constant:lr=0.2", "--steps", "1000000", "--out"]
    _pair(report, "simulate -> JSON, 2 schedules, 1,000,000 steps",
          lrplot(*sim, str(work / "sim.json")), lrplot(*sim, str(work / "sim.csv")), repeats,
          "its CSV")
    _pair(report, f"compare (overlay + panels) -> PNG, 4 schedules, {n:,} steps",
          lrplot("compare", *eight[:4], "--steps", str(n), "--out", png),
          lrplot("plot", *eight[:4], "--steps", str(n), "--out", png), repeats,
          "plot, one overlay")
    report.notes.append(
        "(6) Each path against the plain-family run with the same output, interleaved "
        "whole processes (the 100 M-step rows with fewer repeats); memory is the child's "
        "max RSS. The SequentialLR config is LinearLR(0.01) for 1% of the run then "
        "CosineAnnealingLR(eta_min=1e-5), replayed in 65 536-step blocks of vectorised "
        "updates; the baseline is `cosine --warmup` over the same steps. The metric log is "
        "`step,val_loss`, 10 M rows of the synthetic loss (shortest round-trip floats).")


def bench_scale(report: Report, repeats: int, work: Path) -> None:
    """Time and peak memory of one first run per path and length."""
    png, csv = str(work / "scale.png"), str(work / "scale.csv")
    paths = {
        "CSV (cosine)": lambda n: lrplot(*cosine_like(n), "--out", csv),
        "PNG (cosine)": lambda n: lrplot(*cosine_like(n), "--out", png),
        "terminal view (cosine)": lambda n: lrplot(*cosine_like(n)),
        "torch.SequentialLR -> PNG": lambda n: lrplot(
            "plot", str(sequential_config(work, n)), "--steps", str(n), "--out", png),
        "torch.ReduceLROnPlateau -> PNG": lambda n: lrplot(
            "plot", "torch.ReduceLROnPlateau", "--steps", str(n), "--out", png),
    }
    for name, command in paths.items():
        cells = []
        for n in SCALE_STEPS:
            found = run_once(command(n))
            cells.append(f"{seconds(found.seconds)}, {found.max_rss_mb:.0f} MB")
            print(f"  scale {name} {n:,}: {cells[-1]}", flush=True)
        report.scale.append((name, cells))
        with contextlib.suppress(FileNotFoundError):
            os.unlink(csv)


# ---- report -----------------------------------------------------------------------------

# In-process work (eval's arrays, the lrsched check's loadtxt) comes last: Linux keeps a
# process's peak RSS across fork and exec, so it would be every later child's floor.
BENCHMARKS = ("csv", "png", "startup", "paths", "scale", "lrsched", "eval")


def machine() -> str:
    import numpy as np

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = [f"Python {platform.python_version()}", f"numpy {np.__version__}"]
    for module in ("torch", "matplotlib", "typer", "lrsched"):
        try:
            from importlib.metadata import version

            versions.append(f"{module} {version(module)}")
        except Exception:
            pass
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()}; " + ", ".join(versions)


def markdown(report: Report, repeats: int) -> str:
    lines = [
        "# lrplot benchmarks",
        "",
        "Generated by `python benchmarks/run.py --write` "
        f"({datetime.date.today().isoformat()}, {repeats} repeats; medians of whole-process "
        "runs unless said otherwise). Machine: " + machine() + ".",
        "",
        "| benchmark | lrplot | baseline | ratio | goal | result |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {r.name} | {r.lrplot} | {r.baseline} | {r.ratio} | {r.goal} | {r.verdict} |"
              for r in report.rows]
    if report.scale:
        lines += ["", "## Scale: one first run per path and length (time, peak memory)", "",
                  "| path | " + " | ".join(f"{n:,} steps" for n in SCALE_STEPS) + " |",
                  "|---|" + "---|" * len(SCALE_STEPS)]
        lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in report.scale]
    lines += ["", "## How each figure is measured", ""]
    lines += [f"- {note}" for note in report.notes]
    lines += ["", "## Limits", "", *LIMITS]
    return "\n".join(lines) + "\n"


LIMITS = [
    "- `--steps` is at most 100 000 000 (`lrplot.limits.MAX_STEPS`). Every output reads a "
    "schedule a chunk of steps at a time (`lrplot.core.Column`): figures draw a per-pixel "
    "envelope, the terminal view and CSV/JSON stream, so memory stays flat at any length; "
    "time grows linearly (a CSV row costs about 0.5-1 µs: a 2.7 GB file in one to two "
    "minutes at the bound).",
    "- CSV and JSON floats are the shortest text that reads back as the same float64, "
    "formatted by orjson (Ryu) about twenty times faster than Python's `repr`; a chunk holds "
    "about 131 072 cells whatever the number of columns, joined by one `%`-format, so the "
    "loop runs in C.",
    "- torch SequentialLR/ChainedScheduler are replayed in blocks of 65 536 steps of "
    "vectorised updates (products in order: torch's roundings exactly; a cosine's "
    "recursion within ulps), keeping one small copy of the scheduler tree and one lr per "
    "block. ReduceLROnPlateau jumps from event to event (binary search for improvements, "
    "arithmetic for cuts) and keeps only the cuts; a metric where that does not hold (a "
    "negative metric with a relative threshold) is stepped one observation at a time.",
    "- Metric logs of plain numbers are parsed by orjson (or numpy) in C; anything else goes "
    "through the csv module, with the same messages. About 0.3 µs per 2-column row.",
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5,
                        help="whole-process runs per command (median reported)")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--eval-steps", type=int, default=EVAL_STEPS,
                        help="steps for the in-process evaluation benchmark")
    parser.add_argument("--write", action="store_true", help=f"rewrite {RESULTS}")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be ≥ 1")
    report = Report()
    with tempfile.TemporaryDirectory(prefix="lrplot-bench-") as folder:
        work = Path(folder)
        steps = {
            "csv": lambda: bench_csv_vs_torch(report, args.repeats, work),
            "png": lambda: bench_plot(report, args.repeats, work),
            "startup": lambda: bench_startup(report, args.repeats, work),
            "eval": lambda: bench_eval(report, args.repeats, work, args.eval_steps),
            "lrsched": lambda: bench_lrsched(report, args.repeats, work),
            "paths": lambda: bench_paths(report, args.repeats, work),
            "scale": lambda: bench_scale(report, args.repeats, work),
        }
        for name in BENCHMARKS:
            if name in args.only:
                print(f"[{name}]", flush=True)
                steps[name]()
    text = markdown(report, args.repeats)
    print()
    print(text)
    if args.write:
        RESULTS.write_text(text)
        print(f"wrote {RESULTS}")
    return 1 if any(r.verdict == "FAIL" for r in report.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
