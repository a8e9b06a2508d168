"""nanoGPT config/*.py as inputs: read with ast (never run), nanoGPT's own get_lr.

nanoGPT is not a package, so the oracle is its train.py transcribed here: the defaults and
``get_lr`` at karpathy/nanoGPT @ 3adf61e154c3fe3fca428ad6bc3818b27a3b8291 : train.py, and the
warmup before commit dc81cb36 (2024-12-09, ``learning_rate * it / warmup_iters``), applied
to the values the file sets when configurator.py ``exec``s it over train.py's globals — which
the test does for real (in a namespace of its own) on fixtures that are safe to run.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import lrplot
from lrplot.inputs import nanogpt_py

RTOL = 1e-9
ROOT = Path(__file__).resolve().parent.parent
# karpathy/nanoGPT @ 3adf61e1 : train.py, "default config values".
TRAIN_DEFAULTS = {"learning_rate": 6e-4, "max_iters": 600000, "decay_lr": True,
                  "warmup_iters": 2000, "lr_decay_iters": 600000, "min_lr": 6e-5,
                  "gradient_accumulation_steps": 5 * 8, "batch_size": 12, "block_size": 1024}


def nanogpt_lrs(config_text: str, iterations: int, original: bool = False) -> list[float]:
    """train.py's lr per iteration after configurator.py exec()s *config_text* over it."""
    g = dict(TRAIN_DEFAULTS)
    exec(config_text, g)  # the test's own fixtures: exactly what nanoGPT does with them
    learning_rate, warmup_iters = g["learning_rate"], g["warmup_iters"]
    lr_decay_iters, min_lr = g["lr_decay_iters"], g["min_lr"]

    def get_lr(it):  # train.py get_lr, transcribed
        if it < warmup_iters:
            if original:  # before dc81cb36
                return learning_rate * it / warmup_iters
            return learning_rate * (it + 1) / (warmup_iters + 1)
        if it > lr_decay_iters:
            return min_lr
        decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
        assert 0 <= decay_ratio <= 1
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
        return min_lr + coeff * (learning_rate - min_lr)

    return [get_lr(it) if g["decay_lr"] else learning_rate for it in range(iterations)]


