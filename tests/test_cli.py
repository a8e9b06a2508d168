"""The command line: every core command in-process and through the installed entry point,
and every class of bad input ending in exit status 2 with one line on stderr."""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import lrplot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def read_csv(path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


# ---- the main job ------------------------------------------------------------------


def test_main_command_png_and_csv(cli, tmp_path):
    """`lrplot cosine --warmup 5` writes a PNG and a CSV of the same 100 steps."""
    png, data = tmp_path / "lr.png", tmp_path / "lr.csv"
    result = cli("cosine", "--warmup", "5", "--out", png, "--out", data)
    assert result.code == 0, result.err
    assert png.read_bytes().startswith(PNG_MAGIC)
    head, rows = read_csv(data)
    assert head == ["step", "lr"]
    assert [int(r[0]) for r in rows] == list(range(100))
    values = [float(r[1]) for r in rows]
    assert values[:6] == pytest.approx([0, 0.02, 0.04, 0.06, 0.08, 0.1], rel=1e-15)
    expected = [0.05 * (1 + math.cos(math.pi * k / 95)) for k in range(95)]
    assert values[5:] == pytest.approx(expected, rel=1e-14)


def test_csv_round_trips_exactly(cli, tmp_path):
    """CSV floats read back as the identical float64 values."""
    out = tmp_path / "x.csv"
    assert cli("plot", "cosine_restarts:first_decay_steps=7,m_mul=0.9", "--steps", "300",
               "--out", out).code == 0
    _, rows = read_csv(out)
    got = np.array([float(r[1]) for r in rows])
    want = lrplot.evaluate("cosine_restarts:first_decay_steps=7,m_mul=0.9", steps=300)
    np.testing.assert_array_equal(got, want)


def test_plot_several_specs_csv_columns(cli, tmp_path):
    """plot with several specs writes step,<spec>,<spec> columns labelled by spec."""
    out = tmp_path / "two.csv"
    specs = ["cosine:warmup=10", "multistep:milestones=[30,60],gamma=0.5"]
    assert cli("plot", *specs, "--steps", "80", "--out", out).code == 0
    head, rows = read_csv(out)
    assert head == ["step", *specs]
    assert len(rows) == 80
    assert float(rows[60][2]) == pytest.approx(0.1 * 0.25)


def test_steps_per_epoch_adds_epoch_column(cli, tmp_path):
    """--steps-per-epoch adds the 0-based epoch each step belongs to."""
    out = tmp_path / "e.csv"
    assert cli("step", "--step-size", "20", "--steps", "50", "--steps-per-epoch", "20",
               "--out", out).code == 0
    head, rows = read_csv(out)
    assert head == ["step", "epoch", "lr"]
    assert [int(r[1]) for r in rows] == [s // 20 for s in range(50)]


def test_json_output(cli, tmp_path):
    """--out x.json holds every schedule's label and values."""
    out = tmp_path / "x.json"
    assert cli("plot", "constant:lr=0.5", "linear:decay_steps=4", "--steps", "5", "--out",
               out).code == 0
    doc = json.loads(out.read_text())
    assert doc["steps"] == 5
    assert [s["label"] for s in doc["schedules"]] == ["constant:lr=0.5", "linear:decay_steps=4"]
    assert doc["schedules"][1]["lr"] == pytest.approx([0.1, 0.075, 0.05, 0.025, 0.0])


def test_stdout_csv(cli):
    """--out - writes the CSV to stdout."""
    result = cli("exponential", "--decay-rate", "0.5", "--steps", "3", "--out", "-")
    assert result.code == 0
    assert result.out.splitlines() == ["step,lr", "0,0.1", "1,0.05", "2,0.025"]


@pytest.mark.parametrize("fmt,magic", [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_vector_formats(cli, tmp_path, fmt, magic):
    """SVG and PDF are written by extension."""
    out = tmp_path / f"lr.{fmt}"
    assert cli("onecycle", "--out", out).code == 0
    assert out.read_bytes().startswith(magic)


def test_svg_is_reproducible(cli, tmp_path):
    """The same command writes byte-identical SVG."""
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    assert cli("plot", "cyclic:base_lr=0.01,max_lr=0.1,step_size=10", "--out", a).code == 0
    assert cli("plot", "cyclic:base_lr=0.01,max_lr=0.1,step_size=10", "--out", b).code == 0
    assert a.read_bytes() == b.read_bytes()


def test_table_without_out(cli):
    """Without --out a table lists start, warmup end, peak and end, and a summary."""
    result = cli("cosine", "--warmup", "5")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    step_rows = {line.split()[1]: line for line in lines if line.strip().startswith("│")
                 and line.split()[1].isdigit()}
    assert {"0", "5", "99"} <= set(step_rows)
    assert "peak" in step_rows["5"] and "end" in step_rows["99"]
    assert "summary" in result.out and "0.05" in result.out  # the mean


def test_table_lists_every_change_of_a_stepwise_schedule(cli):
    """Every change point (and the step before it) of a staircase appears in the table."""
    result = cli("multistep", "--milestones", "30,60,90", "--steps", "120")
    steps = {int(line.split()[1]) for line in result.out.splitlines()
             if line.strip().startswith("│") and line.split()[1].isdigit()}
    assert {29, 30, 59, 60, 89, 90, 119} <= steps


def table_rows(out: str) -> dict[int, str]:
    """Step → its note, from the rows of the steps table."""
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if line.startswith("│") and cells[0].isdigit() and len(cells) == 3:
            rows[int(cells[0])] = cells[2]
    return rows


def test_table_always_keeps_start_end_and_peak_and_merges_notes(cli):
    """However many change points fill the table, the first and last steps and the peak
    stay; a step that is two things names both."""
    milestones = list(range(3, 78, 3))
    result = cli("plot", f"multistep:milestones={milestones},warmup=3".replace(" ", ""),
                 "--steps", "100")
    assert result.code == 0, result.err
    rows = table_rows(result.out)
    assert rows[0] == "start" and rows[99] == "end"
    assert rows[3] == "warmup end, peak"
    assert table_rows(cli("cosine").out)[0] == "start, peak"


def test_plateau_with_metric_file(cli, tmp_path):
    """--metric FILE:COLUMN drives plateau; the lr is cut after patience+1 bad steps."""
    log = tmp_path / "log.csv"
    rows = ["epoch,train_loss,val_loss"] + [f"{i},1.0,{v}" for i, v in
                                             enumerate([1.0, 0.9] + [0.9] * 8)]
    log.write_text("\n".join(rows) + "\n")
    out = tmp_path / "p.csv"
    assert cli("plateau", "--patience", "2", "--metric", f"{log}:val_loss", "--out",
               out).code == 0
    _, body = read_csv(out)
    assert len(body) == 10  # natural length: the metric's
    lrs = [float(r[1]) for r in body]
    assert lrs == pytest.approx([0.1] * 5 + [0.01] * 3 + [0.001] * 2)


def test_plateau_without_metric_uses_synthetic_curve(cli, tmp_path):
    """plateau with no --metric still shows cuts, on the built-in synthetic loss."""
    out = tmp_path / "p.csv"
    assert cli("plateau", "--out", out).code == 0
    lrs = [float(r[1]) for r in read_csv(out)[1]]
    assert lrs[0] == 0.1 and min(lrs) < 0.1


def test_list_and_describe(cli):
    """list shows every family; describe shows the formula, parameters and defaults."""
    listing = cli("list")
    assert listing.code == 0
    for defn in lrplot.all_definitions("family"):
        assert defn.name in listing.out
    info = cli("describe", "cosine")
    assert info.code == 0
    assert "min_lr + (lr−min_lr)·½(1+cos(π·min(t,ds)/ds))" in info.out
    assert "decay_steps" in info.out and "steps left after warmup" in info.out


def test_family_help_is_generated_from_parameters(cli):
    """Each family subcommand's --help lists its parameters with allowed values."""
    result = cli("cyclic", "--help")
    assert result.code == 0
    for option in ("--base-lr", "--max-lr", "--step-size", "--mode", "--warmup", "--out"):
        assert option in result.out
    assert "triangular2" in result.out


def flat(text: str) -> str:
    """Help text with the box drawing and line wrapping taken out."""
    return " ".join(text.replace("│", " ").split())


def test_help_shows_allowed_values_defaults_and_formula(cli):
    """Help is rich markup: bracketed text such as "[a number ≥ 0; default: 0.1]" or the
    formula's "values[i]" must be shown, not swallowed as a markup tag."""
    cosine = flat(cli("cosine", "--help").out)
    assert "[a number ≥ 0; default: 0.1]" in cosine
    assert "[an integer ≥ 1; default: steps left after warmup]" in cosine
    assert "[one of linear, cosine, exponential, power; default: linear]" in cosine
    assert "[default: the schedule's natural length, else 100; at most 100_000_000]" in cosine
    piecewise = flat(cli("piecewise", "--help").out)
    assert "values[i] for boundaries[i-1] < t ≤ boundaries[i]" in piecewise
    assert "metric[t] is observed after step t" in flat(cli("plateau", "--help").out)


def test_python_m_and_entry_point(tmp_path):
    """The installed `lrplot` script and `python -m lrplot` both run the main job."""
    out = tmp_path / "lr.csv"
    script = shutil.which("lrplot", path=os.path.dirname(sys.executable)) or shutil.which(
        "lrplot")
    assert script, "the lrplot console script is not installed"
    for command in ([script], [sys.executable, "-m", "lrplot"]):
        out.unlink(missing_ok=True)
        done = subprocess.run([*command, "cosine", "--warmup", "5", "--out", str(out)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert out.read_text().splitlines()[6].startswith("5,0.1")


CONFIGS = os.path.join(os.path.dirname(__file__), os.pardir, "configs")


@pytest.mark.parametrize("args", [
    ["list"], ["describe", "wsd"], ["describe", "torch.OneCycleLR"],
    ["plot", "noam:d_model=512,warmup_steps=10"], ["wsd", "--steps", "50"], ["--help"],
    ["compare", "cosine", "onecycle", "--steps", "50"],
    ["compare", "cosine", "--vary", "min_lr=0,0.01", "--out", "-"],
    ["simulate", "constant:lr=0.2", "--steps", "5", "--out", "-"],
    ["plot", os.path.join(CONFIGS, "resnet50_step_decay.toml"), "--out", "-"],
    ["gallery", "{tmp}", "--configs", CONFIGS],
])
def test_entry_point_commands(args, tmp_path):
    """Every command works through the installed entry point."""
    script = shutil.which("lrplot", path=os.path.dirname(sys.executable)) or "lrplot"
    args = [a.format(tmp=tmp_path) for a in args]
    done = subprocess.run([script, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 0, done.stderr
    assert (done.stdout + done.stderr).strip()
    if args[0] == "gallery":
        assert (tmp_path / "README.md").exists() and list(tmp_path.glob("*.png"))


# ---- bad input: exit 2, one line, nothing written ----------------------------------


@pytest.mark.parametrize("args,needle", [
    (["plot", "cosin"], "unknown schedule 'cosin' (did you mean cosine"),
    (["plot", "cosine:decay=5"], "unknown parameter 'decay'; did you mean decay_steps"),
    (["plot", "cosine:lr=abc"], "lr must be a number ≥ 0, got 'abc'"),
    (["plot", "cosine:lr=nan"], "lr must be a number ≥ 0, got nan (must be finite)"),
    (["plot", "cosine:lr=inf"], "(must be finite)"),
    (["plot", "cosine:lr=-1"], "lr must be a number ≥ 0, got -1"),
    (["plot", "step:step_size=2.5"], "step_size must be an integer ≥ 1, got 2.5"),
    (["plot", "step"], "missing required parameter step_size"),
    (["plot", "cosine:lr"], "has no value"),
    (["plot", "multistep:milestones=[1,2"], "unclosed '['"),
    (["plot", "cyclic:base_lr=1,max_lr=0.1,step_size=5"], "max_lr must be ≥ base_lr"),
    (["plot", "piecewise:boundaries=[10],values=[1]"], "one more entry than boundaries"),
    (["plot", "onecycle:total_steps=3"], "leaves a phase empty"),
    (["plot", "wsd:total_steps=10,decay_steps=20"], "decay_steps=20 must be ≤ total_steps"),
    (["plot", "cyclic:mode=sawtooth,base_lr=0,max_lr=1,step_size=2"],
     "mode must be one of triangular, triangular2, exp_range"),
    (["plot", "nope.Thing"], "unknown framework 'nope'"),
    (["cosine", "--lr", "abc"], "cosine: lr must be a number ≥ 0, got 'abc'"),
    (["step", "--step-size", "ten"], "step: step_size must be an integer ≥ 1, got 'ten'"),
    (["cosine", "--lr", "-0.5"], "lr must be a number ≥ 0, got -0.5"),
    (["cosine", "--bogus", "1"], "No such option: --bogus"),
    (["cosine", "--warmup-shape", "square"], "--warmup-shape"),
    (["cosine", "--steps", "0"], "--steps must be an integer in [1, 100000000], got 0"),
    (["cosine", "--steps", "1000000000000"], "--steps must be an integer in [1, 100000000]"),
    (["exponential", "--decay-rate", "1e300", "--steps", "1000"], "not finite at step"),
    (["plot"], "Missing argument"),
    (["describe", "nosuch"], "unknown schedule 'nosuch'"),
    (["frobnicate"], "No such command"),
    ([], "no command given"),
    (["cosine", "--lr", "nan"], "cosine: lr must be a number ≥ 0, got nan (must be finite)"),
    (["cosine", "--lr", "inf"], "cosine: lr must be a number ≥ 0, got inf (must be finite)"),
    (["cosine", "--warmup", "-1"], "cosine: warmup must be an integer ≥ 0, got -1"),
    (["cosine", "--warmup", "2.5"], "warmup must be an integer ≥ 0, got 2.5"),
    (["cosine", "--warmup", "100"], "cosine: warmup=100 leaves none of the default 100 steps"),
    (["multistep", "--milestones", "30,x"], "milestones must be a list of integers"),
    (["cosine", "--steps", "-5"], "--steps must be an integer in [1, 100000000], got -5"),
    (["step", "--step-size", "1000000000"],
     "step:step_size=1000000000: its natural length is 4000000000 steps, over the limit"),
    (["cosine", "--steps", "abc"], "'--steps'"),
    (["cosine", "--lr"], "'--lr' requires an argument"),
    (["plot", "cosine", "--steps-per-epoch", "0"], "--steps-per-epoch must be an integer ≥ 1"),
    (["plot", "cosine:warmup_shape=exponential,warmup=5"], "warmup_start must be > 0"),
    (["list", "extra"], "unexpected extra argument"),
    (["polynomial", "--cycle", "true"],
     "--cycle is a switch and takes no value: write --cycle for yes, --no-cycle for no"),
    (["exponential", "--no-staircase", "0"], "--no-staircase is a switch and takes no value"),
    (["describe"], "Missing argument"),
])
def test_bad_input_exits_2_with_one_line(cli, args, needle):
    """Each kind of bad input: status 2, exactly one stderr line naming what is wrong."""
    result = cli(*args)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert needle in lines[0]
    assert "Traceback" not in result.err


def test_bad_metric_files(cli, tmp_path):
    """Missing, empty, non-numeric and ambiguous metric files are named in the error."""
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    text = tmp_path / "bad.txt"
    text.write_text("0.5\nfoo\n")
    wide = tmp_path / "wide.csv"
    wide.write_text("a,b\n1,2\n")
    nan = tmp_path / "nan.csv"
    nan.write_text("step,loss\n0,1.0\n1,nan\n")
    header_only = tmp_path / "header.csv"
    header_only.write_text("step,loss\n")
    folder = tmp_path / "logs"
    folder.mkdir()
    plain = tmp_path / "plain.txt"
    plain.write_text("1\n2\n")
    cases = [(tmp_path / "missing.csv", "no such file"), (empty, "is empty"),
             (text, "line 2 has 'foo'"), (wide, "name the column"),
             (f"{wide}:c", "no column 'c'"), (nan, "line 3 has 'nan' where a finite number"),
             (header_only, "has a header but no values"), (folder, "is a directory"),
             (f"{plain}:3", "column '3' must be an index below 1")]
    for path, needle in cases:
        result = cli("plateau", "--metric", str(path))
        assert result.code == 2 and needle in result.err and str(path).split(":")[0] \
            in result.err, (path, result.err)
        assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize("out,needle", [
    ("lr.txt", "unknown extension '.txt'; allowed: .png .svg .pdf .csv .json"),
    ("lr", "no extension"),
    ("nodir/lr.png", "does not exist"),
    ("lr.docx", "unknown extension '.docx'"),
])
def test_bad_out_paths(cli, tmp_path, out, needle):
    """Unknown extensions and missing directories are refused before any work."""
    result = cli("cosine", "--out", str(tmp_path / out))
    assert result.code == 2 and needle in result.err
    assert list(tmp_path.iterdir()) == []


def test_out_path_that_is_a_directory(cli, tmp_path):
    """A directory given as --out is refused by name; it is left as it was."""
    folder = tmp_path / "plots.png"
    folder.mkdir()
    result = cli("cosine", "--out", folder)
    assert result.code == 2
    assert result.err.strip() == f"lrplot: error: --out {folder}: is a directory; give a file name"
    assert folder.is_dir() and list(folder.iterdir()) == []


# One of each error class, run through the installed script: status 2, one stderr line, no
# traceback and nothing written to the working directory.
ENTRY_POINT_ERRORS = [
    ([], "no command given"),
    (["nosuch"], "No such command 'nosuch'"),
    (["cosine", "--bogus", "1"], "No such option: --bogus"),
    (["cosine", "--lr", "abc"], "cosine: lr must be a number ≥ 0, got 'abc'"),
    (["cosine", "--lr", "nan"], "(must be finite)"),
    (["cosine", "--warmup", "-1"], "cosine: warmup must be an integer ≥ 0, got -1"),
    (["cosine", "--steps", "0"], "--steps must be an integer in [1, 100000000], got 0"),
    (["cosine", "--steps", "10000000000"], "--steps must be an integer in [1, 100000000]"),
    (["cosine", "--out", "lr.txt"], "unknown extension '.txt'"),
    (["cosine", "--out", "missing/lr.png"], "does not exist"),
    (["plateau", "--metric", "missing.csv"], "metric file missing.csv: no such file"),
    (["plot"], "Missing argument"),
    (["plot", "cosine:decay=5"], "unknown parameter 'decay'"),
    (["plot", "cosine:lr=inf", "--out", "lr.csv"], "(must be finite)"),
    (["compare", "cosine"], "compare needs at least two schedules"),
    (["simulate", "cosine:lr=-1"], "lr must be a number ≥ 0, got -1"),
    (["describe", "nosuch"], "unknown schedule 'nosuch'"),
    (["list", "extra"], "unexpected extra argument"),
    (["polynomial", "--cycle", "true"],
     "--cycle is a switch and takes no value: write --cycle for yes, --no-cycle for no"),
    (["exponential", "--no-staircase", "0"], "--no-staircase is a switch and takes no value"),
]


@pytest.mark.parametrize("args,needle", ENTRY_POINT_ERRORS,
                         ids=[" ".join(a) or "(no args)" for a, _ in ENTRY_POINT_ERRORS])
def test_entry_point_errors(args, needle, tmp_path):
    """Bad input through the real `lrplot` script: exit 2 and exactly one line."""
    script = shutil.which("lrplot", path=os.path.dirname(sys.executable)) or "lrplot"
    done = subprocess.run([script, *args], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], done.stderr
    assert lines[0].startswith("lrplot")
    assert list(tmp_path.iterdir()) == []


def test_entry_point_file_errors(tmp_path):
    """Malformed config and metric files, and a missing gallery folder, through the real
    script: exit 2, one line naming the file, nothing written."""
    inputs, work = tmp_path / "inputs", tmp_path / "work"
    inputs.mkdir()
    work.mkdir()
    config = inputs / "bad.toml"
    config.write_text("[[schedule]\nname=")
    metric = inputs / "loss.csv"
    metric.write_text("step,loss\n0,1.0\n1,oops\n")
    script = shutil.which("lrplot", path=os.path.dirname(sys.executable)) or "lrplot"
    cases = [
        (["plot", str(config), "--out", "lr.csv"], f"{config}: invalid TOML"),
        (["plateau", "--metric", f"{metric}:loss", "--out", "lr.csv"],
         f"metric file {metric}: line 3 has 'oops'"),
        (["gallery", "out", "--configs", str(inputs / "nope")], "no such directory"),
    ]
    for args, needle in cases:
        done = subprocess.run([script, *args], capture_output=True, text=True, timeout=120,
                              cwd=work)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1 and needle in lines[0], done.stderr
        assert list(work.iterdir()) == []


def test_unwritable_directory(cli, tmp_path):
    """An unwritable directory is refused by name (as root, where permissions do not
    stop us, a kernel directory that refuses new files stands in)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        target = locked / "lr.csv"
        if os.access(locked, os.W_OK):
            target = "/sys/lrplot-cannot-write-here.csv"
        result = cli("cosine", "--out", str(target))
        assert result.code == 2
        assert f"--out {target}: " in result.err
        assert "not writable" in result.err or "cannot write" in result.err
        assert len(result.err.strip().splitlines()) == 1
        assert not os.path.exists(target)
    finally:
        locked.chmod(0o700)


def test_failed_command_leaves_existing_files_untouched(cli, tmp_path):
    """A command that fails keeps the previous outputs byte for byte, and leaves no temp."""
    good, bad = tmp_path / "lr.csv", tmp_path / "lr.txt"
    good.write_text("old contents\n")
    result = cli("cosine", "--out", good, "--out", bad)
    assert result.code == 2
    assert good.read_text() == "old contents\n"
    result = cli("exponential", "--decay-rate", "1e300", "--steps", "2000", "--out", good)
    assert result.code == 2
    assert good.read_text() == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lr.csv"]


def test_output_written_atomically_when_rendering_fails(tmp_path, monkeypatch):
    """If a renderer fails half-way, no partial file appears and old files stay."""
    from lrplot.render import files as output

    target = tmp_path / "x.csv"
    target.write_text("old\n")

    def half(handle):
        handle.write(b"step,lr\n0,0.1\n")
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError):
        output.write_all([(str(tmp_path / "new.csv"), lambda h: h.write(b"ok\n")),
                          (str(target), half)])
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]
