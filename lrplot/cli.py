"""The ``lrplot`` command: a thin Typer layer over the library.

It parses the command line, asks :mod:`lrplot.catalogue` / :mod:`lrplot.spec` for schedules,
and hands the numbers to a renderer chosen by ``--out``. Every family gets its own
subcommand whose options are generated from the family's parameter definitions. Bad input
of any kind ends with exit status 2 and one line on stderr (see :func:`main`).
"""

from __future__ import annotations

import inspect
import json
import re
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Literal

import numpy as np
import typer
from rich.markup import escape

from lrplot import catalogue
from lrplot.catalogue import Context, Definition, default_text
from lrplot.errors import LrplotError
from lrplot.output import STDOUT, Target, plan_outputs, write_all
from lrplot.params import BOOL, CHOICE, FLOAT, INT, Param
from lrplot.render.plot import MAX_AUTO_PANELS
from lrplot.schedule import MAX_STEPS, Schedule, natural_steps
from lrplot.simulate import OBJECTIVES
from lrplot.spec import Loaded, load_specs
from lrplot.sweep import MAX_VARIANTS

app = typer.Typer(
    name="lrplot",
    help="Explore, plot and export learning-rate schedules.\n\n"
    "Type a schedule and see it: `lrplot cosine --warmup 5 --out lr.png`, "
    "`lrplot plot torch.OneCycleLR:max_lr=0.1,total_steps=1000 --out lr.csv`. "
    "Without --out, a table of key steps is printed. `lrplot list` shows every schedule.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# ---- options shared by every plotting command ------------------------------------------

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

COMMON = ("steps", "out", "log", "title", "steps_per_epoch", "metric", "epochs", "dpi", "size",
          "theme")
DPI_RANGE = (20, 1200)
SIZE_RANGE = (1.0, 50.0)
MAX_PIXELS = 400_000_000  # figure width × height × dpi²: a 20 000 × 20 000 PNG


def _check_steps(steps: int | None, option: str = "--steps") -> None:
    if steps is not None and not 1 <= steps <= MAX_STEPS:
        raise LrplotError(f"{option} must be an integer in [1, {MAX_STEPS}], got {steps}")


def _context(steps: int | None, metric: str | None) -> Context:
    _check_steps(steps)
    ctx = Context(steps=steps)
    if metric is not None:
        from lrplot.metric import load_metric

        ctx.metric, ctx.metric_label = load_metric(metric)
    return ctx


def run_steps(steps: int | None, epochs: int | None, steps_per_epoch: int | None,
              specs: Sequence[str] = ()) -> int | None:
    """--steps, or --epochs × --steps-per-epoch (else a config's steps_per_epoch); never both."""
    _check_epoch_size(steps_per_epoch)
    if epochs is None:
        return steps
    if steps is not None:
        raise LrplotError("give --steps or --epochs, not both")
    if steps_per_epoch is None:
        from lrplot.spec import config_steps_per_epoch

        steps_per_epoch = config_steps_per_epoch(list(specs))
    if steps_per_epoch is None:
        raise LrplotError("--epochs needs --steps-per-epoch K (steps = epochs × K)")
    if epochs < 1:
        raise LrplotError(f"--epochs must be an integer ≥ 1, got {epochs}")
    _check_steps(epochs * steps_per_epoch, "--epochs × --steps-per-epoch")
    return epochs * steps_per_epoch


def _check_epoch_size(steps_per_epoch: int | None) -> None:
    if steps_per_epoch is not None and steps_per_epoch < 1:
        raise LrplotError(f"--steps-per-epoch must be an integer ≥ 1, got {steps_per_epoch}")


@dataclass(frozen=True)
class Look:
    """How figures look: --dpi, --size, --theme."""

    dpi: int = 150
    size: tuple[float, float] | None = None
    theme: str = "light"


def look(dpi: int = 150, size: str | None = None, theme: Theme | str = "light") -> Look:
    low, high = DPI_RANGE
    if not low <= dpi <= high:
        raise LrplotError(f"--dpi must be an integer in [{low}, {high}], got {dpi}")
    parsed = _parse_size(size) if size is not None else None
    if parsed and parsed[0] * parsed[1] * dpi * dpi > MAX_PIXELS:
        raise LrplotError(f"--size {size} at --dpi {dpi} is over {MAX_PIXELS:_} pixels; "
                          "use a smaller size or dpi")
    return Look(dpi, parsed, theme.value if isinstance(theme, Theme) else str(theme))


def _parse_size(text: str) -> tuple[float, float]:
    width, sep, height = text.lower().partition("x")
    low, high = SIZE_RANGE
    try:
        parsed = (float(width), float(height)) if sep else None
    except ValueError:
        parsed = None
    if parsed is None or not all(low <= v <= high for v in parsed):
        raise LrplotError(f"--size must be WIDTHxHEIGHT in inches, each in [{low:g}, "
                          f"{high:g}] (e.g. 8x4.5), got {text!r}")
    return parsed


def emit(schedules: Sequence[Schedule], *, steps: int | None, outs: list[str] | None,
         log: bool = False, title: str | None = None,
         steps_per_epoch: int | None = None, style: Look | None = None,
         layout: str | None = None, legend_title: str | None = None,
         sequential: bool = False, sweep_shape: tuple[int, ...] = ()) -> None:
    """Evaluate *schedules* and send them to every ``--out`` target, or to the terminal.

    With *layout* (overlay, grid, both) this is a comparison: a compare figure, and a
    comparison table in the terminal.
    """
    _check_epoch_size(steps_per_epoch)
    style = style or Look()
    targets = plan_outputs(outs or [])
    n = natural_steps(list(schedules), steps)
    _check_steps(n, "the number of steps")
    needs_values = not targets or any(not t.is_figure for t in targets)
    columns = [_evaluate(s, n) for s in schedules] if needs_values else []
    labels = [s.label for s in schedules]
    def draw(handle, fmt):
        from lrplot.render import plot

        options = plot.FigureOptions(
            title=title, log=log, steps_per_epoch=steps_per_epoch, dpi=style.dpi,
            size=style.size, theme=style.theme, layout=layout or "both",
            legend_title=legend_title, sequential=sequential, sweep_shape=sweep_shape)
        renderer = plot.render if layout is None else plot.render_compare
        renderer(handle, fmt, schedules, n, options)

    jobs = []
    for target in targets:
        if target.path != STDOUT:
            jobs.append((target.path, _writer(target, schedules, labels, columns, n, log,
                                              title, steps_per_epoch, draw)))
    write_all(jobs)
    if any(t.path == STDOUT for t in targets):
        from lrplot.render.data import write_csv

        write_csv(sys.stdout.buffer, labels, columns, steps_per_epoch)
        sys.stdout.flush()
    if not targets:
        from lrplot.render import table
        from lrplot.terminal import console

        if layout is None:
            table.print_tables(console(), labels, columns, [s.events(n) for s in schedules],
                               title=title, steps_per_epoch=steps_per_epoch, log=log)
        else:
            table.chart(console(), labels, columns, log=log, title=title or "lr")
            console().print(table.comparison_table(labels, columns))


def _evaluate(schedule: Schedule, n: int) -> np.ndarray:
    values = schedule.values(n)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise LrplotError(f"{schedule.label}: the lr is not finite at step {int(bad[0])} "
                          "(overflow); use smaller parameters or fewer steps")
    return values


def _writer(target: Target, schedules, labels, columns, n, log, title, steps_per_epoch,
            draw=None):
    if target.is_figure:
        def write(handle):
            draw(handle, target.fmt)
        return write
    if target.fmt == "json":
        def write(handle):
            from lrplot.render.data import write_json

            write_json(handle, labels, columns, steps_per_epoch, title)
        return write
    if target.fmt == "csv":
        def write(handle):
            from lrplot.render.data import write_csv

            write_csv(handle, labels, columns, steps_per_epoch)
        return write
    if target.fmt == "keras.json":
        from lrplot.dialects.keras import write_serialized

        return write_serialized(target.path, schedules)
    raise LrplotError(f"--out {target.path}: {target.fmt} output is not available for "
                      "these schedules")


# ---- plot, list, describe ------------------------------------------------------------


@app.command("plot")
def plot_command(
    specs: Annotated[list[str], typer.Argument(
        help=SPECS_HELP, metavar="SPEC...", show_default=False)],
    steps: StepsOpt = None, out: OutOpt = None, log: LogOpt = False, title: TitleOpt = None,
    steps_per_epoch: EpochOpt = None, metric: MetricOpt = None, epochs: EpochsOpt = None,
    dpi: DpiOpt = 150, size: SizeOpt = None, theme: ThemeOpt = Theme.light,
) -> None:
    """Plot or export any schedules, overlaid in one figure."""
    steps = run_steps(steps, epochs, steps_per_epoch, specs)
    style = look(dpi, size, theme)
    ctx = _context(steps, metric)
    loaded: Loaded = load_specs(specs, ctx)
    emit(loaded.schedules, steps=steps or loaded.steps, outs=out, log=log or loaded.log,
         title=title or loaded.title, steps_per_epoch=steps_per_epoch or loaded.steps_per_epoch,
         style=style)


SPECS_HELP = ("Schedules: NAME[:key=value,...] (e.g. cosine:warmup=5, "
              "torch.OneCycleLR:max_lr=0.1,total_steps=1000) or config files (.toml .json "
              ".yaml).")


COMPARE_HELP = (
    "Compare schedules side by side: one panel each plus an overlay, and a table of peak, "
    "final, min, mean, total lr, the first step below 50% and 10% of the peak, and the lr at "
    "10/25/50/75/100% of the run.\n\n"
    "Sweeps: `lrplot compare cosine:warmup=10 --vary min_lr=0,0.01,0.05` draws one curve per "
    "value; several --vary options give every combination (labels like "
    "`min_lr=0.01, warmup=5`)."
)


@app.command("compare", help=COMPARE_HELP)
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
) -> None:
    steps = run_steps(steps, epochs, steps_per_epoch, specs)
    style = look(dpi, size, theme)
    ctx = _context(steps, metric)
    if vary:
        from lrplot import sweep

        if len(specs) != 1:
            raise LrplotError(f"--vary sweeps one schedule; got {len(specs)} specs "
                              f"({', '.join(specs)})")
        schedules = [catalogue.resolve(v.name, v.params, ctx, label=v.label)
                     for v in sweep.expand(specs[0], vary)]
        loaded = Loaded(schedules, title=sweep.sweep_title(specs[0], vary))
    else:
        loaded = load_specs(specs, ctx)
    if len(loaded.schedules) < 2:
        raise LrplotError("compare needs at least two schedules (or one spec with --vary "
                          "KEY=V1,V2,...); for one schedule use `lrplot plot`")
    emit(loaded.schedules, steps=steps or loaded.steps, outs=out, log=log or loaded.log,
         title=title or loaded.title, steps_per_epoch=steps_per_epoch or loaded.steps_per_epoch,
         style=style, layout=(layout or Layout.both).value,
         sequential=bool(vary) and len(vary) == 1,
         sweep_shape=sweep.sweep_shape(vary) if vary else ())