CONFIGS = {
    "shakespeare-char-style": ("learning_rate = 1e-3\nmax_iters = 5000\nlr_decay_iters = 5000\n"
                               "min_lr = 1e-4\nwarmup_iters = 100\n", 5001),
    "gpt2-style-defaults": ("batch_size = 12\nblock_size = 1024\n"
                            "gradient_accumulation_steps = 5 * 8\nmax_iters = 6000\n"
                            "lr_decay_iters = 6000\nwarmup_iters = 200\n", 6001),
    "decay-shorter-than-run": ("learning_rate = 3e-4\nmax_iters = 1200\nlr_decay_iters = 900\n"
                               "warmup_iters = 50\nmin_lr = learning_rate / 10\n", 1201),
    "constant-finetune": ("init_from = 'gpt2-xl'\nbatch_size = 1\nmax_iters = 20\n"
                          "learning_rate = 3e-5\ndecay_lr = False\n", 21),
    "names-and-arithmetic": ("warmup_iters = 2 * 50\nmax_iters = 100 * 30\n"
                             "lr_decay_iters = max_iters - 200\nlearning_rate = 6e-4 * 2\n"
                             "min_lr = 6e-5\nmax_iters += 100\n", 3101),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_the_lr_train_py_computes_from_the_same_config(tmp_path, name):
    text, updates = CONFIGS[name]
    path = tmp_path / "config.py"
    path.write_text("# a nanoGPT config\nwandb_log = False\n" + text)
    (schedule,) = lrplot.load(str(path)).schedules
    assert schedule.length == updates
    np.testing.assert_allclose(schedule.values(updates + 10),
                               nanogpt_lrs(path.read_text(), updates + 10), rtol=RTOL,
                               atol=1e-18)


def test_the_warmup_before_december_2024_is_a_spec_parameter(tmp_path, cli):
    text, updates = CONFIGS["shakespeare-char-style"]
    path = tmp_path / "config.py"
    path.write_text(text)
    result = cli("describe", path)
    spec = result.out.split("the same as: ")[1].strip()
    values = lrplot.evaluate(spec + ",warmup_formula=original", steps=updates)
    np.testing.assert_allclose(values, nanogpt_lrs(text, updates, original=True), rtol=RTOL,
                               atol=1e-18)
    assert values[0] == 0.0 and "warmup_formula=original" in result.out


def test_the_file_is_never_run(tmp_path, cli):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.py"
    path.write_text(f"import os\nwandb_run_name = os.system('touch {marker}')\n"
                    "learning_rate = 1e-3\nmax_iters = 10\nwarmup_iters = 2\n"
                    "lr_decay_iters = 10\n")
    result = cli("describe", path)
    assert result.code == 0, result.err
    assert "line 2: wandb_run_name not evaluated (it does not change the lr)" in result.out
    assert not marker.exists()


@pytest.mark.parametrize(("text", "message"), [
    ("learning_rate = float('1e-3')\n", "line 1: learning_rate = float('1e-3'): not "
     "arithmetic of literals"),
    ("import json\nlearning_rate = json.load(open('x'))['lr']\n", "line 2: learning_rate"),
    ("max_iters = run_len\n", "line 1: max_iters = run_len: not arithmetic of literals "
     "(run_len is not set before this line)"),
    ("wandb_run_name = str(3)\nmin_lr = len(wandb_run_name)\n", "line 2: min_lr"),
    ("if True:\n    learning_rate = 1\n", "line 1: `if True:"),
    ("globals()['learning_rate'] = 1\n", "line 1: "),
    ("from presets import *\n", "line 1: `from presets import *` could set any key"),
    ("learnig_rate = 1e-3\n", "line 1: learnig_rate is not a train.py setting (did you mean "
     "learning_rate?)"),
    ("max_iters = 10 / 4\n", "line 1: max_iters = 2.5: not a whole number"),
    ("decay_lr = 1\n", "line 1: decay_lr = 1: not True or False"),
    ("learning_rate = 'high'\n", "learning_rate = 'high': not a number"),
    ("learning_rate = 1 / 0\n", "line 1: learning_rate = 1 / 0: not arithmetic of literals"),
    ("max_iters = 10 ** 10 ** 10\n", "an exponent above 64"),
    ("learning_rate = 1e-3\nmax_iters =\n", "invalid Python at line 2"),
    ("warmup_iters = 100\nlr_decay_iters = 100\n", "warmup_iters = lr_decay_iters = 100: "
     "nanoGPT's get_lr divides by zero"),
    ("learning_rate = -1e-3\n", "learning_rate"),
])
def test_what_cannot_be_read_is_one_line_naming_the_line(cli, tmp_path, text, message):
    path = tmp_path / "config.py"
    path.write_text(text)
    result = cli("plot", path)
    assert result.code == 2
    assert result.err.startswith(f"lrplot: error: {path}: ") and message in result.err
    assert len(result.err.splitlines()) == 1


def test_other_statements_that_leave_the_lr_alone_are_noted():
    reading = nanogpt_py.read_config("import time\nfor i in range(3):\n    print(i)\n"
                                     "\"\"\"doc\"\"\"\nbeta2 = 0.99\n")
    assert reading.values == {"beta2": 0.99}
    assert reading.skipped == ["line 2: a For statement not evaluated (it sets none of the "
                               "lr keys)"]


def test_python_files_stay_bounded(tmp_path, cli):
    path = tmp_path / "big.py"
    path.write_bytes(b"x = 1\n" * (3 * 1024 * 1024))
    result = cli("plot", path)
    assert result.code == 2 and "over the limit" in result.err
    result = cli("plot", tmp_path / "absent.py")
    assert result.code == 2 and "no such file" in result.err
    binary = tmp_path / "bin.py"
    binary.write_bytes(b"\xff\xfe\x00")
    assert "is not UTF-8 text" in cli("plot", binary).err


def test_the_recipe_is_read(cli):
    result = cli("describe", ROOT / "configs" / "nanogpt_shakespeare_char.py")
    assert result.code == 0, result.err
    assert "min_lr = 0.0001 (line 25)" in result.out
