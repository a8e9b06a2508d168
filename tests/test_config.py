"""Config files: TOML, JSON and YAML, their settings, labels, dispatch, and every error class."""

from __future__ import annotations

import csv
import io
import json
import math
import sys

import pytest

from lrplot.errors import LrplotError
from lrplot.inputs import load as load_inputs
from lrplot.registry import all_composites
from lrplot.run import Settings

COMPOSITE_HELP = all_composites()


def read_csv(text: str) -> dict[str, list[str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return {key: [row[key] for row in rows] for key in rows[0]}


def cosine(t: int, lr: float, decay_steps: int) -> float:
    return lr * 0.5 * (1 + math.cos(math.pi * min(t, decay_steps) / decay_steps))


TOML = """\
title = "two"
steps = 40
steps_per_epoch = 8

[[schedule]]
name = "cosine"
lr = 0.5
label = "my cosine"

[[schedule]]
name = "multistep"
lr = 0.1
milestones = [10, 20]
"""
DOC = {
    "title": "two", "steps": 40, "steps_per_epoch": 8,
    "schedule": [{"name": "cosine", "lr": 0.5, "label": "my cosine"},
                 {"name": "multistep", "lr": 0.1, "milestones": [10, 20]}],
}
YAML = """\
title: two
steps: 40
steps_per_epoch: 8
schedule:
  - {name: cosine, lr: 0.5, label: my cosine}
  - name: multistep
    lr: 0.1
    milestones: [10, 20]
"""


@pytest.fixture(name="configs")
def _configs(tmp_path):
    files = {"c.toml": TOML, "c.json": json.dumps(DOC), "c.yaml": YAML, "c.yml": YAML}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize("name", ["c.toml", "c.json", "c.yaml", "c.yml"])
def test_formats_give_the_same_schedules(cli, configs, name):
    result = cli("plot", configs / name, "--out", "-")
    assert result.code == 0, result.err
    got = read_csv(result.out)
    # Header: step, epoch (steps_per_epoch), then the config label and the spec-like label.
    assert list(got) == ["step", "epoch", "my cosine", "multistep:lr=0.1,milestones=[10,20]"]
    assert got["step"] == [str(t) for t in range(40)]  # config steps is the run length
    assert got["epoch"] == [str(t // 8) for t in range(40)]
    # Config steps reaches derived defaults: decay_steps defaults to the 40 steps of the run.
    assert [float(v) for v in got["my cosine"]] == pytest.approx(
        [cosine(t, 0.5, 40) for t in range(40)], rel=1e-12, abs=1e-15)
    assert [float(v) for v in got["multistep:lr=0.1,milestones=[10,20]"]] == pytest.approx(
        [0.1 * 0.1 ** ((t >= 10) + (t >= 20)) for t in range(40)], rel=1e-12)


def test_command_line_steps_win_and_reach_derived_defaults(cli, configs):
    result = cli("plot", configs / "c.toml", "--steps", "25", "--out", "-")
    assert result.code == 0, result.err
    got = read_csv(result.out)
    assert len(got["step"]) == 25
    assert [float(v) for v in got["my cosine"]] == pytest.approx(
        [cosine(t, 0.5, 25) for t in range(25)], rel=1e-12, abs=1e-15)


def test_title_reaches_the_output(cli, configs, tmp_path):
    out = tmp_path / "out.json"
    assert cli("plot", configs / "c.toml", "--out", out).code == 0
    assert json.loads(out.read_text())["title"] == "two"
    assert cli("plot", configs / "c.toml", "--title", "mine", "--out", out).code == 0
    assert json.loads(out.read_text())["title"] == "mine"


def test_labels_of_composites_are_readable(tmp_path):
    path = tmp_path / "l.toml"
    path.write_text('[[schedule]]\nname = "sequence"\nboundaries = [5]\nparts = [\n'
                    '{ name = "constant", lr = 1 },\n'
                    '{ name = "chain", parts = [{ name = "constant" }, '
                    '{ name = "linear" }] },\n]\n')
    loaded = load_inputs([str(path)], Settings(steps=20))
    assert loaded.schedules[0].label == "sequence(constant@0, chain@5)"


# ---- metric files named in the config ----------------------------------------------------

# lr 1, factor 0.5, patience 1, threshold 0 on a flat metric: the first observation sets the
# best, and every second bad one after that cuts (more than `patience` bad in a row).
FLAT_CUTS = [1, 1, 1, 0.5, 0.5, 0.25]
PLATEAU = ('[[schedule]]\nname = "plateau"\nlr = 1\nfactor = 0.5\npatience = 1\n'
           'threshold = 0\n')


def test_metric_path_is_relative_to_the_config(cli, tmp_path, monkeypatch):
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "log.csv").write_text("epoch,val\n" + "".join(f"{i},2.0\n" for i in range(6)))
    (folder / "p.toml").write_text('metric = "log.csv:val"\n' + PLATEAU)
    monkeypatch.chdir(tmp_path)  # not the config's folder
    result = cli("plot", "cfg/p.toml", "--out", "-")
    assert result.code == 0, result.err
    assert [float(v) for v in read_csv(result.out)["lr"]] == FLAT_CUTS


def test_per_schedule_metric_and_command_line_metric(cli, tmp_path):
    (tmp_path / "flat.csv").write_text("\n".join(["3"] * 6) + "\n")
    (tmp_path / "falling.csv").write_text("\n".join(["6", "5", "4", "3", "2", "1"]) + "\n")
    (tmp_path / "p.toml").write_text('metric = "falling.csv"\n' + PLATEAU
                                     + 'metric = "flat.csv"\n')
    result = cli("plot", tmp_path / "p.toml", "--out", "-")
    assert [float(v) for v in read_csv(result.out)["lr"]] == FLAT_CUTS  # the table's own wins
    # --metric beats both: an always-improving metric never cuts.
    result = cli("plot", tmp_path / "p.toml", "--metric", tmp_path / "falling.csv", "--out", "-")
    assert result.code == 0, result.err
    assert [float(v) for v in read_csv(result.out)["lr"]] == [1.0] * 6


# ---- dispatch to the dialects ------------------------------------------------------------


def test_keras_serialized_json_goes_to_the_keras_dialect(cli, tmp_path):
    """A JSON file with Keras' class_name is read as that Keras schedule, with its numbers."""
    doc = {"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay",
           "config": {"initial_learning_rate": 0.25, "decay_steps": 10, "decay_rate": 0.5},
           "registered_name": None}
    path = tmp_path / "k.json"
    path.write_text(json.dumps(doc))
    result = cli("plot", path, "--steps", "3", "--out", "-")
    assert result.code == 0, result.err
    got = read_csv(result.out)
    assert list(got) == ["step", "lr"]
    expected = [0.25 * 0.5 ** (t / 10) for t in range(3)]
    assert [float(v) for v in got["lr"]] == pytest.approx(
        expected, rel=1e-12)


def test_torch_composites_go_to_the_torch_dialect(cli, tmp_path):
    """Config tables for torch's composites are replayed by the torch dialect's own code."""
    from lrplot.definition import Context
    from lrplot.dialects.torch import chained_scheduler, sequential_lr

    path = tmp_path / "t.toml"
    path.write_text(
        'steps = 4\n[[schedule]]\nname = "torch.SequentialLR"\nlr = 0.5\nmilestones = [2]\n'
        'parts = [{ name = "torch.LinearLR", start_factor = 0.1, total_iters = 2 },\n'
        '         { name = "torch.ExponentialLR", gamma = 0.9 }]\n'
        '[[schedule]]\nname = "torch.ChainedScheduler"\nlabel = "chained"\nlr = 0.5\n'
        'parts = [{ name = "torch.ConstantLR", factor = 0.5 }]\n')
    result = cli("plot", path, "--out", "-")
    assert result.code == 0, result.err
    got = read_csv(result.out)
    first = "torch.SequentialLR(torch.LinearLR, torch.ExponentialLR)"
    assert list(got) == ["step", first, "chained"]
    ctx = Context(steps=4)
    sequential = sequential_lr([("torch.LinearLR", {"start_factor": 0.1, "total_iters": 2}),
                                ("torch.ExponentialLR", {"gamma": 0.9})], [2], 0.5, ctx)
    chained = chained_scheduler([("torch.ConstantLR", {"factor": 0.5})], 0.5, ctx)
    assert [float(v) for v in got[first]] == sequential.values(4).tolist()
    assert [float(v) for v in got["chained"]] == chained.values(4).tolist()
    # ConstantLR halves the lr until total_iters (5), so a chain of one is 0.25 throughout.
    assert chained.values(4).tolist() == [0.25] * 4


# ---- errors: exit 2, one line naming the file, the table and the key, nothing written -----

ERRORS = [
    # (file name, content, words the one error line must contain)
    ("syntax.toml", 'steps = 10\n[[schedule]]\nname = "cosine\n',
     ["invalid TOML", "line 3"]),
    ("syntax.json", '{"schedule": [\n {"name": "cosine",}\n]}',
     ["invalid JSON", "line 2"]),
    ("syntax.yaml", "schedule:\n  - name: cosine\n    lr: [0.1\n",
     ["invalid YAML", "line"]),
    ("unknown.toml", '[[schedule]]\nname = "cosine"\n\n[[schedule]]\nname = "cosine"\n'
     'decay = 3\n',
     ["schedule[1]: cosine: unknown parameter 'decay'", "allowed:", "decay_steps"]),
    ("top.toml", 'stpes = 3\n[[schedule]]\nname = "cosine"\n',
     ["unknown top-level key 'stpes'", "allowed: title, steps"]),
    ("type.toml", '[[schedule]]\nname = "cosine"\nlr = "fast"\n',
     ["schedule[0]: cosine: lr must be a number", "'fast'"]),
    ("bool.json", '{"schedule": [{"name": "cosine", "lr": true}]}',
     ["schedule[0]: cosine: lr must be a number", "got true"]),
    ("steps.toml", 'steps = "many"\n[[schedule]]\nname = "cosine"\n',
     ["steps must be an integer", "'many'"]),
    ("steps0.toml", 'steps = 0\n[[schedule]]\nname = "cosine"\n',
     ["steps must be an integer in [1,"]),
    ("title.toml", 'title = 3\n[[schedule]]\nname = "cosine"\n', ["title must be a string"]),
    ("label.toml", '[[schedule]]\nname = "cosine"\nlabel = 3\n',
     ["schedule[0]: label must be a non-empty string"]),
    ("noname.toml", '[[schedule]]\nlr = 0.1\n', ["schedule[0]: missing name"]),
    ("badname.toml", '[[schedule]]\nname = 5\n', ["schedule[0]: name must be"]),
    ("unknownname.toml", '[[schedule]]\nname = "cosin"\n',
     ["schedule[0]: unknown schedule 'cosin'", "cosine"]),
    ("none.toml", 'title = "x"\n', ["has no schedules", "[[schedule]]"]),
    ("single.toml", '[schedule]\nname = "cosine"\n', ["array of tables", "[[schedule]]"]),
    ("notable.json", '["cosine"]', ["top level must be a table"]),
    ("empty.toml", "", ["has no schedules"]),
    ("empty.json", "", ["invalid JSON", "line 1"]),
    ("empty.yaml", "", ["top level must be a table", "got none"]),
    ("list.yaml", "- cosine\n", ["top level must be a table", "got a list"]),
    ("schedstr.toml", 'schedule = "cosine"\n', ["schedule must be a non-empty array"]),
    ("scalar.json", '{"schedule": [3]}', ["schedule[0]: must be a table"]),
    ("parts.toml", '[[schedule]]\nname = "sequence"\nparts = 3\n',
     ["schedule[0]: sequence needs parts"]),
    ("noparts.toml", '[[schedule]]\nname = "chain"\n', ["schedule[0]: chain needs parts"]),
    ("emptyparts.toml", '[[schedule]]\nname = "chain"\nparts = []\n',
     ["schedule[0]: chain needs parts"]),
    ("bounds.toml", '[[schedule]]\nname = "sequence"\nboundaries = [5, 9]\n'
     'parts = [{ name = "constant" }, { name = "constant" }]\n',
     ["schedule[0]: sequence: boundaries needs exactly one entry fewer"]),
    ("boundtype.toml", '[[schedule]]\nname = "sequence"\nboundaries = "soon"\n'
     'parts = [{ name = "constant" }, { name = "constant" }]\n',
     ["schedule[0]: sequence: boundaries must be a list of integers"]),
    ("partkey.toml", '[[schedule]]\nname = "sequence"\nboundaries = [5]\n'
     'parts = [{ name = "constant" }, { name = "cosine", decay = 2 }]\n',
     ["schedule[0].parts[1]: cosine: unknown parameter 'decay'"]),
    ("nested.toml", '[[schedule]]\nname = "chain"\nparts = [{ name = "sequence", '
     'boundaries = [2], parts = [{ name = "constant" }, { lr = 1 }] }]\n',
     ["schedule[0].parts[0].parts[1]: missing name"]),
    ("partlabel.toml", '[[schedule]]\nname = "chain"\nparts = [{ name = "constant", '
     'label = "x" }]\n', ["schedule[0].parts[0]: label belongs on the whole"]),
    ("compkey.toml", '[[schedule]]\nname = "chain"\nlr = 1\nparts = [{ name = "constant" }]\n',
     ["schedule[0]: chain: unknown key 'lr'", "allowed: name, label, metric, parts"]),
    ("notcomp.toml", '[[schedule]]\nname = "cosine"\nparts = [{ name = "constant" }]\n',
     ["schedule[0]: cosine does not take parts"]),
    ("metric.toml", 'metric = "missing.csv:loss"\n[[schedule]]\nname = "plateau"\n',
     ["metric: metric file", "missing.csv", "no such file"]),
    ("metrictype.toml", 'metric = 3\n[[schedule]]\nname = "plateau"\n',
     ["metric must be a string FILE[:COLUMN]"]),
    ("huge.json", '{"schedule": [{"name": "cosine", "lr": 1' + "0" * 30 + "}]}",
     ["schedule[0].lr: the number", "too large"]),
    ("nan.toml", '[[schedule]]\nname = "cosine"\nlr = nan\n',
     ["schedule[0]: cosine: lr must be a number", "finite"]),
    ("yamlkey.yaml", "schedule:\n  - name: cosine\n    3: 4\n", ["key 3 must be a string"]),
    # torch composites nested in torch composites
    ("torchlater.toml", '[[schedule]]\nname = "torch.SequentialLR"\nmilestones = [5]\n'
     'parts = [{ name = "torch.StepLR", step_size = 2 },\n'
     '  { name = "torch.ChainedScheduler", parts = [{ name = "torch.ExponentialLR", '
     'gamma = 0.9 }] }]\n',
     ["schedule[0].parts[1]: torch.SequentialLR can start a nested", "only as its first part",
      "NotImplementedError"]),
    ("torchlr.toml", '[[schedule]]\nname = "torch.ChainedScheduler"\nparts = [\n'
     '  { name = "torch.SequentialLR", lr = 0.3, milestones = [2], parts = [\n'
     '    { name = "torch.ExponentialLR", gamma = 0.9 }, { name = "torch.StepLR", '
     'step_size = 2 }] }]\n',
     ["schedule[0].parts[0]: torch.SequentialLR: lr belongs to the outermost composite"]),
    ("torchkey.toml", '[[schedule]]\nname = "torch.ChainedScheduler"\nparts = [\n'
     '  { name = "torch.ChainedScheduler", label = "x", parts = [\n'
     '    { name = "torch.ExponentialLR", gamma = 0.9 }] }]\n',
     ["schedule[0].parts[0]: torch.ChainedScheduler: unknown key 'label'",
      "allowed: name, parts"]),
    ("torchleaf.toml", '[[schedule]]\nname = "torch.ChainedScheduler"\nparts = [\n'
     '  { name = "torch.ChainedScheduler", parts = [{ name = "torch.ExponentialLR", '
     'gama = 0.9 }] }]\n',
     ["schedule[0].parts[0].parts[0]: torch.ExponentialLR: unknown parameter 'gama'",
      "gamma"]),
    ("torchms.toml", '[[schedule]]\nname = "torch.ChainedScheduler"\nparts = [\n'
     '  { name = "torch.SequentialLR", milestones = [3, 4], parts = [\n'
     '    { name = "torch.ExponentialLR", gamma = 0.9 }] }]\n',
     ["schedule[0].parts[0]: torch.SequentialLR: needs exactly one milestone fewer"]),
    ("torchnoparts.toml", '[[schedule]]\nname = "torch.ChainedScheduler"\nparts = [\n'
     '  { name = "torch.ChainedScheduler" }]\n',
     ["schedule[0].parts[0]: torch.ChainedScheduler needs parts"]),
]


@pytest.mark.parametrize(("name", "content", "words"), ERRORS, ids=[e[0] for e in ERRORS])
def test_config_errors(cli, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_text(content)
    out = tmp_path / "out.csv"
    result = cli("plot", path, "--out", out)
    assert result.code == 2
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"lrplot: error: {path}: ")
    for word in words:
        assert word.lower() in lines[0].lower()
    assert not out.exists()
    assert "Traceback" not in result.err


def test_unreadable_files_are_named(cli, tmp_path):
    missing = tmp_path / "nope.toml"
    result = cli("plot", missing)
    assert result.code == 2 and f"config file {missing}: no such file" in result.err
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    result = cli("plot", folder)
    assert result.code == 2 and f"config file {folder}: is a directory" in result.err
    for name in ("bin.toml", "bin.json", "bin.yaml"):
        binary = tmp_path / name
        binary.write_bytes(b"\xff\xfe\x00name\x89PNG\r\n\x1a\n")
        result = cli("plot", binary)
        assert result.code == 2 and f"{binary}: is not UTF-8" in result.err
        assert len(result.err.splitlines()) == 1


def test_yaml_without_pyyaml_says_how_to_get_it(cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)  # `import yaml` now fails
    path = tmp_path / "c.yaml"
    path.write_text(YAML)
    result = cli("plot", path)
    assert result.code == 2
    assert f"{path}: reading YAML needs PyYAML; `pip install pyyaml`" in result.err


def test_library_callers_get_lrplot_error(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('[[schedule]]\nname = "cosine"\ndecay = 1\n')
    with pytest.raises(LrplotError, match=r"x\.toml: schedule\[0\]: cosine: unknown parameter"):
        load_inputs([str(path)], Settings())


@pytest.mark.parametrize("spec", ["sequence:boundaries=[3]", "chain", "torch.SequentialLR",
                                  "Torch.ChainedScheduler:lr=0.1"])
def test_composites_as_spec_strings_point_to_config_files(cli, spec):
    result = cli("plot", spec, "--steps", "5")
    assert result.code == 2
    assert result.err.startswith(f"lrplot: error: spec {spec!r}: ")
    assert "takes parts, which only a config file can hold" in result.err
    assert len(result.err.splitlines()) == 1


@pytest.mark.parametrize("composite", COMPOSITE_HELP, ids=lambda c: c.name)
def test_describe_shows_each_composite_with_an_example_that_works(cli, tmp_path, composite):
    result = cli("describe", composite.name.lower())
    assert result.code == 0, result.err
    assert result.out.startswith(composite.name)
    for key, _ in composite.keys:
        assert key in result.out
    # The example printed is a real config: it loads and plots as a schedule of that name.
    path = tmp_path / "example.toml"
    path.write_text(composite.example + "\n")
    loaded = load_inputs([str(path)], Settings(steps=50))
    assert [s.name for s in loaded.schedules] == [composite.name]
    assert cli("plot", path, "--steps", "50", "--out", tmp_path / "x.csv").code == 0


def test_list_names_the_composites(cli):
    out = cli("list").out
    for composite in COMPOSITE_HELP:
        assert composite.name in out


def test_log_key_sets_a_log_axis_and_epochs_use_the_configs_epoch_size(cli, tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('steps_per_epoch = 7\nlog = true\n[[schedule]]\nname = "cosine"\n')
    assert load_inputs([str(path)], Settings()).log is True
    # --epochs reads steps_per_epoch from the config: 3 epochs of 7 steps, and the cosine's
    # decay_steps defaults to those 21 steps.
    result = cli("plot", path, "--epochs", "3", "--out", "-")
    assert result.code == 0, result.err
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["step", "epoch", "lr"] and len(rows) == 22
    assert float(rows[-1][2]) == pytest.approx(0.05 * (1 + math.cos(math.pi * 20 / 21)))
    from lrplot.render import figures

    seen = {}
    original = figures.save

    def spy(fig, handle, fmt, options):
        seen["log"] = options.log
        return original(fig, handle, fmt, options)

    import unittest.mock

    with unittest.mock.patch.object(figures, "save", spy):
        assert cli("plot", path, "--out", tmp_path / "x.png").code == 0
    assert seen["log"] is True


def test_log_key_must_be_a_boolean(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('log = "yes"\n[[schedule]]\nname = "cosine"\n')
    with pytest.raises(LrplotError, match=r"run.toml: log must be true or false, got yes"):
        load_inputs([str(path)], Settings())