SIMULATE_HELP = (
    "Run plain gradient descent, w ← w − lr_t·∇loss(w), under each schedule.\n\n"
    "By default on loss = (w+1)² from w0 = 5. Row t holds lr_t and w, loss BEFORE the update "
    "of step t: lr 0.2 gives w = 5, 2.6, 1.16, 0.296, ...; lr 1 oscillates 5, −7, 5, −7.\n\n"
    "CSV: step,lr,w,loss for one schedule (w1,w2 for the 2-D valley); for several, "
    "'<label> lr,<label> w,<label> loss' for each schedule in turn. A run whose |w| passes "
    "1e100 is marked diverged and its later rows are nan. The figure shows lr, w and loss "
    "(log scale) against step."
)


@app.command("simulate", help=SIMULATE_HELP)
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
) -> None:
    from lrplot import simulate

    obj = simulate.objective(objective)
    if not np.isfinite(w0) or abs(w0) > 1e6:
        raise LrplotError(f"--w0 must be a finite number in [-1e6, 1e6], got {w0}")
    steps = run_steps(steps, epochs, steps_per_epoch, specs)
    style = look(dpi, size, theme)
    ctx = _context(steps, metric)
    loaded = load_specs(specs, ctx)
    steps_per_epoch = steps_per_epoch or loaded.steps_per_epoch
    log = log or loaded.log
    n = natural_steps(loaded.schedules, steps or loaded.steps)
    _check_steps(n, "the number of steps")
    simulate.check_steps(n)
    runs = [simulate.simulate(s.label, _evaluate(s, n), obj, w0, seed) for s in loaded.schedules]
    title = title or loaded.title or f"gradient descent on {obj.name}, w0 = {w0:g}"
    targets = plan_outputs(out or [])

    def write_csv(handle):
        from lrplot.render.data import write_csv

        names, columns = simulate.csv_columns(runs)
        write_csv(handle, names, columns, steps_per_epoch)

    def write(target):
        if target.fmt == "csv":
            return write_csv
        if target.fmt == "json":
            return lambda handle: handle.write(
                json.dumps(simulate.to_json(runs, obj, w0, seed), allow_nan=False).encode()
                + b"\n")
        if target.is_figure:
            def draw(handle):
                from lrplot.render.plot import FigureOptions, render_simulation

                render_simulation(handle, target.fmt, runs, FigureOptions(
                    title=title, log=log, steps_per_epoch=steps_per_epoch, dpi=style.dpi,
                    size=style.size, theme=style.theme))
            return draw
        raise LrplotError(f"--out {target.path}: {target.fmt} output is not available for "
                          "simulate (use .png .svg .pdf .csv .json)")

    write_all([(t.path, write(t)) for t in targets if t.path != STDOUT])
    if any(t.path == STDOUT for t in targets):
        write_csv(sys.stdout.buffer)
        sys.stdout.flush()
    if not targets:
        from lrplot.render import table
        from lrplot.terminal import console

        table.chart(console(), [r.label for r in runs], [r.loss for r in runs], log=True,
                    title=f"{title}: loss (log scale)")
        console().print(table.simulation_table(runs))


