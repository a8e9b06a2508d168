"""The documentation cannot drift: its examples run, its tables match the registry.

Every ``$ lrplot ...`` line in README.md and every ``lrplot ...`` line in a code block of
gallery/README.md is run in a scratch directory holding a copy of ``configs/``; it must exit
0, or, when the README shows what it prints (the error example), print exactly that.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import typer

from lrplot import families
from lrplot.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GALLERY_README = ROOT / "gallery" / "README.md"


def _blocks(text: str) -> list[list[str]]:
    """The lines of each fenced code block."""
    return [block.splitlines() for block in re.findall(r"^```[^\n]*\n(.*?)^```", text,
                                                     flags=re.M | re.S)]


def _examples(path: Path, prompt: str) -> list[tuple[str, list[str]]]:
    """(command, the lines shown after it) for each example in *path*'s code blocks."""
    found = []
    for lines in _blocks(path.read_text(encoding="utf-8")):
        for i, line in enumerate(lines):
            if not line.startswith(prompt + "lrplot "):
                continue
            shown = []
            for after in lines[i + 1:]:
                if after.startswith(prompt + "lrplot ") or not prompt:
                    break
                shown.append(after)
            found.append((line[len(prompt):], shown))
    return found


README_EXAMPLES = _examples(README, "$ ")
GALLERY_EXAMPLES = _examples(GALLERY_README, "")


@pytest.fixture(name="scratch")
def _scratch(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    (tmp_path / "gallery").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_examples_are_found():
    """The extraction sees the documented examples (else the tests below prove nothing)."""
    commands = [command for command, _ in README_EXAMPLES]
    assert "lrplot cosine --warmup 5 --out lr.png" in commands
    assert any(shown for _, shown in README_EXAMPLES)  # the error example and its line
    configs = [p for p in (ROOT / "configs").iterdir()
               if p.suffix in (".toml", ".json", ".yaml", ".yml", ".py", ".sh")]
    assert len(GALLERY_EXAMPLES) == len(configs)


@pytest.mark.parametrize(("command", "shown"), README_EXAMPLES + GALLERY_EXAMPLES,
                         ids=[c for c, _ in README_EXAMPLES + GALLERY_EXAMPLES])
def test_documented_example_runs(cli, scratch, command, shown):
    result = cli(*shlex.split(command, comments=True)[1:])
    if shown and shown[0].startswith("lrplot: error:"):
        assert result.code == 2
        assert result.err.splitlines() == shown
    else:
        assert result.code == 0, result.err
        for written in re.findall(r"--out (\S+)", command.split("#")[0]):
            if written != "-":
                assert (scratch / written).stat().st_size > 0, written


def _family_table() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Families", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_0-9]+)` \|", section, flags=re.M)


def test_the_family_table_is_the_registry():
    """README's Families table lists every canonical family once, in definition order."""
    assert _family_table() == [definition.name for definition in families.DEFINITIONS]


COMMANDS = sorted(name for name, command in typer.main.get_command(app).commands.items()
                  if not command.hidden)


def test_every_family_is_a_command():
    assert {d.name for d in families.DEFINITIONS} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(cli, command):
    result = cli(command, "--help")
    assert result.code == 0, result.err
    assert "Usage" in result.out and len(result.out.splitlines()) > 3


def test_the_python_api_example_runs(scratch, capsys):
    """README's Python API block, run as written; what it writes is checked after."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Python API", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"^```python\n(.*?)^```", section, flags=re.M | re.S)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md (Python API)", "exec"), namespace)
    from matplotlib.figure import Figure

    assert isinstance(namespace["fig"], Figure)
    assert len(namespace["lr"]) == 1000  # type: ignore[arg-type]
    for written in ("lr.png", "lr.csv", "sim.png"):
        assert (scratch / written).stat().st_size > 0
    rows = (scratch / "lr.csv").read_text().splitlines()
    assert rows[0].startswith("step,cosine:warmup=5,")
    assert "cosine:warmup=5" in capsys.readouterr().out
