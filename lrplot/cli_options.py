"""The options every plotting command shares, declared once for :mod:`lrplot.cli`.

Typer reads an option from each command's signature; these ``Annotated`` types are what those
signatures use, so a shared option has one help text and one spelling.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from lrplot.limits import MAX_STEPS
from lrplot.render.text import escape


class Theme(str, Enum):
    light = "light"
    dark = "dark"


class Layout(str, Enum):
    overlay = "overlay"
    grid = "grid"
    both = "both"


StepsOpt = Annotated[int | None, typer.Option(
    "--steps", "-n", help=escape("Evaluate steps 0..N-1 [default: the schedule's natural "
    f"length, else 100; at most {MAX_STEPS:_}]"), metavar="N", show_default=False)]
OutOpt = Annotated[list[str] | None, typer.Option(
    "--out", "-o", help="Write to PATH; format from the extension: .png .svg .pdf .csv "
    ".json (repeatable; - is CSV on stdout). Without it, print a table.", metavar="PATH",
    show_default=False)]
LogOpt = Annotated[bool, typer.Option("--log", help="Log-scale lr axis.")]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Plot/table title.",
                                                 show_default=False)]
EpochOpt = Annotated[int | None, typer.Option(
    "--steps-per-epoch", help="Add an epoch column (CSV, table) and an epoch axis (plots).",
    metavar="K", show_default=False)]
MetricOpt = Annotated[str | None, typer.Option(
    "--metric", help=escape("Metric series for plateau schedules: a CSV with a header (pick "
    "FILE:COLUMN) or one number per line; metric[t] is observed after step t."),
    metavar="FILE[:COLUMN]", show_default=False)]

EpochsOpt = Annotated[int | None, typer.Option(
    "--epochs", help="Run E epochs instead of giving --steps (needs --steps-per-epoch; "
    "steps = E·K).", metavar="E", show_default=False)]
DpiOpt = Annotated[int, typer.Option("--dpi", help="PNG resolution in dots per inch.",
                                     metavar="DPI")]
SizeOpt = Annotated[str | None, typer.Option(
    "--size", help=escape("Figure size in inches, WIDTHxHEIGHT (e.g. 8x4.5) "
                          "[default: per figure]"),
    metavar="WxH", show_default=False)]
ThemeOpt = Annotated[Theme, typer.Option("--theme", help="Figure colours.",
                                         case_sensitive=False)]
# What a training config (HF TrainingArguments, DeepSpeed, ...) cannot know about its run.
FromOpt = Annotated[str | None, typer.Option(
    "--from", help="Read files as this format instead of detecting it: keras, deepspeed, axolotl, "
    "hf, nanogpt, megatron, config, model-card.", metavar="FORMAT", show_default=False)]
DatasetOpt = Annotated[int | None, typer.Option(
    "--dataset-size", help="Training examples, for a config that counts epochs (updates per "
    "epoch follow the framework's rule).", metavar="N", show_default=False)]
HfVersionOpt = Annotated[str | None, typer.Option(
    "--hf-version", help="transformers release of the run, where its step rules changed "
    "(before 4.52 the updates per epoch were floored).", metavar="X.Y", show_default=False)]
WorldOpt = Annotated[int, typer.Option("--world-size", help="Training processes (GPUs) "
                                       "sharing the dataset.", metavar="W")]

COMMON = ("steps", "out", "log", "title", "steps_per_epoch", "metric", "epochs", "dpi", "size",
          "theme")