@app.command("list")
def list_command() -> None:
    """List every schedule: canonical families, each framework's dialect names, then the
    composites that config files can hold."""
    from lrplot.config import COMPOSITE_HELP
    from lrplot.render.catalogue import catalogue_table
    from lrplot.terminal import console

    console().print(catalogue_table(catalogue.all_definitions(), COMPOSITE_HELP))


@app.command("describe")
def describe_command(
    name: Annotated[str, typer.Argument(help="A family (cosine), dialect name "
                                        "(torch.OneCycleLR) or composite (sequence).",
                                        show_default=False)],
) -> None:
    """Show one schedule's formula, parameters, defaults and framework equivalents."""
    from lrplot.config import composite_help
    from lrplot.render.catalogue import describe, describe_composite
    from lrplot.terminal import console

    composite = composite_help(name)
    if composite is not None:
        console().print(describe_composite(composite))
        return
    console().print(describe(catalogue.get(name)))


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
        return Annotated[Literal[p.choices] | None, typer.Option(  # type: ignore[valid-type]
            p.option, help=help_text, show_default=False, case_sensitive=False)]
    metavar = {FLOAT: "FLOAT", INT: "INT"}.get(p.kind, "A,B,...")
    return Annotated[str | None, typer.Option(
        p.option, help=help_text, metavar=metavar, show_default=False)]


