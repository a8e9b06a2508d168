"""Fuzzing config files: whatever the document, it loads or raises LrplotError; the CLI exits
0 or 2 with at most one line on stderr, never a traceback."""

from __future__ import annotations

import importlib.util
import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrplot
from lrplot.errors import LrplotError
from lrplot.inputs import load as load_inputs
from lrplot.registry import get
from lrplot.run import Settings

NAMES = ["cosine", "constant", "step", "multistep", "linear", "wsd", "onecycle", "cyclic",
         "plateau", "noam", "piecewise", "cosine_restarts", "sequence", "chain", "Cosine",
         "torch.SequentialLR", "torch.ChainedScheduler", "nope", "x.y", ""]
try:  # dialect names only once the dialect package exists (it is written separately)
    if importlib.util.find_spec("lrplot.dialects.torch"):
        NAMES += ["torch.Nope", "torch.StepLR", "torch.LinearLR", "keras.CosineDecay"]
except ModuleNotFoundError:
    pass
KEYS = ["name", "label", "metric", "parts", "boundaries", "milestones", "lr", "warmup",
        "warmup_shape", "decay_steps", "min_lr", "gamma", "step_size", "total_steps",
        "max_lr", "base_lr", "d_model", "warmup_steps", "values", "end_lr", "decay", "x-y"]
TOP_KEYS = ["title", "steps", "steps_per_epoch", "metric", "schedule", "stpes"]

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=6)  # TOML has no surrogates
junk = st.one_of(
    st.integers(-5, 2000),
    st.sampled_from([0, 1, 10, 2**62, 2**70, -(2**70), 10**400]),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.booleans(),
    st.sampled_from([*NAMES, "linear", "cosine", "1-sqrt", "m.csv", "m.csv:loss", "[1,2]"]),
    texts,
)
values = st.recursive(
    junk,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
    max_leaves=12,
)
# Hypothesis favours small integers, so "now and then" is a uniform pick from ten.
rarely = st.sampled_from([False] * 9 + [True])
# Values a parameter plausibly takes, so that many documents get past validation.
plausible = st.one_of(
    st.integers(0, 60), st.floats(0, 1), st.sampled_from(["linear", "cosine", "power", "cos",
                                                           "triangular2", "1-sqrt", "rel"]),
    st.lists(st.integers(1, 60), max_size=3).map(sorted), st.booleans(),
)


def param_names(name: str) -> list[str]:
    if "." in name:
        return KEYS
    try:
        return [p.name for p in get(name).params] + ["decay"]
    except LrplotError:
        return KEYS


@st.composite
def tables(draw, depth=0):
    name = draw(st.sampled_from(NAMES))
    table = {} if draw(rarely) else {"name": name}
    keys = param_names(name)
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(KEYS) if draw(rarely) else st.sampled_from(keys))
        table[key] = draw(values if draw(rarely) else plausible)
    if depth < 2 and (name.lower() in ("sequence", "chain", "torch.sequentiallr",
                                       "torch.chainedscheduler") or draw(rarely)):
        table["parts"] = draw(st.lists(tables(depth + 1), max_size=3))
        table["boundaries" if draw(st.booleans()) else "milestones"] = sorted(
            draw(st.lists(st.integers(-2, 60), max_size=3)))
    if draw(rarely):
        table["label"] = draw(st.one_of(texts, values))
    return table


def mostly(good):
    return st.builds(lambda bad, right, wrong: wrong if bad else right, rarely, good, values)


top_level = st.fixed_dictionaries({}, optional={
    "title": mostly(texts),
    "steps": mostly(st.integers(1, 80)),
    "steps_per_epoch": mostly(st.integers(1, 10)),
    "metric": mostly(st.sampled_from(["m.csv:loss", "m.csv", "m.csv:nope", "gone.csv"])),
})
documents = st.builds(
    lambda top, schedules, keep, typo: {**top, **({"schedule": schedules} if keep else {}),
                                        **({"stpes": 3} if typo else {})},
    top_level,
    st.one_of(st.lists(tables(), min_size=1, max_size=3), st.lists(values, max_size=2)),
    rarely.map(lambda absent: not absent),
    rarely,
)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # close enough to a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml_value(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_text(doc: dict) -> str:
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in doc.items() if k != "schedule"]
    schedules = doc.get("schedule", [])
    if isinstance(schedules, list) and all(isinstance(t, dict) for t in schedules):
        for table in schedules:
            lines.append("[[schedule]]")
            lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in table.items()]
    elif "schedule" in doc:
        lines.append(f"schedule = {toml_value(schedules)}")
    return "\n".join(lines) + "\n"


def mangle(text: str, cut: int, junk: str) -> str:
    """Damage the text somewhere, so syntax errors get fuzzed too."""
    at = cut % (len(text) + 1)
    return text[:at] + junk + text[at:]


def check_loads_or_lrplot_error(path) -> None:
    metric = "".join(f"{1 + (i % 7) / 10}\n" for i in range(30))
    (path.parent / "m.csv").write_text("loss\n" + metric)
    try:
        load_inputs([str(path)], Settings(steps=20))
    except LrplotError as err:
        assert "\n" not in err.message and err.message.startswith(str(path))


SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(doc=documents, damage=st.booleans(), cut=st.integers(0, 10_000),
       junk=st.sampled_from(["[", "]", "=", '"', "\n[[", "{", "\x00", "'''", "é"]))
