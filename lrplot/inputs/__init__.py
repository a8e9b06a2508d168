"""One way in: anything a command line names — a spec string or a file — becomes schedules.

:func:`load` reads every source once, through the table of input formats
(:data:`FORMATS`): each format is one module with a ``claims(path, document)`` test and a
``read(path, document) -> Source``. A :class:`Source` carries what the input says about the
run (title, steps, steps per epoch, log scale) and builds its schedules once the run is known,
so that ``--epochs E`` can use a config's ``steps_per_epoch`` without reading it twice.
Adding a format is one module and one line in :data:`FORMATS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from lrplot import registry, sweep
from lrplot.core import Schedule
from lrplot.definition import Context
from lrplot.documents import DOCUMENT_SUFFIXES, read_document, read_text
from lrplot.errors import LrplotError
from lrplot.run import Hints, Settings
from lrplot.spec import split_spec


class Source(Protocol):
    """One input, read: its settings now, its schedules once the run is known."""

    settings: Settings
    paths: tuple[str, ...]  # the files it reads: never to be overwritten by --out

    def build(self, ctx: Context) -> list[Schedule]: ...


@dataclass(frozen=True)
class InputFormat:
    """A kind of input file: ``module`` has ``claims(path, document)`` and ``read(...)``.

    A ``text`` format's document is the file's text (a Python config, a launch script),
    which it reads without running; the others get the parsed TOML/JSON/YAML.
    """

    name: str
    module: str
    title: str
    suffixes: tuple[str, ...] = DOCUMENT_SUFFIXES
    text: bool = False  # the module reads the file's text itself (not TOML/JSON/YAML)

    def claims(self, path: str, document: Any) -> bool:
        return bool(self._module().claims(path, document))

    def read(self, path: str, document: Any, hints: Hints) -> Source:
        source: Source = self._module().read(path, document, hints)
        return source

    def _module(self) -> Any:
        return importlib.import_module(self.module)


# Asked in order; the first that claims a file reads it. lrplot's own config comes last:
# it claims any document the more specific formats do not.
FORMATS: tuple[InputFormat, ...] = (
    InputFormat("keras", "lrplot.inputs.keras_json", "Keras serialized schedule", (".json",)),
    InputFormat("deepspeed", "lrplot.inputs.deepspeed_json", "DeepSpeed config", (".json",)),
    InputFormat("axolotl", "lrplot.inputs.axolotl", "axolotl config", (".yaml", ".yml")),
    InputFormat("hf", "lrplot.inputs.hf_args", "Hugging Face TrainingArguments",
                (".json", ".yaml", ".yml")),
    InputFormat("nanogpt", "lrplot.inputs.nanogpt_py", "nanoGPT config", (".py",), text=True),
    InputFormat("megatron", "lrplot.inputs.megatron_args", "Megatron-LM arguments",
                (".sh", ".txt"), text=True),
    InputFormat("config", "lrplot.inputs.config", "lrplot config"),
    InputFormat("model-card", "lrplot.inputs.model_card", "Hugging Face model card",
                (".md",), text=True),
)
FILE_SUFFIXES = tuple(sorted({s for f in FORMATS for s in f.suffixes}))
# Composites take parts, which are tables: a spec string cannot hold them.
CONFIG_ONLY = ("sequence", "chain", "torch.sequentiallr", "torch.chainedscheduler")


@dataclass
class Loaded:
    """Schedules from the inputs, and the settings of the run they are shown for.

    Iterating (and indexing) gives the schedules, so ``lrplot.load("cosine")[0]`` works.
    ``sweep_shape`` and ``sequential`` describe a ``--vary`` sweep (for colours and legends).
    """

    schedules: list[Schedule] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    sweep_shape: tuple[int, ...] = ()
    sequential: bool = False
    inputs: tuple[str, ...] = ()  # every file read (configs, metric logs): never an output

    def __iter__(self) -> Iterator[Schedule]:
        return iter(self.schedules)

    def __len__(self) -> int:
        return len(self.schedules)

    def __getitem__(self, index: int) -> Schedule:
        return self.schedules[index]

    @property
    def steps(self) -> int | None:
        """The run length the inputs asked for (None: the schedules' natural length)."""
        return self.settings.steps

    @property
    def steps_per_epoch(self) -> int | None:
        return self.settings.steps_per_epoch

    @property
    def title(self) -> str | None:
        return self.settings.title

    @property
    def log(self) -> bool:
        return self.settings.log


def is_file_source(text: str) -> bool:
    """Whether a command-line SPEC names a file (by suffix) rather than a spec string."""
    return text.strip().lower().endswith(FILE_SUFFIXES)


@dataclass
class SpecSource:
    """A schedule name with its (user-typed) parameters: a spec string, or a family command."""

    name: str
    params: dict[str, Any]
    label: str
    settings: Settings = field(default_factory=Settings)
    paths: tuple[str, ...] = ()

    def build(self, ctx: Context) -> list[Schedule]:
        if self.name.lower() in CONFIG_ONLY:
            raise LrplotError(f"spec {self.label!r}: {self.name} takes parts, which only a "
                              "config file can hold; write it in a .toml file (see "
                              "configs/warmup_hold_cosine.toml)")
        return [registry.resolve(self.name, self.params, ctx, label=self.label)]


def read_source(text: str | Source, hints: Hints | None = None) -> Source:
    """A spec string or a file, read (a file's document is parsed here, once).

    A file's format is the first in :data:`FORMATS` that claims it (by suffix and keys), or
    the one ``hints.source_format`` (``--from``) names.
    """
    if not isinstance(text, str):
        return text
    if not is_file_source(text):
        name, params = split_spec(text)  # a malformed spec is refused before anything runs
        return SpecSource(name, params, text.strip())
    return read_file(text.strip(), hints or Hints())[1]


def read_file(path: str, hints: Hints) -> tuple[InputFormat, Source]:
    """The format that reads *path* and what it read."""
    lower = path.lower()
    forced = format_named(hints.source_format) if hints.source_format is not None else None
    text_format = forced.text if forced else not lower.endswith(DOCUMENT_SUFFIXES)
    document = read_text(path) if text_format else read_document(path)
    if forced is not None:
        return forced, forced.read(path, document, hints)
    for fmt in FORMATS:
        if fmt.text == text_format and lower.endswith(fmt.suffixes) and fmt.claims(path, document):
            return fmt, fmt.read(path, document, hints)
    if text_format:  # the config format claims every document, not text
        readers = ", ".join(f.title for f in FORMATS if f.text)
        raise LrplotError(f"{path}: not a file lrplot can read (text files: {readers})")
    raise LrplotError(f"{path}: not a file lrplot can read")


def interpret(path: str, hints: Hints | None = None) -> list[str]:
    """What lrplot reads in *path*, as lines: the format, the fields and derived numbers (a
    training config's), and each schedule as the spec that computes it."""
    fmt, source = read_file(path, hints or Hints())
    lines = [f"{path}: read as {fmt.name} ({fmt.title})"]
    lines += [f"  {note}" for note in getattr(source, "notes", [])]
    settings = source.settings
    if settings.steps_per_epoch is not None:
        lines.append(f"  steps per epoch: {settings.steps_per_epoch}")
    spec = getattr(source, "spec", None)
    if spec is not None:
        return [*lines, f"  the same as: {spec}"]
    return lines + [f"  schedule: {s.label}" for s in source.build(Context(steps=settings.steps))]


def format_named(name: str) -> InputFormat:
    """The input format ``--from NAME`` means, or an error listing them."""
    for fmt in FORMATS:
        if fmt.name == name.strip().lower():
            return fmt
    raise LrplotError(f"--from {name}: unknown format; allowed: "
                      f"{', '.join(f.name for f in FORMATS)}")


def load(sources: Sequence[str | Source], settings: Settings | None = None, *,
         metric: str | None = None, vary: Sequence[str] = (),
         hints: Hints | None = None) -> Loaded:
    """Every source as schedules, resolved for the run *settings* describe.

    *settings* are what the user typed; each source's own settings fill what they leave
    unsaid. *metric* (``FILE[:COLUMN]``) drives plateau schedules; *vary* sweeps the one
    spec in *sources* (``KEY=V1,V2,...``, see :mod:`lrplot.sweep`).
    """
    given = settings or Settings()
    given.refuse_invalid()  # the user's own values are refused before any file is read
    ctx = Context()
    files: list[str] = []
    if metric is not None:
        from lrplot.metric import load_metric, split_metric_arg

        values, label = load_metric(metric)
        ctx = replace(ctx, metric=values, metric_label=label)
        files.append(split_metric_arg(metric)[0])
    hints = replace(hints or Hints(), steps_per_epoch=given.steps_per_epoch)
    if hints.source_format is not None:
        format_named(hints.source_format)  # refused before any file is read
    read = [_vary(sources, vary)] if vary else [read_source(text, hints) for text in sources]
    merged = given
    for source in read:
        merged = merged.merged(source.settings)
    run = replace(given, steps_per_epoch=merged.steps_per_epoch).checked()
    ctx = replace(ctx, steps=run.steps)
    schedules = [schedule for source in read for schedule in source.build(ctx)]
    shown = replace(merged, steps=run.steps if run.steps is not None else merged.steps,
                    epochs=None)
    files += [path for source in read for path in source.paths]
    return Loaded(schedules, shown, sweep.sweep_shape(list(vary)) if vary else (),
                  sequential=len(vary) == 1, inputs=tuple(files))


@dataclass
class _SweepSource:
    spec: str
    vary: list[str]
    settings: Settings = field(default_factory=Settings)
    paths: tuple[str, ...] = ()

    def build(self, ctx: Context) -> list[Schedule]:
        return [registry.resolve(v.name, v.params, ctx, label=v.label)
                for v in sweep.expand(self.spec, self.vary)]


def _vary(sources: Sequence[str | Source], vary: Sequence[str]) -> Source:
    if len(sources) != 1:
        raise LrplotError(f"--vary sweeps one schedule; got {len(sources)} specs "
                          f"({', '.join(map(str, sources))})")
    spec = sources[0]
    if not isinstance(spec, str):
        raise LrplotError(f"--vary needs a schedule spec such as cosine:warmup=10, not {spec!r}")
    sweep.refuse_files(spec)
    return _SweepSource(spec, list(vary), Settings(title=sweep.sweep_title(spec, list(vary))))