def _spec_text(name: str, raw: dict[str, Any]) -> str:
    def show(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)

    items = ",".join(f"{k}={show(v)}" for k, v in raw.items())
    return f"{name}:{items}" if items else name


def _family_command(defn: Definition) -> Callable[..., None]:
    def command(**kwargs: Any) -> None:
        common = {key: kwargs.pop(key, None) for key in COMMON}
        raw = {key: value for key, value in kwargs.items() if value is not None}
        steps = run_steps(common["steps"], common["epochs"], common["steps_per_epoch"])
        style = look(common["dpi"], common["size"], common["theme"])
        ctx = _context(steps, common["metric"])
        schedule = catalogue.resolve(defn.name, raw, ctx, label=_spec_text(defn.name, raw))
        emit([schedule], steps=steps, outs=common["out"], log=common["log"],
             title=common["title"], steps_per_epoch=common["steps_per_epoch"], style=style)

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


def _register_families() -> None:
    for defn in catalogue.all_definitions(kind="family"):
        command = _family_command(defn)
        app.command(defn.name, rich_help_panel="Families")(command)
        if "_" in defn.name:
            app.command(defn.name.replace("_", "-"), hidden=True)(command)


_register_families()


# ---- gallery -------------------------------------------------------------------------


@app.command("gallery")
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
    """Run lrplot; bad input of any kind exits 2 with one line on stderr."""
    usage_error, click_exception, abort = _click_errors()

    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    previous = _raise_on_sigterm()
    try:
        result = command.main(args=args, prog_name="lrplot", standalone_mode=False)
    except LrplotError as err:
        return _fail(err.message)
    except usage_error as err:
        if type(err).__name__ == "NoArgsIsHelpError":
            # Bare `lrplot`: the help is already on stdout (rich prints it and leaves the
            # message empty; plain click puts it in the message).
            if err.format_message().strip():
                sys.stdout.write(err.format_message() + "\n")
            return _fail("no command given; pick one of the commands above "
                         "(e.g. lrplot cosine --warmup 5)")
        return _fail(_explain_usage(err.format_message(), args),
                     err.ctx.command_path if err.ctx else "lrplot")
    except click_exception as err:
        return _fail(err.format_message())
    except (KeyboardInterrupt, abort):
        sys.stderr.write("lrplot: interrupted\n")
        return 130
    except _Terminated:
        sys.stderr.write("lrplot: terminated\n")
        return 128 + signal.SIGTERM
    except BrokenPipeError:  # e.g. `lrplot ... --out - | head`
        sys.stderr.close()
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return result if isinstance(result, int) else 0