def test_random_toml_loads_or_raises_lrplot_error(tmp_path, doc, damage, cut, junk):
    text = toml_text(doc)
    path = tmp_path / "fuzz.toml"
    path.write_text(mangle(text, cut, junk) if damage else text, encoding="utf-8")
    check_loads_or_lrplot_error(path)


@SETTINGS
@given(doc=documents)
def test_random_json_loads_or_raises_lrplot_error(tmp_path, doc):
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    check_loads_or_lrplot_error(path)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(doc=documents)
def test_random_config_through_the_cli(cli, tmp_path, doc):
    path = tmp_path / "fuzz.toml"
    path.write_text(toml_text(doc), encoding="utf-8")
    out = tmp_path / "out.csv"
    if out.exists():
        out.unlink()
    result = cli("plot", path, "--steps", "20", "--out", out)
    assert result.code in (0, 2), result.err
    assert "Traceback" not in result.err
    if result.code == 2:
        assert len(result.err.splitlines()) == 1 and not out.exists()
    else:
        assert out.exists()


@SETTINGS
@given(doc=documents, anchors=st.booleans())
def test_random_yaml_loads_or_raises_lrplot_error(tmp_path, doc, anchors):
    import yaml

    # Hypothesis shares subtrees between draws now and then; without Dumper.ignore_aliases
    # those become YAML anchors and aliases, which the reader must bound too.
    dumper = yaml.SafeDumper if anchors else _NoAliases
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.dump(doc, Dumper=dumper, allow_unicode=True), encoding="utf-8")
    check_loads_or_lrplot_error(path)


def _no_aliases_dumper():
    import yaml

    class NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    return NoAliases


_NoAliases = _no_aliases_dumper()

KERAS_CLASSES = ["ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
                 "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts", "Nope", ""]
KERAS_KEYS = ["initial_learning_rate", "decay_steps", "decay_rate", "staircase", "boundaries",
              "values", "end_learning_rate", "power", "cycle", "alpha", "warmup_target",
              "warmup_steps", "first_decay_steps", "t_mul", "m_mul", "name", "nope"]
keras_documents = st.fixed_dictionaries(
    {"class_name": mostly(st.sampled_from(KERAS_CLASSES))},
    optional={"module": mostly(st.just("keras.optimizers.schedules")),
              "registered_name": mostly(st.none()),
              "config": mostly(st.dictionaries(st.sampled_from(KERAS_KEYS),
                                               st.one_of(plausible, values), max_size=6))})


@SETTINGS
@given(doc=keras_documents)
def test_random_keras_json_loads_or_raises_lrplot_error(tmp_path, doc):
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    check_loads_or_lrplot_error(path)


# Training configs: the readers' own keys with plausible and junk values, through the CLI's
# loading path with a dataset size, so every rule (steps, warmup, kwargs, pointers) runs.
HF_KEYS = ["learning_rate", "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_steps",
           "warmup_ratio", "max_steps", "num_train_epochs", "per_device_train_batch_size",
           "gradient_accumulation_steps", "dataloader_drop_last", "deepspeed", "output_dir"]
AXOLOTL_KEYS = ["micro_batch_size", "num_epochs", "lr_scheduler", "cosine_min_lr_ratio",
                "cosine_constant_lr_ratio", "lr_quadratic_warmup", "sample_packing",
                "batch_size", "base_model", *HF_KEYS]
DS_KEYS = ["warmup_min_lr", "warmup_max_lr", "warmup_num_steps", "warmup_type",
           "total_num_steps", "cycle_min_lr", "cycle_max_lr", "cos_min_ratio", "nope"]
training_values = st.one_of(plausible, values, st.just("auto"),
                            st.sampled_from(["cosine", "linear", "rex", "WarmupLR"]))
hf_documents = st.dictionaries(st.sampled_from(AXOLOTL_KEYS), training_values, max_size=8)
ds_documents = st.fixed_dictionaries(
    {"train_batch_size": mostly(st.integers(1, 64))},
    optional={"optimizer": mostly(st.fixed_dictionaries(
                  {"type": st.just("Adam"), "params": st.fixed_dictionaries(
                      {}, optional={"lr": training_values})})),
              "scheduler": mostly(st.fixed_dictionaries(
                  {"type": mostly(st.sampled_from(["WarmupLR", "WarmupDecayLR",
                                                   "WarmupCosineLR", "OneCycle",
                                                   "LRRangeTest", "Nope"]))},
                  optional={"params": mostly(st.dictionaries(st.sampled_from(DS_KEYS),
                                                             training_values, max_size=5))}))})


def check_training_config(path) -> None:
    try:
        lrplot.load(str(path), dataset_size=100, steps=30)
    except LrplotError as err:
        assert "\n" not in err.message and err.message.startswith(str(path)), err.message


@SETTINGS
@given(doc=hf_documents, suffix=st.sampled_from([".json", ".yaml"]))
def test_random_trainer_and_axolotl_files_load_or_raise_lrplot_error(tmp_path, doc, suffix):
    import yaml

    path = tmp_path / f"train{suffix}"
    path.write_text(json.dumps(doc) if suffix == ".json" else yaml.safe_dump(doc))
    check_training_config(path)


@SETTINGS
@given(doc=ds_documents)
def test_random_deepspeed_configs_load_or_raise_lrplot_error(tmp_path, doc):
    path = tmp_path / "ds_config.json"
    path.write_text(json.dumps(doc))
    check_training_config(path)
