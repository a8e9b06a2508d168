"""Robustness: any input either works (exit 0, a complete file) or fails cleanly (exit 2, one
stderr line, no traceback), and no output file is ever left half-written — not on bad
input, not when the writer fails mid-way, not when the process is interrupted."""

from __future__ import annotations

import contextlib
import csv
import errno
import glob
import io
import math
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest
from catalogue_values import extreme_value, typical_value
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lrplot import registry as catalogue
from lrplot.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPS = 20  # every fuzzed run is short: the point is the input, not the length
PREVIOUS = b"previous contents\n"
FUZZ = settings(max_examples=int(os.environ.get('FUZZ_EXAMPLES', '60')), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

DEFINITIONS = catalogue.all_definitions()
NAMES = [d.name for d in DEFINITIONS]
FAMILIES = catalogue.all_definitions(kind="family")


def run(args: list[str]) -> tuple[int, str, str]:
    with contextlib.redirect_stdout(io.StringIO()) as out, \
            contextlib.redirect_stderr(io.StringIO()) as err:
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def check_outcome(argv_before_out: list[str], *, fmt: str = "csv", previous: bool = False,
                  argv_after_out: tuple[str, ...] = ()) -> int:
    """Run ``lrplot ARGS --out DIR/x.FMT ...`` in a fresh folder and check the contract."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"x.{fmt}")
        if previous:
            with open(path, "wb") as handle:
                handle.write(PREVIOUS)
        code, _, err = run([*argv_before_out, "--out", path, *argv_after_out])
        assert "Traceback" not in err
        assert code in (0, 2), (code, err)
        leftovers = [name for name in os.listdir(folder) if name != f"x.{fmt}"]
        assert not leftovers, f"temporary files left behind: {leftovers}"
        if code == 2:
            assert err.endswith("\n") and err.count("\n") == 1, repr(err)
            assert err.startswith("lrplot") and ": error: " in err, repr(err)
            if previous:
                with open(path, "rb") as handle:
                    assert handle.read() == PREVIOUS
            else:
                assert not os.path.exists(path)
        else:
            assert_complete(path, fmt)
        return code


def assert_complete(path: str, fmt: str) -> None:
    with open(path, encoding="ascii") as handle:
        text = handle.read()
    if fmt == "json":
        import json

        doc = json.loads(text)
        assert all(len(s["lr"]) == doc["steps"] for s in doc["schedules"])
        return
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "step" and len(rows) >= 2
    assert [int(r[0]) for r in rows[1:]] == list(range(len(rows) - 1))
    assert all(math.isfinite(float(cell)) and float(cell) >= 0
               for row in rows[1:] for cell in row[1:])


# ---- spec strings --------------------------------------------------------------------------


@FUZZ
@given(spec=st.text(max_size=40), fmt=st.sampled_from(["csv", "json"]),
       previous=st.booleans())
def test_random_spec_text(spec, fmt, previous):
    code = check_outcome(["plot", "--steps", str(STEPS)], fmt=fmt, previous=previous,
                         argv_after_out=("--", spec))
    event(f"exit {code}")


# Brackets, digits and separators only: deep lists, huge numbers, unbalanced nesting.
HOSTILE_VALUE = st.text(alphabet="[[[]]],,=9999e-.", min_size=1, max_size=300)


@FUZZ
@given(name=st.sampled_from(["multistep", "piecewise", "step", "cosine"]),
       key=st.sampled_from(["milestones", "boundaries", "values", "step_size", "lr"]),
       value=HOSTILE_VALUE | st.integers(0, 400).map(lambda digits: "9" * digits))
def test_hostile_spec_values(name, key, value):
    check_outcome(["plot", "--steps", str(STEPS)], argv_after_out=("--", f"{name}:{key}={value}"))


def _mangle(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from([name, name.upper(), name.replace("_", "-"), name[:-1], name + "x",
                            " " + name + " ", name.replace(".", ":")])


VALUE_TEXT = st.one_of(
    st.sampled_from(["0", "-1", "1e-3", "1e999", "-1e999", "nan", "inf", "-inf", "none",
                     "true", "false", "[]", "[1,2", "1,2]", "[[1]]", "[1,[2,3]]", "1_000",
                     "0x10", "1e", ".", "[30,60,90]", "[0.1,0.01,0.001]", "cos", "linear",
                     "exp_range", "1.5", "10", "100", "0.5", "2", "3", "="]),
    st.integers(-(10**12), 10**12).map(str),
    st.floats().map(repr),
    st.text(alphabet="0123456789.,-+e[]=: abc", max_size=10),
)


def show(value) -> str:
    """A value as spec text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(show(v) for v in value) + "]"
    return value if isinstance(value, str) else repr(value)


@st.composite
def near_valid_spec(draw) -> str:
    """Mostly right: a real name, its required parameters, then a few edits that may break it."""
    defn = draw(st.sampled_from(DEFINITIONS))
    name = draw(st.sampled_from([defn.name] * 4) | _mangle(defn.name))
    items = [f"{p.name}={show(typical_value(p))}" for p in defn.params
             if p.required and draw(st.integers(0, 9)) > 0]
    keys = [p.name for p in defn.params] + ["lr", "steps", "warm_up", "x", "", "1a", "lr "]
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(keys))
        p = defn.param(key)
        if p is not None and draw(st.booleans()):
            items.append(f"{key}={show(draw(extreme_value(p)))}")
            continue
        key = draw(st.sampled_from([key, key.replace("_", "-"), key.upper()]))
        value = draw(VALUE_TEXT)
        items.append(draw(st.sampled_from([f"{key}={value}"] * 3 + [key, f"{key}=",
                                                                     f"={value}"])))
    separator = draw(st.sampled_from([":"] * 6 + ["::", " : ", ""]))
    return name + (separator + ",".join(items) if items or separator else "")


