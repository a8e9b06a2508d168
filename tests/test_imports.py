"""Data-only paths never import matplotlib (it costs half a second at start-up)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from lrplot.cli import main
code = main({args!r})
heavy = sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')
print('MODULES', ','.join(heavy))
sys.exit(code)
"""


def imported_matplotlib(args: list[str], cwd) -> bool:
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True,
                          text=True, cwd=cwd, timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES"))
    return bool(line.split(" ", 1)[1].strip())


@pytest.mark.parametrize("args", [
    ["list"],
    ["describe", "cosine"],
    ["cosine", "--warmup", "5", "--out", "lr.csv"],
    ["plot", "cosine:warmup=5", "onecycle", "--out", "lr.json"],
    ["cosine", "--warmup", "5"],
    ["plot", "cosine", "--out", "-"],
    ["plateau", "--out", "p.csv"],
    ["plot", "torch.OneCycleLR:max_lr=0.1,total_steps=100", "--out", "-"],
    ["compare", "cosine", "onecycle"],
])
def test_data_paths_do_not_import_matplotlib(args, tmp_path):
    """list, describe, CSV, JSON, stdout and the table leave matplotlib unimported."""
    assert not imported_matplotlib(args, tmp_path)


def test_figures_do_import_matplotlib(tmp_path):
    """The probe works: drawing a PNG does import matplotlib."""
    assert imported_matplotlib(["cosine", "--out", "lr.png"], tmp_path)
