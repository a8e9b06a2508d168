"""Shared fixtures: run the CLI in-process and capture what a user would see."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

# Rich must not decorate output the tests parse; a wide terminal keeps tables on one line.
os.environ.setdefault("NO_COLOR", "1")
os.environ.setdefault("COLUMNS", "140")
os.environ.setdefault("TERM", "dumb")
# Keras computes float64 schedules only on its torch backend (tests/test_parity_keras.py);
# set before any test imports keras, so every test sees the same backend.
os.environ.setdefault("KERAS_BACKEND", "torch")


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(name="cli")
def _cli(capsys):
    """Run ``lrplot ARGS...`` in-process; returns exit code, stdout and stderr."""
    from lrplot.cli import main

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