@FUZZ
@given(specs=st.lists(near_valid_spec(), min_size=1, max_size=3),
       fmt=st.sampled_from(["csv", "json"]), previous=st.booleans())
def test_near_valid_specs(specs, fmt, previous):
    code = check_outcome(["plot", "--steps", str(STEPS)], fmt=fmt, previous=previous,
                         argv_after_out=("--", *specs))
    event(f"exit {code}")


@settings(max_examples=30, deadline=None)
@given(spec=near_valid_spec())
def test_near_valid_specs_also_fail_cleanly_as_a_table(spec):
    code, out, err = run(["plot", "--steps", str(STEPS), "--", spec])
    assert code in (0, 2) and "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1 and ": error: " in err
    else:
        assert "step" in out


# ---- typed options of the generated family subcommands --------------------------------------


@st.composite
def family_command(draw) -> list[str]:
    defn = draw(st.sampled_from(FAMILIES))
    argv = [defn.name]
    for p in defn.params:
        if p.required:
            argv += [p.option, str(typical_value(p)).replace(" ", "")]
    for _ in range(draw(st.integers(1, 4))):
        option = draw(st.sampled_from(
            [p.option for p in defn.params] + ["--steps-per-epoch", "--title", "--log",
                                               "--bogus"]))
        value = draw(VALUE_TEXT | st.text(max_size=12))
        form = draw(st.sampled_from(["split", "equals"]))
        argv += [option, value] if form == "split" else [f"{option}={value}"]
    return argv


@FUZZ
@given(argv=family_command(), fmt=st.sampled_from(["csv", "json"]), previous=st.booleans())
def test_random_option_values_for_family_subcommands(argv, fmt, previous):
    event(f"exit {check_outcome([*argv, '--steps', str(STEPS)], fmt=fmt, previous=previous)}")


@FUZZ
@given(steps=VALUE_TEXT | st.text(max_size=8), per_epoch=VALUE_TEXT | st.text(max_size=8))
def test_random_steps_and_epoch_values(steps, per_epoch):
    try:
        if int(steps) > 10_000:
            return  # a valid but long run is not what this test is about
    except ValueError:
        pass
    event(f"exit {check_outcome(['cosine', f'--steps={steps}', f'--steps-per-epoch={per_epoch}'])}")


# ---- metric files -----------------------------------------------------------------------------

CELL = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["", " ", "loss", "val_loss", "step", "nan", "1e999", "\"1,5\"", "-"]),
    st.text(max_size=5),
)


@st.composite
def metric_csv(draw) -> bytes:
    width = draw(st.integers(1, 3))
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=25))
    if draw(st.booleans()):
        rows.insert(0, draw(st.lists(st.sampled_from(["step", "loss", "val_loss", "epoch",
                                                      "acc", ""]),
                                     min_size=width, max_size=width)))
    return "\n".join(",".join(row) for row in rows).encode()


@FUZZ
@given(content=st.binary(max_size=200) | metric_csv(),
       column=st.none() | st.sampled_from(["loss", "val_loss", "0", "1", "7", "", "x:y"]),
       command=st.sampled_from([["plateau"], ["plot", "plateau:patience=1"]]))
