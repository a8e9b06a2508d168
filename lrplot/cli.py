"""The ``lrplot`` command: a thin Typer layer over the library.

It declares the options and calls :mod:`lrplot.api` — ``load`` the inputs, then ``output``
them to ``--out`` or the terminal — so every command is also a Python call. Every family gets
its own subcommand whose options are generated from the family's parameter definitions. Bad
input of any kind ends with exit status 2 and one line on stderr (see :func:`main`).
"""

from __future__ import annotations

import inspect
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

import typer

from lrplot import api, process, registry
from lrplot.cli_options import (
    COMMON,
    DatasetOpt,
    DpiOpt,
    EpochOpt,
    EpochsOpt,
    FromOpt,
    HfVersionOpt,
    Layout,
    LogOpt,
    MetricOpt,
    OutOpt,
    SizeOpt,
    StepsOpt,
    Theme,
    ThemeOpt,
    TitleOpt,
    WorldOpt,
)
from lrplot.definition import Definition, default_text
from lrplot.errors import LrplotError
from lrplot.inputs import SpecSource, is_file_source
from lrplot.params import BOOL, CHOICE, FLOAT, INT, Param
from lrplot.render.style import MAX_AUTO_PANELS
from lrplot.render.text import escape
from lrplot.simulate import OBJECTIVES
from lrplot.spec import spec_text
from lrplot.sweep import MAX_VARIANTS
from lrplot.view import Look

