"""Spec strings and metric files: the grammar users type."""

from __future__ import annotations

import numpy as np
import pytest

from lrplot.errors import LrplotError
from lrplot.metric import load_metric
from lrplot.spec import parse_value, split_spec


@pytest.mark.parametrize("text,value", [
    ("5", 5), ("-3", -3), ("1e-3", 1e-3), ("0.1", 0.1), ("true", True), ("False", False),
    ("none", None), ("cos", "cos"), ("1-sqrt", "1-sqrt"), ("[30,60,90]", [30, 60, 90]),
    ("[]", []), ("[0.5, 1e-2]", [0.5, 0.01]), ("[[1,2],[3]]", [[1, 2], [3]]),
])
def test_values(text, value):
    """Values are ints, floats, booleans, none, bare strings or lists."""
    assert parse_value(text) == value
    assert type(parse_value(text)) is type(value)


def test_spec_with_lists_and_dashed_keys():
    """Commas inside brackets belong to the list; keys take - or _."""
    name, params = split_spec("multistep:milestones=[30,60,90],gamma=0.1,warmup-start=1e-4")
    assert name == "multistep"
    assert params == {"milestones": [30, 60, 90], "gamma": 0.1, "warmup_start": 1e-4}


def test_dialect_names_keep_their_dots_and_case():
    """torch.OneCycleLR:max_lr=0.1 splits at the first colon only."""
    assert split_spec("torch.OneCycleLR:max_lr=0.1,total_steps=1000") == (
        "torch.OneCycleLR", {"max_lr": 0.1, "total_steps": 1000})


@pytest.mark.parametrize("spec,needle", [
    ("", "empty schedule spec"), (":lr=1", "must start with a schedule name"),
    ("cosine:lr=1,,warmup=2", "empty parameter"), ("cosine:lr", "has no value"),
    ("cosine:lr=", "empty value"), ("cosine:lr=1,lr=2", "given twice"),
    ("cosine:1x=2", "is not a parameter name"), ("step:m=[1,2", "unclosed '['"),
    ("step:m=1]", "unmatched ']'"),
])
def test_malformed_specs(spec, needle):
    """Malformed specs raise one clear LrplotError."""
    with pytest.raises(LrplotError, match=None) as info:
        split_spec(spec)
    assert needle in info.value.message


def test_metric_one_number_per_line(tmp_path):
    """A plain file of numbers is read in order."""
    path = tmp_path / "loss.txt"
    path.write_text("1.5\n1.25\n\n1e-1\n")
    values, label = load_metric(str(path))
    np.testing.assert_array_equal(values, [1.5, 1.25, 0.1])
    assert label == "loss.txt"


def test_metric_csv_picks_the_only_value_column(tmp_path):
    """A CSV with a counter column and one metric column needs no COLUMN."""
    path = tmp_path / "log.csv"
    path.write_text("epoch,val_loss\n0,0.9\n1,0.8\n")
    values, label = load_metric(str(path))
    np.testing.assert_array_equal(values, [0.9, 0.8])
    assert label == "val_loss"


def test_metric_column_by_name_or_index(tmp_path):
    """FILE:COLUMN picks a column by header name or 0-based index."""
    path = tmp_path / "log.csv"
    path.write_text("step,train,val\n0,3,0.9\n1,2,0.8\n")
    assert load_metric(f"{path}:train")[0].tolist() == [3, 2]
    assert load_metric(f"{path}:2")[0].tolist() == [0.9, 0.8]