def test_random_metric_files(content, column, command):
    with tempfile.TemporaryDirectory() as folder:
        metric = os.path.join(folder, "metric.csv")
        with open(metric, "wb") as handle:
            handle.write(content)
        arg = metric if column is None else f"{metric}:{column}"
        event(f"exit {check_outcome([*command, '--steps', str(STEPS), '--metric', arg])}")


def test_missing_and_directory_metric_files_fail_cleanly(tmp_path):
    for arg in (tmp_path / "absent.csv", tmp_path, f"{tmp_path}:loss"):
        check_outcome(["plateau", "--steps", str(STEPS), "--metric", str(arg)])


# ---- failures while writing -------------------------------------------------------------------


def _fail_after_first_chunk(monkeypatch, exception: BaseException) -> None:
    from lrplot.render import data

    original = data.csv_rows
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise exception
        return original(*args, **kwargs)

    monkeypatch.setattr(data, "csv_rows", flaky)


STEPS_OVER_TWO_CHUNKS = "200000"  # > 2 × ROWS_PER_CHUNK, so the writer fails mid-file


@pytest.mark.parametrize("previous", [True, False])
def test_disk_full_mid_write_is_one_line_and_no_partial_file(monkeypatch, tmp_path, cli,
                                                             previous):
    _fail_after_first_chunk(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    out = tmp_path / "x.csv"
    if previous:
        out.write_bytes(PREVIOUS)
    result = cli("cosine", "--steps", STEPS_OVER_TWO_CHUNKS, "--out", out)
    assert result.code == 2
    assert result.err == f"lrplot: error: --out {out}: cannot write (No space left on " \
                         "device)\n"
    assert os.listdir(tmp_path) == (["x.csv"] if previous else [])
    if previous:
        assert out.read_bytes() == PREVIOUS


def test_interrupt_mid_write_keeps_the_previous_file(monkeypatch, tmp_path, cli):
    _fail_after_first_chunk(monkeypatch, KeyboardInterrupt())
    out = tmp_path / "x.csv"
    out.write_bytes(PREVIOUS)
    result = cli("cosine", "--steps", STEPS_OVER_TWO_CHUNKS, "--out", out)
    assert result.code == 130
    assert "Traceback" not in result.err
    assert os.listdir(tmp_path) == ["x.csv"] and out.read_bytes() == PREVIOUS


def test_a_bug_in_a_writer_still_leaves_no_partial_file(monkeypatch, tmp_path):
    _fail_after_first_chunk(monkeypatch, RuntimeError("bug"))
    out = tmp_path / "x.csv"
    with pytest.raises(RuntimeError, match="bug"):
        main(["cosine", "--steps", STEPS_OVER_TWO_CHUNKS, "--out", str(out)])
    assert os.listdir(tmp_path) == []


def test_a_failing_second_output_leaves_the_first_untouched(monkeypatch, tmp_path, cli):
    _fail_after_first_chunk(monkeypatch, OSError(errno.EIO, "Input/output error"))
    first, second = tmp_path / "a.json", tmp_path / "b.csv"
    first.write_bytes(PREVIOUS)
    result = cli("cosine", "--steps", STEPS_OVER_TWO_CHUNKS, "--out", first, "--out", second)
    assert result.code == 2 and result.err.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == ["a.json"] and first.read_bytes() == PREVIOUS


# ---- a real process, killed while it writes ---------------------------------------------------


def _default_sigint() -> None:
    # A shell that runs us in the background ignores SIGINT, and children inherit that;
    # put the default back so Python turns SIGINT into KeyboardInterrupt as in a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT,
                                 signal.SIGUSR1], ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize("previous", [True, False], ids=["previous", "fresh"])
def test_killed_during_a_large_csv_write(tmp_path, sig, previous):
    out = tmp_path / "big.csv"
    if previous:
        out.write_bytes(PREVIOUS)
    env = {**os.environ, "PYTHONPATH": ROOT}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lrplot", "cosine", "--steps", "20000000", "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
        preexec_fn=_default_sigint)
    deadline = time.monotonic() + 120
    try:
        while True:  # wait until the temporary file is being written
            parts = glob.glob(str(tmp_path / ".big.csv.*.part"))
            if parts and os.path.getsize(parts[0]) > 0:
                break
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "the write never started"
            time.sleep(0.02)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + sig, err  # 130 for Ctrl-C, 143 for SIGTERM, ...
    assert b"Traceback" not in err
    assert err.count(b"\n") <= 1
    assert os.listdir(tmp_path) == (["big.csv"] if previous else [])
    if previous:
        assert out.read_bytes() == PREVIOUS