APP_SETTINGS: dict[str, Any] = {
    "name": "lrplot",
    "help": "Explore, plot and export learning-rate schedules.\n\n"
    "Type a schedule and see it: `lrplot cosine --warmup 5 --out lr.png`, "
    "`lrplot plot torch.OneCycleLR:max_lr=0.1,total_steps=1000 --out lr.csv`. "
    "Without --out, a table of key steps is printed. `lrplot list` shows every schedule.",
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
_app = typer.Typer(**APP_SETTINGS, add_completion=True)



def _look(dpi: int, size: str | None, theme: Theme | str) -> dict[str, Any]:
    """--dpi, --size, --theme checked (before any input is read) as view options."""
    look = Look.parse(dpi, size, theme.value if isinstance(theme, Theme) else str(theme))
    return {"dpi": look.dpi, "size": look.size, "theme": look.theme}


# ---- plot, list, describe ------------------------------------------------------------

SPECS_HELP = ("Schedules: NAME[:key=value,...] (e.g. cosine:warmup=5, "
              "torch.OneCycleLR:max_lr=0.1,total_steps=1000) or config files (.toml .json "
              ".yaml).")


@_app.command("plot")
def plot_command(
    specs: Annotated[list[str], typer.Argument(
        help=SPECS_HELP, metavar="SPEC...", show_default=False)],
    steps: StepsOpt = None, out: OutOpt = None, log: LogOpt = False, title: TitleOpt = None,
    steps_per_epoch: EpochOpt = None, metric: MetricOpt = None, epochs: EpochsOpt = None,
    dpi: DpiOpt = 150, size: SizeOpt = None, theme: ThemeOpt = Theme.light,
    source_format: FromOpt = None, dataset_size: DatasetOpt = None, world_size: WorldOpt = 1,
    hf_version: HfVersionOpt = None,
) -> None:
    """Plot or export any schedules, overlaid in one figure."""
    look = _look(dpi, size, theme)
    loaded = api.load(*specs, steps=steps, epochs=epochs, steps_per_epoch=steps_per_epoch,
                      title=title, log=log, metric=metric, source_format=source_format,
                      dataset_size=dataset_size, world_size=world_size,
                      hf_version=hf_version)
    api.output(loaded, out, **look)


COMPARE_HELP = (
    "Compare schedules side by side: one panel each plus an overlay, and a table of peak, "
    "final, min, mean, total lr, the first step below 50% and 10% of the peak, and the lr at "
    "10/25/50/75/100% of the run.\n\n"
    "Sweeps: `lrplot compare cosine:warmup=10 --vary min_lr=0,0.01,0.05` draws one curve per "
    "value; several --vary options give every combination (labels like "
    "`min_lr=0.01, warmup=5`)."
)


@_app.command("compare", help=COMPARE_HELP)
def compare_command(
    specs: Annotated[list[str], typer.Argument(
        help=SPECS_HELP + " With --vary: one spec, the base of the sweep.",
        metavar="SPEC...", show_default=False)],
    vary: Annotated[list[str] | None, typer.Option(
        "--vary", help="Sweep a parameter of the one SPEC: KEY=V1,V2,... (list values in "
        "brackets: milestones=[30,60],[50,80]). Repeat for every combination "
        f"(at most {MAX_VARIANTS}).", metavar="KEY=V1,V2,...", show_default=False)] = None,
    layout: Annotated[Layout | None, typer.Option(
        "--layout", help=escape("Figure layout: one overlay, a grid of one panel per "
        f"schedule, or both [default: both; overlay alone past {MAX_AUTO_PANELS} schedules]"),
        case_sensitive=False, show_default=False)] = None,
    steps: StepsOpt = None, out: OutOpt = None, log: LogOpt = False, title: TitleOpt = None,
    steps_per_epoch: EpochOpt = None, metric: MetricOpt = None, epochs: EpochsOpt = None,
    dpi: DpiOpt = 150, size: SizeOpt = None, theme: ThemeOpt = Theme.light,
    source_format: FromOpt = None, dataset_size: DatasetOpt = None, world_size: WorldOpt = 1,
    hf_version: HfVersionOpt = None,
) -> None:
    look = _look(dpi, size, theme)
    loaded = api.load(*specs, steps=steps, epochs=epochs, steps_per_epoch=steps_per_epoch,
                      title=title, log=log, metric=metric, vary=vary or (),
                      source_format=source_format, dataset_size=dataset_size,
                      world_size=world_size, hf_version=hf_version)
    if len(loaded.schedules) < 2:
        raise LrplotError("compare needs at least two schedules (or one spec with --vary "
                          "KEY=V1,V2,...); for one schedule use `lrplot plot`")
    api.output(loaded, out, layout=(layout or Layout.both).value, **look)


SIMULATE_HELP = (
    "Run plain gradient descent, w ← w − lr_t·∇loss(w), under each schedule.\n\n"
    "By default on loss = (w+1)² from w0 = 5. Row t holds lr_t and w, loss BEFORE the update "
    "of step t: lr 0.2 gives w = 5, 2.6, 1.16, 0.296, ...; lr 1 oscillates 5, −7, 5, −7.\n\n"
    "CSV: step,lr,w,loss for one schedule (w1,w2 for the 2-D valley); for several, "
    "'<label> lr,<label> w,<label> loss' for each schedule in turn. A run whose |w| passes "
    "1e100 is marked diverged and its later rows are nan. The figure shows lr, w and loss "
    "(log scale) against step."
)


@_app.command("simulate", help=SIMULATE_HELP)
def simulate_command(
    specs: Annotated[list[str], typer.Argument(help=SPECS_HELP, metavar="SPEC...",
                                               show_default=False)],
    objective: Annotated[str, typer.Option(
        "--objective", help="What to minimise. " + " ".join(
            f"{o.name}: {o.summary}." for o in OBJECTIVES.values()), metavar="NAME")
    ] = "quadratic",
    w0: Annotated[float, typer.Option("--w0", help="Starting point (every coordinate).")] = 5.0,
    seed: Annotated[int, typer.Option("--seed", help="Noise seed (objective noisy).")] = 0,
    steps: StepsOpt = None, out: OutOpt = None, log: LogOpt = False, title: TitleOpt = None,
    steps_per_epoch: EpochOpt = None, metric: MetricOpt = None, epochs: EpochsOpt = None,
    dpi: DpiOpt = 150, size: SizeOpt = None, theme: ThemeOpt = Theme.light,
    source_format: FromOpt = None, dataset_size: DatasetOpt = None, world_size: WorldOpt = 1,
    hf_version: HfVersionOpt = None,
) -> None:
    look = _look(dpi, size, theme)
    loaded = api.load(*specs, steps=steps, epochs=epochs, steps_per_epoch=steps_per_epoch,
                      title=title, log=log, metric=metric, source_format=source_format,
                      dataset_size=dataset_size, world_size=world_size,
                      hf_version=hf_version)
    api.output(api.simulate(loaded, objective=objective, w0=w0, seed=seed, **look), out)


@_app.command("list")
def list_command() -> None:
    """List every schedule: canonical families, each framework's dialect names, then the
    composites that config files can hold."""
    from lrplot.render.listing import print_catalogue

    print_catalogue(registry.all_definitions(), registry.all_composites())


@_app.command("describe")
def describe_command(
    name: Annotated[str, typer.Argument(help="A family (cosine), dialect name "
                                        "(torch.OneCycleLR), composite (sequence) or a file.",
                                        show_default=False)],
    steps_per_epoch: EpochOpt = None, source_format: FromOpt = None,
    dataset_size: DatasetOpt = None, world_size: WorldOpt = 1, hf_version: HfVersionOpt = None,
) -> None:
    """Show one schedule's formula, parameters, defaults and framework equivalents; for a
    file, how lrplot reads it: the fields, the derived steps and the equivalent spec."""
    from lrplot.render.listing import print_description, print_lines

    if is_file_source(name):
        print_lines(api.interpret(name, steps_per_epoch=steps_per_epoch,
                                  source_format=source_format, dataset_size=dataset_size,
                                  world_size=world_size, hf_version=hf_version))
        return
    print_description(registry.composite(name) or registry.get(name))


# ---- one subcommand per family, generated from the registry ------------------------------

def _option_for(p: Param) -> Any:
    """The Typer option for a parameter. Numbers and lists arrive as text and are checked by
    ``Param.coerce``, so option errors read exactly like spec-string errors."""
    # Typer reads help as rich markup, where "[a number ≥ 0; ...]" or "[i]" would vanish.
    help_text = escape(f"{p.help} [{p.allowed()}; default: {default_text(p)}]")
    if p.kind == BOOL:
        flag = p.option
        return Annotated[bool | None, typer.Option(
            f"{flag}/--no-{flag[2:]}", help=help_text, show_default=False)]
    if p.kind == CHOICE:
        return Annotated[Literal[p.choices] | None, typer.Option(
            p.option, help=help_text, show_default=False, case_sensitive=False)]
    metavar = {FLOAT: "FLOAT", INT: "INT"}.get(p.kind, "A,B,...")
    return Annotated[str | None, typer.Option(
        p.option, help=help_text, metavar=metavar, show_default=False)]


def _family_command(defn: Definition) -> Callable[..., None]:
    def command(**kwargs: Any) -> None:
        common = {key: kwargs.pop(key, None) for key in COMMON}
        raw = {key: value for key, value in kwargs.items() if value is not None}
        look = _look(common["dpi"], common["size"], common["theme"])
        source = SpecSource(defn.name, raw, spec_text(defn.name, raw))
        loaded = api.load(source, steps=common["steps"],
                          epochs=common["epochs"], steps_per_epoch=common["steps_per_epoch"],
                          title=common["title"], log=common["log"], metric=common["metric"])
        api.output(loaded, common["out"], **look)

    shared = [("steps", StepsOpt), ("epochs", EpochsOpt), ("out", OutOpt), ("log", LogOpt),
              ("title", TitleOpt), ("steps_per_epoch", EpochOpt), ("dpi", DpiOpt),
              ("size", SizeOpt), ("theme", ThemeOpt)]
    if defn.uses_metric:
        shared.append(("metric", MetricOpt))
    defaults = {"log": False, "dpi": 150, "theme": Theme.light}
    parameters = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                          default=defaults.get(name))
        for name, annotation in [(p.name, _option_for(p)) for p in defn.params] + shared
    ]
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__name__ = defn.name
    command.__doc__ = escape(f"{defn.summary}\n\nFormula: {defn.formula}")
    return command


