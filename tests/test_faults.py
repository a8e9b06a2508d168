"""Hostile inputs and a hostile process environment: exit 2 with one line, or success, never
a traceback, never a hang, never a damaged or half-written file.

Streams, pipes and the environment are tried on a real ``python -m lrplot`` process (what a
shell does to it cannot be faked in-process); inputs and outputs through the in-process CLI.
Every subprocess has a timeout, so a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREVIOUS = b"previous contents\n"
HANG = 30  # seconds: far beyond any of these commands, short of stalling CI


def lrplot(*args: str, env: dict[str, str] | None = None, **popen) -> subprocess.Popen:
    full_env = {**os.environ, "PYTHONPATH": ROOT, **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "lrplot", *args], env=full_env,
                            stderr=subprocess.PIPE, **popen)


def finished(proc: subprocess.Popen) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=HANG)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err.decode("utf-8", "replace")


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("lrplot: error: ") and "Traceback" not in err


# ---- inputs that are not regular files --------------------------------------------------


@pytest.mark.parametrize("args", [
    ["plot", "{fifo}.toml"],
    ["plot", "{fifo}.json"],
    ["plateau", "--metric", "{fifo}.csv"],
    ["plateau", "--metric", "/dev/zero"],
])
def test_special_files_as_inputs_are_refused_without_blocking(tmp_path, args):
    fifo = str(tmp_path / "pipe")
    for suffix in (".toml", ".json", ".csv"):
        os.mkfifo(fifo + suffix)  # opening one for reading would block until a writer comes
    argv = [a.format(fifo=fifo) for a in args]
    code, err = finished(lrplot(*argv, "--out", str(tmp_path / "o.csv")))
    assert code == 2 and one_line(err), err
    assert "not a regular file" in err
    assert not (tmp_path / "o.csv").exists()


# ---- outputs -----------------------------------------------------------------------------


def _config_with_metric(tmp_path):
    (tmp_path / "m.csv").write_text("loss\n1\n1\n1\n1\n1\n")
    config = tmp_path / "c.json"
    config.write_text('{"metric": "m.csv", "schedule": [{"name": "plateau", "patience": 1}]}')
    return config


@pytest.mark.parametrize(("args", "out"), [
    (["plot", "{dir}/c.json"], "{dir}/c.json"),  # the config itself
    (["plot", "{dir}/c.json"], "{dir}/m.csv"),  # the metric log the config names
    (["plateau", "--metric", "{dir}/m.csv"], "{dir}/./m.csv"),  # --metric, another spelling
    (["plot", "{dir}/c.json"], "{dir}/link.json"),  # through a symlink to the config
])
def test_an_output_never_replaces_an_input(cli, tmp_path, args, out):
    config = _config_with_metric(tmp_path)
    (tmp_path / "link.json").symlink_to(config)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    result = cli(*[a.format(dir=tmp_path) for a in args], "--out", out.format(dir=tmp_path))
    assert result.code == 2 and one_line(result.err), result.err
    assert "is an input of this command" in result.err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_a_keras_json_input_is_not_an_output(cli, tmp_path):
    path = tmp_path / "k.json"
    text = ('{"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, '
            '"decay_steps": 10, "decay_rate": 0.5}}')
    path.write_text(text)
    result = cli("plot", path, "--out", path)
    assert result.code == 2 and "is an input" in result.err
    assert path.read_text() == text


def test_writing_through_a_symlink_keeps_the_link(cli, tmp_path):
    target = tmp_path / "real.csv"
    target.write_bytes(PREVIOUS)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "new.csv")
    assert cli("constant", "--steps", "3", "--out", link, "--out", dangling).code == 0
    assert link.is_symlink() and dangling.is_symlink()
    for written in (target, tmp_path / "new.csv"):
        assert written.read_text().splitlines() == ["step,lr", "0,0.1", "1,0.1", "2,0.1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.csv", "link.csv",
                                                          "new.csv", "real.csv"]


def test_outputs_that_are_not_files_are_refused(cli, tmp_path):
    os.mkfifo(tmp_path / "fifo.csv")
    (tmp_path / "dir.png").mkdir()
    for out, needle in [("fifo.csv", "not a regular file"), ("dir.png", "is a directory")]:
        result = cli("cosine", "--out", tmp_path / out)
        assert result.code == 2 and needle in result.err, result.err


def test_a_long_legal_output_name_works(cli, tmp_path):
    out = tmp_path / ("a" * 250 + ".csv")  # 254 bytes: the limit is 255
    assert cli("constant", "--steps", "2", "--out", out).code == 0
    assert out.read_text().startswith("step,lr")
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


# ---- standard output ---------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--out", "-"], []], ids=["csv", "terminal"])
def test_a_reader_that_stops_early_is_not_an_error(args):
    """`lrplot ... | head -1`, with a real pipe: exit 0 and nothing on stderr."""
    proc = lrplot("cosine", "--steps", "200000", *args, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()  # as head does once it has its lines
    code, err = finished(proc)
    assert code == 0 and err == ""


@pytest.mark.parametrize("args", [["--out", "-"], []], ids=["csv", "terminal"])
def test_stdout_on_a_full_disk_is_one_line(args):
    with open("/dev/full", "wb") as full:
        code, err = finished(lrplot("cosine", *args, stdout=full))
    assert code == 2 and one_line(err) and "No space left on device" in err, err


def test_a_closed_stdout_is_one_line_unless_nothing_is_printed(tmp_path):
    def close_stdout() -> None:
        os.close(1)

    code, err = finished(lrplot("cosine", "--out", "-", preexec_fn=close_stdout))
    assert code == 2 and one_line(err) and "standard output is closed" in err, err
    out = tmp_path / "x.csv"
    code, err = finished(lrplot("cosine", "--out", str(out), preexec_fn=close_stdout))
    assert code == 0 and err == "" and out.exists()


def test_an_ascii_terminal_gets_replacements_not_a_crash():
    proc = lrplot("describe", "cosine", stdout=subprocess.PIPE,
                  env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"})
    out, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 0, err
    assert b"cosine" in out and err == b""


# ---- environment -------------------------------------------------------------------------


def test_a_bogus_backend_and_an_unwritable_config_dir_change_nothing(tmp_path):
    out = tmp_path / "x.png"
    env = {"MPLBACKEND": "no-such-backend", "MPLCONFIGDIR": "/proc/no/such/dir",
           "HOME": "/proc/no/such/home"}
    code, err = finished(lrplot("cosine", "--out", str(out), env=env))
    assert code == 0 and err == "", err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---- values past every bound -------------------------------------------------------------


NESTED = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize(("args", "needle"), [
    (["plot", f"multistep:milestones={NESTED}"], "nests lists"),
    (["compare", "cosine", "--vary", f"min_lr={NESTED},1"], "nests lists"),
    (["plot", f"step:step_size={'9' * 400}"], "too large"),
    (["plot", f"step:step_size={'9' * 5000}"], "step_size must be"),
    (["cosine", "--steps-per-epoch", str(2**70)], "--steps-per-epoch"),
    (["simulate", "constant", "--objective", "noisy", "--seed", "-1"], "--seed"),
])
def test_absurd_command_line_values(cli, tmp_path, args, needle):
    result = cli(*args, "--out", tmp_path / "o.csv")
    assert result.code == 2 and one_line(result.err), result.err
    assert needle in result.err and len(result.err) < 400  # a 5000-digit echo is no help
    assert not (tmp_path / "o.csv").exists()


def _billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*{'a' if level == 1 else f'l{level - 1}'}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("name", "text", "needle"), [
    ("big.json", '{"schedule": [{"name": "step", "step_size": %s}]}' % ("9" * 5000),
     "too many digits"),
    ("big.yaml", "schedule:\n  - name: step\n    step_size: %s\n" % ("9" * 5000),
     "too many digits"),
    ("big.toml", '[[schedule]]\nname = "step"\nstep_size = %s\n' % ("9" * 5000),
     "too many digits"),
    ("big400.toml", '[[schedule]]\nname = "step"\nstep_size = %s\n' % ("9" * 400),
     "too large"),
    ("deep.json", "[" * 10_000 + "]" * 10_000, "nested too deeply"),
    ("laughs.yaml", _billion_laughs(), "more than 100000 values"),
])
def test_absurd_files(tmp_path, name, text, needle):
    path = tmp_path / name
    path.write_text(text)
    code, err = finished(lrplot("plot", str(path), "--out", str(tmp_path / "o.csv")))
    assert code == 2 and one_line(err) and needle in err, err
    assert len(err) < 400


def test_a_metric_field_past_the_csv_limit(cli, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("val_loss\n" + "1" * 200_000 + "\n")
    result = cli("plateau", "--metric", path, "--out", tmp_path / "o.csv")
    assert result.code == 2 and one_line(result.err), result.err
    assert "line 2" in result.err and "field larger than field limit" in result.err


# ---- successful runs print no warnings (pytest turns any warning into an error) ----------


@pytest.mark.parametrize("args", [
    ["constant", "--lr", "0", "--log", "--out", "{dir}/o.png"],
    ["constant", "--lr", "0", "--log"],
    ["compare", "constant:lr=0", "constant:lr=0", "--log", "--layout", "grid",
     "--out", "{dir}/o.png"],
])
def test_a_log_axis_with_no_positive_lr_is_one_line(cli, tmp_path, args):
    result = cli(*[a.format(dir=tmp_path) for a in args])
    assert result.code == 2 and one_line(result.err), result.err
    assert "no lr is positive" in result.err and not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("args", [
    ["compare", "constant:lr=0", "cosine", "--log", "--layout", "grid"],  # one empty panel
    ["compare", "cosine", "constant", "step:step_size=3", "--size", "1x1"],  # no room
    ["simulate", "constant:lr=0", "constant:lr=0.1", "--log"],
])
def test_awkward_but_valid_figures_draw_quietly(cli, tmp_path, args):
    out = tmp_path / "o.png"
    result = cli(*args, "--out", out)
    assert result.code == 0 and result.err == "", result.err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