class _Terminated(BaseException):
    """SIGTERM, raised as an exception so that half-written temporary files are removed."""


def _raise_on_sigterm() -> Any:
    def handler(signum: int, frame: Any) -> None:
        raise _Terminated

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        return None


def _click_errors() -> tuple[type, type, type]:
    """click's UsageError, ClickException and Abort (newer typer vendors click privately)."""
    try:
        from typer._click.exceptions import ClickException, UsageError

        return UsageError, ClickException, typer.Abort
    except ImportError:
        from click.exceptions import Abort, ClickException, UsageError

        return UsageError, ClickException, Abort


SWITCH_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0"})


def _explain_usage(message: str, args: list[str]) -> str:
    """Click's usage message, made specific where a user is likely to trip: a yes/no
    option is a switch, and ``--cycle true`` leaves ``true`` as a stray argument."""
    match = re.match(r"Got unexpected extra argument\S* \(([^\s)]+)", message)
    if match and match.group(1).lower() in SWITCH_WORDS and match.group(1) in args:
        index = args.index(match.group(1))
        option = args[index - 1] if index else ""
        if option.startswith("--"):
            name = option.removeprefix("--").removeprefix("no-")
            return (f"{option} is a switch and takes no value: write --{name} for yes, "
                    f"--no-{name} for no")
    return message


def _fail(message: str, where: str = "lrplot") -> int:
    sys.stderr.write(f"{where}: error: {' '.join(message.split())}\n")
    return 2