def _family_commands(name: str | None = None) -> list[Any]:
    """The CommandInfos of every family (or of the one called *name*), made on demand."""
    box = typer.Typer()
    for defn in registry.all_definitions(kind="family"):
        if name in (None, defn.name, defn.name.replace("_", "-")):
            command = _family_command(defn)
            box.command(defn.name, rich_help_panel="Families")(command)
            if "_" in defn.name:
                box.command(defn.name.replace("_", "-"), hidden=True)(command)
    return box.registered_commands


# ---- gallery -------------------------------------------------------------------------


@_app.command("gallery")
def gallery_command(
    directory: Annotated[str, typer.Argument(
        help="Folder for the pictures, README.md and manifest.json (created if missing).",
        metavar="DIR", show_default=False)],
    configs: Annotated[str, typer.Option(
        "--configs", help="Folder of config files to draw.", metavar="DIR")] = "configs",
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; fail if DIR does not match the configs.")] = False,
) -> None:
    """Regenerate the gallery: one PNG per config file, indexed in DIR/README.md."""
    from lrplot.gallery import stale, write_gallery

    if check:
        problems = stale(directory, configs)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise LrplotError(f"gallery {directory} is stale: {problems[0]}{more}; "
                              f"run `lrplot gallery {directory} --configs {configs}`")
        sys.stderr.write(f"gallery {directory} is up to date\n")
        return
    pictures = write_gallery(directory, configs)
    sys.stderr.write(f"wrote {len(pictures)} pictures and README.md to {directory}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run lrplot: exit 0 done, 2 bad input (one line on stderr), 130 on Ctrl-C, 128 + N on
    signal N (see :mod:`lrplot.process`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = _command(args)
    process.prepare_streams()
    process.prepare_environment()
    with process.signals_raise():
        try:
            with process.guarded_stdout():
                result = command.main(args=args, prog_name="lrplot", standalone_mode=False)
        except BaseException as err:  # each kind is answered in _ending; bugs re-raise
            return _ending(err, args)
    return result if isinstance(result, int) else 0


def _command(args: list[str]) -> Any:
    """The click command to run *args*: a group holding only the command named first.

    typer builds every command's options by introspection (~70 ms for all of them), so a
    run builds just the one it runs; the top level (``--help``, no command, completion, an
    unknown name) gets the whole app.
    """
    name = args[0] if args and not args[0].startswith("-") else None
    found = [i for i in _app.registered_commands if name and i.name == name]
    found = found or [i for i in (_family_commands(name) if name else []) if i.name == name]
    if found:
        one = typer.Typer(**APP_SETTINGS, add_completion=False)
        one.registered_commands = found[:1]
        one.callback()(_no_options)  # a group, so the command keeps its name
        return typer.main.get_command(one)
    return typer.main.get_command(_whole_app())


def _whole_app() -> typer.Typer:
    """The app with every command: the families' made once, before gallery (as declared)."""
    if not any(i.rich_help_panel == "Families" for i in _app.registered_commands):
        _app.registered_commands[-1:-1] = _family_commands()
    return _app


def __getattr__(name: str) -> Any:
    if name == "app":  # `from lrplot.cli import app`: the whole app
        return _whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _no_options() -> None:
    """Explore, plot and export learning-rate schedules."""


def _ending(err: BaseException, args: list[str]) -> int:
    """The exit status and the one line for a command that did not finish."""
    usage_error, click_exception, abort = _click_errors()
    if isinstance(err, LrplotError):
        return _fail(err.message)
    if isinstance(err, usage_error):
        if type(err).__name__ == "NoArgsIsHelpError":
            # Bare `lrplot`: the help is already on stdout (rich prints it and leaves the
            # message empty; plain click puts it in the message).
            if err.format_message().strip():
                sys.stdout.write(err.format_message() + "\n")
            return _fail("no command given; pick one of the commands above "
                         "(e.g. lrplot cosine --warmup 5)")
        return _fail(process.explain_usage(err.format_message(), args),
                     err.ctx.command_path if err.ctx else "lrplot")
    if isinstance(err, click_exception):
        return _fail(err.format_message())
    if isinstance(err, (KeyboardInterrupt, abort)) or (
            isinstance(err, process.Terminated) and err.signum == signal.SIGINT):
        sys.stderr.write("lrplot: interrupted\n")
        return 130
    if isinstance(err, process.Terminated):
        sys.stderr.write(f"lrplot: terminated ({err.name})\n")
        return 128 + err.signum
    if isinstance(err, process.StdoutFailed):
        process.detach_stdout()
        if err.reader_gone:  # `lrplot ... | head`: the reader has what it wanted
            return 0
        return _fail(f"cannot write to standard output ({err.error.strerror or err.error})")
    raise err


def _click_errors() -> tuple[Any, Any, Any]:
    """click's UsageError, ClickException and Abort (newer typer vendors click privately)."""
    try:
        from typer._click import exceptions

        return exceptions.UsageError, exceptions.ClickException, typer.Abort
    except ImportError:
        from click import exceptions as click_exceptions

        return click_exceptions.UsageError, click_exceptions.ClickException, click_exceptions.Abort


def _fail(message: str, where: str = "lrplot") -> int:
    sys.stderr.write(f"{where}: error: {' '.join(message.split())}\n")
    return 2
